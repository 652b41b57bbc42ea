"""Rating a service the way CQC does, from quality statement scores (pure: no database).

CQC scores each quality statement from 1 to 4: 1 significant shortfalls, 2 some shortfalls,
3 good standard, 4 exceptional standard. A key question's score is the sum of its assessed
statements' scores as a percentage of the most they could score (4 each), rounded to a whole
number; its rating comes from CQC's published bands: 88-100% outstanding, 63-87% good, 39-62%
requires improvement, 38% or lower inadequate. A statement not assessed is left out of both
sums (it is never a 0), and a key question with none assessed has no score and no rating.

CQC also says where a score sits within its band ("good, upper threshold, nearing
outstanding"); it does not publish where the upper part of a band begins, so careobs splits each
band at its midpoint and says so (:data:`THRESHOLD_NOTE`).
"""

from __future__ import annotations

from dataclasses import dataclass

from careobs.actions.cqc import QUALITY_STATEMENTS

SCORES = {
    1: "Significant shortfalls",
    2: "Some shortfalls",
    3: "Good standard",
    4: "Exceptional standard",
}
GAP_SCORES = (1, 2)  # a statement scored 1 or 2 needs an action
MAX_SCORE = 4

# The five key questions: the contract's key, CQC's name, and their statements' codes.
KEY_QUESTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    key: (name, tuple(QUALITY_STATEMENTS[name]))
    for key, name in (
        ("safe", "Safe"),
        ("effective", "Effective"),
        ("caring", "Caring"),
        ("responsive", "Responsive"),
        ("well_led", "Well-led"),
    )
}
KEY_OF: dict[str, str] = {code: key for key, (_, codes) in KEY_QUESTIONS.items() for code in codes}

RATINGS = {
    "outstanding": "Outstanding",
    "good": "Good",
    "requires_improvement": "Requires improvement",
    "inadequate": "Inadequate",
}
# Each rating's band of whole percentages, best first. 25% is the lowest score possible (every
# statement scored 1), so inadequate's band runs from 25.
BANDS: tuple[tuple[str, int, int], ...] = (
    ("outstanding", 88, 100),
    ("good", 63, 87),
    ("requires_improvement", 39, 62),
    ("inadequate", 25, 38),
)
# What each band's upper and lower parts are nearing (CQC's wording).
NEARING = {
    "outstanding": (None, "nearer to good"),
    "good": ("nearing outstanding", "nearer to requires improvement"),
    "requires_improvement": ("nearing good", "nearer to inadequate"),
    "inadequate": ("nearer to requires improvement", None),
}
THRESHOLD_NOTE = (
    "CQC says whether a score is in the upper or lower part of its rating band but does not"
    " publish where the parts meet; careobs splits each band at its midpoint."
)


def percent(total: int, assessed: int) -> int:
    """``total`` out of ``4 * assessed`` as a whole percentage, halves rounded up (exact: no
    floating point, so 62.5% is 63% — good — every time)."""
    if assessed <= 0:
        raise ValueError("no statement assessed")
    # total / (4 * assessed) * 100 = 25 * total / assessed; round half up in integers.
    return (50 * total + assessed) // (2 * assessed)


def rating_of(pct: int) -> str:
    """The CQC rating of a key question's whole-number percentage."""
    for rating, low, _high in BANDS:
        if pct >= low:
            return rating
    return "inadequate"


def band_of(rating: str) -> tuple[int, int]:
    """The whole percentages a rating covers, (low, high)."""
    for name, low, high in BANDS:
        if name == rating:
            return low, high
    raise KeyError(rating)


def threshold_of(pct: int) -> str:
    """ "upper" or "lower": which half of its rating's band ``pct`` is in (above the band's
    midpoint is upper; careobs's split, :data:`THRESHOLD_NOTE`)."""
    low, high = band_of(rating_of(pct))
    return "upper" if 2 * pct > low + high else "lower"


