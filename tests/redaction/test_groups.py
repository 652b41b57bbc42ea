"""Words copied between records go from all of them, whichever record's page the redaction
starts on: every entry point of each group (the origin — visit, QUIS session, audit,
conversation, self-assessment, compliment, concern — and the feedback and actions that came
from it) against every copy of the words (the stored texts and the quarantined copy's), while
texts that are not copies (a worker's reflection, an action's progress notes, session notes)
keep theirs."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest
import sqlalchemy as sa

from careobs.actions import service as actions
from careobs.actions.models import Action, ActionNote
from careobs.audits.models import Audit, AuditAction
from careobs.compliments import service as compliments
from careobs.compliments.models import Compliment
from careobs.db import utcnow
from careobs.feedback import service as feedback_service
from careobs.feedback.models import Feedback
from careobs.quis.models import QuisInteraction, QuisSession
from careobs.selfassess.models import SelfAssessment, SelfAssessmentStatement
from careobs.sync.models import QuarantinedDocument
from careobs.visits.models import MonitoringVisit, VisitAction
from careobs.voice.models import Conversation, ConversationAction
from tests.redaction.conftest import form, refs, url
from tests.support.audits import audit_doc, person, proposed_action, starter_templates
from tests.support.quis import interaction, quis_doc
from tests.support.selfassess import ALL_CODES, self_assessment_doc
from tests.support.sync import revise
from tests.support.visits import action as agreed
from tests.support.voice import conversation_doc, draw_people, follow_up, picked

N = "07700 900501"  # the personal data: a phone number, copied across the group
MARK = "[redacted]"


@dataclass
class Group:
    """A group built: its entry points (kind slug → the record and the text chosen there), and
    how to read every copy of the words and every text that must keep them."""

    entries: dict[str, tuple[object, str]]
    copies: Callable[[object], dict[str, str]]
    kept: Callable[[object], dict[str, str]]


def _all(db, *columns) -> str:
    return "\n".join(str(v) for c in columns for v in db.scalars(sa.select(c)))


def _quarantined(db, kind: str) -> list[dict]:
    db.expire_all()
    stmt = sa.select(QuarantinedDocument.data).where(QuarantinedDocument.kind == kind)
    found = list(db.scalars(stmt))
    assert found, f"no quarantined {kind}"
    return found


def _sync_with_copy(client_as, user, document, key: str) -> None:
    """Store the document, then keep a later copy (same words, ``key`` changed) for review."""
    device = client_as(user)
    assert device(document)[0]["status"] == "created"
    later = revise(document, document["revision"] + 1, **{key: "Changed later."})
    assert device(later)[0]["status"] == "conflict"


def _release(db, feedback, manager) -> None:
    if feedback.status != "released":
        feedback_service.release(db, feedback, manager)


def build_visit(app, db, org, client_as, visit_doc):
    document = visit_doc(actions=[agreed(description=f"Call {N} to book the refresher.")])
    _sync_with_copy(client_as, org.supervisor, document, "went_well")
    with app.app_context():
        visit = db.scalar(sa.select(MonitoringVisit))
        feedback = db.scalar(sa.select(Feedback))
        _release(db, feedback, org.manager)
        feedback.reply, feedback.replied_at = f"I have {N} too.", utcnow()
        raised = db.scalar(sa.select(Action))
        actions.add_progress(db, org.admin, raised, text=f"Left a message on {N}.")
        db.commit()
    return Group(
        {
            "visit": (visit, "proposed_action"),
            "feedback": (feedback, "actions"),
            "action": (raised, "description"),
        },
        lambda db: {
            "visit's agreed action": _all(db, VisitAction.description),
            "feedback's agreed actions": _all(db, Feedback.actions),
            "action's description": _all(db, Action.description),
            "quarantined agreed action": "\n".join(
                a["description"] for d in _quarantined(db, "spot_check") for a in d["actions"]
            ),
        },
        lambda db: {
            "worker's reflection": _all(db, Feedback.reply),
            "progress note": _all(db, ActionNote.text),
        },
    )


def build_quis(app, db, org, client_as, visit_doc):
    carla = org.staff_members["Carla Carer"]
    document = quis_doc(
        org.care_home,
        status="submitted",
        notes=f"Her daughter rang from {N}.",
        interactions=[interaction("PS", staff=carla, note=f"Chat about {N}.")],
        feedback=[
            {
                "staff_id": str(carla.uuid),
                "went_well": f"Lovely chat about {N}.",
                "to_develop": "",
                "release": True,
            }
        ],
    )
    _sync_with_copy(client_as, org.supervisor, document, "to_develop")
    with app.app_context():
        session = db.scalar(sa.select(QuisSession))
        feedback = db.scalar(sa.select(Feedback))
        _release(db, feedback, org.manager)
        raised = actions.create(
            db,
            org.manager,
            service=org.care_home,
            description=f"Ring {N} about the chat.",
            owner=None,
            due_on=None,
            cqc_tags=[],
            quis_session=session,
        )
        db.commit()
    return Group(
        {
            "quis": (session, "interaction"),
            "feedback": (feedback, "went_well"),
            "action": (raised, "description"),
        },
        lambda db: {
            "interaction note": _all(db, QuisInteraction.note),
            "feedback's what went well": _all(db, Feedback.went_well),
            "action's description": _all(db, Action.description),
            "quarantined interaction note": "\n".join(
                i["note"] for d in _quarantined(db, "quis_session") for i in d["interactions"]
            ),
            "quarantined feedback entry": "\n".join(
                f["went_well"] for d in _quarantined(db, "quis_session") for f in d["feedback"]
            ),
        },
        lambda db: {
            "session notes": _all(db, QuisSession.notes),
            "quarantined session notes": "\n".join(
                d["notes"] for d in _quarantined(db, "quis_session")
            ),
        },
    )


def build_audit(app, db, org, client_as, visit_doc):
    template = next(iter(starter_templates(app, db, org.org.id).values()))
    document = audit_doc(
        org.care_home,
        template,
        person("R01"),
        went_well=f"Tidy; the family ({N}) agreed.",
        actions=[proposed_action(description=f"Phone {N} with the results.")],
    )
    _sync_with_copy(client_as, org.admin, document, "to_develop")
    with app.app_context():
        audit, raised = db.scalar(sa.select(Audit)), db.scalar(sa.select(Action))
    return Group(
        {"audit": (audit, "proposed_action"), "action": (raised, "description")},
        lambda db: {
            "audit's proposed action": _all(db, AuditAction.description),
            "action's description": _all(db, Action.description),
            "quarantined proposed action": "\n".join(
                a["description"] for d in _quarantined(db, "audit") for a in d["actions"]
            ),
        },
        lambda db: {"audit's what went well": _all(db, Audit.went_well)},
    )


def build_conversation(app, db, org, client_as, visit_doc):
    with app.app_context():
        draw = draw_people(db, org.manager, org.care_home, 1)
    document = conversation_doc(
        draw,
        picked(draw)[0],
        comments=f"She said to ring {N}.",
        actions=[follow_up(description=f"Ring {N} next week.")],
    )
    _sync_with_copy(client_as, org.manager, document, "comments")
    with app.app_context():
        conversation, raised = db.scalar(sa.select(Conversation)), db.scalar(sa.select(Action))
    return Group(
        {"conversation": (conversation, "proposed_action"), "action": (raised, "description")},
        lambda db: {
            "conversation's follow-up": _all(db, ConversationAction.description),
            "action's description": _all(db, Action.description),
            "quarantined follow-up": "\n".join(
                a["description"] for d in _quarantined(db, "conversation") for a in d["actions"]
            ),
        },
        lambda db: {},
    )


def build_self_assessment(app, db, org, client_as, visit_doc):
    code = ALL_CODES[0]
    document = self_assessment_doc(
        org.care_home, {code: 2}, type="mock_inspection", interview_notes=f"Asked {N}."
    )
    document["data"]["statements"][0]["rationale"] = f"Only {N} knew."
    _sync_with_copy(client_as, org.admin, document, "interview_notes")
    with app.app_context():
        assessment = db.scalar(sa.select(SelfAssessment))
        raised = actions.create(
            db,
            org.manager,
            service=org.care_home,
            description=f"Share what {N} knew.",
            owner=None,
            due_on=None,
            cqc_tags=[],
            self_assessment_statement=assessment.statements[0],
        )
        db.commit()
    return Group(
        {"self-assessment": (assessment, "rationale"), "action": (raised, "description")},
        lambda db: {
            "rationale": _all(db, SelfAssessmentStatement.rationale),
            "action's description": _all(db, Action.description),
            "quarantined rationale": "\n".join(
                s["rationale"] for d in _quarantined(db, "self_assessment") for s in d["statements"]
            ),
        },
        lambda db: {"interview notes": _all(db, SelfAssessment.interview_notes)},
    )


def _logged(app, db, org, kind: str, text: str, staff=()):
    section = compliments.sections(db, org.org.id)[0]
    return compliments.record(
        db,
        org.manager,
        entry_id=uuid.uuid5(uuid.NAMESPACE_URL, f"redaction-group-{kind}"),
        service=org.care_home,
        kind=kind,
        section=section,
        received_on=date(2026, 1, 5),
        source="family",
        text=text,
        staff=list(staff),
    )


def build_compliment(app, db, org, client_as, visit_doc):
    with app.app_context():
        entry = _logged(
            app,
            db,
            org,
            "compliment",
            f"Carla was lovely; ring {N}.",
            [org.staff_members["Carla Carer"]],
        )
        feedback = db.scalar(sa.select(Feedback))
        _release(db, feedback, org.manager)
        feedback.reply, feedback.replied_at = f"Thanks, I have {N}.", utcnow()
        db.commit()
    return Group(
        {"compliment": (entry, "text"), "feedback": (feedback, "went_well")},
        lambda db: {
            "what they said": _all(db, Compliment.text),
            "feedback's what went well": _all(db, Feedback.went_well),
        },
        lambda db: {"worker's reflection": _all(db, Feedback.reply)},
    )


def build_concern(app, db, org, client_as, visit_doc):
    with app.app_context():
        entry = _logged(app, db, org, "concern", "The visit was late.")
        compliments.respond(
            db, org.manager, entry, response=f"Rang {N}.", action_text=f"Call {N} back."
        )
        raised = db.scalar(sa.select(Action))
        actions.add_progress(db, org.manager, raised, text=f"No answer on {N}.")
        db.commit()
    return Group(
        {"compliment": (entry, "response"), "action": (raised, "description")},
        lambda db: {
            "the response": _all(db, Compliment.response),
            "action's description": _all(db, Action.description),
        },
        lambda db: {"progress note": _all(db, ActionNote.text)},
    )


GROUPS = {
    "visit": build_visit,
    "quis": build_quis,
    "audit": build_audit,
    "conversation": build_conversation,
    "self-assessment": build_self_assessment,
    "compliment": build_compliment,
    "concern": build_concern,
}
ENTRIES = {
    "visit": ("visit", "feedback", "action"),
    "quis": ("quis", "feedback", "action"),
    "audit": ("audit", "action"),
    "conversation": ("conversation", "action"),
    "self-assessment": ("self-assessment", "action"),
    "compliment": ("compliment", "feedback"),
    "concern": ("compliment", "action"),
}


@pytest.mark.parametrize(
    ("group", "entry"), [(g, e) for g, entries in ENTRIES.items() for e in entries]
)
def test_every_copy_goes_from_every_entry_point(
    app, db, org, client_as, login_as, visit_doc, group, entry
):
    built = GROUPS[group](app, db, org, client_as, visit_doc)
    assert set(built.entries) == set(ENTRIES[group])
    db.expire_all()
    before = built.copies(db)
    assert [name for name, words in before.items() if N not in words] == []
    assert [name for name, words in built.kept(db).items() if N not in words] == []

    record, key = built.entries[entry]
    ref = refs(app, db, record)[key]
    response = login_as(org.admin).post(url(entry, record), data=form(ref, N))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]

    db.expire_all()
    after = built.copies(db)
    assert [name for name, words in after.items() if N in words] == []
    assert [name for name, words in after.items() if MARK not in words] == []
    # texts that are not copies keep their words: a redaction of them is its own
    assert [name for name, words in built.kept(db).items() if N not in words] == []
