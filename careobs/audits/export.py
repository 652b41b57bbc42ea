"""The export's files of audits: audits with their subject and stored outcome, the answers, the
proposed actions and the addenda to submitted audits. ``KIND`` carries them (see ``service``)."""

from __future__ import annotations

import sqlalchemy as sa

from careobs.accounts.models import User
from careobs.audits.models import Audit, AuditAction, AuditAnswer
from careobs.capture import checklist_export
from careobs.capture.addenda import Addendum
from careobs.checklists.models import ChecklistVersion
from careobs.export.records import RecordType, addenda, uuid_of
from careobs.org.models import Area, Person, Service
from careobs.org.models import StaffMember as Staff


def audits(org_id: int) -> sa.Select:
    """Audits with their template version, subject (a person by code) and stored outcome."""
    a = Audit
    return (
        sa.select(
            a.uuid,
            uuid_of(Service, a.service_id, "service_uuid"),
            uuid_of(User, a.auditor_id, "auditor_uuid"),
            uuid_of(ChecklistVersion, a.checklist_version_id, "checklist_version_uuid"),
            a.subject_type,
            sa.select(Person.code)
            .where(Person.id == a.person_id)
            .correlate_except(Person)
            .scalar_subquery()
            .label("person_code"),
            uuid_of(Staff, a.staff_id, "staff_uuid"),
            uuid_of(Area, a.area_id, "area_uuid"),
            a.started_at,
            a.ended_at,
            a.went_well,
            a.to_develop,
            a.status,
            a.revision,
            a.privacy_flags,
            a.created_at,
            a.updated_at,
            a.submitted_at,
            a.score,
            a.band,
            a.points,
            a.possible,
            a.n_met,
            a.n_partly,
            a.n_not_met,
            a.n_na,
            a.critical_failures,
            a.critical_fail,
            # A co-audit (issue 16): with whom, the person by code, and the staff audit it is
            # compared with (its document id, which may not have arrived).
            a.co_audit_with,
            sa.select(Person.code)
            .where(Person.id == a.co_audit_person_id)
            .correlate_except(Person)
            .scalar_subquery()
            .label("co_audit_person_code"),
            a.compare_with,
            a.easy_read,
            a.consent_given,
        )
        .where(a.organisation_id == org_id)
        .order_by(a.id)
    )


# The rating of each template item in each audit, and the actions proposed in audits.
audit_answers = checklist_export.answers(Audit, AuditAnswer.audit_id, "audit_uuid")
audit_actions = checklist_export.proposed_actions(Audit, AuditAction.audit_id, "audit_uuid")

# Corrections and additions to submitted audits.
audit_addenda = addenda(Audit, Addendum.audit_id, "audit_uuid")

TABLES = (
    RecordType("audits", "audits", audits),
    RecordType("audit_answers", "audit answers", audit_answers),
    RecordType("audit_actions", "audit actions", audit_actions),
    RecordType("audit_addenda", "audit addenda", audit_addenda),
)
