"""The export's files of audits: audits with their subject and stored outcome, the answers, the
proposed actions and the addenda to submitted audits. ``KIND`` carries them (see ``service``)."""

from __future__ import annotations

import sqlalchemy as sa

from careobs.accounts.models import User
from careobs.audits.models import Audit, AuditAction, AuditAnswer
from careobs.capture.addenda import Addendum
from careobs.checklists.models import ChecklistItem, ChecklistVersion
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
        )
        .where(a.organisation_id == org_id)
        .order_by(a.id)
    )


def audit_answers(org_id: int) -> sa.Select:
    """The rating of each template item in each audit (joins, not a lookup per row)."""
    return (
        sa.select(
            Audit.uuid.label("audit_uuid"),
            ChecklistItem.uuid.label("item_uuid"),
            AuditAnswer.rating,
            AuditAnswer.comment,
        )
        .join(Audit, AuditAnswer.audit_id == Audit.id)
        .join(ChecklistItem, AuditAnswer.item_id == ChecklistItem.id)
        .where(Audit.organisation_id == org_id)
        .order_by(AuditAnswer.id)
    )


def audit_actions(org_id: int) -> sa.Select:
    """Actions proposed in audits, with their owner (a member of staff or a user)."""
    return (
        sa.select(
            AuditAction.uuid,
            Audit.uuid.label("audit_uuid"),
            AuditAction.position,
            AuditAction.description,
            uuid_of(Staff, AuditAction.owner_staff_id, "owner_staff_uuid"),
            uuid_of(User, AuditAction.owner_user_id, "owner_user_uuid"),
            AuditAction.due_on,
        )
        .join(Audit, AuditAction.audit_id == Audit.id)
        .where(Audit.organisation_id == org_id)
        .order_by(AuditAction.id)
    )


# Corrections and additions to submitted audits.
audit_addenda = addenda(Audit, Addendum.audit_id, "audit_uuid")

TABLES = (
    RecordType("audits", "audits", audits),
    RecordType("audit_answers", "audit answers", audit_answers),
    RecordType("audit_actions", "audit actions", audit_actions),
    RecordType("audit_addenda", "audit addenda", audit_addenda),
)
