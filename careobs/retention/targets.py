"""What each record type's purge selects, what keeps a record past its period, and which rows
go with it.

The rules for records that something else still needs (decided once, here):

- a record an **open action** refers to is kept (it is the action's evidence; it goes on the
  first run after the action is closed and the record is still past its period);
- a monitoring visit whose **re-check is still due** is kept, and so is the **latest audit of
  its subject** (due dates and the audits dashboard count from it);
- a **closed action** keeps nothing: when its source record goes, the action stays and only its
  link to the record is cleared; when the action goes, a compliment or conversation that named
  it keeps its own content and only the link is cleared.

Audit events are never touched: no delete here names ``audit_events``, and no foreign key into
it cascades.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.accounts.models import LoginSession, User
from careobs.actions.models import CLOSED, Action, ActionNote, RecheckBooking
from careobs.audits.models import Audit, AuditAction, AuditAnswer, AuditLatest, CoAuditFollowUp
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

OPEN_ACTION = "an open action refers to it"
RECHECK_DUE = "its re-check is still due"
LATEST_AUDIT = "the latest audit of its subject"


@dataclass(frozen=True)
class Target:
    """One record type's top-level rows: how to find them and how to remove them."""

    key: str  # careobs.retention.periods.RecordType.key
    model: type
    dated: sa.ColumnElement  # the date its period counts from
    by_day: bool  # ``dated`` is a date (compared with the cut-off day), not an instant
    service: sa.ColumnElement | None  # None: the type belongs to the organisation as a whole
    scope: Callable[[int], list]  # (organisation id) -> conditions
    keeps: tuple[tuple[str, Callable[[], sa.ColumnElement]], ...]  # (reason, condition)
    remove: Callable[[Session, list], Counter]  # (db, ids) -> rows removed per table
    sync_kind: str | None = None  # quarantined copies of these documents go with them


def _open_action(*conditions) -> sa.ColumnElement:
    """An open action meeting ``conditions`` exists. Each link is its own EXISTS, with any
    table between action and record joined inside it (never ``a OR b IN (subquery)``), so the
    database follows the indexes on the links rather than reading every action per record."""
    return sa.exists().where(Action.status.not_in(CLOSED), *conditions)


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


def _notifications(db: Session, counts: Counter, links: list[str]) -> None:
    """Notifications pointing at removed pages, and the pushes that carried them."""
    if not links:
        return
    notes = sa.select(Notification.id).where(Notification.link.in_(links))
    _delete(db, counts, PushMessage, PushMessage.notification_id.in_(notes))
    _delete(db, counts, Notification, Notification.link.in_(links))


def _feedback(db: Session, counts: Counter, column, ids) -> None:
    """Written feedback drafted from the removed records, and its notifications."""
    found = db.scalars(sa.select(Feedback.uuid).where(column.in_(ids))).all()
    _notifications(db, counts, [f"/feedback/{u}" for u in found])
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


def remove_quis_sessions(db: Session, ids) -> Counter:
    counts: Counter = Counter()
    uuids = _uuids(db, QuisSession, ids)
    pairs = db.scalars(
        sa.select(QuisSession.pair_id).where(
            QuisSession.id.in_(ids), QuisSession.pair_id.isnot(None)
        )
    ).all()
    _clear(db, counts, Action.quis_session_id, ids)
    _feedback(db, counts, Feedback.quis_session_id, ids)
    _notifications(db, counts, [f"/quis/sessions/{u}" for u in uuids])
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


def remove_monitoring_visits(db: Session, ids) -> Counter:
    counts: Counter = Counter()
    uuids = _uuids(db, MonitoringVisit, ids)
    visit_actions = sa.select(VisitAction.id).where(VisitAction.visit_id.in_(ids))
    _clear(db, counts, Action.visit_id, ids)
    _clear(db, counts, Action.visit_action_id, visit_actions)
    _delete(db, counts, RecheckBooking, RecheckBooking.after_visit_id.in_(ids))
    _clear(db, counts, RecheckBooking.fulfilled_by_visit_id, ids)
    _feedback(db, counts, Feedback.visit_id, ids)
    _notifications(db, counts, [f"/visits/{u}" for u in uuids])
    _delete(db, counts, Addendum, Addendum.visit_id.in_(ids))
    _quarantined(db, counts, "spot_check", uuids)
    for child in (VisitAnswer, VisitAction, VisitDomainScore, VisitMissedItem):
        _delete(db, counts, child, child.visit_id.in_(ids))
    _delete(db, counts, MonitoringVisit, MonitoringVisit.id.in_(ids))
    return counts


def remove_audits(db: Session, ids) -> Counter:
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


def remove_self_assessments(db: Session, ids) -> Counter:
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


def remove_conversations(db: Session, ids) -> Counter:
    counts: Counter = Counter()
    uuids = _uuids(db, Conversation, ids)
    _quarantined(db, counts, "conversation", uuids)
    for child in (ConversationAnswer, ConversationAction):
        _delete(db, counts, child, child.conversation_id.in_(ids))
    _delete(db, counts, Conversation, Conversation.id.in_(ids))
    return counts


def remove_compliments(db: Session, ids) -> Counter:
    counts: Counter = Counter()
    _feedback(db, counts, Feedback.compliment_id, ids)
    _delete(db, counts, compliment_staff, compliment_staff.c.compliment_id.in_(ids))
    _delete(db, counts, Compliment, Compliment.id.in_(ids))
    return counts


