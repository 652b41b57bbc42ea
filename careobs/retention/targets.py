"""What each record type's purge selects and what keeps a record past its period
(careobs.retention.removal removes a batch with the rows that go with it).

The rules for records that something else still needs (decided once, here):

- a record an **open action** refers to is kept (it is the action's evidence; it goes on the
  first run after the action is closed and the record is still past its period);
- a monitoring visit whose **re-check is still due** is kept, and so is the **latest audit of
  its subject** (due dates and the audits dashboard count from it);
- a **closed action** keeps nothing: when its source record goes, the action stays and only its
  link to the record is cleared; when the action goes, a compliment or conversation that named
  it keeps its own content and only the link is cleared;
- a **login** counts from when it ended; one still open is kept while it **may still be in
  use**: its cookie is refreshed on every request, so an open login of any age may be in use,
  and only one unused for longer than the cookie lives (plus the day to which its last use is
  kept, careobs.accounts.session) can no longer be. Removing a login in use would log its user
  out mid-shift.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy.orm import Session

from careobs.accounts.models import LoginSession, User
from careobs.accounts.session import SEEN_EVERY
from careobs.actions.models import CLOSED, Action, RecheckBooking
from careobs.audits.models import Audit, AuditAction, AuditLatest
from careobs.compliments.models import Compliment
from careobs.db import utcnow
from careobs.notifications.models import Notification
from careobs.quis.models import QuisSession
from careobs.retention.removal import (
    remove_audits,
    remove_closed_actions,
    remove_compliments,
    remove_conversations,
    remove_login_sessions,
    remove_monitoring_visits,
    remove_notifications,
    remove_quarantined,
    remove_quis_sessions,
    remove_self_assessments,
)
from careobs.selfassess.models import SelfAssessment, SelfAssessmentStatement
from careobs.sync.models import QuarantinedDocument
from careobs.visits.models import MonitoringVisit, VisitAction
from careobs.voice.models import Conversation, ConversationAction

OPEN_ACTION = "an open action refers to it"
RECHECK_DUE = "its re-check is still due"
LATEST_AUDIT = "the latest audit of its subject"
IN_USE = "it is still open and was used within the session lifetime"

# Flask's own default, for a run outside the app (the app sets it from CAREOBS_SESSION_DAYS).
DEFAULT_SESSION_LIFETIME = timedelta(days=31)


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
    remove: Callable[[Session, int, list], Counter]  # (db, org id, ids) -> rows per table
    sync_kind: str | None = None  # quarantined copies of these documents go with them


def _open_action(*conditions) -> sa.ColumnElement:
    """An open action meeting ``conditions`` exists. Each link is its own EXISTS, with any
    table between action and record joined inside it (never ``a OR b IN (subquery)``), so the
    database follows the indexes on the links rather than reading every action per record."""
    return sa.exists().where(Action.status.not_in(CLOSED), *conditions)


def unused_since(now: datetime | None = None) -> datetime:
    """An open login last used before this can no longer be used: its cookie has expired."""
    lifetime = DEFAULT_SESSION_LIFETIME
    if has_app_context():
        lifetime = current_app.config.get("PERMANENT_SESSION_LIFETIME", lifetime)
    if not isinstance(lifetime, timedelta):
        lifetime = timedelta(seconds=lifetime)
    return (now or utcnow()) - lifetime - SEEN_EVERY


def _may_be_in_use() -> sa.ColumnElement:
    return sa.and_(
        LoginSession.ended_at.is_(None),
        sa.or_(LoginSession.last_seen_at.is_(None), LoginSession.last_seen_at >= unused_since()),
    )


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
        sa.func.coalesce(LoginSession.ended_at, LoginSession.started_at),
        False,
        None,
        lambda org_id: [
            LoginSession.user_id.in_(sa.select(User.id).where(User.organisation_id == org_id))
        ],
        ((IN_USE, _may_be_in_use),),
        remove_login_sessions,
    ),
)
BY_KEY = {t.key: t for t in TARGETS}
