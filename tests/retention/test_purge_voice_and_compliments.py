"""``careobs purge`` of people's voice conversations (kept 36 months by default) and compliments
and concerns (120 months, counted in days received): what goes either side of the cut-off per
service, every row that goes with one (answers, follow-ups as written, quarantined copies; the
staff a compliment named and the feedback it became, with its notification; draws and sections
stay), an open action keeping its record, a record whose closed action is purged first keeping
its own content (its page still shows), a second run that finds nothing, and late copies of
conversations refused."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from careobs.actions.models import Action
from careobs.compliments.models import Compliment
from careobs.db import utcnow
from careobs.feedback.models import Feedback
from careobs.notifications.models import Notification
from careobs.org.models import Person
from careobs.retention.purge import purge_organisation
from careobs.retention.queries import cutoff_for, report
from careobs.voice.models import Conversation, ConversationAction
from careobs.voice.questions import QUESTIONS
from tests.clock import local_today
from tests.retention.kinds import backdate, compliment, quarantined, sent, stored
from tests.retention.records import (
    DAY,
    SECOND,
    action,
    changed,
    cutoff,
    removed_rows,
    table_counts,
)
from tests.support.sync import iso, revise
from tests.support.voice import conversation_doc, draw_people, follow_up, picked

OPEN = "an open action refers to it"
PAST = "This record is past its retention period: People's voice conversations are kept 36 months"


def purge(app, db, org):
    with app.app_context():
        return purge_organisation(db, org.org.id)


def line(app, db, org, key):
    with app.app_context():
        return next(t for t in report(db, org.org.id) if t.key == key)


@pytest.fixture
def sue(org, client_as):
    """Sue Supervisor (both services), syncing."""
    return client_as(org.supervisor)


def close(db, document, completed_at) -> int:
    """Mark the action raised from the conversation's follow-up done at ``completed_at``."""
    action_id = stored(db, Conversation, document).actions[0].action_id
    db.execute(
        sa.update(Action)
        .where(Action.id == action_id)
        .values(status="done", completed_at=completed_at, updated_at=completed_at)
    )
    db.commit()
    return action_id


def test_conversations_either_side_of_the_cut_off(app, db, org, sue, login_as):
    cut = cutoff(app, db, org, 36)
    db.add_all(
        Person(organisation_id=org.org.id, service_id=org.homecare.id, code=code)
        for code in ("H03", "H04")
    )
    db.commit()
    homecare = draw_people(db, org.supervisor, org.homecare, 4)
    home = draw_people(db, org.supervisor, org.care_home, 2)
    codes = picked(homecare)
    gone = conversation_doc(homecare, codes[0])
    declined = conversation_doc(homecare, codes[1], outcome="declined")
    first_kept = conversation_doc(home, picked(home)[0])
    kept_open = conversation_doc(home, picked(home)[1], actions=[follow_up()])
    done_with = conversation_doc(homecare, codes[2], actions=[follow_up()])
    names_old_action = conversation_doc(homecare, codes[3], actions=[follow_up()])
    sent(sue, gone, declined, first_kept, kept_open, done_with, names_old_action)
    finished_id = close(db, done_with, cut + 1000 * DAY)
    old_action_id = close(db, names_old_action, cutoff(app, db, org, 60) - DAY)
    quarantined(db, org, org.homecare, "conversation", gone["id"])
    db.commit()
    ids = {
        name: backdate(db, Conversation, document, "started_at", when)
        for name, document, when in (
            ("gone", gone, cut - DAY),
            ("declined", declined, cut - SECOND),
            ("first_kept", first_kept, cut),
            ("kept_open", kept_open, cut - 10 * DAY),
            ("done_with", done_with, cut - DAY),
        )
    }
    listed = line(app, db, org, "conversations")
    assert listed.by_service == {"Acme Care Homecare": 3}
    assert listed.kept == {OPEN: 1}
    before = table_counts(db)

    run = purge(app, db, org)

    assert run.records == {"closed_actions": 1, "conversations": 3}
    expected = {
        "conversations": -3,
        "conversation_answers": -2 * len(QUESTIONS),  # the declined one has none
        "conversation_actions": -1,
        "quarantined_documents": -1,
        "actions": -1,  # the action closed past its own period (60 months)
    }
    after = table_counts(db)
    assert changed(before, after) == {**expected, "audit_events": 2}  # draws stay
    assert removed_rows(run) == expected
    left = set(db.scalars(sa.select(Conversation.id)))
    assert {ids["first_kept"], ids["kept_open"]} <= left
    assert not {ids["gone"], ids["declined"], ids["done_with"]} & left
    assert db.get(Action, finished_id) is not None  # within its own period: it stays
    assert db.get(Action, old_action_id) is None
    # The conversation that named the purged action keeps its content; only the link goes.
    kept = stored(db, Conversation, names_old_action)
    assert [(a.description, a.action_id) for a in kept.actions] == [
        ("Ask the office to send the rota a week ahead.", None)
    ]
    assert len(kept.answers) == len(QUESTIONS)
    assert not purge(app, db, org).records
    assert changed(after, table_counts(db)) == {"audit_events": 2}

    page = login_as(org.supervisor).get(f"/voice/{names_old_action['id']}")
    assert page.status_code == 200
    assert "Ask the office to send the rota a week ahead." in page.get_data(as_text=True)


