"""Every registered text of every kind of record round-trips: each holds a phone number; after
one redaction per text, no table, quarantined copy, audit summary or CSV export holds any of
them, and a captured record's stored privacy flags are worked out again (none left)."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
import sqlalchemy as sa

from careobs.actions import service as actions
from careobs.actions.models import Action, ActionNote
from careobs.audits.models import Audit
from careobs.capture import addenda
from careobs.capture.records import CapturedRecord
from careobs.compliments import service as compliments
from careobs.compliments.models import Compliment
from careobs.db import utcnow
from careobs.feedback import service as feedback_service
from careobs.feedback.models import Feedback
from careobs.quis.models import QuisSession
from careobs.redaction.fields import KINDS, kind_of, places
from careobs.selfassess.models import SelfAssessment
from careobs.voice.models import Conversation
from tests.redaction.conftest import audit_summaries, export_text, form, quarantined_text, url
from tests.support.audits import audit_doc as make_audit_doc
from tests.support.audits import person, proposed_action, starter_templates
from tests.support.quis import interaction, quis_doc
from tests.support.selfassess import ALL_CODES, self_assessment_doc
from tests.support.sync import revise
from tests.support.voice import conversation_doc, draw_people, follow_up, picked


class Numbers:
    """Distinct phone numbers, one for each text (07700 900300, 07700 900301, ...)."""

    def __init__(self):
        self.given: list[str] = []

    def __call__(self) -> str:
        number = f"07700 9003{len(self.given):02d}"
        self.given.append(number)
        return number


def _synced(client_as, user, document, model, db):
    device = client_as(user)
    assert device(document)[0]["status"] == "created", device(document)
    data = document["data"]
    key = next(k for k in ("notes", "went_well", "comments", "interview_notes") if k in data)
    later = revise(document, document["revision"] + 1, **{key: data[key] + " More."})
    assert device(later)[0]["status"] == "conflict"  # kept for review, words and all
    return db.scalar(sa.select(model))


def build_quis(app, db, org, client_as, n):
    carla = org.staff_members["Carla Carer"]
    document = quis_doc(
        org.care_home,
        status="submitted",
        notes=f"Lunch; her daughter rang {n()}.",
        went_well=f"Warm. {n()}",
        to_develop=f"Slow down. {n()}",
        interactions=[interaction("PS", staff=carla, note=f"Chat about {n()}.")],
    )
    session = _synced(client_as, org.supervisor, document, QuisSession, db)
    with app.app_context():
        addenda.add(
            db, addenda.QUIS_SESSION, session, org.supervisor, f"Rang {n()}", f"Also {n()}."
        )
        db.commit()
    return session


def build_audit(app, db, org, client_as, n):
    template = next(iter(starter_templates(app, db, org.org.id).values()))
    document = make_audit_doc(
        org.care_home,
        template,
        person("R01"),
        went_well=f"Tidy. {n()}",
        to_develop=f"Sign it. {n()}",
        actions=[proposed_action(description=f"Phone {n()}.")],
    )
    document["data"]["answers"][0]["comment"] = f"See {n()}."
    audit = _synced(client_as, org.admin, document, Audit, db)
    with app.app_context():
        addenda.add(db, addenda.AUDIT, audit, org.admin, f"Rang {n()}", f"Also {n()}.")
        db.commit()
    return audit


def build_conversation(app, db, org, client_as, n):
    with app.app_context():
        draw = draw_people(db, org.manager, org.care_home, 1)
    document = conversation_doc(
        draw,
        picked(draw)[0],
        comments=f"She said {n()}.",
        actions=[follow_up(description=f"Ring {n()}.")],
    )
    document["data"]["answers"][0]["comment"] = f"Because {n()}."
    return _synced(client_as, org.manager, document, Conversation, db)


def build_self_assessment(app, db, org, client_as, n):
    document = self_assessment_doc(
        org.care_home,
        {ALL_CODES[0]: 3},
        type="mock_inspection",
        interview_notes=f"Asked {n()}.",
    )
    document["data"]["statements"][0]["rationale"] = f"Seen {n()}."
    return _synced(client_as, org.admin, document, SelfAssessment, db)


def build_feedback(app, db, org, client_as, n):
    observed = quis_doc(org.care_home, status="submitted")
    assert client_as(org.supervisor)(observed)[0]["status"] == "created"
    with app.app_context():
        session = db.scalar(sa.select(QuisSession))
        draft = feedback_service.add_draft(
            db,
            org.supervisor,
            session,
            org.staff_members["Carla Carer"].id,
            quis_session_id=session.id,
            went_well=f"Good. {n()}",
            to_develop=f"Less. {n()}",
            actions=f"Call {n()}.",
        )
        feedback_service.release(db, draft, org.manager)
        draft.reply, draft.replied_at = f"Thanks {n()}.", utcnow()
        db.commit()
        return draft


def build_compliment(app, db, org, client_as, n):
    with app.app_context():
        section = compliments.sections(db, org.org.id)[0]
        entry = compliments.record(
            db,
            org.manager,
            entry_id=uuid.uuid5(uuid.NAMESPACE_URL, "redaction-compliment"),
            service=org.care_home,
            kind="concern",
            section=section,
            received_on=date(2026, 1, 5),
            source="family",
            text=f"Ring me on {n()}.",
        )
        entry.response = f"Rang {n()}."
        db.commit()
        return entry


def build_action(app, db, org, client_as, n):
    with app.app_context():
        action = actions.create(
            db,
            org.manager,
            service=org.care_home,
            description=f"Phone {n()}.",
            owner=None,
            due_on=None,
            cqc_tags=[],
        )
        actions.add_progress(db, org.manager, action, text=f"Left a message on {n()}.")
        db.commit()
        return action


BUILDERS = {
    "quis": build_quis,
    "audit": build_audit,
    "conversation": build_conversation,
    "self-assessment": build_self_assessment,
    "feedback": build_feedback,
    "compliment": build_compliment,
    "action": build_action,
}


def test_every_kind_is_tested():
    assert set(BUILDERS) | {"visit"} == set(KINDS)  # the visit: tests/redaction/test_visit.py


@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_every_text_round_trips(app, db, org, client_as, login_as, kind):
    numbers = Numbers()
    record = BUILDERS[kind](app, db, org, client_as, numbers)
    if isinstance(record, CapturedRecord):
        assert record.privacy_flags
    admin = login_as(org.admin)
    with app.app_context():
        db.expire_all()
        record = db.merge(record)
        texts = {p.ref: p.text for p in places(record, listed_only=True) if p.text}
    assert len(texts) == len(numbers.given), texts  # every listed text holds one number
    with app.test_request_context():
        detail = KINDS[kind].page_url(record)
    assert url(kind, record) in admin.get(detail).get_data(as_text=True)  # the way there
    supervisor = login_as(org.supervisor).get(detail)
    assert url(kind, record) not in supervisor.get_data(as_text=True)  # not a manager here
    page = admin.get(url(kind, record))
    assert page.status_code == 200
    assert all(n in page.get_data(as_text=True) for n in numbers.given)
    for ref, words in texts.items():
        number = next(n for n in numbers.given if n in words)
        response = admin.post(url(kind, record), data=form(ref, number))
        assert response.status_code == 302, (ref, response.get_data(as_text=True)[:2000])

    db.expire_all()
    with app.app_context():
        record = db.get(type(record), record.id)
        left = "\n".join(p.text for p in places(record))
        assert kind_of(record).slug == kind
    assert not [n for n in numbers.given if n in left]
    assert left.count("[redacted]") >= len(numbers.given)
    if isinstance(record, CapturedRecord):
        assert record.privacy_flags == []
    every_table = "\n".join(
        [
            *(a.description for a in db.scalars(sa.select(Action))),
            *(n.text for n in db.scalars(sa.select(ActionNote))),
            *(
                f"{f.went_well} {f.to_develop} {f.actions} {f.reply}"
                for f in db.scalars(sa.select(Feedback))
            ),
            *(f"{c.text} {c.response}" for c in db.scalars(sa.select(Compliment))),
        ]
    )
    assert not [n for n in numbers.given if n in every_table]
    assert not [n for n in numbers.given if n in quarantined_text(db)]
    summaries = audit_summaries(db)
    assert len([s for s in summaries if "(with " not in s]) == len(numbers.given)
    assert not [n for n in numbers.given for s in summaries if n in s]
    export = export_text(app, org.admin)
    assert not [n for n in numbers.given if n in export]
