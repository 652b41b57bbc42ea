"""People supported: codes only, never names; consent to visits; deactivation, never deletion.

Admins manage everyone in the organisation, managers only the people of their own services.
Every refused form shows its message next to the field and saves nothing.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from careobs.audit.models import AuditEvent
from careobs.org.models import Organisation, Person

NAME_MESSAGE = "This looks like a name. Use a short code such as R07 instead"
TEN_DIGITS = "This code has 10 digits, like an NHS number."
LOOKS_LIKE_DATE = "This code looks like a date, possibly a date of birth."


def field_errors(page: str, field_id: str) -> str:
    """The error list shown next to one form field ("" when it has none)."""
    match = re.search(rf'<ul class="errors" id="{field_id}-error">(.*?)</ul>', page, re.S)
    return match.group(1) if match else ""


def selected_option(page: str, select_id: str) -> str | None:
    """The value of the selected option of a <select>, if any option is selected."""
    select = re.search(rf'<select[^>]*id="{select_id}".*?</select>', page, re.S).group(0)
    match = re.search(r'<option selected value="([^"]*)"', select)
    return match.group(1) if match else None


def person_form(service, code: str, **fields) -> dict:
    return {
        "service": service.uuid.hex,
        "code": code,
        "initials": "",
        "consent": "not_recorded",
        "consent_on": "",
        "consent_given_by": "",
        **fields,
    }


def people_coded(db, code: str) -> list[Person]:
    db.expire_all()
    return list(db.scalars(sa.select(Person).where(Person.code == code)))


def person_count(db) -> int:
    db.expire_all()
    return db.scalar(sa.select(sa.func.count()).select_from(Person))


def events(db, action: str) -> list[AuditEvent]:
    db.expire_all()
    return list(db.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def listed_codes(page: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/admin/people/[^"]+">([^<]+)</a></th>', page)


# --- listing and filtering --------------------------------------------------------------------


def test_admin_lists_the_people_of_every_service(client, auth, data):
    acme = data.organisation()
    auth.login(acme.admin)

    page = client.get("/admin/people/").get_data(as_text=True)

    assert listed_codes(page) == ["H01", "H02", "R01", "R02"]
    assert "4 people." in page


def test_manager_lists_only_the_people_of_their_services(client, auth, data):
    acme = data.organisation()
    auth.login(acme.manager)

    page = client.get("/admin/people/").get_data(as_text=True)

    assert listed_codes(page) == ["R01", "R02"]
    assert str(acme.people["H01"].uuid) not in page


def test_the_list_filters_by_service(client, auth, data):
    acme = data.organisation()
    auth.login(acme.admin)

    page = client.get(f"/admin/people/?service={acme.homecare.uuid.hex}").get_data(as_text=True)

    assert listed_codes(page) == ["H01", "H02"]
    assert f'<option value="{acme.homecare.uuid.hex}" selected>' in page


def test_a_manager_cannot_filter_their_way_into_another_service(client, auth, data):
    acme = data.organisation()
    auth.login(acme.manager)

    page = client.get(f"/admin/people/?service={acme.homecare.uuid.hex}").get_data(as_text=True)

    assert listed_codes(page) == ["R01", "R02"]


def test_inactive_people_are_listed_only_when_asked_for(client, auth, data, db):
    acme = data.organisation()
    db.get(Person, acme.people["R02"].id).active = False
    db.commit()
    auth.login(acme.admin)
    home = acme.care_home.uuid.hex

    default = client.get(f"/admin/people/?service={home}").get_data(as_text=True)
    everyone = client.get(f"/admin/people/?service={home}&show=all").get_data(as_text=True)

    assert listed_codes(default) == ["R01"]
    assert listed_codes(everyone) == ["R01", "R02"]
    assert "Inactive" in everyone


# --- creating ---------------------------------------------------------------------------------


def test_admin_adds_a_person_whose_code_is_stored_upper_case(client, auth, data, db):
    acme = data.organisation()
    auth.login(acme.admin)

    response = client.post(
        "/admin/people/new", data=person_form(acme.care_home, " r07 ", initials="jb")
    )

    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/people/?service={acme.care_home.uuid.hex}"
    [person] = people_coded(db, "R07")
    assert (person.service_id, person.organisation_id, person.initials) == (
        acme.care_home.id,
        acme.org.id,
        "JB",
    )
    assert (person.active, person.consent, person.consent_on) == (True, "not_recorded", None)
    assert "Added R07." in client.get(response.headers["Location"]).get_data(as_text=True)
    [event] = events(db, "person_created")
    assert (event.actor_id, event.entity_type, event.entity_id, event.summary) == (
        acme.admin.id,
        "Person",
        str(person.uuid),
        "Acme Care House: R07",
    )


def test_the_service_can_be_chosen_in_advance_from_the_list(client, auth, data):
    acme = data.organisation()
    auth.login(acme.admin)

    page = client.get(f"/admin/people/new?service={acme.homecare.uuid.hex}").get_data(as_text=True)

    assert selected_option(page, "service") == acme.homecare.uuid.hex


def test_a_full_name_is_refused_as_a_code(client, auth, data, db):
    acme = data.organisation()
    auth.login(acme.admin)

    response = client.post("/admin/people/new", data=person_form(acme.care_home, "Mary Smith"))

    assert response.status_code == 200
    assert NAME_MESSAGE in field_errors(response.get_data(as_text=True), "code")
    assert person_count(db) == 4
    assert events(db, "person_created") == []


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("485 777 3456", "This looks like an NHS number. Use a short code such as R07 instead"),
        ("01/02/1950", "This looks like a date, possibly a date of birth. Use a short code"),
        ("JohnSmith", NAME_MESSAGE),
        ("MaryJones", NAME_MESSAGE),
    ],
)
def test_identifiers_are_refused_as_codes_for_what_they_are(client, auth, data, db, code, message):
    acme = data.organisation()
    auth.login(acme.admin)

    response = client.post("/admin/people/new", data=person_form(acme.care_home, code))

    assert response.status_code == 200
    errors = field_errors(response.get_data(as_text=True), "code")
    assert message in errors
    if message != NAME_MESSAGE:
        assert "looks like a name" not in errors
    assert "Use up to 16 letters" not in errors
    assert person_count(db) == 4
    assert events(db, "person_created") == []


def test_a_joined_up_name_is_refused_even_with_the_confirmation_ticked(client, auth, data, db):
    acme = data.organisation()
    auth.login(acme.admin)

    form = person_form(acme.care_home, "JohnSmith", confirm_not_identifier="y")
    response = client.post("/admin/people/new", data=form)

    assert NAME_MESSAGE in field_errors(response.get_data(as_text=True), "code")
    assert people_coded(db, "JOHNSMITH") == []


def test_a_code_of_the_wrong_shape_is_refused(client, auth, data, db):
    acme = data.organisation()
    auth.login(acme.admin)

    response = client.post("/admin/people/new", data=person_form(acme.care_home, "R_07"))

    assert "Use up to 16 letters, digits or hyphens" in field_errors(
        response.get_data(as_text=True), "code"
    )
    assert person_count(db) == 4


def test_initials_must_be_up_to_four_letters(client, auth, data, db):
    acme = data.organisation()
    auth.login(acme.admin)

    response = client.post(
        "/admin/people/new", data=person_form(acme.care_home, "R07", initials="R2D2")
    )

    assert "Use up to 4 letters." in field_errors(response.get_data(as_text=True), "initials")
    assert person_count(db) == 4


def test_a_ten_digit_code_needs_confirmation_before_it_is_saved(client, auth, data, db):
    acme = data.organisation()
    auth.login(acme.admin)

    response = client.post("/admin/people/new", data=person_form(acme.care_home, "1234567890"))

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert TEN_DIGITS in field_errors(page, "code")
    assert 'name="confirm_not_identifier"' in page
    assert people_coded(db, "1234567890") == []

    confirmed = person_form(acme.care_home, "1234567890", confirm_not_identifier="y")
    response = client.post("/admin/people/new", data=confirmed)

    assert response.status_code == 302
    assert len(people_coded(db, "1234567890")) == 1


def test_a_date_like_code_needs_confirmation_before_it_is_saved(client, auth, data, db):
    acme = data.organisation()
    auth.login(acme.admin)

    response = client.post("/admin/people/new", data=person_form(acme.care_home, "010145"))

    page = response.get_data(as_text=True)
    assert LOOKS_LIKE_DATE in field_errors(page, "code")
    assert "I confirm this code is not a date of birth, NHS number or other identifier" in page
    assert people_coded(db, "010145") == []

    confirmed = person_form(acme.care_home, "010145", confirm_not_identifier="y")
    assert client.post("/admin/people/new", data=confirmed).status_code == 302
    assert len(people_coded(db, "010145")) == 1


def test_an_ordinary_code_does_not_ask_for_confirmation(client, auth, data):
    acme = data.organisation()
    auth.login(acme.admin)

    page = client.get("/admin/people/new").get_data(as_text=True)

    assert 'name="confirm_not_identifier"' not in page


def test_a_duplicate_code_in_the_same_service_is_refused_whatever_its_case(client, auth, data, db):
    acme = data.organisation()
    auth.login(acme.admin)

    response = client.post("/admin/people/new", data=person_form(acme.care_home, "r01"))

    assert response.status_code == 200
    errors = field_errors(response.get_data(as_text=True), "code")
    assert "Acme Care House already has a person with the code R01." in errors
    assert len(people_coded(db, "R01")) == 1
    assert events(db, "person_created") == []


def test_the_same_code_is_allowed_in_another_service(client, auth, data, db):
    acme = data.organisation()
    auth.login(acme.admin)

    response = client.post("/admin/people/new", data=person_form(acme.homecare, "R01"))

    assert response.status_code == 302
    assert {p.service_id for p in people_coded(db, "R01")} == {
        acme.care_home.id,
        acme.homecare.id,
    }


def test_consent_yes_needs_the_date_it_was_given(client, auth, data, db):
    acme = data.organisation()
    auth.login(acme.admin)

    response = client.post(
        "/admin/people/new",
        data=person_form(acme.homecare, "H07", consent="yes", consent_given_by="person"),
    )

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Enter the date consent was given." in field_errors(page, "consent_on")
    assert people_coded(db, "H07") == []


def test_consent_yes_with_a_date_is_saved_with_who_gave_it(client, auth, data, db):
    acme = data.organisation()
    auth.login(acme.admin)

    response = client.post(
        "/admin/people/new",
        data=person_form(
            acme.homecare,
            "H07",
            consent="yes",
            consent_on="2025-03-14",
            consent_given_by="representative",
        ),
    )

    assert response.status_code == 302
    [person] = people_coded(db, "H07")
    assert (person.consent, person.consent_on.isoformat(), person.consent_given_by) == (
        "yes",
        "2025-03-14",
        "representative",
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Yes (14 Mar 2025)" in page


def test_consent_not_recorded_clears_the_date_and_who_gave_it(client, auth, data, db):
    acme = data.organisation()
    auth.login(acme.admin)

    response = client.post(
        "/admin/people/new",
        data=person_form(
            acme.homecare,
            "H07",
            consent="not_recorded",
            consent_on="2025-03-14",
            consent_given_by="person",
        ),
    )

    assert response.status_code == 302
    [person] = people_coded(db, "H07")
    assert (person.consent, person.consent_on, person.consent_given_by) == (
        "not_recorded",
        None,
        None,
    )


@pytest.mark.parametrize(
    ("consent", "message"),
    [
        ("yes", "Choose who gave consent: the person or their representative."),
        ("no", "Choose who declined consent: the person or their representative."),
    ],
)
def test_a_consent_answer_needs_who_gave_it(client, auth, data, db, consent, message):
    acme = data.organisation()
    auth.login(acme.admin)

    response = client.post(
        "/admin/people/new",
        data=person_form(acme.homecare, "H07", consent=consent, consent_on="2025-03-14"),
    )

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert message in field_errors(page, "consent_given_by")
    assert field_errors(page, "consent_on") == ""
    assert people_coded(db, "H07") == []
    assert events(db, "person_created") == []


def test_consent_declined_needs_its_date_too(client, auth, data, db):
    acme = data.organisation()
    auth.login(acme.admin)

    response = client.post(
        "/admin/people/new",
        data=person_form(acme.homecare, "H07", consent="no", consent_given_by="representative"),
    )

    page = response.get_data(as_text=True)
    assert "Enter the date consent was declined." in field_errors(page, "consent_on")
    assert field_errors(page, "consent_given_by") == ""
    assert people_coded(db, "H07") == []


def test_an_unreadable_consent_date_is_reported_once(client, auth, data, db):
    acme = data.organisation()
    auth.login(acme.admin)

    response = client.post(
        "/admin/people/new",
        data=person_form(
            acme.homecare, "H07", consent="yes", consent_on="14/03", consent_given_by="person"
        ),
    )

    errors = field_errors(response.get_data(as_text=True), "consent_on")
    assert "Not a valid date value." in errors
    assert "Enter the date" not in errors
    assert people_coded(db, "H07") == []


def test_consent_declined_with_its_date_and_who_is_saved(client, auth, data, db):
    acme = data.organisation()
    auth.login(acme.admin)

    response = client.post(
        "/admin/people/new",
        data=person_form(
            acme.homecare,
            "H07",
            consent="no",
            consent_on="2025-03-14",
            consent_given_by="representative",
        ),
    )

    assert response.status_code == 302
    [person] = people_coded(db, "H07")
    assert (person.consent, person.consent_on, person.consent_given_by) == (
        "no",
        date(2025, 3, 14),
        "representative",
    )


# 20:00 UTC on 1 June 2025: already 2 June at Kiritimati (UTC+14), still 1 June in Pago Pago
# (UTC-11) and at 21:00 on 1 June in London (BST).
EVENING_IN_UTC = datetime(2025, 6, 1, 20, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "consent_on", "accepted"),
    [
        ("Europe/London", "2025-06-01", True),
        ("Europe/London", "2025-06-02", False),
        ("Pacific/Kiritimati", "2025-06-02", True),
        ("Pacific/Kiritimati", "2025-06-03", False),
        ("Pacific/Pago_Pago", "2025-06-01", True),
        ("Pacific/Pago_Pago", "2025-06-02", False),
    ],
)
def test_a_consent_date_cannot_be_after_today_on_the_organisations_clock(
    client, auth, data, db, monkeypatch, zone, consent_on, accepted
):
    monkeypatch.setattr("careobs.org.people_views.utcnow", lambda: EVENING_IN_UTC)
    acme = data.organisation()
    db.get(Organisation, acme.org.id).timezone = zone
    db.commit()
    auth.login(acme.admin)

    response = client.post(
        "/admin/people/new",
        data=person_form(
            acme.homecare, "H07", consent="yes", consent_on=consent_on, consent_given_by="person"
        ),
    )

    if accepted:
        assert response.status_code == 302
        [person] = people_coded(db, "H07")
        assert person.consent_on.isoformat() == consent_on
    else:
        assert response.status_code == 200
        errors = field_errors(response.get_data(as_text=True), "consent_on")
        assert "The date cannot be in the future." in errors
        assert people_coded(db, "H07") == []


def test_editing_to_a_future_consent_date_saves_nothing(client, auth, data, db):
    acme = data.organisation()
    h01 = acme.people["H01"]
    auth.login(acme.admin)
    two_days_ahead = (date.today() + timedelta(days=2)).isoformat()  # tomorrow everywhere

    response = client.post(
        f"/admin/people/{h01.uuid}",
        data=person_form(
            acme.homecare,
            "H01",
            consent="yes",
            consent_on=two_days_ahead,
            consent_given_by="person",
        ),
    )

    assert "The date cannot be in the future." in field_errors(
        response.get_data(as_text=True), "consent_on"
    )
    db.expire_all()
    person = db.get(Person, h01.id)
    assert (person.consent, person.consent_on) == ("not_recorded", None)
    assert events(db, "person_updated") == []


def test_manager_cannot_add_a_person_to_a_service_they_do_not_manage(client, auth, data, db):
    acme = data.organisation()
    auth.login(acme.manager)

    page = client.get("/admin/people/new").get_data(as_text=True)
    response = client.post("/admin/people/new", data=person_form(acme.homecare, "H07"))

    assert acme.homecare.uuid.hex not in page
    assert response.status_code == 200
    assert "Not a valid choice." in field_errors(response.get_data(as_text=True), "service")
    assert people_coded(db, "H07") == []


def test_manager_adds_a_person_to_their_own_service(client, auth, data, db):
    acme = data.organisation()
    auth.login(acme.manager)

    response = client.post("/admin/people/new", data=person_form(acme.care_home, "R07"))

    assert response.status_code == 302
    [person] = people_coded(db, "R07")
    assert person.service_id == acme.care_home.id
    [event] = events(db, "person_created")
    assert event.actor_id == acme.manager.id


# --- editing ----------------------------------------------------------------------------------


def test_the_edit_form_shows_the_persons_current_service_and_consent(client, auth, data, db):
    acme = data.organisation()
    h01 = db.get(Person, acme.people["H01"].id)
    h01.consent, h01.consent_given_by = "no", "representative"
    db.commit()
    auth.login(acme.admin)

    page = client.get(f"/admin/people/{h01.uuid}").get_data(as_text=True)

    assert selected_option(page, "service") == acme.homecare.uuid.hex
    assert selected_option(page, "consent_given_by") == "representative"
    assert re.search(
        r'<input checked id="consent-\d" name="consent" type="radio" value="no">', page
    )


def test_saving_the_edit_form_unchanged_keeps_the_person_where_they_are(client, auth, data, db):
    acme = data.organisation()
    r01 = acme.people["R01"]
    auth.login(acme.admin)

    response = client.post(f"/admin/people/{r01.uuid}", data=person_form(acme.care_home, "R01"))

    assert response.status_code == 302
    db.expire_all()
    assert db.get(Person, r01.id).service_id == acme.care_home.id


def test_admin_changes_a_persons_code_and_consent(client, auth, data, db):
    acme = data.organisation()
    h01 = acme.people["H01"]
    auth.login(acme.admin)

    response = client.post(
        f"/admin/people/{h01.uuid}",
        data=person_form(
            acme.homecare, "h11", consent="yes", consent_on="2025-06-01", consent_given_by="person"
        ),
    )

    assert response.status_code == 302
    db.expire_all()
    person = db.get(Person, h01.id)
    assert (person.code, person.consent, person.consent_on.isoformat()) == (
        "H11",
        "yes",
        "2025-06-01",
    )
    [event] = events(db, "person_updated")
    assert (event.actor_id, event.entity_id, event.summary) == (
        acme.admin.id,
        str(h01.uuid),
        "Acme Care Homecare: H11",
    )


def test_changing_consent_back_to_not_recorded_clears_its_details(client, auth, data, db):
    acme = data.organisation()
    h01 = db.get(Person, acme.people["H01"].id)
    h01.consent = "yes"
    h01.consent_on = date(2025, 2, 3)
    h01.consent_given_by = "person"
    db.commit()
    auth.login(acme.admin)

    response = client.post(f"/admin/people/{h01.uuid}", data=person_form(acme.homecare, "H01"))

    assert response.status_code == 302
    db.expire_all()
    person = db.get(Person, h01.id)
    assert (person.consent, person.consent_on, person.consent_given_by) == (
        "not_recorded",
        None,
        None,
    )


def test_editing_to_another_persons_code_is_refused(client, auth, data, db):
    acme = data.organisation()
    r01 = acme.people["R01"]
    auth.login(acme.admin)

    response = client.post(f"/admin/people/{r01.uuid}", data=person_form(acme.care_home, "r02"))

    assert response.status_code == 200
    errors = field_errors(response.get_data(as_text=True), "code")
    assert "Acme Care House already has a person with the code R02." in errors
    db.expire_all()
    assert db.get(Person, r01.id).code == "R01"
    assert events(db, "person_updated") == []


def test_editing_to_a_name_saves_nothing(client, auth, data, db):
    acme = data.organisation()
    r01 = acme.people["R01"]
    auth.login(acme.admin)

    response = client.post(
        f"/admin/people/{r01.uuid}", data=person_form(acme.care_home, "Mary Smith")
    )

    assert NAME_MESSAGE in field_errors(response.get_data(as_text=True), "code")
    db.expire_all()
    assert db.get(Person, r01.id).code == "R01"


def test_manager_edits_a_person_of_their_service(client, auth, data, db):
    acme = data.organisation()
    r01 = acme.people["R01"]
    auth.login(acme.manager)

    assert client.get(f"/admin/people/{r01.uuid}").status_code == 200
    response = client.post(
        f"/admin/people/{r01.uuid}", data=person_form(acme.care_home, "R01", initials="ab")
    )

    assert response.status_code == 302
    db.expire_all()
    assert db.get(Person, r01.id).initials == "AB"


def test_manager_can_neither_see_nor_change_a_person_of_another_service(client, auth, data, db):
    acme = data.organisation()
    h01 = acme.people["H01"]
    auth.login(acme.manager)

    assert client.get(f"/admin/people/{h01.uuid}").status_code == 403
    response = client.post(f"/admin/people/{h01.uuid}", data=person_form(acme.care_home, "H99"))
    toggle = client.post(f"/admin/people/{h01.uuid}/active")

    assert (response.status_code, toggle.status_code) == (403, 403)
    db.expire_all()
    person = db.get(Person, h01.id)
    assert (person.code, person.service_id, person.active) == ("H01", acme.homecare.id, True)


def test_manager_cannot_move_a_person_into_a_service_they_do_not_manage(client, auth, data, db):
    acme = data.organisation()
    r01 = acme.people["R01"]
    auth.login(acme.manager)

    response = client.post(f"/admin/people/{r01.uuid}", data=person_form(acme.homecare, "R01"))

    assert "Not a valid choice." in field_errors(response.get_data(as_text=True), "service")
    db.expire_all()
    assert db.get(Person, r01.id).service_id == acme.care_home.id


# --- deactivating -----------------------------------------------------------------------------


def test_deactivating_keeps_the_person_and_reactivating_brings_them_back(client, auth, data, db):
    acme = data.organisation()
    r02 = acme.people["R02"]
    auth.login(acme.manager)

    response = client.post(f"/admin/people/{r02.uuid}/active")

    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/people/{r02.uuid}"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "R02 is now inactive." in page
    assert "Reactivate" in page
    db.expire_all()
    assert db.get(Person, r02.id).active is False
    assert person_count(db) == 4

    client.post(f"/admin/people/{r02.uuid}/active")

    db.expire_all()
    assert db.get(Person, r02.id).active is True
    assert [e.entity_id for e in events(db, "person_deactivated")] == [str(r02.uuid)]
    assert [e.entity_id for e in events(db, "person_reactivated")] == [str(r02.uuid)]
