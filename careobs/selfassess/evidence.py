"""The evidence a self-assessment's statement may rest on: records careobs holds, named by
``{"kind", "id"}`` in the document.

Each kind names one table: the record's public id (``uuid``) and its service. A reference must
name a record of the assessed service (the document is ``invalid`` otherwise); a record gone
since (a purge) is shown as no longer held, never as an error. ``quis_trend`` is not a record
but the service's QUIS figures: its id is the service's own, and its page is the QUIS dashboard
for the 90 days up to the assessment.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.actions.models import Action
from careobs.audits.models import Audit
from careobs.feedback.models import Feedback
from careobs.org.models import Service
from careobs.quis.models import COUNTED, QuisSession
from careobs.visits.models import MonitoringVisit
from careobs.voice.models import Conversation

MAX_PER_STATEMENT = 30


@dataclass(frozen=True)
class EvidenceKind:
    label: str  # what people call one
    model: type
    # (endpoint, its id argument) of the record's page; None: the QUIS dashboard (quis_trend)
    page: tuple[str, str] | None


KINDS: dict[str, EvidenceKind] = {
    "quis_session": EvidenceKind("QUIS observation", QuisSession, ("quis.detail", "session_id")),
    "quis_trend": EvidenceKind("QUIS trend", Service, None),
    "spot_check": EvidenceKind("Monitoring visit", MonitoringVisit, ("visits.detail", "visit_id")),
    "audit": EvidenceKind("Audit", Audit, ("audits.detail", "audit_id")),
    "conversation": EvidenceKind(
        "Conversation (people's voice)", Conversation, ("voice.detail", "conversation_id")
    ),
    "action": EvidenceKind("Action", Action, ("actions.detail", "action_id")),
    "feedback": EvidenceKind("Feedback acknowledged", Feedback, ("feedback.detail", "feedback_id")),
}


def counted(kind: str) -> list:
    """What a record of ``kind`` must be to count as evidence, whenever it was made: submitted
    (a paired QUIS session by its lead's record only, as the figures count it), and feedback
    released to the care worker and acknowledged. The suggestions add their window to these;
    a document naming anything else is ``invalid``."""
    if kind == "quis_session":
        return [QuisSession.status == "submitted", COUNTED]
    if kind in ("spot_check", "audit", "conversation"):
        return [KINDS[kind].model.status == "submitted"]
    if kind == "feedback":
        return [Feedback.status == "released", Feedback.acknowledged_at.is_not(None)]
    return []  # an action (open or closed), the service's own QUIS figures


def service_column(kind: str):
    """The column saying which service a record of ``kind`` belongs to."""
    model = KINDS[kind].model
    return model.id if model is Service else model.service_id


def held(
    db: Session, service_id: int, refs: list[tuple[str, uuid.UUID]]
) -> set[tuple[str, uuid.UUID]]:
    """Which of ``refs`` name a record of the service that careobs still holds and that counts
    as evidence (:func:`counted`; one query per kind named)."""
    found: set[tuple[str, uuid.UUID]] = set()
    by_kind: dict[str, set[uuid.UUID]] = {}
    for kind, ref in refs:
        by_kind.setdefault(kind, set()).add(ref)
    for kind, ids in by_kind.items():
        model = KINDS[kind].model
        rows = db.scalars(
            sa.select(model.uuid).where(
                model.uuid.in_(ids), service_column(kind) == service_id, *counted(kind)
            )
        )
        found.update((kind, i) for i in rows)
    return found
