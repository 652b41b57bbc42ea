"""POST /api/v1/sync with ``conversation`` documents: stored once with their answers, one per
draw and person, follow-ups raised as actions once, and every malformed or hostile document
answered ``invalid`` (or ``forbidden``) on its own with nothing of it written."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
import sqlalchemy as sa

from careobs.actions.models import Action
from careobs.audit.models import AuditEvent
from careobs.notifications.models import Notification
from careobs.selection import service as selection
from careobs.voice.documents import ALL_QUESTIONS, NO_ANSWERS, already_recorded
from careobs.voice.models import Conversation, ConversationAction, ConversationAnswer
from careobs.voice.questions import QUESTIONS
from tests.support.database import count
from tests.support.sync import revise
from tests.support.voice import answers, conversation_doc, draw_people, follow_up, picked


def stored(db, document) -> Conversation | None:
    db.expire_all()
    return db.scalar(sa.select(Conversation).where(Conversation.uuid == uuid.UUID(document["id"])))


def nothing_written(db) -> bool:
    db.expire_all()
    return (
        count(db, Conversation),
        count(db, ConversationAnswer),
        count(db, ConversationAction),
    ) == (0, 0, 0)


def errors_of(result) -> dict:
    return result.get("errors", {})


def test_an_asked_conversation_is_stored_once_with_every_answer_in_order(
    db, org, homecare_draw, supervisor
):
    given = (
        "strongly_agree",
        "agree",
        "neither",
        "disagree",
        "strongly_disagree",
        "agree",
        "prefer_not_to_say",
    )
    document = conversation_doc(
        homecare_draw, "H01", answers=answers(*given), comments="Likes Hal."
    )

    assert [r["status"] for r in supervisor(document)] == ["created"]
    assert [r["status"] for r in supervisor(document)] == ["unchanged"]

    conversation = stored(db, document)
    assert conversation.person.code == "H01"
    assert conversation.service_id == org.homecare.id
    assert conversation.draw_id == homecare_draw.id
    assert conversation.interviewer_id == org.supervisor.id
    assert (conversation.outcome, conversation.status, conversation.comments) == (
        "asked",
        "submitted",
        "Likes Hal.",
    )
    assert conversation.submitted_at is not None
    assert [(a.question, a.answer) for a in conversation.answers] == [
        (q.key, a) for q, a in zip(QUESTIONS, given, strict=True)
    ]
    events = db.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert events.count("conversation_submitted") == 1


@pytest.mark.parametrize("outcome", ["declined", "not_available"])
def test_a_person_who_was_not_asked_is_recorded_with_no_answers(
    db, homecare_draw, supervisor, outcome
):
    document = conversation_doc(homecare_draw, "H02", outcome=outcome)

    assert [r["status"] for r in supervisor(document)] == ["created"]
    conversation = stored(db, document)
    assert conversation.outcome == outcome and conversation.answers == []


def test_answers_from_a_person_who_declined_are_invalid(db, homecare_draw, supervisor):
    document = conversation_doc(homecare_draw, "H02", outcome="declined", answers=answers("agree"))

    [result] = supervisor(document)

    assert result["status"] == "invalid"
    assert errors_of(result)["answers"] == [NO_ANSWERS]
    assert nothing_written(db)


def test_a_submitted_conversation_must_answer_every_question_but_a_draft_need_not(
    db, homecare_draw, supervisor
):
    partial = answers("agree", "agree")
    [refused] = supervisor(conversation_doc(homecare_draw, "H01", answers=partial))
    assert refused["status"] == "invalid" and errors_of(refused)["answers"] == [ALL_QUESTIONS]
    assert nothing_written(db)

    [draft] = supervisor(conversation_doc(homecare_draw, "H01", answers=partial, status="draft"))
    assert draft["status"] == "created"


def test_follow_ups_become_actions_once_when_submitted(db, org, homecare_draw, supervisor):
    hal = org.staff_members["Hal Homecare"]
    draft = conversation_doc(
        homecare_draw,
        "H01",
        status="draft",
        actions=[
            follow_up(owner=str(hal.uuid), due="2030-01-31"),
            follow_up("Call H01's daughter back."),
        ],
    )
    assert [r["status"] for r in supervisor(draft)] == ["created"]
    assert count(db, Action) == 0

    submitted = revise(draft, 2, status="submitted")
    assert [r["status"] for r in supervisor(submitted)] == ["updated"]
    assert [r["status"] for r in supervisor(submitted)] == ["unchanged"]

    db.expire_all()
    actions = db.scalars(sa.select(Action).order_by(Action.id)).all()
    assert [(a.description, a.source, a.owner_staff_id, a.service_id) for a in actions] == [
        ("Ask the office to send the rota a week ahead.", "voice", hal.id, org.homecare.id),
        ("Call H01's daughter back.", "voice", None, org.homecare.id),
    ]
    assert str(actions[0].due_on) == "2030-01-31"
    conversation = stored(db, draft)
    assert [p.action_id for p in conversation.actions] == [a.id for a in actions]


def test_the_owner_of_a_follow_up_hears_of_it_once(db, org, homecare_draw, supervisor):
    """A follow-up owned by someone with a login (the manager) tells them, as any action
    assigned to them does: once, however often the conversation is sent again."""
    doc = conversation_doc(
        homecare_draw, "H01", actions=[follow_up(owner=str(org.manager.uuid), due="2030-01-31")]
    )
    assert [r["status"] for r in supervisor(doc)] == ["created"]
    assert [r["status"] for r in supervisor(doc)] == ["unchanged"]

    db.expire_all()
    told = db.scalars(
        sa.select(Notification.user_id).where(Notification.kind == "action_assigned")
    ).all()
    assert told == [org.manager.id]


def test_a_second_conversation_with_the_same_person_from_the_same_draw_is_invalid(
    db, homecare_draw, supervisor
):
    first = conversation_doc(homecare_draw, "H01")
    second = conversation_doc(homecare_draw, "H01", outcome="declined")

    assert [r["status"] for r in supervisor(first)] == ["created"]
    [result] = supervisor(second)

    assert result["status"] == "invalid"
    assert errors_of(result)["person_code"] == [already_recorded("H01")]
    assert count(db, Conversation) == 1


def test_the_same_person_may_be_asked_again_from_a_later_draw(db, org, home_draw, supervisor):
    # Whoever one draw picks sits the next out, so the care home's third draw picks the first's.
    second = draw_people(db, org.supervisor, org.care_home, 1, reason="Asking again this week.")
    third = draw_people(db, org.supervisor, org.care_home, 1, reason="And once more.")
    assert picked(third) == picked(home_draw) != picked(second)
    code = picked(home_draw)[0]

    results = supervisor(conversation_doc(home_draw, code), conversation_doc(third, code))

    assert [r["status"] for r in results] == ["created", "created"]


def test_a_person_the_draw_did_not_pick_is_invalid(db, home_draw, not_drawn, supervisor):
    [result] = supervisor(conversation_doc(home_draw, not_drawn))

    assert result["status"] == "invalid"
    assert errors_of(result)["person_code"] == [f"{not_drawn} was not drawn in this draw."]
    assert nothing_written(db)


def test_a_person_of_another_service_with_a_picked_code_is_invalid(
    db, org, homecare_draw, supervisor
):
    [result] = supervisor(conversation_doc(homecare_draw, "R01"))
    assert result["status"] == "invalid" and "person_code" in errors_of(result)


def test_a_draw_of_care_workers_is_invalid(db, org, supervisor):
    workers = selection.make_draw(db, org.supervisor, org.homecare, "workers", 1, date.today())
    db.commit()
    [result] = supervisor(conversation_doc(workers, "H01"))
    assert result["status"] == "invalid" and "draw_id" in errors_of(result)


def test_an_unknown_draw_or_another_organisations_is_invalid(db, org, other, supervisor):
    theirs = draw_people(db, other.supervisor, other.homecare, 1)
    for draw_id in (str(uuid.uuid4()), str(theirs.uuid)):
        [result] = supervisor(conversation_doc(draw_id, "H01"))
        assert result["status"] == "invalid"
        assert errors_of(result)["draw_id"] == ["Unknown draw."]
    assert nothing_written(db)


def test_a_care_worker_or_a_manager_of_another_service_is_forbidden(
    db, org, homecare_draw, client_as, homecare_manager
):
    document = conversation_doc(homecare_draw, "H01")
    # Stan Staff works at the care home; Mo manages only the care home.
    for user in (org.staff, org.manager):
        [result] = client_as(user)(document)
        assert result["status"] == "forbidden"
    assert nothing_written(db)
    [result] = client_as(homecare_manager)(document)
    assert result["status"] == "created"


HOSTILE = [
    {"answers": "agree"},
    {"answers": [["respect_v1", "agree"]]},
    {"answers": [{"question": "respect_v1", "answer": "yes"}]},
    {"answers": [{"question": "nope_v1", "answer": "agree"}]},
    {"answers": [{"question": QUESTIONS[0].key, "answer": "agree"}] * 2},
    {"answers": answers(comment="x" * 20_001)},
    {"answers": [{"question": None, "answer": "agree"}, *answers()[1:]]},
    {"outcome": "maybe"},
    {"outcome": None},
    {"person_code": None},
    {"person_code": ["H01"]},
    {"person_code": "H01" * 100},
    {"draw_id": "not-a-uuid"},
    {"draw_id": 7},
    {"started_at": "yesterday"},
    {"status": "done"},
    {"comments": {"a": 1}},
    {"actions": "call"},
    {"actions": [{"id": "x", "description": ""}]},
]


@pytest.mark.parametrize("change", HOSTILE, ids=[str(h)[:40] for h in HOSTILE])
def test_hostile_fields_are_invalid_with_nothing_written(db, homecare_draw, supervisor, change):
    document = conversation_doc(homecare_draw, "H01", **change)

    [result] = supervisor(document)

    assert result["status"] == "invalid", result
    assert nothing_written(db)


def test_data_that_is_not_an_object_is_invalid(db, supervisor):
    document = {"id": str(uuid.uuid4()), "kind": "conversation", "revision": 1, "data": ["x"]}
    [result] = supervisor(document)
    assert result["status"] == "invalid"
    assert nothing_written(db)
