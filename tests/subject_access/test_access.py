"""Who may download a worker's data, route by role and bad input: anonymous users go to the
login page, only organisation admins produce another worker's copy (managers, supervisors and
care workers 403), another organisation's worker is not found, bad ids are a clear 404, and a
refused request writes nothing. Every download is audited once, with no content."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from careobs.audit.models import AuditEvent
from careobs.subject_access.service import AUDIT_ACTION
from tests.support.web import decoded_text

UNKNOWN = uuid.uuid5(uuid.NAMESPACE_URL, "subject-access/unknown")


def downloads(db) -> list[AuditEvent]:
    db.expire_all()
    stmt = sa.select(AuditEvent).where(AuditEvent.action == AUDIT_ACTION).order_by(AuditEvent.id)
    return list(db.scalars(stmt))


def admin_urls(org, hal) -> list[str]:
    return [
        f"/admin/staff/{org.staff_members['Hal Homecare'].uuid}/data",
        f"/admin/users/{hal.uuid}/data",
    ]


def test_anonymous_is_sent_to_log_in(client, org, hal):
    for url in ["/account/data", *admin_urls(org, hal)]:
        response = client.post(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_only_a_post_with_its_csrf_token_downloads(login, db, org, hal):
    client = login(hal)
    assert client.get("/account/data").status_code == 405
    assert client.post("/account/data", csrf=False).status_code == 400
    assert downloads(db) == []


@pytest.mark.parametrize("role", ["manager", "supervisor", "staff", "outsider"])
def test_only_an_admin_produces_another_workers_copy(login, db, org, hal, role):
    client = login(getattr(org, role))
    for url in admin_urls(org, hal):
        assert client.post(url).status_code == 403, url
    assert downloads(db) == []


def test_a_worker_cannot_ask_for_a_colleagues_copy(login, db, org, hal, carla):
    client = login(hal)
    assert client.post(f"/admin/users/{carla.uuid}/data").status_code == 403
    assert (
        client.post(f"/admin/staff/{org.staff_members['Carla Carer'].uuid}/data").status_code == 403
    )
    assert downloads(db) == []


def test_another_organisations_worker_is_not_found(login, db, org, other, hal):
    client = login(other.admin)
    for url in admin_urls(org, hal):
        assert client.post(url).status_code == 404, url
    assert downloads(db) == []


BAD_IDS = {
    "unknown": str(UNKNOWN),
    "not an id": "not-an-id",
    "nul": "%00",
    "huge number": "9" * 40,
    "lone surrogate": "%ED%A0%80",
    "hex too long": "a" * 33,
}


@pytest.mark.parametrize("bad", BAD_IDS.values(), ids=BAD_IDS.keys())
@pytest.mark.parametrize("kind", ["staff", "users"])
def test_bad_ids_are_not_found(login, db, org, kind, bad):
    response = login(org.admin).post(f"/admin/{kind}/{bad}/data")
    assert response.status_code == 404
    assert downloads(db) == []


def test_every_download_is_audited_once_without_content(login, db, org, hal):
    client = login(hal)
    for n in (1, 2):
        assert client.post("/account/data").status_code == 200
        assert len(downloads(db)) == n
    login(org.admin).post(admin_urls(org, hal)[0])
    events = downloads(db)
    assert [(e.actor_id, e.entity_type, e.entity_id) for e in events] == [
        (hal.id, "User", str(hal.uuid)),
        (hal.id, "User", str(hal.uuid)),
        (org.admin.id, "User", str(hal.uuid)),
    ]
    assert all(e.organisation_id == org.org.id for e in events)
    assert events[0].summary.startswith("own copy (released records only) from their own account")
    assert events[2].summary.startswith("complete copy from the admin staff page")
    assert "Hal" not in " ".join(e.summary for e in events)


def test_a_staff_member_without_a_login_is_audited_by_their_staff_record(login, db, org):
    member = org.staff_members["Hal Homecare"]
    assert login(org.admin).post(f"/admin/staff/{member.uuid}/data").status_code == 200
    [event] = downloads(db)
    assert (event.entity_type, event.entity_id) == ("StaffMember", str(member.uuid))


def test_the_pages_offer_the_download_to_whom_may(login, org, hal):
    page = decoded_text(login(hal).get("/account"))
    assert "Download your data" in page and 'action="/account/data"' in page
    member = org.staff_members["Hal Homecare"]
    admin = login(org.admin)
    assert f'action="/admin/staff/{member.uuid}/data"' in decoded_text(
        admin.get(f"/admin/staff/{member.uuid}")
    )
    assert f'action="/admin/users/{hal.uuid}/data"' in decoded_text(
        admin.get(f"/admin/users/{hal.uuid}")
    )
    carla_m = org.staff_members["Carla Carer"]  # in the care home, which Mo manages
    manager_page = decoded_text(login(org.manager).get(f"/admin/staff/{carla_m.uuid}"))
    assert "/data" not in manager_page and "An organisation admin can download" in manager_page
