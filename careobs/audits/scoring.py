"""Scoring an audit: the monitoring visit's scoring (careobs.visits.scoring), with the template's
own RAG bands. Pure functions, no Flask or database.

Met 2, Partly met 1, Not met 0, N/A left out; score = points / (2 × applicable items); bands
decided from the exact fraction; a critical item Not met forces red. Only the bands differ from a
visit's: each audit template sets its own ``green_from`` and ``amber_from``.
"""

from __future__ import annotations

from collections.abc import Iterable

from careobs.visits.scoring import RATINGS, Answer, Outcome, Rules, outcome

__all__ = ["RATINGS", "Answer", "Outcome", "audit_outcome"]


def audit_outcome(answers: Iterable[Answer], green_from: int, amber_from: int) -> Outcome:
    """Score, band and critical failures of an audit's answers under its template's bands.

    The outcome's ``wording`` and ``recheck_required`` are a visit's and mean nothing here.
    """
    return outcome(answers, Rules(green_from=green_from, amber_from=amber_from))
