"""Who may open which page: a role × route matrix, and the wall between organisations.

Every GET route of the admin area, the home page and the account page is requested by each role
(anonymous, org admin, manager of the care home only, supervisor, care worker, and a user with
no service) with real record ids. Roles without access also try every admin POST and must
change nothing. A second organisation's records are then requested by every role: they are
"not found" wherever the role may use the route, and always answer exactly as an id that does
not exist at all, so their existence is never revealed.
"""

from __future__ import annotations

import re
import uuid

import pytest
import sqlalchemy as sa

from careobs.accounts.models import User
from careobs.audit.models import AuditEvent
from careobs.org.models import Area, Person, Service, StaffMember

ROLES = ("anonymous", "admin", "manager", "supervisor", "staff", "outsider")
NO_ADMIN_ACCESS = ("supervisor", "staff", "outsider")

ALL = dict.fromkeys(ROLES[1:], 200)
ADMIN_ONLY = {"admin": 200, "manager": 403, "supervisor": 403, "staff": 403, "outsider": 403}
ADMIN_AREA = {"admin": 200, "manager": 200, "supervisor": 403, "staff": 403, "outsider": 403}
# Records of the homecare service, which the manager does not manage.
NOT_MANAGERS = ADMIN_ONLY

# route template → expected status per logged-in role (anonymous is always sent to /login).
GET_MATRIX = {
    "/": ALL,
    "/account": ALL,
    "/admin/": ADMIN_AREA,
    "/admin/services": ADMIN_AREA,
    "/admin/services/new": ADMIN_ONLY,
    "/admin/services/{care_home}": ADMIN_AREA,
    "/admin/services/{homecare}": NOT_MANAGERS,
    "/admin/people/": ADMIN_AREA,
    "/admin/people/?service={care_home_hex}&show=all": ADMIN_AREA,
    "/admin/people/new": ADMIN_AREA,
    "/admin/people/{R01}": ADMIN_AREA,
    "/admin/people/{H01}": NOT_MANAGERS,
    "/admin/staff/": ADMIN_AREA,
    "/admin/staff/?service={care_home_hex}&show=all": ADMIN_AREA,
    "/admin/staff/new": ADMIN_AREA,
    "/admin/staff/{carla}": ADMIN_AREA,
    "/admin/staff/{hal}": NOT_MANAGERS,
    "/admin/users/": ADMIN_ONLY,
    "/admin/users/new": ADMIN_ONLY,
    "/admin/users/{staff_user}": ADMIN_ONLY,
    "/admin/audit/": ADMIN_ONLY,
    "/admin/audit/?action=login": ADMIN_ONLY,
}

# Every admin POST, with data that would be accepted if the permission check were missing.
POST_ROUTES = {
    "/admin/services/new": {"name": "Sneaky Service", "kind": "care_home"},
    "/admin/services/{care_home}": {"name": "Renamed House", "kind": "care_home"},
    "/admin/services/{care_home}/active": {},
    "/admin/services/{care_home}/areas": {"name": "Garden room"},
    "/admin/areas/{lounge}/active": {},
    "/admin/people/new": {
        "service": "{care_home_hex}",
        "code": "R99",
        "consent": "no",
        "consent_on": "2026-01-05",
        "consent_given_by": "person",
    },
    "/admin/people/{R01}": {
        "service": "{care_home_hex}",
        "code": "R98",
        "consent": "no",
        "consent_on": "2026-01-05",
        "consent_given_by": "person",
    },
    "/admin/people/{R01}/active": {},
    "/admin/staff/new": {
        "service": "{care_home_hex}",
        "name": "New Starter",
        "job_role": "Care worker",
        "user": "",
    },
    "/admin/staff/{carla}": {
        "service": "{care_home_hex}",
        "name": "Carla Renamed",
        "job_role": "Nurse",
        "user": "",
    },
    "/admin/staff/{carla}/active": {},
    "/admin/users/new": {"email": "new.person@acme.test", "display_name": "New Person"},
    "/admin/users/{staff_user}": {"email": "staff@acme.test", "display_name": "Renamed"},
    "/admin/users/{staff_user}/active": {},
    "/admin/users/{staff_user}/invitation": {},
    "/admin/users/{staff_user}/password-reset": {},
}


