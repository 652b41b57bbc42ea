"""Comparing a co-audit with its staff audit, item by item: pure functions, no Flask or database.

Items are matched by their checklist item *key*, which stays the same across template versions,
so a co-audit on version 3 compares with a staff audit on version 2. The agreement is the share
of items where both gave the same rating, over the items where both rated and neither said N/A
(on the easy-read form: "Not sure"): an N/A says nothing either way, so it neither agrees nor
disagrees. With no such item the agreement is None ("nothing to compare"), never 0 or 100%.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from careobs.statistics import ClusterSums

NOT_RATED = "na"
# What each rating is called on each side: the staff audit's words and the easy-read form's.
STAFF_WORDS = {"met": "Met", "partly": "Partly met", "not_met": "Not met", "na": "N/A"}
EASY_READ_WORDS = {"met": "Yes", "partly": "Partly", "not_met": "No", "na": "Not sure"}


@dataclass(frozen=True)
class Rated:
    """One item as one audit answered it: ``item_id`` is the item's public id in that audit's
    template version (what devices send in answers); ``rating`` None when it was not answered."""

    key: uuid.UUID
    item_id: str
    text: str
    rating: str | None
    easy_read_text: str = ""


@dataclass(frozen=True)
class ItemComparison:
    """Both answers to one item. ``compared``: both rated it and neither said N/A; ``agree``:
    compared and the same rating."""

    key: uuid.UUID
    item_id: str
    text: str
    easy_read_text: str
    audit: str | None
    co_audit: str | None

    @property
    def compared(self) -> bool:
        return None not in (self.audit, self.co_audit) and NOT_RATED not in (
            self.audit,
            self.co_audit,
        )

    @property
    def agree(self) -> bool:
        return self.compared and self.audit == self.co_audit

    @property
    def difference(self) -> bool:
        """A compared item on which they disagree: what the page lists first and follows up."""
        return self.compared and not self.agree


@dataclass(frozen=True)
class Comparison:
    items: list[ItemComparison]

    @property
    def compared_items(self) -> int:
        return sum(1 for item in self.items if item.compared)

    @property
    def agreed_items(self) -> int:
        return sum(1 for item in self.items if item.agree)

    @property
    def agreement(self) -> float | None:
        """Agreed / compared; None when nothing could be compared."""
        return self.agreed_items / self.compared_items if self.compared_items else None

    @property
    def differences(self) -> list[ItemComparison]:
        return [item for item in self.items if item.difference]

    @property
    def cluster(self) -> ClusterSums:
        """This co-audit as one cluster (agreed of compared), for intervals pooled over many."""
        return ClusterSums.of([(self.agreed_items, self.compared_items)])


def compare(staff: list[Rated], co_audit: list[Rated]) -> Comparison:
    """Every item either audit's template has, matched by key: the differences first, then the
    staff audit's template order, then items only the co-audit's version has, in its order. An
    item's public id and wording are the staff audit's where it has the item."""
    theirs = {r.key: r for r in co_audit}
    ours = {r.key: r for r in staff}
    merged = []
    for r in staff:
        other = theirs.get(r.key)
        merged.append(
            ItemComparison(
                r.key,
                r.item_id,
                r.text,
                r.easy_read_text or (other.easy_read_text if other else ""),
                r.rating,
                other.rating if other else None,
            )
        )
    for r in co_audit:
        if r.key not in ours:
            merged.append(
                ItemComparison(r.key, r.item_id, r.text, r.easy_read_text, None, r.rating)
            )
    # sorted() is stable: within each group the template's order stays.
    return Comparison(sorted(merged, key=lambda item: not item.difference))


def as_json(staff_id: uuid.UUID, co_audit_id: uuid.UUID, comparison: Comparison) -> dict:
    """The API's answer (issue 16's contract), plus ``compared`` per item and ``agreed_items``
    (fields may be added, none renamed)."""
    return {
        "audit": str(staff_id),
        "co_audit": str(co_audit_id),
        "agreement": comparison.agreement,
        "compared_items": comparison.compared_items,
        "agreed_items": comparison.agreed_items,
        "items": [
            {
                "item_id": item.item_id,
                "audit": item.audit,
                "co_audit": item.co_audit,
                "agree": item.agree,
                "compared": item.compared,
            }
            for item in comparison.items
        ],
    }


def agreement_text(comparison: Comparison) -> str:
    """ "7 of 9 items agree (78%)", or why there is no figure."""
    n = comparison.compared_items
    if n == 0:
        return "No item could be compared: every item was N/A or Not sure on one side or the other."
    agreed = comparison.agreed_items
    whole = (200 * agreed + n) // (2 * n)  # half up: 7 of 8 is 88%, not 87%
    items = "item agrees" if n == 1 else "items agree"
    return f"{agreed} of {n} {items} ({whole}%)"


RATING = {"enum": ["met", "partly", "not_met", "na", None]}
# The OpenAPI description of :func:`as_json`, kept beside it so the two cannot drift apart.
OPENAPI_SCHEMA = {
    "type": "object",
    "required": ["audit", "co_audit", "agreement", "compared_items", "items"],
    "properties": {
        "audit": {"type": "string", "format": "uuid", "description": "The staff audit's id"},
        "co_audit": {"type": "string", "format": "uuid", "description": "The co-audit's id"},
        "agreement": {
            "type": ["number", "null"],
            "minimum": 0,
            "maximum": 1,
            "description": "Items both answered the same ÷ compared_items; null when no item "
            "could be compared",
        },
        "compared_items": {
            "type": "integer",
            "description": "Items both answered where neither answer is na (N/A, Not sure)",
        },
        "agreed_items": {"type": "integer"},
        "items": {
            "type": "array",
            "description": "Every item of either template version, matched by the item's key "
            "across versions: the differences first, then the staff audit's template order",
            "items": {
                "type": "object",
                "required": ["item_id", "audit", "co_audit", "agree"],
                "properties": {
                    "item_id": {
                        "type": "string",
                        "format": "uuid",
                        "description": "The item's id as answers name it (the staff audit's "
                        "version where it has the item)",
                    },
                    "audit": RATING,
                    "co_audit": RATING,
                    "agree": {"type": "boolean"},
                    "compared": {"type": "boolean"},
                },
            },
        },
    },
}
