"""What the export contains: one query per record type, selecting only the columns to export.

Each query names its columns by their export names and refers to other records by public UUID
(people by their code), never by internal integer id. Secrets never appear: users are exported
without password hashes or session tokens (invitation tokens are signed, never stored), and
people supported only as code, initials, service, active and consent (design §2.4). Derived
report tables (visit domain scores, missed items, period roll-ups) are left out: they are
rebuilt from the visits and answers that are exported. Notifications, push subscriptions,
login failures and quarantined sync copies are operational data, not the organisation's records.

Each kind of captured record (QUIS sessions, monitoring visits) declares its own files in its
package and its ``DocumentKind`` carries them: the export reads them from the capture registry.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from careobs.accounts.models import Membership, User
from careobs.audit.models import AuditEvent
from careobs.capture import kinds
from careobs.checklists.models import Checklist, ChecklistDomain, ChecklistItem, ChecklistVersion
from careobs.compliments import export as compliments
from careobs.export import improvement
from careobs.export.records import RecordType, uuid_of
from careobs.org.models import Area, Organisation, OrganisationSettings, Person, Service
from careobs.org.models import StaffMember as Staff
from careobs.org.settings import DEFAULTS


def _services(org_id: int) -> sa.Select:
    return (
        sa.select(Service.uuid, Service.name, Service.kind, Service.active, Service.created_at)
        .where(Service.organisation_id == org_id)
        .order_by(Service.id)
    )


def _areas(org_id: int) -> sa.Select:
    return (
        sa.select(
            Area.uuid, uuid_of(Service, Area.service_id, "service_uuid"), Area.name, Area.active
        )
        .where(Area.organisation_id == org_id)
        .order_by(Area.id)
    )


def _people(org_id: int) -> sa.Select:
    # Only these columns, ever: a person supported is a code (design §2.4).
    return (
        sa.select(
            Person.code,
            Person.initials,
            uuid_of(Service, Person.service_id, "service_uuid"),
            Person.active,
            Person.consent,
            Person.consent_on,
            Person.consent_given_by,
        )
        .where(Person.organisation_id == org_id)
        .order_by(Person.id)
    )


def _staff(org_id: int) -> sa.Select:
    return (
        sa.select(
            Staff.uuid,
            uuid_of(Service, Staff.service_id, "service_uuid"),
            Staff.name,
            Staff.job_role,
            Staff.start_date,
            Staff.active,
            uuid_of(User, Staff.user_id, "user_uuid"),
        )
        .where(Staff.organisation_id == org_id)
        .order_by(Staff.id)
    )


def _users(org_id: int) -> sa.Select:
    # Never password_hash or session_token.
    return (
        sa.select(
            User.uuid,
            User.email,
            User.display_name,
            User.active,
            User.is_org_admin,
            User.created_at,
            User.invited_at,
            User.last_login_at,
        )
        .where(User.organisation_id == org_id)
        .order_by(User.id)
    )


def _memberships(org_id: int) -> sa.Select:
    return (
        sa.select(
            uuid_of(User, Membership.user_id, "user_uuid"),
            uuid_of(Service, Membership.service_id, "service_uuid"),
            Membership.role,
        )
        .where(Membership.organisation_id == org_id)
        .order_by(Membership.id)
    )


def _checklists(org_id: int) -> sa.Select:
    return (
        sa.select(
            Checklist.uuid,
            Checklist.name,
            Checklist.created_at,
            Checklist.purpose,
            Checklist.subject_type,
            Checklist.frequency_days,
            Checklist.cqc_statements,
            Checklist.green_from,
            Checklist.amber_from,
        )
        .where(Checklist.organisation_id == org_id)
        .order_by(Checklist.id)
    )


def _checklist_versions(org_id: int) -> sa.Select:
    v = ChecklistVersion
    return (
        sa.select(
            v.uuid,
            uuid_of(Checklist, v.checklist_id, "checklist_uuid"),
            v.number,
            v.published_at,
            uuid_of(User, v.published_by_id, "published_by_uuid"),
            v.retired_at,
        )
        .where(v.organisation_id == org_id)
        .order_by(v.id)
    )


def _checklist_domains(org_id: int) -> sa.Select:
    d = ChecklistDomain
    return (
        sa.select(d.uuid, ChecklistVersion.uuid.label("version_uuid"), d.key, d.position, d.name)
        .join(ChecklistVersion, d.version_id == ChecklistVersion.id)
        .where(ChecklistVersion.organisation_id == org_id)
        .order_by(d.id)
    )


def _checklist_items(org_id: int) -> sa.Select:
    i = ChecklistItem
    return (
        sa.select(
            i.uuid,
            ChecklistDomain.uuid.label("domain_uuid"),
            i.key,
            i.position,
            i.text,
            i.guidance,
            i.critical,
            i.easy_read_text,
        )
        .join(ChecklistDomain, i.domain_id == ChecklistDomain.id)
        .join(ChecklistVersion, ChecklistDomain.version_id == ChecklistVersion.id)
        .where(ChecklistVersion.organisation_id == org_id)
        .order_by(i.id)
    )


def _settings(org_id: int) -> sa.Select:
    # One row; settings never saved read as the defaults, as the app itself does.
    s = OrganisationSettings
    return (
        sa.select(
            Organisation.uuid.label("organisation_uuid"),
            Organisation.name,
            Organisation.timezone,
            Organisation.created_at,
            *(
                sa.func.coalesce(getattr(s, name), default).label(name)
                for name, default in DEFAULTS.items()
            ),
        )
        .outerjoin(s, s.organisation_id == Organisation.id)
        .where(Organisation.id == org_id)
    )


def _audit_events(org_id: int) -> sa.Select:
    return (
        sa.select(
            AuditEvent.at,
            uuid_of(User, AuditEvent.actor_id, "actor_uuid"),
            AuditEvent.action,
            AuditEvent.entity_type,
            AuditEvent.entity_id,
            AuditEvent.summary,
            AuditEvent.ip,
            # The event's place in the audit log's hash chain (one chain over every
            # organisation, so an export's events are not contiguous), to match it with the
            # live log, which ``careobs audit verify`` checks.
            AuditEvent.seq,
        )
        .where(AuditEvent.organisation_id == org_id)
        .order_by(AuditEvent.seq)
    )


# The organisation, its people and its checklists: before the captured records, which refer
# to them.
ORGANISATION: tuple[RecordType, ...] = (
    RecordType("organisation_settings", "settings", _settings),
    RecordType("services", "services", _services),
    RecordType("areas", "areas", _areas),
    RecordType("people", "people", _people),
    RecordType("staff", "staff", _staff),
    RecordType("users", "users", _users),
    RecordType("memberships", "roles", _memberships),
    RecordType("checklists", "checklists", _checklists),
    RecordType("checklist_versions", "versions", _checklist_versions),
    RecordType("checklist_domains", "domains", _checklist_domains),
    RecordType("checklist_items", "items", _checklist_items),
)

# What followed the captured records, and the audit log last.
OUTCOMES: tuple[RecordType, ...] = (
    RecordType("feedback", "feedback", improvement.feedback),
    RecordType("actions", "improvement actions", improvement.actions),
    RecordType("action_notes", "action notes", improvement.action_notes),
    RecordType("co_audit_follow_ups", "co-audit follow-ups", improvement.co_audit_follow_ups),
    RecordType("rechecks", "re-checks", improvement.rechecks),
    RecordType("selection_draws", "draws", improvement.selection_draws),
    RecordType("compliment_sections", "log sections", compliments.sections),
    RecordType("compliments", "compliments and concerns", compliments.compliments),
    RecordType("compliment_staff", "workers named", compliments.named_staff),
    RecordType("audit_events", "audit", _audit_events),
)


def record_types() -> tuple[RecordType, ...]:
    """Every file of the export, in order: the organisation, each registered kind's files (in
    the order the kinds were registered), then what followed them."""
    captured = tuple(t for kind in kinds.registered().values() for t in kind.export_tables)
    return (*ORGANISATION, *captured, *OUTCOMES)


class _RecordTypes(Sequence):
    """``record_types()`` as a constant to iterate: the kinds register when the app starts,
    after this module is imported, so it is read each time it is used."""

    def __getitem__(self, index):
        return record_types()[index]

    def __len__(self) -> int:
        return len(record_types())


RECORD_TYPES: Sequence[RecordType] = _RecordTypes()
