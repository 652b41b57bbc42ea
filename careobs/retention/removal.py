"""Removing one batch of each record type's top-level rows with the rows that go with them, and
counting what went per table (careobs.retention.targets says which rows a batch takes).

Every function takes the organisation's id and the batch's ids, deletes children before parents
and clears the links of rows that stay (a closed action keeps its content when its source
record goes). Audit events are never touched: no delete here names ``audit_events``, and no
foreign key into it cascades.
"""

from __future__ import annotations

from collections import Counter

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.accounts.models import LoginSession
from careobs.actions.models import Action, ActionNote, RecheckBooking
from careobs.audits.models import Audit, AuditAction, AuditAnswer, CoAuditFollowUp
from careobs.capture.addenda import Addendum
from careobs.checkers.models import CheckerAssignment
from careobs.compliments.models import Compliment, compliment_staff
from careobs.feedback.models import Feedback
from careobs.notifications.models import Notification
from careobs.push.models import PushMessage
from careobs.quis.models import QuisInteraction, QuisPair, QuisSession
from careobs.selfassess.models import SelfAssessment, SelfAssessmentStatement
from careobs.sync.models import QuarantinedDocument
from careobs.visits.models import (
    MonitoringVisit,
    VisitAction,
    VisitAnswer,
    VisitDomainScore,
    VisitMissedItem,
)
from careobs.voice.models import Conversation, ConversationAction, ConversationAnswer


def _delete(db: Session, counts: Counter, table, *conditions) -> None:
    """Delete rows of ``table`` and count them under its name."""
    table = getattr(table, "__table__", table)
    result = db.execute(sa.delete(table).where(*conditions))
    counts[table.name] += result.rowcount


def _clear(db: Session, counts: Counter, column, ids) -> None:
    """Clear a link to the removed rows (the linking row keeps its content)."""
    table = column.table
    result = db.execute(sa.update(table).where(column.in_(ids)).values({column.key: None}))
    counts["links cleared"] += result.rowcount


def _notifications(db: Session, counts: Counter, org_id: int, links: list[str]) -> None:
    """Notifications pointing at removed pages, and the pushes that carried them."""
    if not links:
        return
    mine = (Notification.organisation_id == org_id, Notification.link.in_(links))
    notes = sa.select(Notification.id).where(*mine)
    _delete(db, counts, PushMessage, PushMessage.notification_id.in_(notes))
    _delete(db, counts, Notification, *mine)


def _feedback(db: Session, counts: Counter, org_id: int, column, ids) -> None:
    """Written feedback drafted from the removed records, and its notifications."""
    found = db.scalars(sa.select(Feedback.uuid).where(column.in_(ids))).all()
    _notifications(db, counts, org_id, [f"/feedback/{u}" for u in found])
    _delete(db, counts, Feedback, column.in_(ids))


def _quarantined(db: Session, counts: Counter, kind: str, uuids) -> None:
    _delete(
        db,
        counts,
        QuarantinedDocument,
        QuarantinedDocument.kind == kind,
        QuarantinedDocument.document_id.in_(uuids),
    )


def _uuids(db: Session, model, ids) -> list:
    return db.scalars(sa.select(model.uuid).where(model.id.in_(ids))).all()


def remove_quis_sessions(db: Session, org_id: int, ids) -> Counter:
    counts: Counter = Counter()
    uuids = _uuids(db, QuisSession, ids)
    pairs = db.scalars(
        sa.select(QuisSession.pair_id).where(
            QuisSession.id.in_(ids), QuisSession.pair_id.isnot(None)
        )
    ).all()
    _clear(db, counts, Action.quis_session_id, ids)
    _feedback(db, counts, org_id, Feedback.quis_session_id, ids)
    _notifications(db, counts, org_id, [f"/quis/sessions/{u}" for u in uuids])
    _delete(db, counts, Addendum, Addendum.quis_session_id.in_(ids))
    _quarantined(db, counts, "quis_session", uuids)
    _delete(db, counts, QuisInteraction, QuisInteraction.session_id.in_(ids))
    _delete(db, counts, QuisSession, QuisSession.id.in_(ids))
    if pairs:  # a pair goes with the last of its sessions (its calibration result with it)
        _delete(
            db,
            counts,
            QuisPair,
            QuisPair.id.in_(set(pairs)),
            ~sa.exists().where(QuisSession.pair_id == QuisPair.id),
        )
    return counts


