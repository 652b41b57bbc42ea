"""Which records hold copies of each other's words: a record's *group*.

Words typed once travel: a visit's comments and agreed actions become the worker's feedback
(careobs.feedback.service.draft_from_visit) and actions (careobs.actions.service.from_visit);
a QUIS session's interaction notes become feedback drafts; an audit's or a conversation's
agreed actions become actions; a compliment becomes feedback, a concern raises an action; a
self-assessment's gap raises one. A redaction started on any of them must reach all of them,
whichever page it starts from, so it first finds the **origin** (the record the others came
from: the visit, the QUIS session, the audit, the conversation, the compliment or the
self-assessment) and then everything that came from it (its **family**). A record that came
from nothing (an action added by hand) is its own origin.

Which texts of each record hold the copies is the registry's business (``RecordKind.copies``
in careobs.redaction.fields); here only which records belong together.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.actions.models import Action
from careobs.audits.models import Audit
from careobs.compliments.models import Compliment
from careobs.feedback.models import Feedback
from careobs.quis.models import QuisSession
from careobs.selfassess.models import SelfAssessment
from careobs.visits.models import MonitoringVisit
from careobs.voice.models import Conversation, ConversationAction


def _feedback_from(db: Session, column, record_id: int) -> list:
    return list(db.scalars(sa.select(Feedback).where(column == record_id).order_by(Feedback.id)))


def _actions_where(db: Session, *where) -> list:
    return list(db.scalars(sa.select(Action).where(*where).order_by(Action.id)))


def _quis_family(db: Session, session: QuisSession) -> list:
    return [
        *_feedback_from(db, Feedback.quis_session_id, session.id),
        *_actions_where(db, Action.quis_session_id == session.id),
    ]


def _visit_family(db: Session, visit: MonitoringVisit) -> list:
    return [
        *_feedback_from(db, Feedback.visit_id, visit.id),
        *_actions_where(db, Action.visit_id == visit.id),
    ]


def _audit_family(db: Session, audit: Audit) -> list:
    return _actions_where(db, Action.audit_id == audit.id)


def _conversation_family(db: Session, conversation: Conversation) -> list:
    raised = sa.select(ConversationAction.action_id).where(
        ConversationAction.conversation_id == conversation.id
    )
    return _actions_where(db, Action.id.in_(raised))


def _self_assessment_family(db: Session, assessment: SelfAssessment) -> list:
    ids = [s.id for s in assessment.statements]
    return _actions_where(db, Action.self_assessment_statement_id.in_(ids)) if ids else []


def _compliment_family(db: Session, compliment: Compliment) -> list:
    return [
        *_feedback_from(db, Feedback.compliment_id, compliment.id),
        *([compliment.action] if compliment.action else []),
    ]


FAMILY = {
    QuisSession: _quis_family,
    MonitoringVisit: _visit_family,
    Audit: _audit_family,
    Conversation: _conversation_family,
    SelfAssessment: _self_assessment_family,
    Compliment: _compliment_family,
}


def _feedback_origin(db: Session, feedback: Feedback):
    return feedback.visit or feedback.quis_session or feedback.compliment


def _action_origin(db: Session, action: Action):
    if action.quis_session or action.visit or action.audit:
        return action.quis_session or action.visit or action.audit
    statement = action.self_assessment_statement
    if statement is not None:
        return statement.self_assessment
    conversation = db.scalar(
        sa.select(Conversation)
        .join(ConversationAction)
        .where(ConversationAction.action_id == action.id)
    )
    return conversation or db.scalar(sa.select(Compliment).where(Compliment.action_id == action.id))


ORIGIN = {Feedback: _feedback_origin, Action: _action_origin}


def origin(db: Session, record):
    """The record ``record``'s words may have come from (itself when none)."""
    find = ORIGIN.get(type(record))
    return (find(db, record) if find else None) or record


def group(db: Session, record) -> list:
    """The origin of ``record`` first, then every record that came from it, each once."""
    first = origin(db, record)
    members, seen = [], set()
    for member in (first, *FAMILY.get(type(first), lambda db, r: [])(db, first)):
        key = (type(member), member.id)
        if key not in seen:
            seen.add(key)
            members.append(member)
    return members
