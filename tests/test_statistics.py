"""Cluster-robust shares and the before/after test, against values worked out by hand.

Every expected number below is written out from the definitions, not from the code:
p = Σy/Σn, V = k/(k−1) · Σ(yᵢ − p·nᵢ)² / (Σn)², deff = V / (p(1−p)/n), n_eff = n / deff,
Wilson on (p, n_eff); d = p_after − p_before, SE = √(V_after + V_before), z = d/SE,
p-value = erfc(|z|/√2).
"""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from careobs.quis.scoring import Z_95, wilson_interval
from careobs.statistics import (
    MIN_CLUSTERS,
    ClusterSums,
    change_statement,
    cluster_interval,
    cluster_variance,
    compare,
    design_effect,
    effective_n,
    p_text,
    residual_sum_of_squares,
    shown_change,
    t_quantile,
    t_two_sided_p,
    two_sided_p,
)

# Three sessions (y, n) = (2, 10), (5, 10), (9, 12):
#   Σy = 16, Σn = 32, p = 16/32 = 1/2
#   Σy² = 4 + 25 + 81 = 110, Σyn = 20 + 50 + 108 = 178, Σn² = 100 + 100 + 144 = 344
#   residuals yᵢ − p·nᵢ: 2 − 5 = −3, 5 − 5 = 0, 9 − 6 = 3, so Σ(yᵢ − p·nᵢ)² = 9 + 0 + 9 = 18
#   (from the sums: 110 − 2·½·178 + ¼·344 = 110 − 178 + 86 = 18)
#   V = 3/2 · 18 / 32² = 27/1024 ≈ 0.02637 (SE ≈ 0.1624)
#   simple variance p(1−p)/n = ¼ / 32 = 8/1024, so deff = 27/8 = 3.375
#   n_eff = 32 / 3.375 = 256/27 ≈ 9.48
THREE = [(2, 10), (5, 10), (9, 12)]
# Student's t, two-sided 95% points, from the printed tables: 1 df 12.706, 2 df 4.303.
T_1 = 12.706205
T_2 = 4.302653


def wilson_by_hand(p: float, n: float, z: float = Z_95) -> tuple[float, float]:
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def test_the_sums_of_three_sessions():
    sums = ClusterSums.of(THREE)

    assert sums == ClusterSums(k=3, y=16, n=32, yy=110, yn=178, nn=344)
    assert sums.share == 0.5
    assert residual_sum_of_squares(sums) == 18
    assert cluster_variance(sums) == Fraction(27, 1024)
    assert design_effect(sums) == Fraction(27, 8)
    assert effective_n(sums) == pytest.approx(256 / 27)


def test_the_interval_of_three_sessions_is_wilson_on_the_effective_n():
    interval = cluster_interval(ClusterSums.of(THREE))

    # Three sessions: t on 2 degrees of freedom, 4.302653, not 1.96. p = ½ is symmetric:
    # centre ½; with n = 256/27, t²/n = 18.51282 / 9.48148 = 1.95253, ¼/n = 0.026367,
    # t²/(4n²) = 0.051482, half = 4.302653 · √0.077850 / 2.95253 = 0.40660.
    low, high = wilson_by_hand(0.5, 256 / 27, T_2)
    assert (interval.low, interval.high) == (pytest.approx(low), pytest.approx(high))
    assert (interval.low, interval.high) == (
        pytest.approx(0.0934, abs=1e-4),
        pytest.approx(0.9066, abs=1e-4),
    )
    # With 1.96 (as if the variance were known from many sessions) it would be 23.2–76.8%.
    assert wilson_by_hand(0.5, 256 / 27) == (
        pytest.approx(0.2315, abs=1e-4),
        pytest.approx(0.7685, abs=1e-4),
    )
    # Wider than the Wilson interval that treats the 32 interactions as independent.
    naive = wilson_interval(16, 32)
    assert interval.low < naive.low and interval.high > naive.high


def test_the_t_distribution_matches_the_printed_tables():
    assert t_quantile(1) == pytest.approx(T_1, abs=1e-6)
    assert t_quantile(2) == pytest.approx(T_2, abs=1e-6)
    assert t_quantile(8) == pytest.approx(2.306004, abs=1e-6)
    assert t_quantile(29) == pytest.approx(2.045230, abs=1e-6)
    assert t_quantile(10_000) == pytest.approx(Z_95, abs=1e-3)
    # Two-sided tail areas: t = 2.306004 on 8 df is exactly the 5% point; t = 1 on 1 df is ½
    # (the Cauchy distribution: P(|T| ≥ 1) = 1 − 2·arctan(1)/π = ½).
    assert t_two_sided_p(2.306004, 8) == pytest.approx(0.05, abs=1e-6)
    assert t_two_sided_p(1.0, 1) == pytest.approx(0.5, abs=1e-12)
    assert t_two_sided_p(0.0, 5) == 1.0 and t_two_sided_p(math.inf, 5) == 0.0


