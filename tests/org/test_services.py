"""Services and their areas: admins create, rename and deactivate services; managers may only
add and retire areas of the services they manage."""

from __future__ import annotations

import re

import sqlalchemy as sa

from careobs.audit.models import AuditEvent
from careobs.org.models import Area, Service


def field_errors(page: str, field_id: str) -> str:
    """The error list shown next to one form field ("" when it has none)."""
    match = re.search(rf'<ul class="errors" id="{field_id}-error">(.*?)</ul>', page, re.S)
    return match.group(1) if match else ""


def services_named(db, name: str) -> list[Service]:
    db.expire_all()
    return list(db.scalars(sa.select(Service).where(sa.func.lower(Service.name) == name.lower())))


def events(db, action: str) -> list[AuditEvent]:
    db.expire_all()
    return list(db.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


# --- listing ----------------------------------------------------------------------------------


def test_admin_sees_every_service_of_the_organisation_with_its_areas(client, auth, data):
    acme = data.organisation()
    auth.login(acme.admin)

    page = client.get("/admin/services").get_data(as_text=True)

    assert "Acme Care House" in page
    assert "Acme Care Homecare" in page
    assert "Dining room, Lounge" in page
    assert 'href="/admin/services/new"' in page


def test_manager_lists_only_the_services_they_manage(client, auth, data):
    acme = data.organisation()
    auth.login(acme.manager)

    page = client.get("/admin/services").get_data(as_text=True)

    assert "Acme Care House" in page
    assert "Acme Care Homecare" not in page
    assert "/admin/services/new" not in page


# --- creating ---------------------------------------------------------------------------------


def test_admin_creates_a_service_and_the_audit_log_records_it(client, auth, data, db):
    acme = data.organisation()
    auth.login(acme.admin)

    response = client.post("/admin/services/new", data={"name": " Oak Lodge ", "kind": "care_home"})

    [svc] = services_named(db, "Oak Lodge")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/services/{svc.uuid}"
    assert (svc.kind, svc.active, svc.organisation_id) == ("care_home", True, acme.org.id)
    [event] = events(db, "service_created")
    assert (event.actor_id, event.entity_id, event.summary) == (
        acme.admin.id,
        str(svc.uuid),
        "Oak Lodge",
    )


def test_a_duplicate_service_name_is_refused_whatever_its_case(client, auth, data, db):
    acme = data.organisation()
    auth.login(acme.admin)

    response = client.post(
        "/admin/services/new", data={"name": "acme care HOUSE", "kind": "homecare"}
    )

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "There is already a service with this name." in field_errors(page, "name")
    assert len(services_named(db, "Acme Care House")) == 1
    assert events(db, "service_created") == []


def test_the_same_service_name_is_allowed_in_another_organisation(client, auth, data, db):
    data.organisation("Other Org", prefix="other")
    acme = data.organisation()
    auth.login(acme.admin)

    response = client.post(
        "/admin/services/new", data={"name": "Other Org House", "kind": "care_home"}
    )

    assert response.status_code == 302
    assert len(services_named(db, "Other Org House")) == 2


def test_a_service_needs_a_name_and_a_kind(client, auth, data, db):
    acme = data.organisation()
    auth.login(acme.admin)

    page = client.post("/admin/services/new", data={"name": "   "}).get_data(as_text=True)

    assert "This cannot be blank." in field_errors(page, "name")
    assert "Choose the kind of service." in field_errors(page, "kind")
    db.expire_all()
    assert db.scalar(sa.select(sa.func.count()).select_from(Service)) == 2


def test_a_service_cannot_be_created_without_a_csrf_token(client, auth, data, db):
    acme = data.organisation()
    auth.login(acme.admin)

    response = client.post(
        "/admin/services/new", data={"name": "Oak Lodge", "kind": "care_home"}, csrf=False
    )

    assert response.status_code == 400
    assert services_named(db, "Oak Lodge") == []


# --- editing ----------------------------------------------------------------------------------


def test_admin_renames_a_service_and_changes_its_kind(client, auth, data, db):
    acme = data.organisation()
    auth.login(acme.admin)

    response = client.post(
        f"/admin/services/{acme.homecare.uuid}", data={"name": "Acme Visiting", "kind": "care_home"}
    )

    assert response.status_code == 302
    db.expire_all()
    svc = db.get(Service, acme.homecare.id)
    assert (svc.name, svc.kind) == ("Acme Visiting", "care_home")
    [event] = events(db, "service_updated")
    assert (event.entity_id, event.summary) == (str(svc.uuid), "Acme Visiting")


def test_a_service_may_keep_its_own_name_in_another_case(client, auth, data, db):
    acme = data.organisation()
    auth.login(acme.admin)

    response = client.post(
        f"/admin/services/{acme.care_home.uuid}",
        data={"name": "ACME CARE HOUSE", "kind": "care_home"},
    )

    assert response.status_code == 302
    db.expire_all()
    assert db.get(Service, acme.care_home.id).name == "ACME CARE HOUSE"


def test_renaming_to_another_services_name_is_refused(client, auth, data, db):
    acme = data.organisation()
    auth.login(acme.admin)

    response = client.post(
        f"/admin/services/{acme.homecare.uuid}",
        data={"name": "acme care house", "kind": "homecare"},
    )

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "There is already a service with this name." in field_errors(page, "name")
    db.expire_all()
    assert db.get(Service, acme.homecare.id).name == "Acme Care Homecare"
    assert events(db, "service_updated") == []


def test_manager_sees_their_service_without_the_rename_form(client, auth, data):
    acme = data.organisation()
    auth.login(acme.manager)

    page = client.get(f"/admin/services/{acme.care_home.uuid}").get_data(as_text=True)

    assert "Acme Care House" in page
    assert 'name="kind"' not in page
    assert "Deactivate service" not in page
    assert "Add area" in page


def test_manager_cannot_rename_their_own_service(client, auth, data, db):
    acme = data.organisation()
    auth.login(acme.manager)

    response = client.post(
        f"/admin/services/{acme.care_home.uuid}",
        data={"name": "Manager House", "kind": "care_home"},
    )

    assert response.status_code == 403
    db.expire_all()
    assert db.get(Service, acme.care_home.id).name == "Acme Care House"
    assert events(db, "service_updated") == []


def test_manager_is_refused_before_the_rename_form_is_even_checked(client, auth, data):
    acme = data.organisation()
    auth.login(acme.manager)

    response = client.post(f"/admin/services/{acme.care_home.uuid}", data={"name": ""})

    assert response.status_code == 403


def test_manager_cannot_create_services(client, auth, data, db):
    acme = data.organisation()
    auth.login(acme.manager)

    assert client.get("/admin/services/new").status_code == 403
    response = client.post("/admin/services/new", data={"name": "Oak Lodge", "kind": "care_home"})

    assert response.status_code == 403
    assert services_named(db, "Oak Lodge") == []


# --- deactivating -----------------------------------------------------------------------------


def test_admin_deactivates_and_reactivates_a_service_which_is_never_deleted(client, auth, data, db):
    acme = data.organisation()
    auth.login(acme.admin)
    url = f"/admin/services/{acme.homecare.uuid}/active"

    response = client.post(url)

    assert response.status_code == 302
    db.expire_all()
    assert db.get(Service, acme.homecare.id).active is False
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Acme Care Homecare is now inactive." in page
    assert "Reactivate service" in page

    client.post(url)

    db.expire_all()
    assert db.get(Service, acme.homecare.id).active is True
    assert [e.entity_id for e in events(db, "service_deactivated")] == [str(acme.homecare.uuid)]
    assert [e.entity_id for e in events(db, "service_reactivated")] == [str(acme.homecare.uuid)]


def test_an_inactive_service_is_no_longer_offered_for_new_people(client, auth, data, db):
    acme = data.organisation()
    auth.login(acme.admin)
    client.post(f"/admin/services/{acme.homecare.uuid}/active")

    page = client.get("/admin/people/new").get_data(as_text=True)
    response = client.post(
        "/admin/people/new",
        data={"service": acme.homecare.uuid.hex, "code": "H09", "consent": "not_recorded"},
    )

    assert acme.homecare.uuid.hex not in page
    assert acme.care_home.uuid.hex in page
    assert response.status_code == 200
    assert "Not a valid choice." in field_errors(response.get_data(as_text=True), "service")


def test_manager_cannot_deactivate_their_service(client, auth, data, db):
    acme = data.organisation()
    auth.login(acme.manager)

    response = client.post(f"/admin/services/{acme.care_home.uuid}/active")

    assert response.status_code == 403
    db.expire_all()
    assert db.get(Service, acme.care_home.id).active is True


# --- areas ------------------------------------------------------------------------------------


def test_manager_adds_an_area_to_their_service(client, auth, data, db):
    acme = data.organisation()
    auth.login(acme.manager)

    response = client.post(
        f"/admin/services/{acme.care_home.uuid}/areas", data={"name": " Garden room "}
    )

    assert response.status_code == 302
    db.expire_all()
    area = db.scalar(sa.select(Area).where(Area.name == "Garden room"))
    assert (area.service_id, area.organisation_id, area.active) == (
        acme.care_home.id,
        acme.org.id,
        True,
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Added the area Garden room." in page
    [event] = events(db, "area_created")
    assert (event.actor_id, event.summary) == (acme.manager.id, "Acme Care House: Garden room")


def test_manager_cannot_add_an_area_to_a_service_they_do_not_manage(client, auth, data, db):
    acme = data.organisation()
    auth.login(acme.manager)

    response = client.post(f"/admin/services/{acme.homecare.uuid}/areas", data={"name": "Office"})

    assert response.status_code == 403
    db.expire_all()
    assert db.scalar(sa.select(Area).where(Area.name == "Office")) is None


def test_a_duplicate_area_name_is_refused_whatever_its_case(client, auth, data, db):
    acme = data.organisation()
    auth.login(acme.manager)

    response = client.post(f"/admin/services/{acme.care_home.uuid}/areas", data={"name": "lounge"})

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "This service already has an area with this name." in field_errors(page, "name")
    db.expire_all()
    assert db.scalar(sa.select(sa.func.count()).select_from(Area)) == 2
    assert events(db, "area_created") == []


def test_a_blank_area_name_is_refused(client, auth, data, db):
    acme = data.organisation()
    auth.login(acme.admin)

    response = client.post(f"/admin/services/{acme.care_home.uuid}/areas", data={"name": "  "})

    assert response.status_code == 400
    assert "This cannot be blank." in field_errors(response.get_data(as_text=True), "name")
    db.expire_all()
    assert db.scalar(sa.select(sa.func.count()).select_from(Area)) == 2


def test_the_same_area_name_is_allowed_in_another_service(client, auth, data, db):
    acme = data.organisation()
    auth.login(acme.admin)

    response = client.post(f"/admin/services/{acme.homecare.uuid}/areas", data={"name": "Lounge"})

    assert response.status_code == 302
    db.expire_all()
    assert db.scalar(sa.select(sa.func.count()).where(Area.name == "Lounge")) == 2


def test_manager_retires_and_reuses_an_area_of_their_service(client, auth, data, db):
    acme = data.organisation()
    lounge = acme.areas["Lounge"]
    auth.login(acme.manager)

    response = client.post(f"/admin/areas/{lounge.uuid}/active")

    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/services/{acme.care_home.uuid}"
    db.expire_all()
    assert db.get(Area, lounge.id).active is False
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Lounge is now no longer in use." in page
    assert "Use again Lounge" in page

    client.post(f"/admin/areas/{lounge.uuid}/active")

    db.expire_all()
    assert db.get(Area, lounge.id).active is True
    assert len(events(db, "area_deactivated")) == 1
    assert len(events(db, "area_reactivated")) == 1


def test_manager_cannot_retire_an_area_of_another_service(client, auth, data, db):
    acme = data.organisation()
    office = Area(organisation_id=acme.org.id, service_id=acme.homecare.id, name="Office")
    db.add(office)
    db.commit()
    auth.login(acme.manager)

    response = client.post(f"/admin/areas/{office.uuid}/active")

    assert response.status_code == 403
    db.expire_all()
    assert db.get(Area, office.id).active is True
