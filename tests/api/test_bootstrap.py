"""GET /api/v1/bootstrap: what a device needs to capture offline (design §3.1), per user."""

from __future__ import annotations

import json
from datetime import date

import pytest

from careobs.org.models import Area, Organisation, Person, Service, StaffMember
from careobs.quis.models import CONTEXTS
from careobs.quis.scoring import CATEGORY_LABELS, NEGATIVE_REASONS

URL = "/api/v1/bootstrap"


def get_bootstrap(client, **kwargs) -> dict:
    response = client.get(URL, **kwargs)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/json"
    return response.get_json()


def service_names(body: dict) -> list[str]:
    return [s["name"] for s in body["services"]]


def test_supervisor_gets_both_services_with_rosters_and_settings(client, auth, db, org):
    org.people["R01"].consent = "yes"
    org.people["R02"].consent = "no"
    db.commit()
    auth.login(org.supervisor)

    body = get_bootstrap(client)

    # conversation_tasks: the conversations given to a quality checker (careobs/checkers);
    # self_assessment_services: where they may assess (tests/selfassess/test_record.py).
    assert set(body) == {
        "user",
        "services",
        "checklists",
        "audit_templates",
        "co_audit_tasks",
        "settings",
        "conversation_tasks",
        "self_assessment_services",
    }
    assert body["user"] == {
        "id": str(org.supervisor.uuid),
        "name": "Sue Supervisor",
        "roles": {
            "organisation_admin": False,
            "services": {
                str(org.care_home.uuid): "supervisor",
                str(org.homecare.uuid): "supervisor",
            },
        },
    }
    # Services in name order; each with only its own areas, staff and people.
    assert body["services"] == [
        {
            "id": str(org.homecare.uuid),
            "name": "Acme Care Homecare",
            "kind": "homecare",
            "areas": [],
            "staff": [
                {
                    "id": str(org.staff_members["Hal Homecare"].uuid),
                    "name": "Hal Homecare",
                    "job_role": "Care worker",
                }
            ],
            "people": [
                {"code": "H01", "consent": "not_recorded"},
                {"code": "H02", "consent": "not_recorded"},
            ],
            # A supervisor captures here; no audit template is published in this organisation.
            "may_capture": True,
            "audit_template_ids": [],
        },
        {
            "id": str(org.care_home.uuid),
            "name": "Acme Care House",
            "kind": "care_home",
            "areas": [
                {"id": str(org.areas["Dining room"].uuid), "name": "Dining room"},
                {"id": str(org.areas["Lounge"].uuid), "name": "Lounge"},
            ],
            "staff": [
                {
                    "id": str(org.staff_members["Carla Carer"].uuid),
                    "name": "Carla Carer",
                    "job_role": "Care worker",
                }
            ],
            "people": [{"code": "R01", "consent": "yes"}, {"code": "R02", "consent": "no"}],
            "may_capture": True,
            "audit_template_ids": [],
        },
    ]
    assert body["checklists"] == []
    settings = body["settings"]
    assert settings["timezone"] == "Europe/London"
    assert settings["quis"]["categories"] == CATEGORY_LABELS
    assert settings["quis"]["contexts"] == CONTEXTS
    assert settings["quis"]["negative_reasons"] == NEGATIVE_REASONS
    assert settings["quis"]["max_people"] == 8


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("admin", ["Acme Care Homecare", "Acme Care House"]),
        ("supervisor", ["Acme Care Homecare", "Acme Care House"]),
        ("manager", ["Acme Care House"]),
        ("staff", []),
        ("outsider", []),
    ],
)
def test_only_services_the_user_may_record_in(client, auth, org, role, expected):
    auth.login(getattr(org, role))

    body = get_bootstrap(client)

    assert service_names(body) == expected
    assert sorted(body["user"]["roles"]["services"]) == sorted(s["id"] for s in body["services"])


def test_roles_name_each_service(client, auth, org):
    auth.login(org.admin)
    roles = get_bootstrap(client)["user"]["roles"]
    assert roles == {
        "organisation_admin": True,
        "services": {str(org.care_home.uuid): "admin", str(org.homecare.uuid): "admin"},
    }

    auth.logout()
    auth.login(org.manager)
    roles = get_bootstrap(client)["user"]["roles"]
    assert roles == {
        "organisation_admin": False,
        "services": {str(org.care_home.uuid): "manager"},
    }


def test_never_another_organisations_data(client, auth, org, other):
    auth.login(org.admin)

    response = client.get(URL)
    body = response.get_json()

    assert service_names(body) == ["Acme Care Homecare", "Acme Care House"]
    text = response.get_data(as_text=True)
    foreign = [
        other.care_home.uuid,
        other.homecare.uuid,
        *(a.uuid for a in other.areas.values()),
        *(s.uuid for s in other.staff_members.values()),
    ]
    for public_id in foreign:
        assert str(public_id) not in text
    assert "Other Org" not in text


