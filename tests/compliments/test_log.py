"""Recording compliments and concerns through the pages, and what each role may do with them."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from careobs.accounts.models import Membership
from careobs.actions.models import Action
from careobs.audit.models import AuditEvent
from careobs.compliments import service
from careobs.compliments.models import Compliment, ComplimentSection
from careobs.feedback.models import Feedback
from careobs.org.models import StaffMember
from tests.clock import local_today


def entries(db) -> list[Compliment]:
    db.expire_all()
    return list(db.scalars(sa.select(Compliment).order_by(Compliment.id)))


def feedback_of(db, entry: Compliment) -> list[Feedback]:
    return list(db.scalars(sa.select(Feedback).where(Feedback.compliment_id == entry.id)))


def test_a_compliment_naming_a_worker_drafts_their_feedback(login_as, org, db, form):
    supervisor = login_as(org.supervisor)
    sent = form()
    response = supervisor.post("/compliments/new", data=sent)
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    page = supervisor.get(response.headers["Location"]).get_data(as_text=True)
    assert (
        "Compliment recorded. Feedback to the care worker is drafted, for a manager to release."
        in page
    )
    [entry] = entries(db)
    assert response.headers["Location"].endswith(f"/compliments/{entry.uuid}")
    assert entry.uuid.hex == sent["entry_id"]
    assert (entry.kind, entry.section.key, entry.source) == ("compliment", "care", "family")
    assert entry.received_on == local_today()
    assert entry.person_id is None
    assert [m.name for m in entry.staff] == ["Hal Homecare"]
    [feedback] = feedback_of(db, entry)
    assert feedback.went_well == sent["text"]
    assert (feedback.to_develop, feedback.status) == ("", "draft")
    assert feedback.staff.name == "Hal Homecare"
    assert feedback.author_id == org.supervisor.id
    assert feedback.service_id == org.homecare.id
    events = set(db.scalars(sa.select(AuditEvent.action)))
    assert {"compliment_recorded", "feedback_drafted"} <= events


def test_the_same_form_sent_twice_records_one_entry_and_one_feedback(login_as, org, db, form):
    supervisor = login_as(org.supervisor)
    sent = form()
    first = supervisor.post("/compliments/new", data=sent)
    second = supervisor.post("/compliments/new", data=sent)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    [entry] = entries(db)
    assert len(feedback_of(db, entry)) == 1


def test_released_by_the_manager_the_worker_reads_and_acknowledges_it(
    login_as, org, db, form, homecare_manager, hal_user
):
    login_as(org.supervisor).post("/compliments/new", data=form())
    [entry] = entries(db)
    [feedback] = feedback_of(db, entry)
    manager = login_as(homecare_manager)
    edit = manager.get(f"/feedback/{feedback.uuid}/edit").get_data(as_text=True)
    assert "Drafted from the compliment." in edit
    entry_page = manager.get(f"/compliments/{entry.uuid}").get_data(as_text=True)
    assert f'href="/feedback/{feedback.uuid}">Hal Homecare</a>: Draft' in entry_page
    response = manager.post(
        f"/feedback/{feedback.uuid}/edit",
        data={"went_well": feedback.went_well, "to_develop": "", "actions": "", "release": "1"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    hal = login_as(hal_user)
    mine = hal.get("/feedback/mine").get_data(as_text=True)
    assert "Compliment" in mine
    page = hal.get(f"/feedback/{feedback.uuid}").get_data(as_text=True)
    assert "after a compliment" in page
    assert "makes her laugh" in page
    assert hal.post(f"/feedback/{feedback.uuid}/acknowledge").status_code == 302
    db.expire_all()
    feedback = db.get(Feedback, feedback.id)
    assert feedback.status == "released" and feedback.acknowledged_at is not None
    # The log itself is not theirs to see.
    assert hal.get("/compliments/").status_code == 403
    assert hal.get(f"/compliments/{entry.uuid}").status_code == 403


def test_the_default_sections_are_added_once_as_data(login_as, org, db):
    supervisor = login_as(org.supervisor)
    assert supervisor.get("/compliments/new").status_code == 200
    assert supervisor.get("/compliments/").status_code == 200
    keys = list(
        db.scalars(
            sa.select(ComplimentSection.key)
            .where(ComplimentSection.organisation_id == org.org.id)
            .order_by(ComplimentSection.position)
        )
    )
    assert keys == [
        "care",
        "food",
        "activities",
        "staff",
        "communication",
        "environment",
        "medicines",
        "other",
    ]


def test_a_section_the_organisation_renamed_or_added_is_offered(login_as, org, db, form):
    supervisor = login_as(org.supervisor)
    supervisor.get("/compliments/new")
    db.add(ComplimentSection(organisation_id=org.org.id, key="laundry", label="Laundry"))
    db.commit()
    page = supervisor.get("/compliments/new").get_data(as_text=True)
    assert "Laundry" in page
    response = supervisor.post("/compliments/new", data=form(section="laundry", staff=[]))
    assert response.status_code == 302
    assert entries(db)[0].section.label == "Laundry"


def test_a_person_supported_is_recorded_by_code_only(login_as, org, db, form):
    supervisor = login_as(org.supervisor)
    response = supervisor.post(
        "/compliments/new", data=form(source="person", person_code="H01", staff=[])
    )
    assert response.status_code == 302
    [entry] = entries(db)
    assert entry.person_id == org.people["H01"].id
    page = supervisor.get(f"/compliments/{entry.uuid}").get_data(as_text=True)
    assert "Person supported (H01)" in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"kind": "concern"}, "Name care workers only in a compliment."),
        ({"service": "not-a-service"}, "Not a valid choice"),
        ({"section": "lunch"}, "Not a valid choice"),
        ({"kind": "praise"}, "Not a valid choice"),
        ({"source": "neighbour"}, "Not a valid choice"),
        ({"staff": ["0" * 32]}, "not a valid choice"),
        ({"text": "   "}, "This cannot be blank."),
        ({"text": "x" * 5001}, "Field cannot be longer than 5000 characters."),
        ({"received_on": "31/02/2026"}, "Not a valid date value."),
        ({"received_on": "1999-12-31"}, "Enter a date from 2000 on."),
        ({"person_code": "H01"}, "Give a code only when it came from a person supported."),
        ({"source": "person", "person_code": "John Smith"}, "This looks like a name."),
        ({"source": "person", "person_code": "Z99"}, "No person supported has the code Z99 here."),
        ({"source": "person", "person_code": "R01"}, "No person supported has the code R01 here."),
        (
            {"source": "person", "person_code": "H02", "staff": [], "_h02_left": True},
            "H02 no longer receives support here: give the code of a person supported now, "
            "or leave it blank.",
        ),
    ],
)
def test_bad_input_is_refused_with_the_reason_and_nothing_is_stored(
    login_as, org, db, form, changes, message
):
    changes = dict(changes)
    if changes.pop("_h02_left", False):  # H02 has left the service: not a source any more
        db.merge(org.people["H02"]).active = False
        db.commit()
    response = login_as(org.supervisor).post("/compliments/new", data=form(**changes))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert entries(db) == []
    assert db.scalar(sa.select(sa.func.count()).select_from(Feedback)) == 0


def test_a_date_in_the_future_is_refused(login_as, org, db, form):
    tomorrow = (local_today() + timedelta(days=1)).isoformat()
    response = login_as(org.supervisor).post("/compliments/new", data=form(received_on=tomorrow))
    assert response.status_code == 400
    assert "cannot be in the future" in response.get_data(as_text=True)


def test_a_worker_of_another_service_cannot_be_named(login_as, org, db, form):
    carla = org.staff_members["Carla Carer"]  # Acme House, not Homecare
    response = login_as(org.supervisor).post("/compliments/new", data=form(staff=[carla.uuid.hex]))
    assert response.status_code == 400
    assert "Name only care workers of the service it is about." in response.get_data(as_text=True)
    assert entries(db) == []


def test_a_garbled_entry_id_is_refused(login_as, org, db, form):
    response = login_as(org.supervisor).post("/compliments/new", data=form(entry_id="<script>"))
    assert response.status_code == 400
    assert entries(db) == []


def test_without_a_csrf_token_nothing_is_recorded(login_as, org, db, form):
    response = login_as(org.supervisor).post("/compliments/new", data=form(), csrf=False)
    assert response.status_code == 400
    assert entries(db) == []


def test_identifiers_in_the_text_are_flagged_on_the_entry(login_as, org, db, form):
    supervisor = login_as(org.supervisor)
    supervisor.post("/compliments/new", data=form(text="Ring Mrs Jones on 07700 900123."))
    [entry] = entries(db)
    page = supervisor.get(f"/compliments/{entry.uuid}").get_data(as_text=True)
    assert "Possible personal information" in page
    assert "a phone number" in page
    assert "a name with a title" in page


def test_the_page_says_a_concern_is_not_a_formal_complaint(login_as, org):
    page = login_as(org.supervisor).get("/compliments/new").get_data(as_text=True)
    assert "not a formal complaint" in page
    page = login_as(org.supervisor).get("/compliments/").get_data(as_text=True)
    assert "not a formal complaint" in page


# -- a concern's response and action ----------------------------------------------------------


def concern(login_as, org, db, form, user=None) -> Compliment:
    sent = form(kind="concern", section="food", staff=[], text="Tea arrived cold twice.")
    response = login_as(user or org.supervisor).post("/compliments/new", data=sent)
    assert response.status_code == 302
    return entries(db)[-1]


def test_a_concern_gets_a_response_and_one_action(login_as, org, db, form, homecare_manager):
    entry = concern(login_as, org, db, form)
    manager = login_as(homecare_manager)
    due = (local_today() + timedelta(days=14)).isoformat()
    fields = {
        "response": "Apologised; tea now made at the visit, not before.",
        "action": "Remind the team to make drinks during the visit.",
        "owner": "",
        "due_on": due,
    }
    response = manager.post(f"/compliments/{entry.uuid}/respond", data=fields)
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    [entry] = entries(db)
    assert entry.response == fields["response"]
    assert entry.responded_at is not None
    [action] = db.scalars(sa.select(Action))
    assert entry.action_id == action.id
    assert action.description == fields["action"]
    assert action.cqc_tags == ["R4", "W7"]
    assert action.service_id == org.homecare.id
    # Sent again, the response is kept and no second action is raised.
    again = manager.post(f"/compliments/{entry.uuid}/respond", data=fields)
    assert again.status_code == 302
    assert db.scalar(sa.select(sa.func.count()).select_from(Action)) == 1
    page = manager.get(f"/compliments/{entry.uuid}").get_data(as_text=True)
    assert "Remind the team" in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"action": "Do something.", "due_on": ""}, "Enter the date the action is due by."),
        ({"action": "Do something.", "due_on": "2001-01-01"}, "cannot be in the past"),
        ({"owner": "user-nobody"}, "Not a valid choice"),
        ({"response": "x" * 5001}, "Field cannot be longer than 5000 characters."),
    ],
)
def test_a_bad_response_is_refused(login_as, org, db, form, fields, message):
    entry = concern(login_as, org, db, form)
    response = login_as(org.supervisor).post(f"/compliments/{entry.uuid}/respond", data=fields)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert entries(db)[0].response == ""
    assert db.scalar(sa.select(sa.func.count()).select_from(Action)) == 0


def test_a_compliment_has_no_response(login_as, org, db, form):
    login_as(org.supervisor).post("/compliments/new", data=form())
    [entry] = entries(db)
    response = login_as(org.supervisor).post(
        f"/compliments/{entry.uuid}/respond", data={"response": "Thanks"}
    )
    assert response.status_code == 403


# -- who sees the log -------------------------------------------------------------------------


def test_managers_see_their_services_and_supervisors_what_they_recorded(
    login_as, org, db, form, homecare_manager
):
    login_as(org.supervisor).post("/compliments/new", data=form())
    login_as(homecare_manager).post(
        "/compliments/new", data=form(kind="concern", staff=[], text="Late twice this week.")
    )
    compliment, late = entries(db)
    supervisor = login_as(org.supervisor)
    assert supervisor.get(f"/compliments/{compliment.uuid}").status_code == 200
    assert supervisor.get(f"/compliments/{late.uuid}").status_code == 404
    listed = supervisor.get("/compliments/").get_data(as_text=True)
    assert "makes her laugh" in listed and "Late twice" not in listed
    listed = login_as(homecare_manager).get("/compliments/").get_data(as_text=True)
    assert "makes her laugh" in listed and "Late twice" in listed
    # The manager of the care home only does not see homecare's log.
    home_manager = login_as(org.manager)
    assert home_manager.get(f"/compliments/{compliment.uuid}").status_code == 404
    assert "makes her laugh" not in home_manager.get("/compliments/").get_data(as_text=True)
    # Filters: concerns only.
    listed = login_as(homecare_manager).get("/compliments/?kind=concern").get_data(as_text=True)
    assert "Late twice" in listed and "makes her laugh" not in listed
    listed = login_as(homecare_manager).get("/compliments/?section=food").get_data(as_text=True)
    assert "Late twice" not in listed and "makes her laugh" not in listed
    assert login_as(homecare_manager).get("/compliments/?kind=bogus").status_code == 200


def test_another_organisation_sees_nothing(login_as, org, other, db, form):
    login_as(org.supervisor).post("/compliments/new", data=form())
    [entry] = entries(db)
    outsider = login_as(other.admin)
    assert outsider.get(f"/compliments/{entry.uuid}").status_code == 404
    assert "makes her laugh" not in outsider.get("/compliments/").get_data(as_text=True)
    # Nor may they record in Acme's service.
    response = outsider.post("/compliments/new", data=form())
    assert response.status_code == 400
    assert len(entries(db)) == 1


def test_care_workers_and_anonymous_users_may_not_record(login_as, org, db, form):
    assert login_as(org.staff).get("/compliments/new").status_code == 403
    assert login_as(org.staff).post("/compliments/new", data=form()).status_code == 403
    assert login_as(None).get("/compliments/new").status_code in (302, 401)
    assert entries(db) == []


def test_unknown_entries_are_not_found(login_as, org):
    supervisor = login_as(org.supervisor)
    assert supervisor.get("/compliments/00000000-0000-0000-0000-000000000000").status_code == 404
    assert supervisor.get("/compliments/not-a-uuid").status_code == 404


def test_naming_several_workers_says_their_feedback_is_drafted(login_as, org, db, form):
    """The flash after naming two care workers (hand-written wording, issue 16)."""
    second = StaffMember(
        organisation_id=org.org.id,
        service_id=org.homecare.id,
        name="Hattie Homecare",
        job_role="Care worker",
        start_date=date(2025, 1, 6),
    )
    db.add(second)
    db.commit()
    supervisor = login_as(org.supervisor)
    staff = [org.staff_members["Hal Homecare"].uuid.hex, second.uuid.hex]
    response = supervisor.post("/compliments/new", data=form(staff=staff))
    assert response.status_code == 302
    page = supervisor.get(response.headers["Location"]).get_data(as_text=True)
    assert (
        "Compliment recorded. Feedback to the 2 care workers is drafted, for a manager to "
        "release." in page
    )
    assert len(feedback_of(db, entries(db)[0])) == 2


# -- issue 16: the manager's release, leaving a service, who is offered what ---------------------


def test_the_supervisor_who_logged_a_compliment_edits_its_feedback_but_cannot_release_it(
    login_as, org, db, form, homecare_manager
):
    supervisor = login_as(org.supervisor)
    supervisor.post("/compliments/new", data=form())
    [feedback] = feedback_of(db, entries(db)[0])
    shown = supervisor.get(f"/feedback/{feedback.uuid}").get_data(as_text=True)
    assert ">Edit</a>" in shown and "Edit and release" not in shown
    edit = supervisor.get(f"/feedback/{feedback.uuid}/edit").get_data(as_text=True)
    assert 'name="release"' not in edit
    assert "A manager of the service releases feedback drafted from a compliment." in edit
    fields = {"went_well": "Warm and patient.", "to_develop": "", "actions": ""}
    refused = supervisor.post(f"/feedback/{feedback.uuid}/edit", data={**fields, "release": "1"})
    assert refused.status_code == 403
    db.expire_all()
    feedback = db.get(Feedback, feedback.id)
    assert (feedback.status, feedback.released_at) == ("draft", None)
    assert feedback.went_well != "Warm and patient."  # nothing of the refused post is saved
    # Saving the draft is still theirs; the manager releases it.
    assert supervisor.post(f"/feedback/{feedback.uuid}/edit", data=fields).status_code == 302
    manager = login_as(homecare_manager)
    assert 'name="release"' in manager.get(f"/feedback/{feedback.uuid}/edit").get_data(as_text=True)
    shown = manager.get(f"/feedback/{feedback.uuid}").get_data(as_text=True)
    assert ">Edit and release</a>" in shown
    released = manager.post(f"/feedback/{feedback.uuid}/edit", data={**fields, "release": "1"})
    assert released.status_code == 302
    db.expire_all()
    feedback = db.get(Feedback, feedback.id)
    assert (feedback.status, feedback.went_well) == ("released", "Warm and patient.")


def leave_homecare(db, user) -> None:
    db.execute(
        sa.delete(Membership).where(
            Membership.user_id == user.id,
            Membership.service_id.in_(
                sa.select(Compliment.service_id).where(Compliment.recorded_by_id == user.id)
            ),
        )
    )
    db.commit()


def test_someone_who_left_the_service_no_longer_reads_or_answers_its_concerns(
    login_as, org, db, form, homecare_manager
):
    """Chosen: an entry someone recorded is theirs to read only while they still work in its
    service; answering it (and raising its action) needs the same."""
    entry = concern(login_as, org, db, form)
    supervisor = login_as(org.supervisor)
    assert supervisor.get(f"/compliments/{entry.uuid}").status_code == 200
    leave_homecare(db, org.supervisor)
    supervisor = login_as(org.supervisor)
    assert supervisor.get(f"/compliments/{entry.uuid}").status_code == 404
    assert "Tea arrived cold" not in supervisor.get("/compliments/").get_data(as_text=True)
    fields = {
        "response": "Sorted it.",
        "action": "Check the kettle.",
        "owner": "",
        "due_on": (local_today() + timedelta(days=7)).isoformat(),
    }
    answer = supervisor.post(f"/compliments/{entry.uuid}/respond", data=fields)
    assert answer.status_code == 404
    [entry] = entries(db)
    assert (entry.response, entry.action_id) == ("", None)
    assert db.scalar(sa.select(sa.func.count()).select_from(Action)) == 0
    # The service's manager still answers it.
    manager = login_as(homecare_manager)
    assert manager.post(f"/compliments/{entry.uuid}/respond", data=fields).status_code == 302
    assert entries(db)[0].response == "Sorted it."


def test_trends_by_section_are_offered_only_to_who_may_open_them(login_as, org, homecare_manager):
    for user, shown in ((org.supervisor, False), (homecare_manager, True), (org.admin, True)):
        client = login_as(user)
        page = client.get("/compliments/").get_data(as_text=True)
        assert ("Trends by section" in page) is shown, user.email
        opened = client.get("/dashboards/compliments").status_code
        assert (opened == 200) is shown, (user.email, opened)


def test_supervisors_find_the_log_from_the_home_page(login_as, org, hal_user):
    home = login_as(org.supervisor).get("/").get_data(as_text=True)
    assert 'href="/compliments/">Compliments and concerns</a>' in home
    assert "/compliments/" not in login_as(hal_user).get("/").get_data(as_text=True)


# -- a concern's response is never silently changed ---------------------------------------------


def respond(client, entry, **fields):
    return client.post(f"/compliments/{entry.uuid}/respond", data=fields)


def seen_token(client, entry) -> str:
    page = client.get(f"/compliments/{entry.uuid}").get_data(as_text=True)
    return re.search(r'name="seen" type="hidden" value="([0-9a-f]+)"', page).group(1)


def test_a_saved_response_is_added_to_never_replaced(login_as, org, db, form):
    entry = concern(login_as, org, db, form)
    supervisor = login_as(org.supervisor)
    token = seen_token(supervisor, entry)
    assert respond(supervisor, entry, response="Apologised.", seen=token).status_code == 302
    token = seen_token(supervisor, entry)
    for replaced in ("Nothing to see.", "", "apologised. And more."):
        refused = respond(supervisor, entry, response=replaced, seen=token)
        assert refused.status_code == 400, replaced
        text = refused.get_data(as_text=True)
        assert "A saved response is not changed or removed" in text
    assert entries(db)[0].response == "Apologised."
    added = "Apologised.\r\nTea now made during the visit."
    assert respond(supervisor, entry, response=added, seen=token).status_code == 302
    assert entries(db)[0].response == "Apologised.\nTea now made during the visit."
    events = db.scalars(
        sa.select(AuditEvent.summary)
        .where(AuditEvent.action == "concern_responded")
        .order_by(AuditEvent.id)
    ).all()
    assert events == ["First response", "Added to the response"]


def test_an_answer_saved_meanwhile_is_shown_and_the_typed_text_kept(
    login_as, org, db, form, homecare_manager
):
    entry = concern(login_as, org, db, form)
    supervisor = login_as(org.supervisor)
    token = seen_token(supervisor, entry)  # the supervisor opens the form: no response yet
    manager = login_as(homecare_manager)
    assert respond(manager, entry, response="Rang the family.").status_code == 302
    late = respond(login_as(org.supervisor), entry, response="Spoke to the cook.", seen=token)
    assert late.status_code == 409
    text = late.get_data(as_text=True)
    assert "Someone else answered this concern meanwhile" in text
    assert "Rang the family." in text  # their answer, shown
    assert re.search(r">\s*Spoke to the cook.</textarea>", text)  # the typed text, kept
    assert entries(db)[0].response == "Rang the family."
    # The form now carries their answer as seen: added to, it is saved.
    token = re.search(r'name="seen" type="hidden" value="([0-9a-f]+)"', text).group(1)
    merged = "Rang the family.\nSpoke to the cook."
    again = respond(login_as(org.supervisor), entry, response=merged, seen=token)
    assert again.status_code == 302
    assert entries(db)[0].response == merged


def test_when_an_action_race_is_lost_the_response_is_not_saved_and_the_text_kept(
    login_as, org, db, form, monkeypatch
):
    """Another request raised the concern's action between this one's write and its commit:
    everything is rolled back, the page says the response was not saved and keeps it."""
    entry = concern(login_as, org, db, form)
    real = service.respond

    def loses_the_race(*args, **kwargs):
        real(*args, **kwargs)
        raise service.ActionedMeanwhile

    monkeypatch.setattr(service, "respond", loses_the_race)
    fields = {
        "response": "Spoke to the cook.",
        "action": "Check the kettle.",
        "owner": "",
        "due_on": (local_today() + timedelta(days=7)).isoformat(),
    }
    lost = login_as(org.supervisor).post(f"/compliments/{entry.uuid}/respond", data=fields)
    assert lost.status_code == 409
    text = lost.get_data(as_text=True)
    assert "so your response was not saved" in text
    assert re.search(r">\s*Spoke to the cook.</textarea>", text)
    [entry] = entries(db)
    assert (entry.response, entry.action_id) == ("", None)
    assert db.scalar(sa.select(sa.func.count()).select_from(Action)) == 0
