"""The export's files of QUIS sessions: sessions with their stored aggregates, every coded
interaction, and the addenda to submitted sessions. ``KIND`` carries them (see ``service``)."""

from __future__ import annotations

import sqlalchemy as sa

from careobs.accounts.models import User
from careobs.capture.addenda import Addendum
from careobs.export.records import RecordType, addenda, uuid_of
from careobs.org.models import Area, Service
from careobs.org.models import StaffMember as Staff
from careobs.quis.models import QuisInteraction, QuisPair, QuisSession


def quis_sessions(org_id: int) -> sa.Select:
    """QUIS sessions with their stored aggregates; ``people_codes`` lists the codes observed.
    A paired session names its pair and part: figures count a pair once, as ``lead`` recorded
    it (sum the rows whose ``pair_role`` is not ``second``)."""
    s = QuisSession
    return (
        sa.select(
            s.uuid,
            uuid_of(Service, s.service_id, "service_uuid"),
            uuid_of(Area, s.area_id, "area_uuid"),
            uuid_of(User, s.observer_id, "observer_uuid"),
            s.context,
            s.started_at,
            s.ended_at,
            s.planned_minutes,
            s.frame_minutes,
            s.people.label("people_codes"),
            s.staff_on_duty,
            s.status,
            s.revision,
            s.notes,
            s.went_well,
            s.to_develop,
            s.privacy_flags,
            s.created_at,
            s.updated_at,
            s.submitted_at,
            s.n_ps,
            s.n_pc,
            s.n_n,
            s.n_np,
            s.n_nr,
            s.people_count,
            s.people_with_negative,
            s.observed_minutes,
            s.person_minutes,
            uuid_of(QuisPair, s.pair_id, "pair_uuid"),
            s.pair_role,
        )
        .where(s.organisation_id == org_id)
        .order_by(s.id)
    )


def quis_interactions(org_id: int) -> sa.Select:
    """Every coded interaction, by session; the largest file of a big provider, so its one
    reference is a join (one pass over the staff table), not a lookup per row."""
    i = QuisInteraction
    return (
        sa.select(
            i.uuid,
            QuisSession.uuid.label("session_uuid"),
            i.position,
            i.at,
            i.people.label("people_codes"),
            Staff.uuid.label("staff_uuid"),
            i.category,
            i.initiated_by,
            i.communication,
            i.negative_reason,
            i.note,
        )
        .join(QuisSession, i.session_id == QuisSession.id)
        .outerjoin(Staff, i.staff_id == Staff.id)
        .where(QuisSession.organisation_id == org_id)
        .order_by(i.id)
    )


# Corrections and additions to submitted sessions.
quis_addenda = addenda(QuisSession, Addendum.quis_session_id, "session_uuid")

TABLES = (
    RecordType("quis_sessions", "QUIS", quis_sessions),
    RecordType("quis_interactions", "interactions", quis_interactions),
    RecordType("quis_addenda", "QUIS addenda", quis_addenda),
)