def test_inactive_services_areas_people_and_staff_are_left_out(client, auth, db, org):
    org.people["R02"].active = False
    org.areas["Lounge"].active = False
    org.staff_members["Carla Carer"].active = False
    org.homecare.active = False
    db.add(
        StaffMember(
            organisation_id=org.org.id,
            service_id=org.care_home.id,
            name="Ben Bank",
            job_role="Bank care worker",
            start_date=date(2025, 3, 1),
        )
    )
    db.commit()
    auth.login(org.supervisor)

    body = get_bootstrap(client)

    assert service_names(body) == ["Acme Care House"]
    home = body["services"][0]
    assert [a["name"] for a in home["areas"]] == ["Dining room"]
    assert [p["code"] for p in home["people"]] == ["R01"]
    assert [s["name"] for s in home["staff"]] == ["Ben Bank"]
    assert list(body["user"]["roles"]["services"]) == [str(org.care_home.uuid)]


def test_etag_and_not_modified(client, auth, org):
    auth.login(org.supervisor)

    first = client.get(URL)
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert etag.strip('"')
    assert "no-cache" in first.headers["Cache-Control"]
    assert "private" in first.headers["Cache-Control"]

    again = client.get(URL, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.headers["ETag"] == etag

    # An unrelated ETag is not a match.
    other = client.get(URL, headers={"If-None-Match": '"0123456789abcdef"'})
    assert other.status_code == 200
    assert other.headers["ETag"] == etag


def test_etag_changes_when_a_person_is_added(client, auth, db, org):
    auth.login(org.supervisor)
    before = client.get(URL)
    etag = before.headers["ETag"]

    db.add(Person(organisation_id=org.org.id, service_id=org.care_home.id, code="R03"))
    db.commit()

    after = client.get(URL, headers={"If-None-Match": etag})
    assert after.status_code == 200
    assert after.headers["ETag"] != etag
    home = next(s for s in after.get_json()["services"] if s["kind"] == "care_home")
    assert [p["code"] for p in home["people"]] == ["R01", "R02", "R03"]
    # The new ETag matches what is now there.
    assert client.get(URL, headers={"If-None-Match": after.headers["ETag"]}).status_code == 304


@pytest.mark.parametrize("change", ["area", "staff", "consent", "service"])
def test_etag_changes_with_any_roster_change(client, auth, db, org, change):
    auth.login(org.supervisor)
    etag = client.get(URL).headers["ETag"]

    if change == "area":
        db.add(Area(organisation_id=org.org.id, service_id=org.care_home.id, name="Garden"))
    elif change == "staff":
        org.staff_members["Hal Homecare"].active = False
    elif change == "consent":
        org.people["H01"].consent = "yes"
    else:
        db.get(Service, org.care_home.id).name = "Acme Care Manor"
    db.commit()

    response = client.get(URL, headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert response.headers["ETag"] != etag


def test_etag_differs_between_users(client, auth, org):
    auth.login(org.supervisor)
    supervisor_etag = client.get(URL).headers["ETag"]
    auth.logout()
    auth.login(org.manager)

    response = client.get(URL, headers={"If-None-Match": supervisor_etag})

    assert response.status_code == 200
    assert response.headers["ETag"] != supervisor_etag


def test_body_is_plain_json(client, auth, org):
    auth.login(org.manager)
    response = client.get(URL)
    assert json.loads(response.get_data(as_text=True)) == response.get_json()


def test_logged_out_gets_json_401(client, org):
    response = client.get(URL)

    assert response.status_code == 401
    assert "Location" not in response.headers
    error = response.get_json()["error"]
    assert error["code"] == "unauthorized"
    assert error["message"]


def test_logged_out_after_logout(client, auth, org):
    auth.login(org.supervisor)
    assert client.get(URL).status_code == 200
    auth.logout()

    response = client.get(URL)

    assert response.status_code == 401
    assert set(response.get_json()["error"]) == {"code", "message"}


def test_settings_carry_the_organisations_time_zone(client, auth, db, org):
    """Devices draft feedback with times on the organisation's clock, not the phone's."""
    db.get(Organisation, org.supervisor.organisation_id).timezone = "Asia/Kolkata"
    db.commit()
    auth.login(org.supervisor)

    assert get_bootstrap(client)["settings"]["timezone"] == "Asia/Kolkata"
    spec = client.get("/api/v1/openapi.json").get_json()
    settings = spec["components"]["schemas"]["Bootstrap"]["properties"]["settings"]
    assert settings["properties"]["timezone"]["type"] == "string"
