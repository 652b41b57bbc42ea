"""Staff: the named care workers whose practice is observed, optionally linked to a login.

Admins manage all staff, managers only those of their services; a login belongs to at most one
member of staff; members are deactivated, never deleted.
"""

from __future__ import annotations

import re

import sqlalchemy as sa

from careobs.audit.models import AuditEvent
from careobs.org.models import StaffMember


def field_errors(page: str, field_id: str) -> str:
    """The error list shown next to one form field ("" when it has none)."""
    match = re.search(rf'<ul class="errors" id="{field_id}-error">(.*?)</ul>', page, re.S)
    return match.group(1) if match else ""


def selected_option(page: str, select_id: str) -> str | None:
    """The value of the selected option of a <select>, if any option is selected."""
    select = re.search(rf'<select[^>]*id="{select_id}".*?</select>', page, re.S).group(0)
    match = re.search(r'<option selected value="([^"]*)"', select)
    return match.group(1) if match else None


def staff_form(service, name: str, *, job_role="Care worker", start_date="", user=None) -> dict:
    return {
        "service": service.uuid.hex,
        "name": name,
        "job_role": job_role,
        "start_date": start_date,
        "user": user.uuid.hex if user else "",
    }


def members_named(db, name: str) -> list[StaffMember]:
    db.expire_all()
    return list(db.scalars(sa.select(StaffMember).where(StaffMember.name == name)))


def staff_count(db) -> int:
    db.expire_all()
    return db.scalar(sa.select(sa.func.count()).select_from(StaffMember))