def test_one_session_keeps_its_wilson_interval():
    assert cluster_interval(ClusterSums.of([(3, 8)])) == wilson_interval(3, 8)
    assert cluster_variance(ClusterSums.of([(3, 8)])) is None


def test_nothing_coded_has_no_interval():
    assert cluster_interval(ClusterSums()) is None
    assert cluster_interval(ClusterSums.of([(0, 0), (0, 0)])) is None


def test_a_session_that_coded_nothing_is_not_a_cluster():
    # (2, 10), (5, 10), (9, 12), (0, 0): the empty session adds nothing, so k stays 3 and
    # V = 3/2 · 18 / 1024 = 27/1024, as without it.
    sums = ClusterSums.of([*THREE, (0, 0)])
    assert sums == ClusterSums.of(THREE)
    assert cluster_variance(sums) == Fraction(27, 1024)


def test_empty_sessions_do_not_make_one_session_enough_to_judge():
    # One real session a side beside four that coded nothing: one session's evidence a side,
    # "too few to judge" — not a verdict from treating 50 interactions as independent.
    before = ClusterSums.of([(20, 50), (0, 0), (0, 0), (0, 0), (0, 0)])
    after = ClusterSums.of([(8, 50), (0, 0), (0, 0), (0, 0), (0, 0)])
    assert (before.k, after.k) == (1, 1)
    assert compare(before, after) is None
    assert change_statement(before, after) == (
        "Fell from 40.0% to 16.0% (24.0 percentage points); too few sessions to judge whether "
        "this is more than chance (1 session before, 1 after; at least 5 each are needed)."
    )


def test_sessions_more_alike_than_chance_keep_the_simple_interval():
    # (5, 10), (5, 10): both exactly ½, residuals 0, V = 0, deff = 0: taken as 1, so the
    # interval is Wilson on all 20 interactions with t on 1 df (12.706): never narrower.
    # By hand: t²/n = 8.07238, centre ½, half = 12.706205 · √(0.0125 + 0.403619) / 9.07238
    # = 0.47164, so 2.84%–97.16%: two sessions say very little, however alike they are.
    sums = ClusterSums.of([(5, 10), (5, 10)])
    assert cluster_variance(sums) == 0 and design_effect(sums) == 0
    assert effective_n(sums) == 20
    interval = cluster_interval(sums)
    assert (interval.low, interval.high) == (
        pytest.approx(0.02836, abs=1e-5),
        pytest.approx(0.97164, abs=1e-5),
    )
    naive = wilson_interval(10, 20)
    assert interval.low < naive.low and interval.high > naive.high


@pytest.mark.parametrize(
    ("clusters", "y"), [([(0, 4), (0, 6), (0, 10)], 0), ([(4, 4), (6, 6), (10, 10)], 20)]
)
def test_at_zero_or_one_hundred_percent_the_interval_stays_inside_and_touches_the_end(clusters, y):
    # Every session 0% (or every one 100%): V = 0 and p(1−p) = 0, deff cannot be estimated and
    # is taken as 1: Wilson on n = 20 with t on 2 df, pinned to exactly 0 (or 1) at the
    # observed end. By hand at p = 0 the centre and the half-width are both
    # (t²/2n) / (1 + t²/n), so the far end is (t²/n) / (1 + t²/n) = 0.925641 / 1.925641 = 0.48069.
    sums = ClusterSums.of(clusters)
    assert design_effect(sums) is None
    interval = cluster_interval(sums)
    wide = wilson_by_hand(y / 20, 20, T_2)
    assert (interval.low, interval.high) == (
        pytest.approx(max(0.0, wide[0])),
        pytest.approx(min(1.0, wide[1])),
    )
    far_end = interval.high if y == 0 else 1 - interval.low
    assert far_end == pytest.approx(0.48069, abs=1e-5)
    assert (interval.low == 0.0) if y == 0 else (interval.high == 1.0)
    assert 0.0 <= interval.low <= interval.high <= 1.0


