"""Paired QUIS observations: matching two observers' interactions and how far they agree.

Pure functions, no database: the alignment of two sessions' interactions, Cohen's kappa
unweighted and weighted (A4, linear, quadratic) with large-sample 95% intervals, and the verdict
in words. Design §2.1 gives the A4 weights and the check values the tests reproduce.

Kappa's variance is the large-sample (non-null) one of Fleiss, Cohen and Everitt (1969),
"Large sample standard errors of kappa and weighted kappa", Psychological Bulletin 72(5):
``var = [Σ p_ij (w_ij − (w̄_i· + w̄_·j)(1 − κ))² − (κ − p_e(1 − κ))²] / (n (1 − p_e)²)`` with
``w̄_i· = Σ_j w_ij p_·j`` and ``w̄_·j = Σ_i w_ij p_i·``; the interval is κ ± 1.96·√var, cut to
[−1, 1].
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from careobs.quis.scoring import CATEGORIES, Z_95

K = len(CATEGORIES)
_INDEX = {c: i for i, c in enumerate(CATEGORIES)}

# Agreement weights in the order PS, PC, N, NP, NR (design §2.1, Mesa-Eguiagaray et al. 2016):
# 1 on the diagonal, 0.75 within positive and within negative, 0.5 for neutral against any
# other, 0 for positive against negative.
A4 = (
    (1.0, 0.75, 0.5, 0.0, 0.0),
    (0.75, 1.0, 0.5, 0.0, 0.0),
    (0.5, 0.5, 1.0, 0.5, 0.5),
    (0.0, 0.0, 0.5, 1.0, 0.75),
    (0.0, 0.0, 0.5, 0.75, 1.0),
)
UNWEIGHTED = tuple(tuple(1.0 if i == j else 0.0 for j in range(K)) for i in range(K))
LINEAR = tuple(tuple(1 - abs(i - j) / (K - 1) for j in range(K)) for i in range(K))
QUADRATIC = tuple(tuple(1 - (i - j) ** 2 / (K - 1) ** 2 for j in range(K)) for i in range(K))
WEIGHTS = {"unweighted": UNWEIGHTED, "a4": A4, "linear": LINEAR, "quadratic": QUADRATIC}
WEIGHT_LABELS = {
    "unweighted": "Unweighted",
    "a4": "A4-weighted",
    "linear": "Linear-weighted",
    "quadratic": "Quadratic-weighted",
}
HEADLINE = "a4"  # the kappa a verdict and a reminder are read from

# Plain-words verdicts, highest first: kappa at or above the bound.
VERDICTS = ((0.8, "very good"), (0.6, "good"), (0.4, "moderate"))
BELOW = "needs re-training"
TOO_FEW = 20  # fewer matched pairs than this: "too few to judge"
DEFAULT_TOLERANCE_SECONDS = 30


Matrix = Sequence[Sequence[int]]


@dataclass(frozen=True)
class Kappa:
    """One kappa with its 95% interval; ``value`` None when it cannot be computed (no pairs, or
    the expected agreement is 1: both observers used one and the same category only)."""

    value: float | None
    low: float | None
    high: float | None


def empty_matrix() -> list[list[int]]:
    return [[0] * K for _ in range(K)]


def confusion(pairs: Sequence[tuple[str, str]]) -> list[list[int]]:
    """The 5×5 table of (lead, second) categories: the lead's in rows, the second's in columns."""
    table = empty_matrix()
    for lead, second in pairs:
        table[_INDEX[lead]][_INDEX[second]] += 1
    return table


def total(table: Matrix) -> int:
    return sum(sum(row) for row in table)


def agreement(table: Matrix) -> float | None:
    """The share of matched pairs coded the same; None with no pairs."""
    n = total(table)
    return sum(table[i][i] for i in range(K)) / n if n else None


def kappa(table: Matrix, weights: Matrix = UNWEIGHTED, z: float = Z_95) -> Kappa:
    """Cohen's kappa of ``table`` under ``weights`` (agreement weights, 1 on the diagonal)."""
    n = total(table)
    if n == 0:
        return Kappa(None, None, None)
    p = [[cell / n for cell in row] for row in table]
    rows = [sum(row) for row in p]
    cols = [sum(p[i][j] for i in range(K)) for j in range(K)]
    observed = sum(weights[i][j] * p[i][j] for i in range(K) for j in range(K))
    expected = sum(weights[i][j] * rows[i] * cols[j] for i in range(K) for j in range(K))
    if math.isclose(expected, 1.0, abs_tol=1e-12):
        return Kappa(None, None, None)
    value = (observed - expected) / (1 - expected)
    row_w = [sum(weights[i][j] * cols[j] for j in range(K)) for i in range(K)]
    col_w = [sum(weights[i][j] * rows[i] for i in range(K)) for j in range(K)]
    spread = sum(
        p[i][j] * (weights[i][j] - (row_w[i] + col_w[j]) * (1 - value)) ** 2
        for i in range(K)
        for j in range(K)
    )
    variance = (spread - (value - expected * (1 - value)) ** 2) / (n * (1 - expected) ** 2)
    half = z * math.sqrt(max(variance, 0.0))
    return Kappa(value, max(-1.0, value - half), min(1.0, value + half))


