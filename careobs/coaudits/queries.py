"""Reading co-audits: an audit's answers as the comparison needs them, and how a co-audit is
named wherever audits are listed (the person by code, never a checker's or staff member's name)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from careobs.actions.models import Action
from careobs.audits.models import Audit, AuditAnswer, CoAuditFollowUp
from careobs.checklists.models import (
    Checklist,
    ChecklistDomain,
    ChecklistItem,
    ChecklistVersion,
)
from careobs.coaudits.comparison import Comparison, Rated, compare
from careobs.permissions import ComparedPair
from careobs.permissions.comparisons import valid_pair


def co_audit_label(audit: Audit) -> str:
    """ "Co-audit with R07", "Co-audit by a quality checker"; empty for a staff audit."""
    if audit.co_audit_with == "person":
        code = audit.co_audit_person.code if audit.co_audit_person else "a person supported"
        return f"Co-audit with {code}"
    if audit.co_audit_with == "quality_checker":
        return "Co-audit by a quality checker"
    return ""


def co_audit_who(audit: Audit) -> str:
    """Who answered the co-audit, as the comparison's words say it: "R07", "the quality
    checker"."""
    if audit.co_audit_with == "person" and audit.co_audit_person is not None:
        return audit.co_audit_person.code
    return "the quality checker" if audit.co_audit_with == "quality_checker" else "the person"


def rated_items(db: Session, audit: Audit) -> list[Rated]:
    """Every item of the audit's template version in template order, with its rating (None
    where it was not answered, as on a draft)."""
    rows = db.execute(
        sa.select(ChecklistItem, AuditAnswer.rating)
        .join(ChecklistDomain, ChecklistItem.domain_id == ChecklistDomain.id)
        .outerjoin(
            AuditAnswer,
            sa.and_(AuditAnswer.item_id == ChecklistItem.id, AuditAnswer.audit_id == audit.id),
        )
        .where(ChecklistDomain.version_id == audit.checklist_version_id)
        .order_by(ChecklistDomain.position, ChecklistItem.position, ChecklistItem.id)
    ).all()
    return [
        Rated(item.key, str(item.uuid), item.text, rating, item.easy_read_text)
        for item, rating in rows
    ]


def comparison_of(db: Session, pair: ComparedPair) -> Comparison:
    """The comparison of a pair whose staff audit has arrived."""
    return compare(rated_items(db, pair.staff), rated_items(db, pair.co_audit))


def follow_ups_of(db: Session, co_audit: Audit) -> dict[uuid.UUID, Action]:
    """The co-audit's followed-up differences: item key → the action it became."""
    rows = db.execute(
        sa.select(CoAuditFollowUp.item_key, Action)
        .join(Action, Action.id == CoAuditFollowUp.action_id)
        .where(CoAuditFollowUp.audit_id == co_audit.id)
    )
    return {key: action for key, action in rows}


@dataclass(frozen=True)
class CoAuditRow:
    """One submitted co-audit in a period, as the dashboards and the evidence pack count it.

    ``arrived``: its staff audit is on the server, submitted, and the pair is valid
    (careobs.permissions.comparisons.valid_pair: same service, template and subject);
    ``agreed`` of ``compared`` items, matched by key as the comparison does."""

    id: int
    service_id: int
    template_id: int
    started_at: datetime
    arrived: bool
    agreed: int
    compared: int
    followed_up: int

    @property
    def differences(self) -> int:
        return self.compared - self.agreed

    @property
    def was_compared(self) -> bool:
        """Compared: arrived, with at least one item both answered — what every figure's
        "co-audits compared" counts, so it is the k of "over k co-audits"."""
        return self.arrived and self.compared > 0

    @property
    def nothing_to_compare(self) -> bool:
        """Arrived, but no item both audits answered (every one N/A or Not sure on a side):
        counted apart so a row's numbers add up."""
        return self.arrived and self.compared == 0