def test_large_integer_sums_are_combined_exactly():
    # Three sessions of exactly 3 in 7: every residual is 0, so the residual sum must be exactly
    # 0; in floats yy − 2p·yn + p²·nn with p = 3/7 (not a binary fraction) and sums near 10¹³
    # loses far more than 0 to rounding.
    sums = ClusterSums.of([(3_000_000, 7_000_000)] * 3)
    assert residual_sum_of_squares(sums) == 0
    assert cluster_variance(sums) == 0


def test_impossible_clusters_are_refused():
    with pytest.raises(ValueError):
        ClusterSums.of([(5, 4)])
    with pytest.raises(ValueError):
        residual_sum_of_squares(ClusterSums(k=2, y=2, n=4, yy=0, yn=10, nn=0))


# Before: five sessions of 10 interactions, (2, 3, 1, 4, 0) negative:
#   Σy = 10, Σn = 50, p = 0.2; residuals 0, 1, −1, 2, −2, Σ² = 10
#   V = 5/4 · 10 / 2500 = 0.005 (simple p(1−p)/n = 0.16/50 = 0.0032: deff 1.5625)
# After: five sessions of 10, (1, 0, 1, 0, 0) negative:
#   Σy = 2, Σn = 50, p = 0.04; residuals 0.6, −0.4, 0.6, −0.4, −0.4, Σ² = 1.2
#   V = 5/4 · 1.2 / 2500 = 0.0006, below the simple 0.04·0.96/50 = 0.000768, so 0.000768
# d = 0.04 − 0.2 = −0.16; SE = √(0.005 + 0.000768) = √0.005768 = 0.075947
# z = −0.16 / 0.075947 = −2.10672; on Student's t with 5 + 5 − 2 = 8 df, p = 0.06822 (the 5%
# point on 8 df is 2.306, so p is above 0.05; the normal curve would say 0.035)
BEFORE = [(2, 10), (3, 10), (1, 10), (4, 10), (0, 10)]
AFTER = [(1, 10), (0, 10), (1, 10), (0, 10), (0, 10)]


def test_the_difference_test_by_hand():
    result = compare(ClusterSums.of(BEFORE), ClusterSums.of(AFTER))

    assert result.change == pytest.approx(-0.16)
    assert result.se == pytest.approx(math.sqrt(0.005768))
    assert result.se == pytest.approx(0.075947, abs=1e-6)
    assert result.z == pytest.approx(-2.10672, abs=1e-5)
    assert result.df == 8
    assert result.p_value == pytest.approx(0.06822, abs=1e-5)
    assert two_sided_p(result.z) == pytest.approx(0.03514, abs=1e-5)  # the normal curve's
    assert not result.unlikely_by_chance
    assert change_statement(ClusterSums.of(BEFORE), ClusterSums.of(AFTER)) == (
        "Fell from 20.0% to 4.0% (16.0 percentage points); a change this size could be "
        "chance (p = 0.07)."
    )


def test_a_difference_unlikely_by_chance():
    # Before as above; after: ten sessions of 10 with none negative but one (1 of 10):
    # p = 1/100 = 0.01; residuals 0.9 and −0.1 ×9, Σ² = 0.81 + 0.09 = 0.9;
    # V = 10/9 · 0.9 / 10000 = 0.0001, just above the simple 0.01·0.99/100 = 0.000099, so it
    # stands. d = −0.19; SE = √(0.005 + 0.0001) = 0.071414; z = −2.66054 on 5 + 10 − 2 = 13 df:
    # p = 0.0196 (t table: 2.650 is the two-sided 2% point on 13 df, so p is just under 0.02).
    after = ClusterSums.of([(1, 10)] + [(0, 10)] * 9)
    result = compare(ClusterSums.of(BEFORE), after)
    assert result.se == pytest.approx(math.sqrt(0.0051), abs=1e-9)
    assert result.z == pytest.approx(-2.66054, abs=1e-5)
    assert result.df == 13
    assert 0.0195 < result.p_value < 0.0197
    assert result.unlikely_by_chance
    assert change_statement(ClusterSums.of(BEFORE), after) == (
        "Fell from 20.0% to 1.0% (19.0 percentage points); a change this size would be "
        "unlikely by chance alone (p = 0.02)."
    )