def kappas(table: Matrix) -> dict[str, Kappa]:
    """Every kappa the calibration page shows, by weighting."""
    return {name: kappa(table, weights) for name, weights in WEIGHTS.items()}


def verdict(value: float | None, matched: int) -> str:
    """The plain-words reading of a kappa over ``matched`` pairs."""
    if matched < TOO_FEW:
        return "too few to judge"
    if value is None:
        return "cannot be computed"
    for bound, words in VERDICTS:
        if value >= bound:
            return words
    return BELOW


def kappa_figure(value: float, bounds: Sequence[float] = ()) -> str:
    """A kappa to two decimals, or to as many more as it takes never to print a value below a
    bound (a verdict's threshold or ``bounds``) as the bound itself: 0.596 is "0.596", not
    "0.60", beside "moderate" and "below 0.60"."""
    limits = (*(bound for bound, _words in VERDICTS), *bounds)
    for places in range(2, 7):
        text = f"{value:.{places}f}"
        if not any(value < bound <= float(text) for bound in limits):
            return text
    return text


@dataclass(frozen=True)
class Coded:
    """One side's interaction, as alignment needs it."""

    key: object  # whatever identifies it to the caller (an id or a position)
    at: datetime
    people: frozenset[str]
    staff: object | None
    category: str


@dataclass(frozen=True)
class Alignment:
    matched: list[tuple[Coded, Coded]]  # (lead's, second's), in the lead's time order
    lead_only: list[Coded]
    second_only: list[Coded]

    @property
    def table(self) -> list[list[int]]:
        return confusion([(a.category, b.category) for a, b in self.matched])


def align(lead: Sequence[Coded], second: Sequence[Coded], tolerance_seconds: int) -> Alignment:
    """Match the two observers' interactions one to one.

    A candidate pair names the same person code(s), lies within ``tolerance_seconds``, and,
    when both observers named the member of staff, names the same one. Candidates are taken
    nearest in time first (ties: the lead's earlier, then the second's earlier), each
    interaction at most once; whatever is left is "seen by one observer only".
    """
    candidates = []
    for i, a in enumerate(lead):
        for j, b in enumerate(second):
            if a.people != b.people:
                continue
            if a.staff is not None and b.staff is not None and a.staff != b.staff:
                continue
            gap = abs((a.at - b.at).total_seconds())
            if gap <= tolerance_seconds:
                candidates.append((gap, i, j))
    candidates.sort()
    taken_lead: dict[int, int] = {}
    taken_second: set[int] = set()
    for _gap, i, j in candidates:
        if i in taken_lead or j in taken_second:
            continue
        taken_lead[i] = j
        taken_second.add(j)
    order = sorted(taken_lead, key=lambda i: (lead[i].at, i))
    return Alignment(
        matched=[(lead[i], second[taken_lead[i]]) for i in order],
        lead_only=[a for i, a in enumerate(lead) if i not in taken_lead],
        second_only=[b for j, b in enumerate(second) if j not in taken_second],
    )