def remove_closed_actions(db: Session, ids) -> Counter:
    counts: Counter = Counter()
    uuids = _uuids(db, Action, ids)
    _clear(db, counts, Compliment.action_id, ids)
    _clear(db, counts, ConversationAction.action_id, ids)
    _delete(db, counts, CoAuditFollowUp, CoAuditFollowUp.action_id.in_(ids))
    _delete(db, counts, RecheckBooking, RecheckBooking.action_id.in_(ids))
    _delete(db, counts, ActionNote, ActionNote.action_id.in_(ids))
    _notifications(db, counts, [f"/actions/{u}" for u in uuids])
    _delete(db, counts, Action, Action.id.in_(ids))
    return counts


def remove_notifications(db: Session, ids) -> Counter:
    counts: Counter = Counter()
    _delete(db, counts, PushMessage, PushMessage.notification_id.in_(ids))
    _delete(db, counts, Notification, Notification.id.in_(ids))
    return counts


def remove_quarantined(db: Session, ids) -> Counter:
    counts: Counter = Counter()
    _delete(db, counts, QuarantinedDocument, QuarantinedDocument.id.in_(ids))
    return counts


def remove_login_sessions(db: Session, ids) -> Counter:
    counts: Counter = Counter()
    _delete(db, counts, LoginSession, LoginSession.id.in_(ids))
    return counts


def _in_org(model) -> Callable[[int], list]:
    return lambda org_id: [model.organisation_id == org_id]


# In the order a run takes them: closed actions first, so the records they named are free to go
# in the same run.
TARGETS: tuple[Target, ...] = (
    Target(
        "closed_actions",
        Action,
        sa.func.coalesce(Action.completed_at, Action.updated_at),
        False,
        Action.service_id,
        lambda org_id: [Action.organisation_id == org_id, Action.status.in_(CLOSED)],
        (),
        remove_closed_actions,
    ),
    Target(
        "quis_sessions",
        QuisSession,
        QuisSession.started_at,
        False,
        QuisSession.service_id,
        _in_org(QuisSession),
        ((OPEN_ACTION, lambda: _open_action(Action.quis_session_id == QuisSession.id)),),
        remove_quis_sessions,
        "quis_session",
    ),
    Target(
        "monitoring_visits",
        MonitoringVisit,
        MonitoringVisit.planned_at,
        False,
        MonitoringVisit.service_id,
        _in_org(MonitoringVisit),
        (
            (
                OPEN_ACTION,
                lambda: sa.or_(
                    _open_action(Action.visit_id == MonitoringVisit.id),
                    _open_action(
                        Action.visit_action_id == VisitAction.id,
                        VisitAction.visit_id == MonitoringVisit.id,
                    ),
                ),
            ),
            (
                RECHECK_DUE,
                lambda: sa.exists().where(
                    RecheckBooking.after_visit_id == MonitoringVisit.id,
                    RecheckBooking.fulfilled_at.is_(None),
                ),
            ),
        ),
        remove_monitoring_visits,
        "spot_check",
    ),
    Target(
        "audits",
        Audit,
        Audit.started_at,
        False,
        Audit.service_id,
        _in_org(Audit),
        (
            (
                OPEN_ACTION,
                lambda: sa.or_(
                    _open_action(Action.audit_id == Audit.id),
                    _open_action(
                        Action.audit_action_id == AuditAction.id, AuditAction.audit_id == Audit.id
                    ),
                ),
            ),
            (LATEST_AUDIT, lambda: sa.exists().where(AuditLatest.audit_id == Audit.id)),
        ),
        remove_audits,
        "audit",
    ),
    Target(
        "self_assessments",
        SelfAssessment,
        SelfAssessment.assessed_at,
        False,
        SelfAssessment.service_id,
        _in_org(SelfAssessment),
        (
            (
                OPEN_ACTION,
                lambda: _open_action(
                    Action.self_assessment_statement_id == SelfAssessmentStatement.id,
                    SelfAssessmentStatement.self_assessment_id == SelfAssessment.id,
                ),
            ),
        ),
        remove_self_assessments,
        "self_assessment",
    ),
    Target(
        "conversations",
        Conversation,
        Conversation.started_at,
        False,
        Conversation.service_id,
        _in_org(Conversation),
        (
            (
                OPEN_ACTION,
                lambda: _open_action(
                    Action.id == ConversationAction.action_id,
                    ConversationAction.conversation_id == Conversation.id,
                ),
            ),
        ),
        remove_conversations,
        "conversation",
    ),
    Target(
        "compliments",
        Compliment,
        Compliment.received_on,
        True,
        Compliment.service_id,
        _in_org(Compliment),
        ((OPEN_ACTION, lambda: _open_action(Action.id == Compliment.action_id)),),
        remove_compliments,
    ),
    Target(
        "notifications",
        Notification,
        Notification.created_at,
        False,
        None,
        _in_org(Notification),
        (),
        remove_notifications,
    ),
    Target(
        "quarantined",
        QuarantinedDocument,
        QuarantinedDocument.received_at,
        False,
        QuarantinedDocument.service_id,
        _in_org(QuarantinedDocument),
        (),
        remove_quarantined,
    ),
    Target(
        "login_history",
        LoginSession,
        LoginSession.started_at,
        False,
        None,
        lambda org_id: [
            LoginSession.user_id.in_(sa.select(User.id).where(User.organisation_id == org_id))
        ],
        (),
        remove_login_sessions,
    ),
)
BY_KEY = {t.key: t for t in TARGETS}