def ids_of(org) -> dict[str, str]:
    """The values that fill the route templates, for one organisation."""
    return {
        "care_home": str(org.care_home.uuid),
        "homecare": str(org.homecare.uuid),
        "care_home_hex": org.care_home.uuid.hex,
        "R01": str(org.people["R01"].uuid),
        "H01": str(org.people["H01"].uuid),
        "carla": str(org.staff_members["Carla Carer"].uuid),
        "hal": str(org.staff_members["Hal Homecare"].uuid),
        "lounge": str(org.areas["Lounge"].uuid),
        "staff_user": str(org.staff.uuid),
    }


def log_in_as(auth, org, role: str) -> None:
    if role != "anonymous":
        auth.login(getattr(org, role))


def changes_so_far(db) -> dict:
    """A fingerprint of everything an admin POST could change (logins aside)."""
    db.expire_all()
    counted = {
        model.__tablename__: db.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (Service, Area, Person, StaffMember, User)
    }
    counted["audit"] = db.scalar(
        sa.select(sa.func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action.not_in(["login", "logout", "login_failed"]))
    )
    counted["inactive"] = sorted(
        f"{model.__tablename__}:{record.uuid}"
        for model in (Service, Area, Person, StaffMember, User)
        for record in db.scalars(sa.select(model).where(model.active.is_(False)))
    )
    counted["names"] = sorted(db.scalars(sa.select(Service.name)))
    counted["codes"] = sorted(db.scalars(sa.select(Person.code)))
    counted["staff_names"] = sorted(db.scalars(sa.select(StaffMember.name)))
    counted["user_names"] = sorted(db.scalars(sa.select(User.display_name)))
    return counted


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", list(GET_MATRIX))
def test_get_route_status_for_role(client, auth, data, route, role):
    acme = data.organisation()
    log_in_as(auth, acme, role)

    response = client.get(route.format(**ids_of(acme)))

    if role == "anonymous":
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")
    else:
        assert response.status_code == GET_MATRIX[route][role]


@pytest.mark.parametrize("role", NO_ADMIN_ACCESS)
@pytest.mark.parametrize("route", list(POST_ROUTES))
def test_admin_post_is_forbidden_and_changes_nothing(client, auth, data, db, route, role):
    acme = data.organisation()
    ids = ids_of(acme)
    log_in_as(auth, acme, role)
    before = changes_so_far(db)

    form = {key: value.format(**ids) for key, value in POST_ROUTES[route].items()}
    response = client.post(route.format(**ids), data=form)

    assert response.status_code == 403
    assert "You do not have permission to see this page." in response.get_data(as_text=True)
    assert changes_so_far(db) == before


@pytest.mark.parametrize("route", list(POST_ROUTES))
def test_anonymous_post_goes_to_login_and_changes_nothing(client, data, db, route):
    acme = data.organisation()
    ids = ids_of(acme)
    before = changes_so_far(db)

    form = {key: value.format(**ids) for key, value in POST_ROUTES[route].items()}
    response = client.post(route.format(**ids), data=form)

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert changes_so_far(db) == before


MANAGER_FORBIDDEN_POSTS = {
    "/admin/services/new": {"name": "Manager Service", "kind": "homecare"},
    "/admin/services/{care_home}": {"name": "Renamed House", "kind": "care_home"},
    "/admin/services/{care_home}/active": {},
    "/admin/services/{homecare}/areas": {"name": "Office"},
    "/admin/people/{H01}": {
        "service": "{care_home_hex}",
        "code": "H77",
        "consent": "no",
        "consent_on": "2026-01-05",
        "consent_given_by": "person",
    },
    "/admin/people/{H01}/active": {},
    "/admin/staff/{hal}": {
        "service": "{care_home_hex}",
        "name": "Hal Moved",
        "job_role": "Care worker",
        "user": "",
    },
    "/admin/staff/{hal}/active": {},
    "/admin/users/new": {"email": "new.person@acme.test", "display_name": "New Person"},
    "/admin/users/{staff_user}": {"email": "staff@acme.test", "display_name": "Renamed"},
    "/admin/users/{staff_user}/active": {},
}


@pytest.mark.parametrize("route", list(MANAGER_FORBIDDEN_POSTS))
def test_manager_cannot_post_beyond_their_services(client, auth, data, db, route):
    acme = data.organisation()
    ids = ids_of(acme)
    auth.login(acme.manager)
    before = changes_so_far(db)

    form = {key: value.format(**ids) for key, value in MANAGER_FORBIDDEN_POSTS[route].items()}
    response = client.post(route.format(**ids), data=form)

    assert response.status_code == 403
    assert changes_so_far(db) == before


