"""Reading co-audits: an audit's answers as the comparison needs them, and how a co-audit is
named wherever audits are listed (the person by code, never a checker's or staff member's name)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

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
class _AnswerPairs:
    """Each answer of a co-audit (``theirs``) beside its staff audit's answer (``ours``) to the
    same item, matched by key, over valid pairs only (careobs.permissions.comparisons
    .valid_pair). Starter keys are shared by every organisation's copies, so each side's item
    is kept to its own audit's version and the join never spans other versions."""

    co: Any
    staff: Any
    theirs: Any
    ours: Any
    their_item: Any

    @property
    def both(self) -> sa.ColumnElement[bool]:
        """Compared: neither answer is N/A (Not sure on the easy-read form)."""
        return sa.and_(self.theirs.rating != "na", self.ours.rating != "na")

    def select(self, *columns) -> sa.Select:
        our_item = aliased(ChecklistItem)
        their_domain, our_domain = aliased(ChecklistDomain), aliased(ChecklistDomain)
        co, staff, theirs, ours, their_item = (
            self.co,
            self.staff,
            self.theirs,
            self.ours,
            self.their_item,
        )
        return (
            sa.select(*columns)
            .select_from(co)
            .join(staff, valid_pair(co, staff))
            .join(theirs, theirs.audit_id == co.id)
            .join(their_item, their_item.id == theirs.item_id)
            .join(their_domain, their_domain.id == their_item.domain_id)
            .join(our_item, our_item.key == their_item.key)
            .join(our_domain, our_domain.id == our_item.domain_id)
            .join(ours, sa.and_(ours.audit_id == staff.id, ours.item_id == our_item.id))
            .where(
                their_domain.version_id == co.checklist_version_id,
                our_domain.version_id == staff.checklist_version_id,
            )
        )


def _answer_pairs() -> _AnswerPairs:
    return _AnswerPairs(
        aliased(Audit),
        aliased(Audit),
        aliased(AuditAnswer),
        aliased(AuditAnswer),
        aliased(ChecklistItem),
    )


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
    pairs = _answer_pairs()
    theirs, ours, both = pairs.theirs, pairs.ours, pairs.both
    counted = {
        co_id: (agreed or 0, compared or 0)
        for co_id, agreed, compared in db.execute(
            pairs.select(
                pairs.co.id,
                sa.func.sum(sa.case((sa.and_(both, theirs.rating == ours.rating), 1), else_=0)),
                sa.func.sum(sa.case((both, 1), else_=0)),
            )
            .where(pairs.co.id.in_(ids))
            .group_by(pairs.co.id)
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
    pairs = _answer_pairs()
    theirs, ours, their_item, both = pairs.theirs, pairs.ours, pairs.their_item, pairs.both
    differed = sa.func.sum(sa.case((sa.and_(both, theirs.rating != ours.rating), 1), else_=0))
    rows = db.execute(
        pairs.select(
            their_item.key,
            sa.func.max(their_item.text),
            sa.func.max(Checklist.name),
            sa.func.sum(sa.case((both, 1), else_=0)),
            differed,
        )
        .join(ChecklistVersion, ChecklistVersion.id == pairs.co.checklist_version_id)
        .join(Checklist, Checklist.id == ChecklistVersion.checklist_id)
        .where(pairs.co.id.in_(co_audit_ids))
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
