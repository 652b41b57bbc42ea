"""What careobs suggests as evidence for each quality statement of a service, and how a chosen
piece of evidence is shown (careobs.selfassess.evidence names the kinds).

INTERFACE (filled in by the capture work): ``suggest`` and ``describe`` keep these signatures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from careobs.org.models import Service
from careobs.selfassess import evidence as evidence_kinds


@dataclass(frozen=True)
class Suggestion:
    """One piece of evidence as a person sees it: "QUIS observation, Lounge, 3 Jun 2026: 18
    interactions, 78% positive", with its page."""

    kind: str
    id: str
    label: str
    when: date | None = None
    url: str | None = None
    held: bool = True  # False: named by an assessment, since purged

    def as_json(self) -> dict:
        return {
            "kind": self.kind,
            "id": self.id,
            "label": self.label,
            "date": self.when.isoformat() if self.when else None,
            "url": self.url,
        }


def suggest(db: Session, service: Service, today: date) -> dict[str, list[Suggestion]]:
    """Statement code → the evidence careobs holds for it in the service, newest first."""
    return {}


def describe(db: Session, service: Service, refs: list[dict]) -> list[Suggestion]:
    """The evidence a statement names (``[{"kind", "id"}]``), in its order, each described; a
    record no longer held says so."""
    return [Suggestion(r["kind"], r["id"], evidence_kinds.KINDS[r["kind"]].label) for r in refs]