def events(db, action: str) -> list[AuditEvent]:
    db.expire_all()
    return list(db.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def listed_names(page: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/admin/staff/[^"]+">([^<]+)</a></th>', page)


def link_login(db, member, user) -> None:
    db.get(StaffMember, member.id).user_id = user.id
    db.commit()


# --- listing ----------------------------------------------------------------------------------


def test_admin_lists_the_staff_of_every_service(client, auth, data):
    acme = data.organisation()
    auth.login(acme.admin)

    page = client.get("/admin/staff/").get_data(as_text=True)

    assert listed_names(page) == ["Carla Carer", "Hal Homecare"]
    assert "6 Jan 2025" in page


def test_manager_lists_only_the_staff_of_their_services(client, auth, data):
    acme = data.organisation()
    auth.login(acme.manager)

    page = client.get("/admin/staff/").get_data(as_text=True)

    assert listed_names(page) == ["Carla Carer"]


def test_the_list_filters_by_service_and_shows_inactive_staff_on_request(client, auth, data, db):
    acme = data.organisation()
    extra = StaffMember(
        organisation_id=acme.org.id,
        service_id=acme.homecare.id,
        name="Ivy Inactive",
        job_role="Care worker",
        active=False,
    )
    db.add(extra)
    db.commit()
    auth.login(acme.admin)
    homecare = acme.homecare.uuid.hex

    default = client.get(f"/admin/staff/?service={homecare}").get_data(as_text=True)
    everyone = client.get(f"/admin/staff/?service={homecare}&show=all").get_data(as_text=True)

    assert listed_names(default) == ["Hal Homecare"]
    assert listed_names(everyone) == ["Hal Homecare", "Ivy Inactive"]


# --- creating ---------------------------------------------------------------------------------


def test_admin_adds_a_member_of_staff(client, auth, data, db):
    acme = data.organisation()
    auth.login(acme.admin)

    response = client.post(
        "/admin/staff/new",
        data=staff_form(acme.homecare, " Nia Nurse ", job_role=" Nurse ", start_date="2025-09-01"),
    )

    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/staff/?service={acme.homecare.uuid.hex}"
    [member] = members_named(db, "Nia Nurse")
    assert (member.service_id, member.organisation_id, member.job_role) == (
        acme.homecare.id,
        acme.org.id,
        "Nurse",
    )
    assert (member.start_date.isoformat(), member.user_id, member.active) == (
        "2025-09-01",
        None,
        True,
    )
    assert "Added Nia Nurse." in client.get(response.headers["Location"]).get_data(as_text=True)
    [event] = events(db, "staff_created")
    assert (event.actor_id, event.entity_id, event.summary) == (
        acme.admin.id,
        str(member.uuid),
        "Acme Care Homecare: Nia Nurse",
    )


def test_a_blank_name_is_refused(client, auth, data, db):
    acme = data.organisation()
    auth.login(acme.admin)

    response = client.post("/admin/staff/new", data=staff_form(acme.care_home, "   "))

    assert response.status_code == 200
    assert "This cannot be blank." in field_errors(response.get_data(as_text=True), "name")
    assert staff_count(db) == 2
    assert events(db, "staff_created") == []


def test_a_blank_job_role_is_refused(client, auth, data, db):
    acme = data.organisation()
    auth.login(acme.admin)

    response = client.post(
        "/admin/staff/new", data=staff_form(acme.care_home, "Nia Nurse", job_role=" ")
    )

    assert "This cannot be blank." in field_errors(response.get_data(as_text=True), "job_role")
    assert members_named(db, "Nia Nurse") == []


def test_a_new_member_can_be_linked_to_a_login(client, auth, data, db):
    acme = data.organisation()
    auth.login(acme.admin)

    response = client.post(
        "/admin/staff/new", data=staff_form(acme.care_home, "Stan Staff", user=acme.staff)
    )

    assert response.status_code == 302
    [member] = members_named(db, "Stan Staff")
    assert member.user_id == acme.staff.id
    listing = client.get(response.headers["Location"]).get_data(as_text=True)
    assert re.search(r">Stan Staff</a></th>.*?<td>Yes</td>", listing, re.S)


def test_a_login_already_linked_to_someone_else_is_refused(client, auth, data, db):
    acme = data.organisation()
    link_login(db, acme.staff_members["Carla Carer"], acme.staff)
    auth.login(acme.admin)

    response = client.post(
        "/admin/staff/new", data=staff_form(acme.care_home, "Stan Staff", user=acme.staff)
    )

    assert response.status_code == 200
    errors = field_errors(response.get_data(as_text=True), "user")
    assert "This login already belongs to Carla Carer." in errors
    assert members_named(db, "Stan Staff") == []


def test_a_login_of_another_organisation_cannot_be_linked(client, auth, data, db):
    acme = data.organisation()
    other = data.organisation("Other Org", prefix="other")
    auth.login(acme.admin)

    page = client.get("/admin/staff/new").get_data(as_text=True)
    response = client.post(
        "/admin/staff/new", data=staff_form(acme.care_home, "Olive Other", user=other.staff)
    )

    assert "staff@other.test" not in page
    assert "Not a valid choice." in field_errors(response.get_data(as_text=True), "user")
    assert members_named(db, "Olive Other") == []


def test_manager_adds_staff_only_to_their_own_service(client, auth, data, db):
    acme = data.organisation()
    auth.login(acme.manager)

    mine = client.post("/admin/staff/new", data=staff_form(acme.care_home, "Mia Mine"))
    theirs = client.post("/admin/staff/new", data=staff_form(acme.homecare, "Theo Theirs"))

    assert mine.status_code == 302
    assert [m.service_id for m in members_named(db, "Mia Mine")] == [acme.care_home.id]
    assert "Not a valid choice." in field_errors(theirs.get_data(as_text=True), "service")
    assert members_named(db, "Theo Theirs") == []


# --- editing ----------------------------------------------------------------------------------


def test_the_edit_form_shows_the_members_service_and_login(client, auth, data, db):
    acme = data.organisation()
    hal = acme.staff_members["Hal Homecare"]
    link_login(db, hal, acme.supervisor)
    auth.login(acme.admin)

    page = client.get(f"/admin/staff/{hal.uuid}").get_data(as_text=True)

    assert selected_option(page, "service") == acme.homecare.uuid.hex
    assert selected_option(page, "user") == acme.supervisor.uuid.hex
    assert 'value="Hal Homecare"' in page


def test_admin_edits_a_member_and_the_audit_log_records_it(client, auth, data, db):
    acme = data.organisation()
    carla = acme.staff_members["Carla Carer"]
    auth.login(acme.admin)

    response = client.post(
        f"/admin/staff/{carla.uuid}",
        data=staff_form(acme.care_home, "Carla Carer-Jones", job_role="Senior carer"),
    )

    assert response.status_code == 302
    db.expire_all()
    member = db.get(StaffMember, carla.id)
    assert (member.name, member.job_role, member.start_date) == (
        "Carla Carer-Jones",
        "Senior carer",
        None,
    )
    [event] = events(db, "staff_updated")
    assert (event.entity_id, event.summary) == (
        str(carla.uuid),
        "Acme Care House: Carla Carer-Jones",
    )


def test_a_member_keeps_their_own_login_when_edited(client, auth, data, db):
    acme = data.organisation()
    carla = acme.staff_members["Carla Carer"]
    link_login(db, carla, acme.staff)
    auth.login(acme.admin)

    response = client.post(
        f"/admin/staff/{carla.uuid}", data=staff_form(acme.care_home, "Carla", user=acme.staff)
    )

    assert response.status_code == 302
    db.expire_all()
    assert db.get(StaffMember, carla.id).user_id == acme.staff.id


def test_a_login_can_be_unlinked(client, auth, data, db):
    acme = data.organisation()
    carla = acme.staff_members["Carla Carer"]
    link_login(db, carla, acme.staff)
    auth.login(acme.admin)

    response = client.post(f"/admin/staff/{carla.uuid}", data=staff_form(acme.care_home, "Carla"))

    assert response.status_code == 302
    db.expire_all()
    assert db.get(StaffMember, carla.id).user_id is None


def test_editing_to_a_login_linked_to_someone_else_is_refused(client, auth, data, db):
    acme = data.organisation()
    carla, hal = acme.staff_members["Carla Carer"], acme.staff_members["Hal Homecare"]
    link_login(db, carla, acme.staff)
    auth.login(acme.admin)

    response = client.post(
        f"/admin/staff/{hal.uuid}", data=staff_form(acme.homecare, "Hal Homecare", user=acme.staff)
    )

    assert "This login already belongs to Carla Carer." in field_errors(
        response.get_data(as_text=True), "user"
    )
    db.expire_all()
    assert db.get(StaffMember, hal.id).user_id is None
    assert events(db, "staff_updated") == []


def test_editing_to_a_blank_name_saves_nothing(client, auth, data, db):
    acme = data.organisation()
    carla = acme.staff_members["Carla Carer"]
    auth.login(acme.manager)

    response = client.post(f"/admin/staff/{carla.uuid}", data=staff_form(acme.care_home, ""))

    assert response.status_code == 200
    assert field_errors(response.get_data(as_text=True), "name")
    db.expire_all()
    assert db.get(StaffMember, carla.id).name == "Carla Carer"


def test_manager_can_neither_see_nor_change_staff_of_another_service(client, auth, data, db):
    acme = data.organisation()
    hal = acme.staff_members["Hal Homecare"]
    auth.login(acme.manager)

    assert client.get(f"/admin/staff/{hal.uuid}").status_code == 403
    edit = client.post(f"/admin/staff/{hal.uuid}", data=staff_form(acme.care_home, "Hal Moved"))
    toggle = client.post(f"/admin/staff/{hal.uuid}/active")

    assert (edit.status_code, toggle.status_code) == (403, 403)
    db.expire_all()
    member = db.get(StaffMember, hal.id)
    assert (member.name, member.service_id, member.active) == (
        "Hal Homecare",
        acme.homecare.id,
        True,
    )


# --- deactivating -----------------------------------------------------------------------------


def test_deactivating_keeps_the_member_and_reactivating_brings_them_back(client, auth, data, db):
    acme = data.organisation()
    carla = acme.staff_members["Carla Carer"]
    auth.login(acme.manager)

    response = client.post(f"/admin/staff/{carla.uuid}/active")

    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/staff/{carla.uuid}"
    assert "Carla Carer is now inactive." in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    db.expire_all()
    assert db.get(StaffMember, carla.id).active is False
    assert staff_count(db) == 2
    assert listed_names(client.get("/admin/staff/").get_data(as_text=True)) == []

    client.post(f"/admin/staff/{carla.uuid}/active")

    db.expire_all()
    assert db.get(StaffMember, carla.id).active is True
    assert [e.entity_id for e in events(db, "staff_deactivated")] == [str(carla.uuid)]
    assert [e.entity_id for e in events(db, "staff_reactivated")] == [str(carla.uuid)]
