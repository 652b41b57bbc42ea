"""Scoring an audit: any checklist's scoring (careobs.checklists.scoring), with the template's
own RAG bands. Pure functions, no Flask or database.

Met 2, Partly met 1, Not met 0, N/A left out; score = points / (2 × applicable items); bands
decided from the exact fraction; a critical item Not met forces red. Only the bands differ from a
visit's: each audit template sets its own ``green_from`` and ``amber_from``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from careobs.checklists.scoring import Answer, Score, score


@dataclass(frozen=True)
class TemplateBands:
    green_from: int
    amber_from: int


def audit_outcome(answers: Iterable[Answer], green_from: int, amber_from: int) -> Score:
    """Score, band and critical failures of an audit's answers under its template's bands."""
    return score(answers, TemplateBands(green_from, amber_from))