@dataclass(frozen=True)
class KeyQuestionResult:
    key: str  # "safe", "effective", "caring", "responsive", "well_led"
    name: str  # "Well-led"
    statements: int  # how many quality statements the key question has
    assessed: int
    total: int  # the sum of the assessed statements' scores
    score_pct: int | None  # None when none is assessed
    rating: str | None

    @property
    def maximum(self) -> int:
        return MAX_SCORE * self.assessed

    @property
    def threshold(self) -> str | None:
        return None if self.score_pct is None else threshold_of(self.score_pct)

    @property
    def rating_label(self) -> str:
        return RATINGS[self.rating] if self.rating else "Not rated"

    @property
    def position(self) -> str:
        """Where the score sits, in words: "Good, upper threshold (76-87%), nearing
        outstanding" or "Not rated: no statement assessed"."""
        if self.score_pct is None:
            return "Not rated: no statement assessed"
        low, high = band_of(self.rating)
        upper = self.threshold == "upper"
        part_low, part_high = (low + high) // 2 + 1, high
        if not upper:
            part_low, part_high = low, (low + high) // 2
        nearing = NEARING[self.rating][0 if upper else 1]
        words = f"{self.rating_label}, {self.threshold} threshold ({part_low}-{part_high}%)"
        return f"{words}, {nearing}" if nearing else words

    @property
    def sum_text(self) -> str:
        """How the percentage was reached: "23 of 32 (8 of 8 statements assessed) = 72%"."""
        if self.score_pct is None:
            return f"0 of {self.statements} statements assessed"
        return (
            f"{self.total} of {self.maximum} ({self.assessed} of {self.statements} statements"
            f" assessed) = {self.score_pct}%"
        )


def key_question(key: str, scores: dict[str, int | None]) -> KeyQuestionResult:
    """One key question's result from statement code → score (None or absent: not assessed)."""
    name, codes = KEY_QUESTIONS[key]
    given = [scores[c] for c in codes if scores.get(c) is not None]
    for score in given:
        if score not in SCORES:
            raise ValueError(f"a score is 1 to 4, not {score!r}")
    if not given:
        return KeyQuestionResult(key, name, len(codes), 0, 0, None, None)
    pct = percent(sum(given), len(given))
    return KeyQuestionResult(key, name, len(codes), len(given), sum(given), pct, rating_of(pct))


def key_questions(scores: dict[str, int | None]) -> list[KeyQuestionResult]:
    """All five key questions' results, in CQC's order."""
    return [key_question(key, scores) for key in KEY_QUESTIONS]


def gaps(scores: dict[str, int | None]) -> list[str]:
    """The statements scored 1 or 2, in CQC's order: each needs an action."""
    return [c for c in KEY_OF if scores.get(c) in GAP_SCORES]


@dataclass(frozen=True)
class Change:
    """One statement's score now against the previous assessment's."""

    code: str
    before: int | None
    after: int | None

    @property
    def text(self) -> str:
        """In words: "Up from 2 to 3", "Down from 4 to 3", "Still 3", "Newly assessed: 3",
        "Not assessed this time (was 2)", "Not assessed either time"."""
        before, after = self.before, self.after
        if before is None and after is None:
            return "Not assessed either time"
        if before is None:
            return f"Newly assessed: {after}"
        if after is None:
            return f"Not assessed this time (was {before})"
        if after > before:
            return f"Up from {before} to {after}"
        if after < before:
            return f"Down from {before} to {after}"
        return f"Still {after}"

    @property
    def direction(self) -> str:
        """ "up", "down", "same" or "" (when either side is not assessed)."""
        if self.before is None or self.after is None:
            return ""
        return "up" if self.after > self.before else "down" if self.after < self.before else "same"


def changes(before: dict[str, int | None], after: dict[str, int | None]) -> list[Change]:
    """Statement by statement, every one of the 34 in CQC's order."""
    return [Change(c, before.get(c), after.get(c)) for c in KEY_OF]
