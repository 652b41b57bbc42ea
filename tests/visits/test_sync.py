"""Monitoring visits (``spot_check`` documents) through POST /api/v1/sync: the stored outcome,
answers and actions, the revision rules, and every way a visit document can be refused."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from careobs.audit.models import AuditEvent
from careobs.checklists import service as checklists
from careobs.checklists.models import Checklist, ChecklistItem, ChecklistVersion
from careobs.org.models import OrganisationSettings
from careobs.org.settings import CALIBRATION_DEFAULTS, SELECTION_DEFAULTS
from careobs.visits.models import MonitoringVisit, VisitAction, VisitAnswer
from careobs.visits.scoring import COMPETENT, DEVELOPMENT, NOT_YET
from tests.support.database import count, stored
from tests.support.sync import iso, new_id, revise
from tests.support.visits import PLANNED, action, checklist_info, publish_new_version, spot_check

VISIT_EVENT = AuditEvent.action.like("visit_%")


def answers_of(db, visit: MonitoringVisit) -> dict[str, tuple[str, str]]:
    """item uuid → (rating, comment) of a stored visit."""
    rows = db.execute(
        sa.select(ChecklistItem.uuid, VisitAnswer.rating, VisitAnswer.comment)
        .join(VisitAnswer, VisitAnswer.item_id == ChecklistItem.id)
        .where(VisitAnswer.visit_id == visit.id)
    )
    return {str(u): (rating, comment) for u, rating, comment in rows}


def actions_of(db, visit: MonitoringVisit) -> list[VisitAction]:
    return list(
        db.scalars(
            sa.select(VisitAction)
            .where(VisitAction.visit_id == visit.id)
            .order_by(VisitAction.position)
        )
    )


def audit_actions(db, document: dict) -> list[str]:
    db.expire_all()
    return list(
        db.scalars(
            sa.select(AuditEvent.action)
            .where(AuditEvent.entity_id == document["id"])
            .order_by(AuditEvent.id)
        )
    )


def snapshot(db, document: dict) -> dict:
    """Everything about a stored visit that must stay as it was."""
    visit = stored(db, MonitoringVisit, document)
    columns = {c.key: getattr(visit, c.key) for c in sa.inspect(MonitoringVisit).column_attrs}
    columns["answers"] = answers_of(db, visit)
    columns["actions"] = [(a.uuid, a.description) for a in actions_of(db, visit)]
    return columns


# --- created ---------------------------------------------------------------------------------


def test_created_stores_the_visit_with_its_computed_outcome(sync, auth, db, org, visit_doc):
    document = visit_doc(
        # 3 N/A, 2 partly met, 1 (plain) not met, the other 23 met: 48 of 52 points.
        ratings={0: "na", 1: "na", 2: "na", 3: "partly", 4: "partly", 5: "not_met"},
        arrived_at=iso(PLANNED + timedelta(minutes=12)),
        left_at=iso(PLANNED + timedelta(minutes=32)),
        visit_type="announced",
        person_view={"satisfaction": 4, "comment": "Hal is lovely."},
        went_well="Knocked and introduced himself.",
        to_develop="Log the visit out on the app.",
    )
    auth.login(org.supervisor)

    results = sync(document)

    assert results == [{"id": document["id"], "status": "created", "revision": 1}]
    visit = stored(db, MonitoringVisit, document)
    assert visit.organisation_id == org.org.id
    assert visit.service_id == org.homecare.id
    assert visit.supervisor_id == org.supervisor.id
    assert visit.staff_id == org.staff_members["Hal Homecare"].id
    assert (visit.person_code, visit.visit_type, visit.consent) == ("H01", "announced", "on_record")
    assert visit.checklist_version.number == 1
    assert visit.planned_at == PLANNED
    assert visit.planned_minutes == 30
    assert visit.arrived_at == PLANNED + timedelta(minutes=12)
    assert visit.left_at == PLANNED + timedelta(minutes=32)
    assert (visit.satisfaction, visit.person_comment) == (4, "Hal is lovely.")
    assert visit.went_well == "Knocked and introduced himself."
    assert visit.to_develop == "Log the visit out on the app."
    assert (visit.status, visit.revision) == ("submitted", 1)
    assert visit.submitted_at is not None
    # The outcome, worked out on the server from the answers and the default settings.
    assert (visit.points, visit.possible) == (48, 52)
    assert visit.score == 92.3
    assert (visit.band, visit.outcome) == ("green", COMPETENT)
    assert (visit.n_met, visit.n_partly, visit.n_not_met, visit.n_na) == (23, 2, 1, 3)
    assert visit.critical_failures == 0
    assert visit.minutes_late == 12.0
    assert visit.late is True  # tolerance 10 minutes
    assert visit.shortfall_minutes == 10.0  # stayed 20 of 30 minutes
    assert visit.next_check_on == date(2026, 11, 20) + timedelta(days=90)
    assert visit.privacy_flags == []


def test_answers_are_stored_with_their_items_and_comments(sync, auth, db, org, checklist):
    document = spot_check(org.homecare, org.staff_members["Hal Homecare"], checklist)
    document["data"]["answers"][9]["rating"] = "partly"
    document["data"]["answers"][9]["comment"] = "Washed hands but did not dry them."
    document["data"]["answers"][0]["rating"] = "na"
    auth.login(org.supervisor)

    assert sync(document)[0]["status"] == "created"

    visit = stored(db, MonitoringVisit, document)
    answers = answers_of(db, visit)
    assert len(answers) == 29
    assert answers == {
        a["item_id"]: (a["rating"], a["comment"]) for a in document["data"]["answers"]
    }
    assert answers[checklist.items[9].id] == ("partly", "Washed hands but did not dry them.")


def test_actions_are_stored_in_order_with_owners_and_due_dates(sync, auth, db, org, visit_doc):
    hal = org.staff_members["Hal Homecare"]
    agreed = [
        action(hal, description="Read the medicines policy.", due_on="2026-12-04"),
        action(org.supervisor, description="Book moving and handling training."),
        action(None, description="Review at the next visit.", due_on=None),
    ]
    document = visit_doc(actions=agreed)
    auth.login(org.supervisor)

    assert sync(document)[0]["status"] == "created"

    visit = stored(db, MonitoringVisit, document)
    rows = actions_of(db, visit)
    assert [(a.uuid, a.position, a.description) for a in rows] == [
        (uuid.UUID(agreed[0]["id"]), 0, "Read the medicines policy."),
        (uuid.UUID(agreed[1]["id"]), 1, "Book moving and handling training."),
        (uuid.UUID(agreed[2]["id"]), 2, "Review at the next visit."),
    ]
    assert (rows[0].owner_staff_id, rows[0].owner_user_id) == (hal.id, None)
    assert (rows[1].owner_staff_id, rows[1].owner_user_id) == (None, org.supervisor.id)
    assert (rows[2].owner_staff_id, rows[2].owner_user_id) == (None, None)
    assert [a.due_on for a in rows] == [date(2026, 12, 4), date(2026, 12, 31), None]


def test_a_critical_item_not_met_is_red_and_books_a_recheck(
    sync, auth, db, org, checklist, visit_doc
):
    hand_hygiene = checklist.critical[0]
    document = visit_doc(ratings={hand_hygiene: "not_met"})
    auth.login(org.supervisor)

    assert sync(document)[0]["status"] == "created"

    visit = stored(db, MonitoringVisit, document)
    assert visit.score == 96.6  # 56 of 58 points
    assert (visit.band, visit.outcome) == ("red", NOT_YET)
    assert visit.critical_failures == 1
    assert visit.next_check_on == date(2026, 11, 20) + timedelta(days=28)


def test_a_critical_item_na_is_not_a_failure(sync, auth, db, org, checklist, visit_doc):
    document = visit_doc(ratings=dict.fromkeys(checklist.critical, "na"))
    auth.login(org.supervisor)

    assert sync(document)[0]["status"] == "created"

    visit = stored(db, MonitoringVisit, document)
    assert (visit.score, visit.band, visit.critical_failures) == (100.0, "green", 0)
    assert visit.n_na == 6


def test_every_item_na_is_kept_as_a_draft_with_no_score(sync, auth, db, org, visit_doc):
    """A draft may be all N/A on the way (a submitted one is refused: tests/visits/)."""
    document = visit_doc(rating="na", status="draft")
    auth.login(org.supervisor)

    assert sync(document)[0]["status"] == "created"

    visit = stored(db, MonitoringVisit, document)
    assert visit.status == "draft"
    assert (visit.score, visit.band, visit.outcome) == (None, None, None)
    assert (visit.points, visit.possible, visit.n_na) == (0, 0, 29)


def test_created_as_submitted_writes_an_audit_event(sync, auth, db, org, visit_doc):
    document = visit_doc()
    auth.login(org.supervisor)

    sync(document)

    assert audit_actions(db, document) == ["visit_submitted"]


def _settings_form(**changes) -> dict:
    values = {
        "green_from": 90,
        "amber_from": 75,
        "lateness_tolerance_minutes": 10,
        "recheck_days_after_red": 28,
        "check_frequency_days": 90,
        "new_starter_days": 28,
        **SELECTION_DEFAULTS,  # the form has the draw weights too
        **CALIBRATION_DEFAULTS,  # and the paired QUIS settings
    }
    values.update(changes)
    return {k: str(v) for k, v in values.items()}


def test_the_organisations_settings_are_used(client, auth, client_as, db, org, visit_doc):
    # 22 met, 7 partly met: 51 of 58 = 87.9%; arrived 12 minutes late.
    scored_88 = {"ratings": dict.fromkeys(range(7), "partly")}
    late_12 = {"arrived_at": iso(PLANNED + timedelta(minutes=12))}
    before = visit_doc(**scored_88, **late_12)
    supervisor = client_as(org.supervisor)
    assert supervisor(before)[0]["status"] == "created"

    auth.login(org.admin)
    response = client.post(
        "/admin/settings/",
        data=_settings_form(
            green_from=85,
            amber_from=70,
            lateness_tolerance_minutes=15,
            recheck_days_after_red=14,
            check_frequency_days=60,
        ),
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    db.expire_all()
    saved = db.get(OrganisationSettings, org.org.id)
    assert (saved.green_from, saved.amber_from, saved.lateness_tolerance_minutes) == (85, 70, 15)

    after = visit_doc(**scored_88, **late_12)
    # 14 met, 14 partly, 1 plain not met: 42 of 58 = 72.4%: amber from 70, red from 75.
    amber_72 = visit_doc(ratings={**dict.fromkeys(range(14), "partly"), 14: "not_met"}, **late_12)
    red = visit_doc(ratings={9: "not_met"})
    assert [r["status"] for r in supervisor(after, amber_72, red)] == ["created"] * 3

    # Recorded under the defaults: amber, late, next check in 90 days; left as it was.
    first = stored(db, MonitoringVisit, before)
    assert (first.score, first.band, first.outcome, first.late) == (
        87.9,
        "amber",
        DEVELOPMENT,
        True,
    )
    assert first.next_check_on == date(2026, 11, 20) + timedelta(days=90)
    # Recorded under the new settings.
    second = stored(db, MonitoringVisit, after)
    assert (second.score, second.band, second.outcome) == (87.9, "green", COMPETENT)
    assert (second.minutes_late, second.late) == (12.0, False)
    assert second.next_check_on == date(2026, 11, 20) + timedelta(days=60)
    third = stored(db, MonitoringVisit, amber_72)
    assert (third.score, third.band, third.outcome) == (72.4, "amber", DEVELOPMENT)
    assert third.next_check_on == date(2026, 11, 20) + timedelta(days=60)
    fourth = stored(db, MonitoringVisit, red)
    assert fourth.band == "red"
    assert fourth.next_check_on == date(2026, 11, 20) + timedelta(days=14)


def test_lateness_exactly_at_the_tolerance_is_not_late(sync, auth, db, org, visit_doc):
    on_the_edge = visit_doc(arrived_at=iso(PLANNED + timedelta(minutes=10)))
    over = visit_doc(arrived_at=iso(PLANNED + timedelta(minutes=10, seconds=30)))
    auth.login(org.supervisor)

    sync(on_the_edge, over)

    assert stored(db, MonitoringVisit, on_the_edge).late is False
    assert stored(db, MonitoringVisit, over).late is True


def test_times_with_another_offset_are_stored_in_utc(sync, auth, db, org, visit_doc):
    document = visit_doc(
        planned_at="2026-11-20T10:00:00+01:00",
        arrived_at="2026-11-20T10:04:00+01:00",
        left_at="2026-11-20T09:34:00Z",
    )
    auth.login(org.supervisor)

    assert sync(document)[0]["status"] == "created"

    visit = stored(db, MonitoringVisit, document)
    assert visit.planned_at == PLANNED
    assert visit.minutes_late == 4.0
    assert visit.shortfall_minutes == 0.0


# --- revisions -------------------------------------------------------------------------------


def test_sending_the_same_visit_again_is_unchanged(sync, auth, db, org, visit_doc):
    document = visit_doc(actions=[action(org.staff_members["Hal Homecare"])])
    auth.login(org.supervisor)
    sync(document)
    before = snapshot(db, document)
    events = audit_actions(db, document)

    results = sync(document)

    assert results == [{"id": document["id"], "status": "unchanged", "revision": 1}]
    assert count(db, MonitoringVisit) == 1
    assert count(db, VisitAnswer) == 29
    assert count(db, VisitAction) == 1
    assert snapshot(db, document) == before
    assert audit_actions(db, document) == events


def test_a_draft_with_missing_answers_is_accepted(sync, auth, db, org, checklist, visit_doc):
    document = visit_doc(status="draft", arrived_at=None, left_at=None)
    document["data"]["answers"] = document["data"]["answers"][:5]
    auth.login(org.supervisor)

    assert sync(document)[0]["status"] == "created"

    visit = stored(db, MonitoringVisit, document)
    assert (visit.status, visit.submitted_at) == ("draft", None)
    assert len(answers_of(db, visit)) == 5
    assert (visit.points, visit.possible, visit.score) == (10, 10, 100.0)
    assert (visit.arrived_at, visit.minutes_late, visit.late) == (None, None, False)
    assert visit.shortfall_minutes is None
    # Without an arrival, the next check counts from the planned day.
    assert visit.next_check_on == date(2026, 11, 20) + timedelta(days=90)
    assert audit_actions(db, document) == ["visit_saved"]


def test_a_draft_is_updated_then_submitted(sync, auth, db, org, checklist, visit_doc):
    draft = visit_doc(status="draft", actions=[action(description="First thoughts.")])
    draft["data"]["answers"] = draft["data"]["answers"][:10]
    auth.login(org.supervisor)
    assert sync(draft)[0]["status"] == "created"

    final_actions = [action(org.supervisor, description="Shadow a medicines round.")]
    final = revise(
        visit_doc(ratings={20: "not_met"}, actions=final_actions), 2, to_develop="Use the hoist."
    )
    final = {**final, "id": draft["id"]}

    results = sync(final)

    assert results == [{"id": draft["id"], "status": "updated", "revision": 2}]
    assert count(db, MonitoringVisit) == 1
    visit = stored(db, MonitoringVisit, draft)
    assert (visit.status, visit.revision) == ("submitted", 2)
    assert visit.submitted_at is not None
    assert visit.to_develop == "Use the hoist."
    assert len(answers_of(db, visit)) == 29
    assert answers_of(db, visit)[checklist.items[20].id] == ("not_met", "")
    assert (visit.band, visit.critical_failures) == ("red", 1)
    assert [a.description for a in actions_of(db, visit)] == ["Shadow a medicines round."]
    assert count(db, VisitAction) == 1
    assert audit_actions(db, draft) == ["visit_saved", "visit_submitted"]


def test_a_lower_revision_is_stale(sync, auth, db, org, visit_doc):
    draft = visit_doc(status="draft", revision=3)
    auth.login(org.supervisor)
    sync(draft)
    before = snapshot(db, draft)

    results = sync(revise(draft, 2, went_well="Older copy."))

    assert results == [{"id": draft["id"], "status": "stale", "revision": 3}]
    assert snapshot(db, draft) == before


def test_a_submitted_visit_sent_with_other_content_is_a_conflict(sync, auth, db, org, visit_doc):
    document = visit_doc()
    auth.login(org.supervisor)
    sync(document)
    before = snapshot(db, document)

    results = sync(revise(document, 2, went_well="Changed afterwards."))

    assert results[0]["status"] == "conflict"
    assert snapshot(db, document) == before


# --- invalid documents -----------------------------------------------------------------------


def _answers_cut(keep: int):
    def mutate(org, checklist, document):
        return revise(document, answers=document["data"]["answers"][:keep])

    return mutate


def _answer(index: int, **changes):
    def mutate(org, checklist, document):
        answers = [dict(a) for a in document["data"]["answers"]]
        answers[index].update(changes)
        return revise(document, answers=answers)

    return mutate


def _answered_twice(org, checklist, document):
    answers = document["data"]["answers"]
    return revise(document, answers=[*answers, {**answers[0], "rating": "partly"}])


def _field(**changes):
    return lambda org, checklist, document: revise(document, **changes)


def _staff(name: str):
    return lambda org, checklist, document: revise(
        document, staff_id=str(org.staff_members[name].uuid)
    )


def _action(**changes):
    return lambda org, checklist, document: revise(document, actions=[action(**changes)])


CASES = {
    "unknown item id": (_answer(0, item_id=new_id()), "answers[0].item_id"),
    "item id not a UUID": (_answer(0, item_id="hand-hygiene"), "answers[0].item_id"),
    "an item answered twice": (_answered_twice, "answers[29].item_id"),
    "unknown rating": (_answer(3, rating="good"), "answers[3].rating"),
    "comment not text": (_answer(3, comment=5), "answers[3].comment"),
    "answers not a list": (_field(answers={"rating": "met"}), "answers"),
    "submitted with missing answers": (_answers_cut(28), "answers"),
    "submitted with no answers": (_field(answers=[]), "answers"),
    "staff of another service": (_staff("Carla Carer"), "staff_id"),
    "unknown staff id": (_field(staff_id=new_id()), "staff_id"),
    "staff id missing": (_field(staff_id=None), "staff_id"),
    "person code of another service": (_field(person_code="R01"), "person_code"),
    "unknown person code": (_field(person_code="H99"), "person_code"),
    "person code missing": (_field(person_code=""), "person_code"),
    "consent on record without consent": (_field(person_code="H02"), "consent"),
    "unknown consent": (_field(consent="verbal"), "consent"),
    "unknown visit type": (_field(visit_type="routine"), "visit_type"),
    "naive planned_at": (_field(planned_at="2026-11-20T09:00:00"), "planned_at"),
    "naive arrived_at": (_field(arrived_at="2026-11-20T09:05:00"), "arrived_at"),
    "naive left_at": (_field(left_at="2026-11-20T09:35:00"), "left_at"),
    "planned_at not a time": (_field(planned_at="tomorrow"), "planned_at"),
    "planned_at missing": (_field(planned_at=None), "planned_at"),
    "left before arrived": (
        _field(left_at=iso(PLANNED + timedelta(minutes=4))),
        "left_at",
    ),
    "left without an arrival": (_field(arrived_at=None, status="draft"), "arrived_at"),
    "submitted without arrival": (_field(arrived_at=None, left_at=None), "arrived_at"),
    "planned_minutes 0": (_field(planned_minutes=0), "planned_minutes"),
    "planned_minutes not a number": (_field(planned_minutes="30"), "planned_minutes"),
    "satisfaction 6": (
        _field(person_view={"satisfaction": 6, "comment": ""}),
        "person_view.satisfaction",
    ),
    "satisfaction 0": (
        _field(person_view={"satisfaction": 0, "comment": ""}),
        "person_view.satisfaction",
    ),
    "person_view not an object": (_field(person_view=["happy"]), "person_view"),
    "went_well not text": (_field(went_well=["kind"]), "went_well"),
    "action without description": (_action(description=""), "actions[0].description"),
    "action with a blank description": (_action(description="   "), "actions[0].description"),
    "action owner unknown": (_action(owner_id=new_id()), "actions[0].owner_id"),
    "action owner not a UUID": (_action(owner_id="Hal"), "actions[0].owner_id"),
    "action due_on not a date": (_action(due_on="next week"), "actions[0].due_on"),
    "action id not a UUID": (_action(id="1"), "actions[0].id"),
    "actions not a list": (_field(actions="none"), "actions"),
    "unknown checklist version": (_field(checklist_version=99), "checklist_version"),
    "unknown checklist": (_field(checklist_id=new_id()), "checklist_version"),
    "checklist_id not a UUID": (_field(checklist_id="default"), "checklist_id"),
    "unknown status": (_field(status="final"), "status"),
    "service_id not a UUID": (_field(service_id="homecare"), "service_id"),
    "unknown service": (_field(service_id=new_id()), "service_id"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_an_invalid_visit_is_answered_and_writes_nothing(
    sync, auth, db, org, checklist, visit_doc, case
):
    mutate, field = CASES[case]
    bad = mutate(org, checklist, visit_doc(actions=[action()]))
    good = visit_doc()
    auth.login(org.supervisor)

    results = sync(bad, good)

    assert results[0]["status"] == "invalid", results[0]
    assert results[0]["id"] == bad["id"]
    assert field in results[0]["errors"], results[0]["errors"]
    assert all(
        isinstance(messages, list) and messages and all(isinstance(m, str) for m in messages)
        for messages in results[0]["errors"].values()
    )
    assert results[1] == {"id": good["id"], "status": "created", "revision": 1}
    db.expire_all()
    assert db.scalars(sa.select(MonitoringVisit.uuid)).all() == [uuid.UUID(good["id"])]
    assert count(db, VisitAnswer) == 29
    assert count(db, VisitAction) == 0
    assert audit_actions(db, bad) == []


def test_the_errors_say_what_is_wrong(sync, auth, db, org, checklist, visit_doc):
    document = visit_doc(
        person_code="H02",
        answers=visit_doc()["data"]["answers"][:27],
        person_view={"satisfaction": 6},
        actions=[action(description="", owner_id=new_id())],
    )
    auth.login(org.supervisor)

    errors = sync(document)[0]["errors"]

    assert set(errors) == {
        "consent",
        "answers",
        "person_view.satisfaction",
        "actions[0].description",
        "actions[0].owner_id",
    }
    assert "obtained today" in errors["consent"][0]
    assert "2 missing" in errors["answers"][0]
    assert "N/A" in errors["answers"][0]
    assert errors["person_view.satisfaction"] == ["Must be between 1 and 5."]


@pytest.mark.parametrize("consent", ["no", "not_recorded"])
def test_consent_on_record_needs_consent_yes(sync, auth, db, org, visit_doc, consent):
    org.people["H02"].consent = consent
    db.commit()
    on_record = visit_doc(person_code="H02", consent="on_record")
    today = visit_doc(person_code="H02", consent="obtained_today")
    auth.login(org.supervisor)

    results = sync(on_record, today)

    assert results[0]["status"] == "invalid"
    assert set(results[0]["errors"]) == {"consent"}
    assert results[1]["status"] == "created"
    assert stored(db, MonitoringVisit, today).consent == "obtained_today"


def test_staff_and_people_of_another_organisation_are_not_accepted(
    sync, auth, db, org, other, visit_doc
):
    foreign_staff = visit_doc(staff=other.staff_members["Hal Homecare"])
    foreign_service = visit_doc(service=other.homecare)
    auth.login(org.supervisor)

    results = sync(foreign_staff, foreign_service)

    assert results[0]["status"] == "invalid"
    assert set(results[0]["errors"]) == {"staff_id"}
    assert results[1]["status"] == "invalid"
    assert "service_id" in results[1]["errors"]
    assert count(db, MonitoringVisit) == 0


def test_an_action_may_be_owned_by_any_user_of_the_organisation_only(
    sync, auth, db, org, other, visit_doc
):
    ours = visit_doc(actions=[action(org.manager)])
    theirs = visit_doc(actions=[action(other.manager)])
    auth.login(org.supervisor)

    results = sync(ours, theirs)

    assert results[0]["status"] == "created"
    assert results[1]["status"] == "invalid"
    assert set(results[1]["errors"]) == {"actions[0].owner_id"}


def test_an_invalid_update_leaves_the_stored_draft(sync, auth, db, org, visit_doc):
    draft = visit_doc(status="draft")
    auth.login(org.supervisor)
    sync(draft)
    before = snapshot(db, draft)

    results = sync(revise(draft, 2, person_code="R01"))

    assert results[0]["status"] == "invalid"
    assert snapshot(db, draft) == before


# --- forbidden -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["manager", "staff", "outsider"])
def test_a_service_the_user_cannot_record_in_is_forbidden(
    sync, auth, db, org, checklist, visit_doc, role
):
    # The factory manager manages the care home only; staff and the outsider record nowhere.
    homecare = visit_doc()
    auth.login(getattr(org, role))

    results = sync(homecare)

    assert results == [
        {
            "id": homecare["id"],
            "status": "forbidden",
            "errors": {"service_id": ["You cannot record for this service."]},
        }
    ]
    assert count(db, MonitoringVisit) == 0
    assert count(db, VisitAnswer) == 0
    assert count(db, AuditEvent, VISIT_EVENT) == 0


def test_a_forbidden_visit_does_not_block_the_next(sync, auth, db, org, visit_doc):
    homecare = visit_doc()
    care_home = visit_doc(
        service=org.care_home,
        staff=org.staff_members["Carla Carer"],
        person_code="R01",
        consent="obtained_today",
    )
    auth.login(org.manager)

    results = sync(homecare, care_home)

    assert [r["status"] for r in results] == ["forbidden", "created"]
    assert stored(db, MonitoringVisit, care_home).service_id == org.care_home.id
    assert count(db, MonitoringVisit) == 1


def test_admin_may_record_in_any_service(sync, auth, db, org, visit_doc):
    auth.login(org.admin)

    assert sync(visit_doc())[0]["status"] == "created"


def test_an_inactive_service_is_forbidden(sync, auth, db, org, visit_doc):
    org.homecare.active = False
    db.commit()
    auth.login(org.supervisor)

    assert sync(visit_doc())[0]["status"] == "forbidden"


# --- checklist versions ----------------------------------------------------------------------


def _retired_v1(app, db, org, checklist):
    """Publish version 2; returns (v1 with its retirement time, v2)."""
    v2 = publish_new_version(app, db, checklist, org.admin)
    v1 = checklist_info(db, checklist.id, 1)
    assert v1.retired_at is not None
    return v1, v2


def _times(start) -> dict:
    return {
        "planned_at": iso(start),
        "arrived_at": iso(start + timedelta(minutes=2)),
        "left_at": iso(start + timedelta(minutes=32)),
    }


def test_a_retired_version_is_accepted_for_visits_started_before_it_was_replaced(
    app, sync, auth, db, org, checklist, visit_doc
):
    v1, v2 = _retired_v1(app, db, org, checklist)
    assert v2.version == 2
    earlier = visit_doc(on=v1, **_times(v1.retired_at - timedelta(hours=3)))
    later = visit_doc(on=v1, **_times(v1.retired_at + timedelta(minutes=1)))
    current = visit_doc(on=v2, **_times(v1.retired_at + timedelta(minutes=1)))
    auth.login(org.supervisor)

    results = sync(earlier, later, current)

    assert [r["status"] for r in results] == ["created", "invalid", "created"]
    assert set(results[1]["errors"]) == {"checklist_version"}
    assert "current checklist" in results[1]["errors"]["checklist_version"][0]
    assert stored(db, MonitoringVisit, earlier).checklist_version.number == 1
    assert stored(db, MonitoringVisit, current).checklist_version.number == 2


def test_a_retired_version_counts_from_the_arrival(app, sync, auth, db, org, checklist, visit_doc):
    """Without ``started_at`` (documents from older devices) the arrival, else the planned
    time, says when the visit started."""
    v1, _ = _retired_v1(app, db, org, checklist)
    planned_before = v1.retired_at - timedelta(minutes=10)
    arrived_after = visit_doc(
        on=v1,
        planned_at=iso(planned_before),
        arrived_at=iso(v1.retired_at + timedelta(minutes=1)),
        left_at=iso(v1.retired_at + timedelta(minutes=31)),
    )
    draft_not_arrived = visit_doc(on=v1, planned_at=iso(planned_before), status="draft")
    draft_not_arrived["data"]["arrived_at"] = None
    draft_not_arrived["data"]["left_at"] = None
    auth.login(org.supervisor)

    results = sync(arrived_after, draft_not_arrived)

    assert [r["status"] for r in results] == ["invalid", "created"]
    assert set(results[0]["errors"]) == {"checklist_version"}


def test_a_retired_version_counts_from_when_the_visit_was_set_up(
    app, sync, auth, db, org, checklist, visit_doc
):
    """The phone was offline when version 2 was published: a visit set up on version 1 before
    that is accepted even though the worker arrived afterwards; one set up afterwards is not."""
    v1, _ = _retired_v1(app, db, org, checklist)
    after = _times(v1.retired_at + timedelta(minutes=20))
    set_up_before = visit_doc(on=v1, started_at=iso(v1.retired_at - timedelta(minutes=5)), **after)
    set_up_after = visit_doc(on=v1, started_at=iso(v1.retired_at + timedelta(minutes=1)), **after)
    # Set up after the retirement although planned and arrived before it: still refused.
    set_up_late = visit_doc(
        on=v1,
        started_at=iso(v1.retired_at + timedelta(minutes=1)),
        **_times(v1.retired_at - timedelta(hours=1)),
    )
    auth.login(org.supervisor)

    results = sync(set_up_before, set_up_after, set_up_late)

    assert [r["status"] for r in results] == ["created", "invalid", "invalid"]
    for result in results[1:]:
        assert set(result["errors"]) == {"checklist_version"}
        assert "current checklist" in result["errors"]["checklist_version"][0]
    visit = stored(db, MonitoringVisit, set_up_before)
    assert visit.checklist_version.number == 1
    assert visit.status == "submitted"
    assert count(db, MonitoringVisit) == 1


def test_an_implausible_set_up_time_is_not_trusted_for_a_retired_version(
    app, sync, auth, db, org, checklist, visit_doc
):
    """A started_at long before the planned time (or in the future) could keep a retired
    version alive for ever: the arrival decides instead."""
    v1, _ = _retired_v1(app, db, org, checklist)
    after = _times(v1.retired_at + timedelta(minutes=20))
    planned = v1.retired_at + timedelta(minutes=20)
    long_before = visit_doc(on=v1, started_at=iso(planned - timedelta(days=31)), **after)
    within = visit_doc(on=v1, started_at=iso(planned - timedelta(days=29)), **after)
    auth.login(org.supervisor)

    results = sync(long_before, within)

    assert [r["status"] for r in results] == ["invalid", "created"]
    assert set(results[0]["errors"]) == {"checklist_version"}


def test_started_at_must_be_a_time_with_its_offset(sync, auth, org, visit_doc):
    naive = visit_doc(started_at="2026-11-27T09:00:00")
    words = visit_doc(started_at="this morning")
    auth.login(org.supervisor)

    results = sync(naive, words)

    assert [r["status"] for r in results] == ["invalid", "invalid"]
    assert set(results[0]["errors"]) == set(results[1]["errors"]) == {"started_at"}
    assert "UTC offset" in results[0]["errors"]["started_at"][0]


def test_an_item_of_another_version_is_not_accepted(app, sync, auth, db, org, checklist, visit_doc):
    v1, v2 = _retired_v1(app, db, org, checklist)
    # The same item (same key) has a new id in each version.
    assert v1.items[0].key == v2.items[0].key
    assert v1.items[0].id != v2.items[0].id
    on_v2 = visit_doc(on=v2, **_times(v1.retired_at + timedelta(minutes=5)))
    on_v2["data"]["answers"][0]["item_id"] = v1.items[0].id
    on_v1 = visit_doc(on=v1, **_times(v1.retired_at - timedelta(hours=2)))
    on_v1["data"]["answers"][3]["item_id"] = v2.items[3].id
    auth.login(org.supervisor)

    results = sync(on_v2, on_v1)

    assert [r["status"] for r in results] == ["invalid", "invalid"]
    assert results[0]["errors"]["answers[0].item_id"] == ["Not an item of this checklist version."]
    assert results[1]["errors"]["answers[3].item_id"] == ["Not an item of this checklist version."]
    assert count(db, MonitoringVisit) == 0


def test_a_draft_version_cannot_be_used(app, sync, auth, db, org, checklist, visit_doc):
    with app.app_context():
        row = db.scalar(sa.select(Checklist).where(Checklist.uuid == uuid.UUID(checklist.id)))
        draft = checklists.start_draft(db, row, org.admin)
        db.commit()
        draft_items = [str(i.uuid) for i in draft.items]
    assert db.scalar(sa.select(sa.func.count()).select_from(ChecklistVersion)) == 2
    document = visit_doc(checklist_version=2)
    document["data"]["answers"] = [
        {"item_id": item_id, "rating": "met", "comment": ""} for item_id in draft_items
    ]
    auth.login(org.supervisor)

    results = sync(document)

    assert results[0]["status"] == "invalid"
    assert "checklist_version" in results[0]["errors"]


def test_another_organisations_checklist_cannot_be_used(
    app, sync, auth, db, org, other, checklist, visit_doc
):
    with app.app_context():
        theirs = checklists.create_default(db, other.org.id)
        db.commit()
        theirs_id = theirs.uuid
    document = visit_doc(on=checklist_info(db, theirs_id))
    auth.login(org.supervisor)

    results = sync(document)

    assert results[0]["status"] == "invalid"
    assert "checklist_version" in results[0]["errors"]
    assert count(db, MonitoringVisit) == 0


def test_the_openapi_description_lists_started_at_and_suggested(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    data = schemas["SpotCheck"]["properties"]
    assert data["started_at"]["format"] == "date-time"
    assert "started_at" not in schemas["SpotCheck"]["required"]
    answer = data["answers"]["items"]["properties"]
    assert answer["suggested"]["type"] == "boolean"
