"""Making someone a quality checker: ``careobs user create … --role quality_checker`` and the
admin user form, both of which explain what the role means."""

from __future__ import annotations

import sqlalchemy as sa

from careobs.accounts.models import Membership, User

STRONG = "a long and unusual phrase"
HINT = (
    "Someone with lived experience who completes the co-audits and conversations assigned to"
    " them; sees no staff names, feedback or dashboards"
)


def membership_of(db, email: str) -> list[tuple[str, str]]:
    db.expire_all()
    return [
        tuple(row)
        for row in db.execute(
            sa.select(User.display_name, Membership.role)
            .join(Membership, Membership.user_id == User.id)
            .where(User.email == email)
        )
    ]


def test_the_cli_creates_a_quality_checker(runner, db, org):
    result = runner.invoke(
        args=[
            "user",
            "create",
            "pat@acme.test",
            "--name",
            "Pat (quality checker)",
            "--service",
            "Acme Care Homecare",
            "--role",
            "quality_checker",
            "--password",
            STRONG,
        ]
    )
    assert result.exit_code == 0, result.output
    assert membership_of(db, "pat@acme.test") == [("Pat (quality checker)", "quality_checker")]


def test_the_user_command_help_lists_the_role_and_what_it_means(runner):
    result = runner.invoke(args=["user", "create", "--help"])
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "[manager|supervisor|staff|quality_checker]" in text
    assert "quality_checker (Quality checker: someone with lived experience" in text


def test_an_unknown_role_is_refused_by_the_cli(runner, db, org):
    result = runner.invoke(
        args=[
            "user",
            "create",
            "x@acme.test",
            "--name",
            "X",
            "--service",
            "Acme Care Homecare",
            "--role",
            "checker",
        ]
    )
    assert result.exit_code != 0
    assert "Invalid value for '--role'" in result.output
    assert membership_of(db, "x@acme.test") == []


def test_the_admin_form_offers_the_role_with_its_hint_and_saves_it(db, org, login_as):
    admin = login_as(org.admin)
    page = admin.get("/admin/users/new").get_data(as_text=True)
    assert '<option value="quality_checker">Quality checker</option>' in page
    assert f"<strong>Quality checker:</strong> {HINT}." in page
    form = {
        "email": "pat@acme.test",
        "display_name": "Pat (quality checker)",
        f"role_{org.care_home.uuid.hex}": "",
        f"role_{org.homecare.uuid.hex}": "quality_checker",
    }
    assert admin.post("/admin/users/new", data=form).status_code == 200  # the invitation page
    assert membership_of(db, "pat@acme.test") == [("Pat (quality checker)", "quality_checker")]
    pat = db.scalar(sa.select(User).where(User.email == "pat@acme.test"))
    edit = admin.get(f"/admin/users/{pat.uuid}").get_data(as_text=True)
    assert '<option selected value="quality_checker">Quality checker</option>' in edit
