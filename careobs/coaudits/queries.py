"""Reading co-audits: an audit's answers as the comparison needs them, and how a co-audit is
named wherever audits are listed (the person by code, never a checker's or staff member's name)."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.actions.models import Action
from careobs.audits.models import Audit, AuditAnswer, CoAuditFollowUp
from careobs.checklists.models import ChecklistDomain, ChecklistItem
from careobs.coaudits.comparison import Comparison, Rated, compare
from careobs.permissions import ComparedPair


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
