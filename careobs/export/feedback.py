"""The export's query for feedback to care workers, drafted from QUIS sessions and visits (see
``tables``; the sessions and visits themselves are their kinds' own files)."""

from __future__ import annotations

import sqlalchemy as sa

from careobs.accounts.models import User
from careobs.export.records import uuid_of
from careobs.feedback.models import Feedback
from careobs.org.models import Service
from careobs.org.models import StaffMember as Staff
from careobs.quis.models import QuisSession
from careobs.visits.models import MonitoringVisit as Visit


def feedback(org_id: int) -> sa.Select:
    """Feedback to care workers: status, timestamps, the texts and the worker's reply."""
    f = Feedback
    return (
        sa.select(
            f.uuid,
            uuid_of(Service, f.service_id, "service_uuid"),
            uuid_of(Staff, f.staff_id, "staff_uuid"),
            uuid_of(User, f.author_id, "author_uuid"),
            uuid_of(QuisSession, f.quis_session_id, "quis_session_uuid"),
            uuid_of(Visit, f.visit_id, "visit_uuid"),
            f.status,
            f.went_well,
            f.to_develop,
            f.actions,
            f.created_at,
            f.updated_at,
            f.released_at,
            f.read_at,
            f.acknowledged_at,
            f.reply,
            f.replied_at,
        )
        .where(f.organisation_id == org_id)
        .order_by(f.id)
    )
