"""Shares pooled from many sessions (or visits), and before/after differences between them.

Interactions coded in one QUIS session are not independent: the same observer, room, staff and
people. A Wilson interval over interactions pooled from many sessions treats them as if they
were, so it is too narrow. Here the *session* is the sampling unit (the cluster): the share is
the ratio estimator p = Σyᵢ / Σnᵢ over k clusters (yᵢ counted, nᵢ coded in cluster i), and its
variance is the linearised (Taylor series) cluster-robust one

    V = k/(k−1) · Σ(yᵢ − p·nᵢ)² / (Σnᵢ)²,

the variance survey software gives a ratio when clusters are the primary sampling units.
Because Σ(yᵢ − p·nᵢ)² = Σyᵢ² − 2pΣyᵢnᵢ + p²Σnᵢ², a group of clusters is fully described by six
integer sums (:class:`ClusterSums`), which SQL adds up without fetching a single session; they
are combined exactly (integers and fractions) so no float cancellation can creep in.

Pure standard-library functions: no Flask, no database.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, fields
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache

from careobs.quis.scoring import Z_95, Interval, percent, wilson_interval
from careobs.wording import plural

# A before/after difference is only judged when each side has at least this many clusters.
# Each side's variance is estimated from its k clusters, so with two or three sessions it is
# itself mostly luck, whatever reference distribution is used.
MIN_CLUSTERS = 5
# Below this two-sided p-value a change is called unlikely to be chance alone.
ALPHA = 0.05


@dataclass(frozen=True)
class ClusterSums:
    """What the statistics need from a group of clusters: integer sums, nothing per cluster.

    ``k`` counts the clusters that coded something (nᵢ > 0). A session that coded nothing adds
    nothing to the share or to the residuals, and it must not count towards the sessions a
    judgement needs: four empty sessions beside one real one are still one session's evidence.
    """

    k: int = 0  # clusters with nᵢ > 0
    y: int = 0  # Σ yᵢ: counted (e.g. negative interactions)
    n: int = 0  # Σ nᵢ: coded (every interaction)
    yy: int = 0  # Σ yᵢ²
    yn: int = 0  # Σ yᵢ·nᵢ
    nn: int = 0  # Σ nᵢ²

    @classmethod
    def of(cls, clusters: Iterable[tuple[int, int]]) -> ClusterSums:
        """The sums of (yᵢ, nᵢ) pairs, one per cluster; each needs 0 ≤ yᵢ ≤ nᵢ. A cluster with
        nᵢ = 0 is left out (see the class docstring)."""
        total = cls()
        for y, n in clusters:
            if not 0 <= y <= n:
                raise ValueError(f"a cluster needs 0 <= y <= n, got y={y}, n={n}")
            if n:
                total += cls(1, y, n, y * y, y * n, n * n)
        return total

    def __add__(self, other: ClusterSums) -> ClusterSums:
        """Two groups of clusters as one: every field is a sum, so they add field by field."""
        return ClusterSums(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    @property
    def share(self) -> float | None:
        """The ratio estimator Σy / Σn; None when nothing was coded."""
        return self.y / self.n if self.n else None


def residual_sum_of_squares(s: ClusterSums) -> Fraction:
    """Σ(yᵢ − p·nᵢ)² with p = Σy/Σn, exactly: (N²·Σy² − 2·Y·N·Σyn + Y²·Σn²) / N²."""
    if s.n == 0:
        return Fraction(0)
    numerator = s.n * s.n * s.yy - 2 * s.y * s.n * s.yn + s.y * s.y * s.nn
    if numerator < 0:  # impossible for sums of real clusters (Cauchy–Schwarz)
        raise ValueError("the sums do not come from a set of clusters")
    return Fraction(numerator, s.n * s.n)


def cluster_variance(s: ClusterSums) -> Fraction | None:
    """V = k/(k−1) · Σ(yᵢ − p·nᵢ)² / (Σnᵢ)², exactly; None with fewer than 2 clusters or n = 0
    (one cluster says nothing about how clusters differ)."""
    if s.k < 2 or s.n == 0:
        return None
    return Fraction(s.k, s.k - 1) * residual_sum_of_squares(s) / (s.n * s.n)


def simple_variance(s: ClusterSums) -> Fraction | None:
    """p(1−p)/n: the variance if every interaction were independent; None when n = 0."""
    if s.n == 0:
        return None
    p = Fraction(s.y, s.n)
    return p * (1 - p) / s.n


def design_effect(s: ClusterSums) -> Fraction | None:
    """deff = V / (p(1−p)/n): how much clustering widens the variance.

    None when it cannot be estimated: fewer than 2 clusters, nothing coded, or p = 0 or 1
    (then every cluster is 0% or every one is 100%, V = 0 and p(1−p) = 0).
    """
    variance, simple = cluster_variance(s), simple_variance(s)
    if variance is None or not simple:
        return None
    return variance / simple


def effective_n(s: ClusterSums) -> float | None:
    """n / deff, with deff taken as at least 1 (see :func:`cluster_interval`); None when n = 0."""
    if s.n == 0:
        return None
    deff = design_effect(s)
    if deff is None or deff <= 1:
        return float(s.n)
    return float(s.n / deff)


def cluster_interval(s: ClusterSums) -> Interval | None:
    """A 95% interval for a share pooled from k clusters; None when nothing was coded.

    - k = 1: the cluster's own Wilson interval (:func:`careobs.quis.scoring.wilson_interval`).
    - k ≥ 2: Wilson's formula on an *effective* sample size n_eff = n / deff, with Student's t
      on k − 1 degrees of freedom in place of 1.96 (Korn & Graubard's interval: their
      n* = n_eff·(z/t)² in Wilson's formula is exactly this). The variance rests on k clusters,
      not n interactions, so with 3 sessions the multiplier is 4.30, with 10 it is 2.26, and
      it nears 1.96 only with many. Wilson's form keeps both ends inside [0, 1] and stays
      sensible near 0% and 100%, where a plain "p ± t·√V" would run outside or shrink to a point.
    - deff < 1 (clusters more alike than chance alone would make them, most often luck in a
      small sample) is taken as 1, and deff cannot be estimated at p = 0 or 1 (V = 0 there) so
      it is taken as 1 too: the interval is never narrower than Wilson's on all n interactions
      with the same multiplier, and at p = 0 (or 1) it runs from exactly 0 (or to exactly 1).
    """
    if s.n == 0:
        return None
    if s.k <= 1:
        return wilson_interval(s.y, s.n)
    return wilson_on(s.y / s.n, effective_n(s), t_quantile(s.k - 1))


def wilson_on(p: float, n: float, z: float = Z_95) -> Interval:
    """Wilson's score interval for a share ``p`` from an effective sample size ``n`` > 0, which
    need not be a whole number; an end at p = 0 or 1 is exactly 0 or 1."""
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator
    low = 0.0 if p <= 0 else max(0.0, centre - half)
    high = 1.0 if p >= 1 else min(1.0, centre + half)
    return Interval(low, high)


def difference_variance(s: ClusterSums) -> float:
    """The variance a side brings to the difference test: V, but never below p(1−p)/n (the
    same deff ≥ 1 rule as the interval); 0 when neither can be estimated."""
    variance, simple = cluster_variance(s), simple_variance(s)
    return float(max(variance or 0, simple or 0))


@dataclass(frozen=True)
class Difference:
    """After minus before, judged by a t test that treats each side's clusters as the units."""

    before: ClusterSums
    after: ClusterSums
    change: float  # p_after − p_before, as a share (0.084 is 8.4 percentage points)
    se: float  # √(V_after + V_before)
    z: float  # change / se, the test statistic
    p_value: float  # two-sided, from Student's t on df degrees of freedom
    df: int = 0  # k_before + k_after − 2

    @property
    def unlikely_by_chance(self) -> bool:
        return self.p_value < ALPHA


def compare(before: ClusterSums, after: ClusterSums) -> Difference | None:
    """The difference between two independent sets of clusters, and how likely chance alone
    would make one this size; None when a side coded nothing or has fewer than
    :data:`MIN_CLUSTERS` clusters (too few to judge).

    d = p_after − p_before, SE = √(V_after + V_before), z = d / SE, and p = P(|T| ≥ |z|) for
    Student's t on k_before + k_after − 2 degrees of freedom: the variances rest on the
    sessions, not the interactions, so with 5 sessions a side the normal curve (p = erfc(|z|/√2))
    would call too many chance differences real. When SE is 0 (both sides are all 0% or all
    100%) the difference is either none (p = 1) or one no amount of chance between interactions
    could produce under this model (p = 0).
    """
    if before.n == 0 or after.n == 0 or min(before.k, after.k) < MIN_CLUSTERS:
        return None
    change = after.y / after.n - before.y / before.n
    se = math.sqrt(difference_variance(before) + difference_variance(after))
    z = z_score(change, se)
    df = before.k + after.k - 2
    return Difference(before, after, change, se, z, t_two_sided_p(z, df), df)


def z_score(change: float, se: float) -> float:
    """change / se; with no variation on either side (se = 0) the change is either nothing
    (z = 0) or one chance between interactions could not make (z = ±infinity)."""
    if se > 0:
        return change / se
    return math.copysign(math.inf, change) if change else 0.0


def t_two_sided_p(t: float, df: int) -> float:
    """P(|T| ≥ |t|) for Student's t on ``df`` degrees of freedom: the regularised incomplete
    beta function I_x(df/2, 1/2) at x = df / (df + t²)."""
    if math.isinf(t):
        return 0.0
    return regularised_beta(df / 2, 0.5, df / (df + t * t))


@lru_cache(maxsize=256)
def t_quantile(df: int) -> float:
    """The two-sided 95% point of Student's t on ``df`` degrees of freedom (4.303 on 2, 2.262
    on 9, 1.96 as df grows), found by bisection on :func:`t_two_sided_p` to full precision."""
    low, high = 0.0, 1000.0  # the point is 12.71 on 1 degree of freedom and falls from there
    for _ in range(200):
        middle = (low + high) / 2
        if t_two_sided_p(middle, df) > 1 - 0.95:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def regularised_beta(a: float, b: float, x: float) -> float:
    """I_x(a, b), by the continued fraction (modified Lentz) on the side where it converges
    fast: the textbook method (Press et al., *Numerical Recipes*, §6.4)."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    front = math.exp(
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    if x < (a + 1) / (a + b + 2):
        return front * _beta_fraction(a, b, x) / a
    return 1 - front * _beta_fraction(b, a, 1 - x) / b


def _beta_fraction(a: float, b: float, x: float) -> float:
    tiny = 1e-300

    def guard(value: float) -> float:
        return tiny if abs(value) < tiny else value

    c, d = 1.0, 1 / guard(1 - (a + b) * x / (a + 1))
    result = d
    for m in range(1, 500):
        even = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
        d = 1 / guard(1 + even * d)
        c = guard(1 + even / c)
        result *= d * c
        odd = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
        d = 1 / guard(1 + odd * d)
        c = guard(1 + odd / c)
        step = d * c
        result *= step
        if abs(step - 1) < 1e-15:
            break
    return result


def two_sided_p(z: float) -> float:
    """P(|Z| ≥ |z|) for a standard normal Z."""
    return math.erfc(abs(z) / math.sqrt(2))


def p_text(p: float) -> str:
    """A p-value to read: "p = 0.31", "p = 0.004", "p < 0.001"; with more decimals where two
    would round it onto the other side of the 0.05 line ("p = 0.0496", not "p = 0.05")."""
    if p < 0.001:
        return "p < 0.001"
    digits = 2 if p >= 0.01 else 3
    while (float(f"{p:.{digits}f}") < ALPHA) != (p < ALPHA):
        digits += 1
    return f"p = {p:.{digits}f}"


def shown_change(before: float, after: float) -> float:
    """After minus before as the reader can check it: the difference of the two shares as
    shown (percentages to one decimal), so 21.0% → 12.6% is a change of 8.4 points even when
    the exact shares differ by 8.35. The test itself uses the exact shares."""
    shown = Decimal(percent(after)[:-1]) - Decimal(percent(before)[:-1])
    return float(shown / 100)


def change_statement(
    before: ClusterSums, after: ClusterSums, unit: tuple[str, str] = ("session", "sessions")
) -> str:
    """The difference made, in words, e.g. "Fell from 21.0% to 12.6% (8.4 percentage points);
    a change this size would be unlikely by chance alone (p = 0.02)."

    ``unit`` names the clusters (singular, plural) for "too few sessions to judge".
    """
    if before.n == 0 and after.n == 0:
        return "Not enough data yet to compare: nothing recorded before or since."
    if before.n == 0:
        return "Not enough data yet to compare: nothing recorded before."
    if after.n == 0:
        return "Not enough data yet to compare: nothing recorded since."
    p_before, p_after = before.y / before.n, after.y / after.n
    change = shown_change(p_before, p_after)
    if change == 0:
        if p_after == p_before:
            return f"No change: {percent(p_after)} before and after."
        return f"No change to one decimal: {percent(p_after)} before and after."
    verb = "Rose" if change > 0 else "Fell"
    what = (
        f"{verb} from {percent(p_before)} to {percent(p_after)} "
        f"({abs(change) * 100:.1f} percentage points)"
    )
    result = compare(before, after)
    if result is None:
        return (
            f"{what}; too few {unit[1]} to judge whether this is more than chance "
            f"({plural(before.k, *unit)} before, {after.k} after; "
            f"at least {MIN_CLUSTERS} each are needed)."
        )
    if result.unlikely_by_chance:
        verdict = "a change this size would be unlikely by chance alone"
    else:
        verdict = "a change this size could be chance"
    return f"{what}; {verdict} ({p_text(result.p_value)})."