def remove_monitoring_visits(db: Session, org_id: int, ids) -> Counter:
    counts: Counter = Counter()
    uuids = _uuids(db, MonitoringVisit, ids)
    visit_actions = sa.select(VisitAction.id).where(VisitAction.visit_id.in_(ids))
    _clear(db, counts, Action.visit_id, ids)
    _clear(db, counts, Action.visit_action_id, visit_actions)
    _delete(db, counts, RecheckBooking, RecheckBooking.after_visit_id.in_(ids))
    _clear(db, counts, RecheckBooking.fulfilled_by_visit_id, ids)
    _feedback(db, counts, org_id, Feedback.visit_id, ids)
    _notifications(db, counts, org_id, [f"/visits/{u}" for u in uuids])
    _delete(db, counts, Addendum, Addendum.visit_id.in_(ids))
    _quarantined(db, counts, "spot_check", uuids)
    for child in (VisitAnswer, VisitAction, VisitDomainScore, VisitMissedItem):
        _delete(db, counts, child, child.visit_id.in_(ids))
    _delete(db, counts, MonitoringVisit, MonitoringVisit.id.in_(ids))
    return counts


def remove_audits(db: Session, org_id: int, ids) -> Counter:
    counts: Counter = Counter()
    uuids = _uuids(db, Audit, ids)
    audit_actions = sa.select(AuditAction.id).where(AuditAction.audit_id.in_(ids))
    _clear(db, counts, Action.audit_id, ids)
    _clear(db, counts, Action.audit_action_id, audit_actions)
    _delete(db, counts, CoAuditFollowUp, CoAuditFollowUp.audit_id.in_(ids))
    # Deleted here, not left to the foreign key's cascade, so the run's counts include them.
    _delete(db, counts, CheckerAssignment, CheckerAssignment.audit_id.in_(ids))
    _delete(db, counts, Addendum, Addendum.audit_id.in_(ids))
    _quarantined(db, counts, "audit", uuids)
    for child in (AuditAnswer, AuditAction):
        _delete(db, counts, child, child.audit_id.in_(ids))
    _delete(db, counts, Audit, Audit.id.in_(ids))
    return counts


def remove_self_assessments(db: Session, org_id: int, ids) -> Counter:
    counts: Counter = Counter()
    uuids = _uuids(db, SelfAssessment, ids)
    statements = sa.select(SelfAssessmentStatement.id).where(
        SelfAssessmentStatement.self_assessment_id.in_(ids)
    )
    _clear(db, counts, Action.self_assessment_statement_id, statements)
    _quarantined(db, counts, "self_assessment", uuids)
    _delete(
        db, counts, SelfAssessmentStatement, SelfAssessmentStatement.self_assessment_id.in_(ids)
    )
    _delete(db, counts, SelfAssessment, SelfAssessment.id.in_(ids))
    return counts


def remove_conversations(db: Session, org_id: int, ids) -> Counter:
    counts: Counter = Counter()
    uuids = _uuids(db, Conversation, ids)
    _quarantined(db, counts, "conversation", uuids)
    for child in (ConversationAnswer, ConversationAction):
        _delete(db, counts, child, child.conversation_id.in_(ids))
    _delete(db, counts, Conversation, Conversation.id.in_(ids))
    return counts


def remove_compliments(db: Session, org_id: int, ids) -> Counter:
    counts: Counter = Counter()
    _feedback(db, counts, org_id, Feedback.compliment_id, ids)
    _delete(db, counts, compliment_staff, compliment_staff.c.compliment_id.in_(ids))
    _delete(db, counts, Compliment, Compliment.id.in_(ids))
    return counts


def remove_closed_actions(db: Session, org_id: int, ids) -> Counter:
    counts: Counter = Counter()
    uuids = _uuids(db, Action, ids)
    _clear(db, counts, Compliment.action_id, ids)
    _clear(db, counts, ConversationAction.action_id, ids)
    _delete(db, counts, CoAuditFollowUp, CoAuditFollowUp.action_id.in_(ids))
    _delete(db, counts, RecheckBooking, RecheckBooking.action_id.in_(ids))
    _delete(db, counts, ActionNote, ActionNote.action_id.in_(ids))
    _notifications(db, counts, org_id, [f"/actions/{u}" for u in uuids])
    _delete(db, counts, Action, Action.id.in_(ids))
    return counts


def remove_notifications(db: Session, org_id: int, ids) -> Counter:
    counts: Counter = Counter()
    _delete(db, counts, PushMessage, PushMessage.notification_id.in_(ids))
    _delete(db, counts, Notification, Notification.id.in_(ids))
    return counts


def remove_quarantined(db: Session, org_id: int, ids) -> Counter:
    counts: Counter = Counter()
    _delete(db, counts, QuarantinedDocument, QuarantinedDocument.id.in_(ids))
    return counts


def remove_login_sessions(db: Session, org_id: int, ids) -> Counter:
    counts: Counter = Counter()
    _delete(db, counts, LoginSession, LoginSession.id.in_(ids))
    return counts
