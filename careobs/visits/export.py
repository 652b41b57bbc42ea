"""The export's files of monitoring visits: visits with their stored outcome, the answers, the
actions agreed, and the addenda to submitted visits. ``KIND`` carries them (see ``service``)."""

from __future__ import annotations

import sqlalchemy as sa

from careobs.accounts.models import User
from careobs.capture import checklist_export
from careobs.capture.addenda import Addendum
from careobs.checklists.models import ChecklistVersion
from careobs.export.records import RecordType, addenda, uuid_of
from careobs.org.models import Service
from careobs.org.models import StaffMember as Staff
from careobs.visits.models import MonitoringVisit as Visit
from careobs.visits.models import VisitAction, VisitAnswer


def visits(org_id: int) -> sa.Select:
    """Monitoring visits with their stored outcome (score, band, counts, lateness)."""
    v = Visit
    return (
        sa.select(
            v.uuid,
            uuid_of(Service, v.service_id, "service_uuid"),
            uuid_of(User, v.supervisor_id, "supervisor_uuid"),
            uuid_of(Staff, v.staff_id, "staff_uuid"),
            v.person_code,
            v.visit_type,
            v.consent,
            uuid_of(ChecklistVersion, v.checklist_version_id, "checklist_version_uuid"),
            v.planned_at,
            v.planned_minutes,
            v.arrived_at,
            v.left_at,
            v.satisfaction,
            v.person_comment,
            v.went_well,
            v.to_develop,
            v.status,
            v.revision,
            v.privacy_flags,
            v.created_at,
            v.updated_at,
            v.submitted_at,
            v.score,
            v.band,
            v.outcome,
            v.points,
            v.possible,
            v.n_met,
            v.n_partly,
            v.n_not_met,
            v.n_na,
            v.critical_failures,
            v.minutes_late,
            v.late,
            v.shortfall_minutes,
            v.next_check_on,
        )
        .where(v.organisation_id == org_id)
        .order_by(v.id)
    )


# The rating of each checklist item at each visit, and the actions agreed at visits.
visit_answers = checklist_export.answers(Visit, VisitAnswer.visit_id, "visit_uuid")
visit_actions = checklist_export.proposed_actions(Visit, VisitAction.visit_id, "visit_uuid")

# Corrections and additions to submitted visits.
visit_addenda = addenda(Visit, Addendum.visit_id, "visit_uuid")

TABLES = (
    RecordType("visits", "visits", visits),
    RecordType("visit_answers", "answers", visit_answers),
    RecordType("visit_actions", "actions", visit_actions),
    RecordType("visit_addenda", "visit addenda", visit_addenda),
)