def co_audit_rows(
    db: Session, service_ids, start: datetime, end: datetime, template_id: int | None = None
) -> list[CoAuditRow]:
    """The submitted co-audits of the services started in [start, end), oldest first, each
    with its agreement with its staff audit and how many of its differences were followed up.
    Three queries, whatever the number of co-audits."""
    co, staff = aliased(Audit), aliased(Audit)
    arrived = valid_pair(co, staff)
    where = [
        co.co_audit_with.is_not(None),
        co.status == "submitted",
        co.service_id.in_(list(service_ids)),
        co.started_at >= start,
        co.started_at < end,
    ]
    if template_id is not None:
        where.append(ChecklistVersion.checklist_id == template_id)
    listed = db.execute(
        sa.select(
            co.id, co.service_id, ChecklistVersion.checklist_id, co.started_at, staff.id.isnot(None)
        )
        .select_from(co)
        .join(ChecklistVersion, ChecklistVersion.id == co.checklist_version_id)
        .outerjoin(staff, arrived)
        .where(*where)
        .order_by(co.started_at, co.id)
    ).all()
    ids = [row[0] for row in listed]
    if not ids:
        return []
    theirs, ours = aliased(AuditAnswer), aliased(AuditAnswer)
    their_item, our_item = aliased(ChecklistItem), aliased(ChecklistItem)
    their_domain, our_domain = aliased(ChecklistDomain), aliased(ChecklistDomain)
    both = sa.and_(theirs.rating != "na", ours.rating != "na")
    counted = {
        co_id: (agreed or 0, compared or 0)
        for co_id, agreed, compared in db.execute(
            sa.select(
                co.id,
                sa.func.sum(sa.case((sa.and_(both, theirs.rating == ours.rating), 1), else_=0)),
                sa.func.sum(sa.case((both, 1), else_=0)),
            )
            .select_from(co)
            .join(staff, arrived)
            .join(theirs, theirs.audit_id == co.id)
            .join(their_item, their_item.id == theirs.item_id)
            .join(their_domain, their_domain.id == their_item.domain_id)
            .join(our_item, our_item.key == their_item.key)
            .join(our_domain, our_domain.id == our_item.domain_id)
            .join(ours, sa.and_(ours.audit_id == staff.id, ours.item_id == our_item.id))
            .where(
                co.id.in_(ids),
                # Starter keys are shared by every organisation's copies: each side's item is
                # of its own audit's version, so the join never spans other versions.
                their_domain.version_id == co.checklist_version_id,
                our_domain.version_id == staff.checklist_version_id,
            )
            .group_by(co.id)
        )
    }
    followed = dict(
        db.execute(
            sa.select(CoAuditFollowUp.audit_id, sa.func.count())
            .where(CoAuditFollowUp.audit_id.in_(ids))
            .group_by(CoAuditFollowUp.audit_id)
        ).all()
    )
    return [
        CoAuditRow(
            co_id,
            service_id,
            template_id,
            started_at,
            bool(came),
            *counted.get(co_id, (0, 0)),
            followed.get(co_id, 0),
        )
        for co_id, service_id, template_id, started_at, came in listed
    ]


@dataclass(frozen=True)
class ItemDisagreement:
    """How often one item (followed across versions by its key) was compared and disagreed on."""

    text: str
    template: str
    compared: int
    differed: int


def most_disagreed(db: Session, co_audit_ids: list[int], limit: int = 5) -> list[ItemDisagreement]:
    """The items the co-audits most often disagreed with their staff audits on (at least once),
    most first, then by wording; compared over the co-audits whose staff audit has arrived and
    is theirs (careobs.permissions.comparisons.valid_pair)."""
    if not co_audit_ids:
        return []
    co, staff = aliased(Audit), aliased(Audit)
    theirs, ours = aliased(AuditAnswer), aliased(AuditAnswer)
    their_item, our_item = aliased(ChecklistItem), aliased(ChecklistItem)
    their_domain, our_domain = aliased(ChecklistDomain), aliased(ChecklistDomain)
    both = sa.and_(theirs.rating != "na", ours.rating != "na")
    differed = sa.func.sum(sa.case((sa.and_(both, theirs.rating != ours.rating), 1), else_=0))
    rows = db.execute(
        sa.select(
            their_item.key,
            sa.func.max(their_item.text),
            sa.func.max(Checklist.name),
            sa.func.sum(sa.case((both, 1), else_=0)),
            differed,
        )
        .select_from(co)
        .join(staff, valid_pair(co, staff))
        .join(theirs, theirs.audit_id == co.id)
        .join(their_item, their_item.id == theirs.item_id)
        .join(their_domain, their_domain.id == their_item.domain_id)
        .join(our_item, our_item.key == their_item.key)
        .join(our_domain, our_domain.id == our_item.domain_id)
        .join(ours, sa.and_(ours.audit_id == staff.id, ours.item_id == our_item.id))
        .join(ChecklistVersion, ChecklistVersion.id == co.checklist_version_id)
        .join(Checklist, Checklist.id == ChecklistVersion.checklist_id)
        .where(
            co.id.in_(co_audit_ids),
            their_domain.version_id == co.checklist_version_id,
            our_domain.version_id == staff.checklist_version_id,
        )
        .group_by(their_item.key)
        .having(differed > 0)
    ).all()
    found = [ItemDisagreement(text, name, compared, n) for _key, text, name, compared, n in rows]
    found.sort(key=lambda d: (-d.differed, d.text))
    return found[:limit]


def follow_up_statuses(db: Session, co_audit_ids: list[int]) -> dict[str, int]:
    """How many of the co-audits' follow-up actions are in each status."""
    if not co_audit_ids:
        return {}
    return dict(
        db.execute(
            sa.select(Action.status, sa.func.count())
            .join(CoAuditFollowUp, CoAuditFollowUp.action_id == Action.id)
            .where(CoAuditFollowUp.audit_id.in_(co_audit_ids))
            .group_by(Action.status)
        ).all()
    )