def test_a_difference_that_could_be_chance():
    # After: (1, 2, 1, 3, 0) of 10 each: Σy = 7, p = 0.14; residuals −0.4, 0.6, −0.4, 1.6, −1.4,
    # Σ² = 0.16 + 0.36 + 0.16 + 2.56 + 1.96 = 5.2; V = 5/4 · 5.2 / 2500 = 0.0026.
    # d = −0.06; SE = √(0.005 + 0.0026) = 0.087178; z = −0.68825; on 8 df p = 0.5108.
    after = ClusterSums.of([(1, 10), (2, 10), (1, 10), (3, 10), (0, 10)])
    result = compare(ClusterSums.of(BEFORE), after)

    assert result.z == pytest.approx(-0.68825, abs=1e-5)
    assert result.p_value == pytest.approx(0.5108, abs=1e-4)
    assert not result.unlikely_by_chance
    assert change_statement(ClusterSums.of(BEFORE), after) == (
        "Fell from 20.0% to 14.0% (6.0 percentage points); a change this size could be chance "
        "(p = 0.51)."
    )


def test_the_naive_test_would_have_called_the_chance_difference_real():
    # The same shares as independent interactions: 10/50 against 2/50, unpooled Wald:
    # SE = √(0.0032 + 0.000768) = 0.062992, z = −2.54, p = 0.011 — far more sure than the
    # sessions allow (p = 0.068 above).
    naive_z = -0.16 / math.sqrt(0.0032 + 0.000768)
    assert two_sided_p(naive_z) == pytest.approx(0.0111, abs=1e-4)
    assert compare(ClusterSums.of(BEFORE), ClusterSums.of(AFTER)).p_value > 3 * two_sided_p(naive_z)


def test_too_few_sessions_to_judge():
    four = ClusterSums.of(AFTER[:4])
    assert MIN_CLUSTERS == 5
    assert compare(ClusterSums.of(BEFORE), four) is None
    # After: (1, 0, 1, 0) of 40: 2/40 = 5.0%.
    assert change_statement(ClusterSums.of(BEFORE), four) == (
        "Fell from 20.0% to 5.0% (15.0 percentage points); too few sessions to judge whether "
        "this is more than chance (5 sessions before, 4 after; at least 5 each are needed)."
    )
    one_visit = ClusterSums.of([(3, 4)])
    assert change_statement(one_visit, ClusterSums.of(BEFORE), ("visit", "visits")) == (
        "Fell from 75.0% to 20.0% (55.0 percentage points); too few visits to judge whether "
        "this is more than chance (1 visit before, 5 after; at least 5 each are needed)."
    )


def test_nothing_to_compare_and_no_change():
    some = ClusterSums.of(BEFORE)
    assert change_statement(some, ClusterSums()) == (
        "Not enough data yet to compare: nothing recorded since."
    )
    assert change_statement(ClusterSums(), some) == (
        "Not enough data yet to compare: nothing recorded before."
    )
    assert change_statement(some, some) == "No change: 20.0% before and after."
    assert compare(some, some).p_value == 1.0


def test_no_variation_on_either_side():
    none = ClusterSums.of([(0, 10)] * 5)
    every = ClusterSums.of([(10, 10)] * 5)
    result = compare(none, every)
    assert (result.se, result.z, result.p_value) == (0.0, math.inf, 0.0)
    assert compare(none, none).p_value == 1.0


@pytest.mark.parametrize(
    ("p", "text"),
    [
        (0.31, "p = 0.31"),
        (0.02, "p = 0.02"),
        (0.004, "p = 0.004"),
        (0.0009, "p < 0.001"),
        (0.0496, "p = 0.0496"),  # "0.05" would hide that it is below the line
        (0.0504, "p = 0.05"),
        (1.0, "p = 1.00"),
    ],
)
def test_p_values_as_text(p, text):
    assert p_text(p) == text


def test_the_change_stated_is_the_difference_of_the_shares_shown():
    # 138/658 = 20.9726…% shows as 21.0%; 75/594 = 12.6263…% shows as 12.6%. The exact fall is
    # 8.346… points, which would print as "8.3" beside 21.0% and 12.6%: a sum a reader cannot
    # make add up. The sentence gives 21.0 − 12.6 = 8.4.
    before = ClusterSums.of([(138, 658)])
    after = ClusterSums.of([(75, 594)])
    assert round((138 / 658 - 75 / 594) * 100, 1) == 8.3
    assert shown_change(138 / 658, 75 / 594) == pytest.approx(-0.084)
    assert change_statement(before, after).startswith(
        "Fell from 21.0% to 12.6% (8.4 percentage points);"
    )
    # Shares that differ only beyond the shown decimal are not a change a reader can see.
    assert change_statement(ClusterSums.of([(1, 3)]), ClusterSums.of([(1000, 3001)])) == (
        "No change to one decimal: 33.3% before and after."
    )
