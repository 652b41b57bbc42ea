"""The careobs command line: init, demo and user management, as a new administrator uses them."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from careobs.accounts.models import Membership, User
from careobs.audit.models import AuditEvent
from careobs.checklists.models import Checklist, ChecklistVersion
from careobs.org.models import Area, Organisation, Person, Service, StaffMember

STRONG = "a long and unusual phrase"


def count(db, model) -> int:
    return db.scalar(sa.select(sa.func.count()).select_from(model))


def test_init_creates_the_organisation_and_first_admin(runner, db, client):
    result = runner.invoke(
        args=[
            "init",
            "--organisation",
            "Hillside Care",
            "--admin-email",
            "Boss@Hillside.test",
            "--admin-name",
            "Bea Boss",
            "--admin-password",
            STRONG,
        ]
    )
    assert result.exit_code == 0, result.output
    admin = db.scalar(sa.select(User))
    assert admin.email == "boss@hillside.test"
    assert admin.is_org_admin
    assert db.scalar(sa.select(Organisation.name)) == "Hillside Care"
    response = client.post("/login", data={"email": "boss@hillside.test", "password": STRONG})
    assert response.status_code == 302


def test_init_creates_the_default_checklist_as_published_version_1(runner, db):
    result = runner.invoke(
        args=[
            "init",
            "--organisation",
            "Hillside Care",
            "--admin-email",
            "boss@hillside.test",
            "--admin-name",
            "Bea Boss",
            "--admin-password",
            STRONG,
        ]
    )
    assert result.exit_code == 0, result.output

    org = db.scalar(sa.select(Organisation))
    # The one visit checklist (init adds the starter audit templates too: tests/audits).
    [checklist] = db.scalars(sa.select(Checklist).where(Checklist.purpose == "visit")).all()
    assert (checklist.name, checklist.organisation_id) == ("Homecare monitoring visit", org.id)
    [v1] = checklist.versions
    assert v1.number == 1
    assert v1.published_at is not None
    assert v1.retired_at is None
    assert v1.organisation_id == org.id
    assert len(v1.domains) == 13
    assert len(v1.items) == 29
    assert [i.text for i in v1.items if i.critical] == [
        "Hand hygiene before contact",
        "Gained consent before care",
        "Equipment checked and used safely as the plan says",
        "Checked the medicines record before giving",
        "Right person, medicine, dose, time and route",
        "Recorded correctly straight after",
    ]
    assert len({i.key for i in v1.items}) == 29
    assert [d.position for d in v1.domains] == list(range(13))
    admin = db.scalar(sa.select(User))
    published = db.scalars(
        sa.select(AuditEvent).where(
            AuditEvent.action == "checklist_published", AuditEvent.entity_id == str(checklist.uuid)
        )
    ).all()
    assert [(e.actor_id, e.summary) for e in published] == [
        (admin.id, "Homecare monitoring visit v1 (default)")
    ]
    # Running init again does not add a second checklist or version.
    again = runner.invoke(
        args=[
            "init",
            "--organisation",
            "Hillside Care",
            "--admin-email",
            "boss@hillside.test",
            "--admin-name",
            "Bea Boss",
            "--admin-password",
            STRONG,
        ]
    )
    assert again.exit_code == 0, again.output
    assert count(db, Checklist) == 1 + 4  # the visit checklist and the starter audit templates
    assert count(db, ChecklistVersion) == 1 + 4


def test_init_twice_changes_nothing(runner, db):
    args = [
        "init",
        "--organisation",
        "Hillside",
        "--admin-email",
        "a@h.test",
        "--admin-name",
        "A",
        "--admin-password",
        STRONG,
    ]
    assert runner.invoke(args=args).exit_code == 0
    second = runner.invoke(args=args)
    assert second.exit_code == 0
    assert "already exists" in second.output
    assert count(db, Organisation) == 1
    assert count(db, User) == 1


def test_init_refuses_a_weak_password_and_writes_nothing(runner, db):
    result = runner.invoke(
        args=[
            "init",
            "--organisation",
            "Hillside",
            "--admin-email",
            "a@h.test",
            "--admin-name",
            "A",
            "--admin-password",
            "short",
        ]
    )
    assert result.exit_code != 0
    assert "at least 12 characters" in result.output
    assert count(db, Organisation) == 0
    assert count(db, User) == 0


def test_init_prompts_when_flags_are_missing(runner, db):
    answers = f"Prompted Care\nadmin@prompted.test\nPat Admin\n{STRONG}\n{STRONG}\n"
    result = runner.invoke(args=["init"], input=answers)
    assert result.exit_code == 0, result.output
    assert db.scalar(sa.select(User.email)) == "admin@prompted.test"


def test_demo_loads_the_documented_organisation_and_is_idempotent(runner, db, client):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    for email in (
        "admin@demo.test",
        "manager@demo.test",
        "supervisor@demo.test",
        "staff@demo.test",
    ):
        assert email in first.output
    assert "demo-password-2026" in first.output
    counts = {
        m: count(db, m)
        for m in (Organisation, Service, Area, Person, StaffMember, User, Membership)
    }
    assert counts[Organisation] == 1
    assert counts[Service] == 2
    assert counts[Area] == 3
    assert counts[Person] == 30
    assert counts[StaffMember] == 21
    # The four logins of the README, the audit champion, the checker, the new QUIS observer.
    assert counts[User] == 7

    assert runner.invoke(args=["demo"]).exit_code == 0
    db.expire_all()
    assert {m: count(db, m) for m in counts} == counts

    services = dict(db.execute(sa.select(Service.name, Service.kind)).all())
    assert services == {"Rosewood House": "care_home", "Riverside Homecare": "homecare"}
    manager = db.scalar(sa.select(User).where(User.email == "manager@demo.test"))
    assert sorted(m.role for m in manager.memberships) == ["manager", "manager"]
    staff = db.scalar(sa.select(User).where(User.email == "staff@demo.test"))
    assert [(m.service.name, m.role) for m in staff.memberships] == [("Rosewood House", "staff")]
    for email in (
        "admin@demo.test",
        "manager@demo.test",
        "supervisor@demo.test",
        "staff@demo.test",
    ):
        response = client.post("/login", data={"email": email, "password": "demo-password-2026"})
        assert response.status_code == 302, email
        client.post("/logout")


def _link(output: str) -> str:
    match = re.search(r"https?://\S+/invitation/(\S+)", output)
    assert match, output
    return match.group(1)


def test_user_create_prints_an_invitation_that_works(runner, db, client, data):
    acme = data.organisation()
    result = runner.invoke(
        args=[
            "user",
            "create",
            "New@Acme.test",
            "--name",
            "Nia New",
            "--service",
            acme.care_home.name,
            "--role",
            "supervisor",
        ]
    )
    assert result.exit_code == 0, result.output
    token = _link(result.output)
    user = db.scalar(sa.select(User).where(User.email == "new@acme.test"))
    assert user.password_hash is None
    assert [m.role for m in user.memberships] == ["supervisor"]
    page = client.get(f"/invitation/{token}")
    assert page.status_code == 200
    assert "new@acme.test" in page.get_data(as_text=True)


def test_user_invite_replaces_the_previous_link(runner, data, client):
    data.organisation()
    first = _link(runner.invoke(args=["user", "create", "x@acme.test", "--name", "X"]).output)
    second_run = runner.invoke(args=["user", "invite", "x@acme.test"])
    assert second_run.exit_code == 0, second_run.output
    second = _link(second_run.output)
    assert client.get(f"/invitation/{second}").status_code == 200
    if first != second:
        assert client.get(f"/invitation/{first}").status_code == 410


def test_user_invite_refuses_someone_with_a_password(runner, data):
    acme = data.organisation()
    result = runner.invoke(args=["user", "invite", acme.staff.email])
    assert result.exit_code != 0
    assert "already set a password" in result.output


def test_user_create_refuses_a_duplicate_email(runner, data, db):
    acme = data.organisation()
    result = runner.invoke(args=["user", "create", acme.staff.email.upper(), "--name", "Dup"])
    assert result.exit_code != 0
    assert "already a user" in result.output
    assert count(db, User) == 5


def test_set_password_ends_sessions_and_audits(runner, data, db, client, auth):
    acme = data.organisation()
    auth.login(acme.staff)
    result = runner.invoke(args=["user", "set-password", acme.staff.email, "--password", STRONG])
    assert result.exit_code == 0, result.output
    assert client.get("/").status_code == 302  # the old session has ended
    assert (
        client.post("/login", data={"email": acme.staff.email, "password": STRONG}).status_code
        == 302
    )
    actions = db.scalars(sa.select(AuditEvent.action)).all()
    assert "password_set" in actions


def test_set_password_applies_the_rules(runner, data):
    acme = data.organisation()
    result = runner.invoke(
        args=["user", "set-password", acme.staff.email, "--password", "password1234"]
    )
    assert result.exit_code != 0
    assert "too common" in result.output


def test_help_describes_the_quick_start(runner):
    from careobs.cli import main

    result = runner.invoke(main, ["--help"])
    assert result.exit_code == 0
    for text in ("careobs init", "careobs demo", "careobs run", "DATABASE_URL", "SECRET_KEY"):
        assert text in result.output


def test_the_invitation_links_printed_say_how_long_they_last_as_configured(app, runner, data):
    data.organisation()
    app.config["INVITATION_MAX_AGE"] = timedelta(hours=24)
    created = runner.invoke(args=["user", "create", "y@acme.test", "--name", "Y"])
    assert "Invitation link (valid 24 hours):" in created.output
    again = runner.invoke(args=["user", "invite", "y@acme.test"])
    assert "Invitation link for y@acme.test (valid 24 hours):" in again.output