def test_a_late_conversation_is_refused_and_a_purged_one_never_comes_back(app, db, org, sue):
    cut = cutoff(app, db, org, 36)
    draw = draw_people(db, org.supervisor, org.homecare, 2)
    first, second = picked(draw)
    late = conversation_doc(draw, first, started_at=iso(cut - SECOND), ended_at=iso(cut))
    answer = sue(late)[0]
    assert answer["status"] == "invalid"
    assert answer["errors"]["started_at"][0].startswith(PAST)

    purged = conversation_doc(draw, second)
    sent(sue, purged)
    backdate(db, Conversation, purged, "started_at", cut - DAY)
    assert purge(app, db, org).records == {"conversations": 1}
    for copy in (
        revise(purged, 1, started_at=iso(cut - DAY)),
        revise(purged, 2, started_at=iso(cut - DAY), comments="Added later."),
    ):
        answer = sue(copy)[0]
        assert answer["status"] == "invalid"
        assert answer["errors"]["started_at"][0].startswith(PAST)
    assert stored(db, Conversation, purged) is None
    db.expire_all()
    assert db.scalar(sa.select(sa.func.count()).select_from(ConversationAction)) == 0


def test_compliments_and_concerns_either_side_of_the_cut_off(app, db, org, other, login_as):
    with app.app_context():
        day = cutoff_for(db, org.org.id, 120).day  # the first day received that is kept
    hal = org.staff_members["Hal Homecare"]
    named = compliment(app, db, org, day - DAY, staff=[hal])
    feedback = db.scalar(sa.select(Feedback).where(Feedback.compliment_id == named.id))
    db.add(
        Notification(
            organisation_id=org.org.id,
            user_id=org.staff.id,
            kind="feedback_released",
            title="New feedback",
            link=f"/feedback/{feedback.uuid}",
        )
    )
    recent_close = action(db, org, status="done", completed_at=utcnow())
    open_action = action(db, org, service=org.homecare)
    old_close = action(
        db, org, status="done", completed_at=cutoff(app, db, org, 60) - DAY, service=org.homecare
    )
    db.commit()
    ids = {
        "named": named.id,
        "concern": compliment(
            app,
            db,
            org,
            day - DAY,
            service=org.care_home,
            kind="concern",
            action_id=recent_close.id,
        ).id,
        "on_the_day": compliment(app, db, org, day).id,
        "kept_open": compliment(
            app, db, org, day - 100 * DAY, kind="concern", action_id=open_action.id
        ).id,
        "names_old": compliment(
            app, db, org, local_today(), kind="concern", action_id=old_close.id
        ).id,
        "elsewhere": compliment(app, db, other, day - DAY, service=other.homecare).id,
    }
    listed = line(app, db, org, "compliments")
    assert listed.by_service == {"Acme Care Homecare": 1, "Acme Care House": 1}
    assert listed.kept == {OPEN: 1}
    before = table_counts(db)

    run = purge(app, db, org)

    assert run.records == {"closed_actions": 1, "compliments": 2}
    expected = {
        "compliments": -2,
        "compliment_staff": -1,
        "feedback": -1,
        "notifications": -1,
        "actions": -1,
    }
    after = table_counts(db)
    assert changed(before, after) == {**expected, "audit_events": 2}  # sections stay
    assert removed_rows(run) == expected
    left = set(db.scalars(sa.select(Compliment.id)))
    assert left == {ids["on_the_day"], ids["kept_open"], ids["names_old"], ids["elsewhere"]}
    assert db.get(Action, recent_close.id) is not None
    concern = db.get(Compliment, ids["names_old"])
    assert concern.action_id is None and concern.response == "We talked it through."
    concern_uuid = concern.uuid

    assert not purge(app, db, org).records
    assert changed(after, table_counts(db)) == {"audit_events": 2}

    page = login_as(org.admin).get(f"/compliments/{concern_uuid}")
    assert page.status_code == 200 and "We talked it through." in page.get_data(as_text=True)
