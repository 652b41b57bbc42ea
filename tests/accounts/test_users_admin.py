"""The users admin screens: listing, inviting, editing roles and (de)activating users.

Only organisation admins may use them, and only for users of their own organisation. Every
HTML page these tests receive is also checked for inline code (see ``PageClient``).
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from careobs.accounts.models import Membership, User
from careobs.audit.models import AuditEvent
from tests.support.web import PASSWORD

TAKEN = "A user with this email already exists."


def user_form(acme, email, name, *, admin=False, roles=None) -> dict:
    """What the user form posts: email, name, the admin box and one role per service."""
    roles = roles or {}
    form = {"email": email, "display_name": name}
    if admin:
        form["is_org_admin"] = "y"
    for svc in (acme.care_home, acme.homecare):
        form[f"role_{svc.uuid.hex}"] = roles.get(svc, "")
    return form


def fresh(db, user: User) -> User:
    db.expire_all()
    return db.get(User, user.id)


def roles_of(db, user: User) -> set[tuple[int, str]]:
    db.expire_all()
    rows = db.execute(
        sa.select(Membership.service_id, Membership.role).where(Membership.user_id == user.id)
    )
    return {tuple(row) for row in rows}


def count_users(db) -> int:
    db.expire_all()
    return db.scalar(sa.select(sa.func.count()).select_from(User))


def actions(db, *names: str) -> list[tuple[str, int | None, str | None]]:
    """Audit events with these actions done by a user (not by the test data builder), as
    (action, actor id, entity id), oldest first."""
    db.expire_all()
    rows = db.execute(
        sa.select(AuditEvent.action, AuditEvent.actor_id, AuditEvent.entity_id)
        .where(AuditEvent.action.in_(names), AuditEvent.actor_id.is_not(None))
        .order_by(AuditEvent.id)
    )
    return [tuple(row) for row in rows]


# Listing


def test_admin_sees_every_user_of_their_organisation_and_no_other(client, data, acme):
    other = data.organisation("Other Org", prefix="other")
    response = client.get("/admin/users/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for user in (acme.admin, acme.manager, acme.supervisor, acme.staff, acme.outsider):
        assert user.email in page
        assert f'href="/admin/users/{user.uuid}"' in page
    for user in (other.admin, other.manager, other.staff):
        assert user.email not in page
    assert "Manager at Acme Care House" in page
    assert "Care worker at Acme Care House" in page
    assert "Organisation admin" in page


# Creating


def test_new_user_form_offers_a_role_in_each_service_of_the_organisation(client, data, acme):
    other = data.organisation("Other Org", prefix="other")
    page = client.get("/admin/users/new").get_data(as_text=True)
    assert f'name="role_{acme.care_home.uuid.hex}"' in page
    assert f'name="role_{acme.homecare.uuid.hex}"' in page
    assert other.care_home.uuid.hex not in page


def test_admin_creates_an_admin_user_with_roles(client, db, acme):
    form = user_form(
        acme,
        "Dee.Deputy@Acme.test",
        "Dee Deputy",
        admin=True,
        roles={acme.care_home: "manager", acme.homecare: "staff"},
    )
    assert client.post("/admin/users/new", data=form).status_code == 200
    user = db.scalar(sa.select(User).where(User.email == "dee.deputy@acme.test"))
    assert user.is_org_admin
    assert roles_of(db, user) == {(acme.care_home.id, "manager"), (acme.homecare.id, "staff")}
    assert actions(db, "user_created", "user_invited") == [
        ("user_created", acme.admin.id, str(user.uuid)),
        ("user_invited", acme.admin.id, str(user.uuid)),
    ]


@pytest.mark.parametrize("email", ["manager@acme.test", "MANAGER@ACME.TEST", "Manager@Acme.Test"])
def test_duplicate_email_in_any_case_is_refused_and_nothing_written(client, db, acme, email):
    users_before = count_users(db)
    response = client.post("/admin/users/new", data=user_form(acme, email, "Second Mo"))
    assert response.status_code == 200
    assert TAKEN in response.get_data(as_text=True)
    assert count_users(db) == users_before
    assert actions(db, "user_created", "user_invited") == []


def test_email_of_another_organisations_user_is_refused_too(client, db, data, acme):
    other = data.organisation("Other Org", prefix="other")
    users_before = count_users(db)
    response = client.post("/admin/users/new", data=user_form(acme, other.staff.email, "Copy"))
    assert TAKEN in response.get_data(as_text=True)
    assert count_users(db) == users_before


@pytest.mark.parametrize(
    ("email", "name", "message"),
    [
        ("not-an-email", "Nina", "Enter a valid email."),
        ("nina@acme.test", "   ", "This cannot be blank."),
        ("", "Nina", "This field is required."),
    ],
)
def test_invalid_details_are_refused_and_nothing_written(client, db, acme, email, name, message):
    users_before = count_users(db)
    response = client.post("/admin/users/new", data=user_form(acme, email, name))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert count_users(db) == users_before


def test_unknown_role_is_refused(client, db, acme):
    users_before = count_users(db)
    form = user_form(acme, "nina@acme.test", "Nina")
    form[f"role_{acme.care_home.uuid.hex}"] = "owner"
    response = client.post("/admin/users/new", data=form)
    assert response.status_code == 200
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert count_users(db) == users_before


def test_role_in_another_organisations_service_is_ignored(client, db, data, acme):
    other = data.organisation("Other Org", prefix="other")
    form = user_form(acme, "nina@acme.test", "Nina")
    form[f"role_{other.care_home.uuid.hex}"] = "manager"
    assert client.post("/admin/users/new", data=form).status_code == 200
    user = db.scalar(sa.select(User).where(User.email == "nina@acme.test"))
    assert roles_of(db, user) == set()


# Editing


def test_edit_form_shows_the_users_current_roles(client, acme):
    page = client.get(f"/admin/users/{acme.manager.uuid}").get_data(as_text=True)
    select = re.search(
        rf'<select[^>]*name="role_{acme.care_home.uuid.hex}".*?</select>', page, re.DOTALL
    ).group(0)
    assert re.search(r'<option selected value="manager">|<option value="manager" selected', select)


def test_admin_changes_a_users_roles_and_details(client, db, acme):
    form = user_form(
        acme,
        "MO.Manager@acme.test",
        "Mo Manager-Smith",
        roles={acme.care_home: "staff", acme.homecare: "supervisor"},
    )
    response = client.post(f"/admin/users/{acme.manager.uuid}", data=form)
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/users/"
    user = fresh(db, acme.manager)
    assert user.email == "mo.manager@acme.test"
    assert user.display_name == "Mo Manager-Smith"
    assert roles_of(db, user) == {(acme.care_home.id, "staff"), (acme.homecare.id, "supervisor")}
    assert actions(db, "user_updated") == [("user_updated", acme.admin.id, str(user.uuid))]
    assert "Saved changes to Mo Manager-Smith." in client.get("/admin/users/").get_data(
        as_text=True
    )


def test_admin_removes_every_role(client, db, acme):
    form = user_form(acme, acme.supervisor.email, "Sue Supervisor")
    assert client.post(f"/admin/users/{acme.supervisor.uuid}", data=form).status_code == 302
    assert roles_of(db, acme.supervisor) == set()


def test_admin_makes_another_user_an_admin(client, db, acme):
    form = user_form(acme, acme.outsider.email, "Olu Outsider", admin=True)
    client.post(f"/admin/users/{acme.outsider.uuid}", data=form)
    assert fresh(db, acme.outsider).is_org_admin


def test_changing_email_to_one_already_taken_is_refused(client, db, acme):
    form = user_form(acme, "STAFF@acme.test", "Mo Manager", roles={acme.care_home: "manager"})
    response = client.post(f"/admin/users/{acme.manager.uuid}", data=form)
    assert response.status_code == 200
    assert TAKEN in response.get_data(as_text=True)
    assert fresh(db, acme.manager).email == "manager@acme.test"
    assert actions(db, "user_updated") == []


def test_keeping_ones_own_email_is_not_a_duplicate(client, db, acme):
    form = user_form(acme, "ADMIN@acme.test", "Ada A. Admin", admin=True)
    assert client.post(f"/admin/users/{acme.admin.uuid}", data=form).status_code == 302
    assert fresh(db, acme.admin).display_name == "Ada A. Admin"


def test_admin_cannot_remove_their_own_admin_rights(client, db, acme):
    form = user_form(acme, acme.admin.email, "Ada Admin", roles={acme.homecare: "staff"})
    response = client.post(f"/admin/users/{acme.admin.uuid}", data=form)
    assert response.status_code == 200
    assert "You cannot remove your own admin rights." in response.get_data(as_text=True)
    admin = fresh(db, acme.admin)
    assert admin.is_org_admin
    assert roles_of(db, admin) == set()
    assert client.get("/admin/users/").status_code == 200


# Deactivating


def test_admin_cannot_deactivate_themself(client, db, acme):
    response = client.post(f"/admin/users/{acme.admin.uuid}/active", follow_redirects=True)
    assert response.request.path == f"/admin/users/{acme.admin.uuid}"
    assert "You cannot deactivate your own account." in response.get_data(as_text=True)
    assert fresh(db, acme.admin).active
    assert actions(db, "user_deactivated") == []


def test_deactivate_then_reactivate_a_user(app, client, db, acme):
    token_before = acme.staff.session_token
    response = client.post(f"/admin/users/{acme.staff.uuid}/active", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.request.path == "/admin/users/"
    assert "Stan Staff has been deactivated; their sessions have ended." in page
    assert "Deactivated" in page
    staff = fresh(db, acme.staff)
    assert not staff.active
    assert staff.session_token != token_before
    login = {"email": acme.staff.email, "password": PASSWORD}
    assert app.test_client().post("/login", data=login).status_code == 200

    response = client.post(f"/admin/users/{acme.staff.uuid}/active", follow_redirects=True)
    assert "Stan Staff has been reactivated." in response.get_data(as_text=True)
    assert fresh(db, acme.staff).active
    assert app.test_client().post("/login", data=login).status_code == 302
    entity = str(acme.staff.uuid)
    assert actions(db, "user_deactivated", "user_reactivated") == [
        ("user_deactivated", acme.admin.id, entity),
        ("user_reactivated", acme.admin.id, entity),
    ]


# Other organisations and other roles


def other_org_requests(user: User) -> list[tuple[str, str]]:
    return [
        ("GET", f"/admin/users/{user.uuid}"),
        ("POST", f"/admin/users/{user.uuid}"),
        ("POST", f"/admin/users/{user.uuid}/invitation"),
        ("POST", f"/admin/users/{user.uuid}/password-reset"),
        ("POST", f"/admin/users/{user.uuid}/active"),
    ]


def test_another_organisations_user_is_not_found(client, db, data, acme):
    other = data.organisation("Other Org", prefix="other")
    form = user_form(acme, "taken-over@acme.test", "Taken Over", admin=True)
    for method, path in other_org_requests(other.staff):
        response = client.open(path, method=method, data=form if method == "POST" else None)
        assert response.status_code == 404, (method, path)
    staff = fresh(db, other.staff)
    assert staff.active
    assert staff.email == "staff@other.test"
    assert not staff.is_org_admin
    assert (
        actions(
            db, "user_updated", "user_deactivated", "user_invited", "password_reset_link_created"
        )
        == []
    )


def test_unknown_user_is_not_found(client, acme):
    assert client.get("/admin/users/00000000-0000-4000-8000-000000000000").status_code == 404
    assert client.get("/admin/users/not-a-uuid").status_code == 404


def every_users_route(acme) -> list[tuple[str, str, dict | None]]:
    target = acme.outsider
    form = user_form(acme, "intruder@acme.test", "Intruder", admin=True)
    return [
        ("GET", "/admin/users/", None),
        ("GET", "/admin/users/new", None),
        ("POST", "/admin/users/new", form),
        ("GET", f"/admin/users/{target.uuid}", None),
        ("POST", f"/admin/users/{target.uuid}", form),
        ("POST", f"/admin/users/{target.uuid}/invitation", None),
        ("POST", f"/admin/users/{target.uuid}/password-reset", None),
        ("POST", f"/admin/users/{target.uuid}/active", None),
    ]


@pytest.mark.parametrize("role", ["manager", "supervisor", "staff", "outsider"])
def test_non_admins_are_forbidden_on_every_users_route(client, db, data, role):
    acme = data.organisation()
    browser = client
    user = getattr(acme, role)
    login = {"email": user.email, "password": PASSWORD}
    assert browser.post("/login", data=login).status_code == 302
    users_before = count_users(db)
    for method, path, form in every_users_route(acme):
        response = browser.open(path, method=method, data=form)
        assert response.status_code == 403, (role, method, path)
    assert count_users(db) == users_before
    outsider = fresh(db, acme.outsider)
    assert outsider.active
    assert not outsider.is_org_admin
    assert outsider.email == "outsider@acme.test"
    changes = (
        "user_created",
        "user_updated",
        "user_invited",
        "password_reset_link_created",
        "user_deactivated",
    )
    assert actions(db, *changes) == []


def test_logged_out_visitor_is_sent_to_log_in(client, data):
    acme = data.organisation()
    for method, path, form in every_users_route(acme):
        response = client.open(path, method=method, data=form)
        assert response.status_code == 302, (method, path)
        assert response.headers["Location"].startswith("/login?next=")