# ---------------------------------------------------------------------------------------------
# The wall between organisations
# ---------------------------------------------------------------------------------------------

# Routes naming another organisation's record; "admin_area" routes are open to managers.
CROSS_ORG_ROUTES = {
    ("GET", "/admin/services/{care_home}"): "admin_area",
    ("GET", "/admin/services/{homecare}"): "admin_area",
    ("POST", "/admin/services/{care_home}"): "admin_area",
    ("POST", "/admin/services/{care_home}/active"): "admin_only",
    ("POST", "/admin/services/{care_home}/areas"): "admin_area",
    ("POST", "/admin/areas/{lounge}/active"): "admin_area",
    ("GET", "/admin/people/{R01}"): "admin_area",
    ("POST", "/admin/people/{R01}"): "admin_area",
    ("POST", "/admin/people/{R01}/active"): "admin_area",
    ("GET", "/admin/staff/{carla}"): "admin_area",
    ("POST", "/admin/staff/{carla}"): "admin_area",
    ("POST", "/admin/staff/{carla}/active"): "admin_area",
    ("GET", "/admin/users/{staff_user}"): "admin_only",
    ("POST", "/admin/users/{staff_user}"): "admin_only",
    ("POST", "/admin/users/{staff_user}/active"): "admin_only",
    ("POST", "/admin/users/{staff_user}/invitation"): "admin_only",
    ("POST", "/admin/users/{staff_user}/password-reset"): "admin_only",
}

CROSS_ORG_FORM = {
    "name": "Taken Over",
    "kind": "care_home",
    "code": "X01",
    "consent": "no",
    "consent_on": "2026-01-05",
    "consent_given_by": "person",
    "job_role": "Care worker",
    "user": "",
    "email": "staff@other.test",
    "display_name": "Taken Over",
}


def page_text(response) -> str:
    """The page without what merely echoes the request: the (time-stamped) CSRF token and the
    "log in again" link, which carries the requested path back as ``next``."""
    page = response.get_data(as_text=True)
    page = re.sub(r'name="csrf[-_]token" (content|value)="[^"]*"', "", page)
    return re.sub(r'href="/login\?next=[^"]*"', "", page)


def expected_cross_org_status(role: str, access: str) -> int:
    if role == "admin" or (role == "manager" and access == "admin_area"):
        return 404
    return 403


@pytest.mark.parametrize("role", ROLES[1:])
@pytest.mark.parametrize(("method", "route"), list(CROSS_ORG_ROUTES))
def test_other_organisations_records_are_never_revealed(
    client, auth, data, db, role, method, route
):
    acme = data.organisation()
    other = data.organisation("Other Org", prefix="other")
    other_ids = ids_of(other)
    missing_ids = {key: str(uuid.uuid4()) for key in other_ids}
    form = {**CROSS_ORG_FORM, "service": other.care_home.uuid.hex}
    log_in_as(auth, acme, role)
    before = changes_so_far(db)

    theirs = client.open(route.format(**other_ids), method=method, data=form)
    nobodys = client.open(route.format(**missing_ids), method=method, data=form)

    expected = expected_cross_org_status(role, CROSS_ORG_ROUTES[(method, route)])
    assert theirs.status_code == expected
    assert nobodys.status_code == expected
    assert page_text(theirs) == page_text(nobodys)
    assert "Other Org" not in page_text(theirs)
    assert changes_so_far(db) == before


@pytest.mark.parametrize(
    "route",
    [
        "/admin/services",
        "/admin/people/?show=all",
        "/admin/people/?service={care_home_hex}&show=all",
        "/admin/staff/?show=all",
        "/admin/staff/?service={care_home_hex}&show=all",
        "/admin/users/",
        "/admin/audit/",
        "/",
    ],
)
@pytest.mark.parametrize("role", ["admin", "manager"])
def test_other_organisations_records_never_appear_in_lists(client, auth, data, role, route):
    acme = data.organisation()
    other = data.organisation("Other Org", prefix="other")
    log_in_as(auth, acme, role)

    # The filter names the other organisation's service: it must be ignored, not obeyed.
    response = client.get(route.format(**ids_of(other)))

    forbidden = role == "manager" and route in ("/admin/users/", "/admin/audit/")
    assert response.status_code == (403 if forbidden else 200)
    page = page_text(response)
    assert "Other Org" not in page
    assert "@other.test" not in page
    for record in (*other.people.values(), *other.staff_members.values(), other.care_home):
        assert str(record.uuid) not in page
        assert record.uuid.hex not in page
