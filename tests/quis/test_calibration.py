"""Kappa, its interval, the verdict and the alignment of two observers (careobs.quis.calibration)
against the design table, tables worked out by hand and an independent Fleiss (1969) variance."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from careobs.quis import calibration
from careobs.quis.calibration import (
    A4,
    LINEAR,
    QUADRATIC,
    UNWEIGHTED,
    Coded,
    agreement,
    align,
    confusion,
    kappa,
    kappas,
    verdict,
)

Z = 1.959964
# design §2.1: lead in rows, second in columns, PS PC N NP NR
DESIGN = [
    [20, 5, 2, 0, 0],
    [4, 30, 3, 1, 0],
    [1, 3, 10, 1, 0],
    [0, 1, 1, 6, 1],
    [0, 0, 0, 1, 3],
]


def embed(cells: dict[tuple[str, str], int]) -> list[list[int]]:
    """A 5×5 table from {(lead's category, second's category): count}."""
    return confusion([pair for pair, n in cells.items() for _ in range(n)])


def fleiss_unweighted(table) -> tuple[float, float]:
    """κ and its large-sample standard error, unweighted, written out as Fleiss, Cohen and
    Everitt (1969) give it, independently of the module's weighted form:

    var = [Σ_i p_ii (1 − (p_i· + p_·i)(1 − κ))² + (1 − κ)² Σ_{i≠j} p_ij (p_·i + p_j·)²
           − (κ − p_e (1 − κ))²] / (n (1 − p_e)²)
    """
    n = sum(map(sum, table))
    k = len(table)
    p = [[c / n for c in row] for row in table]
    r = [sum(row) for row in p]
    c = [sum(p[i][j] for i in range(k)) for j in range(k)]
    po = sum(p[i][i] for i in range(k))
    pe = sum(r[i] * c[i] for i in range(k))
    kap = (po - pe) / (1 - pe)
    diagonal = sum(p[i][i] * (1 - (r[i] + c[i]) * (1 - kap)) ** 2 for i in range(k))
    off = sum(p[i][j] * (c[i] + r[j]) ** 2 for i in range(k) for j in range(k) if i != j)
    var = (diagonal + (1 - kap) ** 2 * off - (kap - pe * (1 - kap)) ** 2) / (n * (1 - pe) ** 2)
    return kap, math.sqrt(var)


def weighted_by_hand(table, w) -> tuple[float, float]:
    """Weighted κ and its standard error from the 1969 paper's weighted formula, written out
    with its own loops (w̄_i = Σ_j w_ij p_·j, w̄_j = Σ_i w_ij p_i·)."""
    n = sum(map(sum, table))
    p = [[x / n for x in row] for row in table]
    r = [sum(row) for row in p]
    c = [sum(row[j] for row in p) for j in range(5)]
    po = sum(w[i][j] * p[i][j] for i in range(5) for j in range(5))
    pe = sum(w[i][j] * r[i] * c[j] for i in range(5) for j in range(5))
    kap = (po - pe) / (1 - pe)
    wi = [sum(w[i][j] * c[j] for j in range(5)) for i in range(5)]
    wj = [sum(w[i][j] * r[i] for i in range(5)) for j in range(5)]
    total = 0.0
    for i in range(5):
        for j in range(5):
            total += p[i][j] * (w[i][j] - (wi[i] + wj[j]) * (1 - kap)) ** 2
    var = (total - (kap - pe * (1 - kap)) ** 2) / (n * (1 - pe) ** 2)
    return kap, math.sqrt(var)


# ---- kappa -------------------------------------------------------------------------------------


def test_the_design_table_gives_the_four_check_values():
    got = {name: round(k.value, 4) for name, k in kappas(DESIGN).items()}
    assert got == {"unweighted": 0.6374, "a4": 0.7194, "linear": 0.7291, "quadratic": 0.8218}
    assert agreement(DESIGN) == pytest.approx(69 / 93)  # n = 93, 69 on the diagonal


def test_the_unweighted_interval_is_fleiss_1969():
    value, se = fleiss_unweighted(DESIGN)
    k = kappa(DESIGN, UNWEIGHTED)
    assert k.value == pytest.approx(value, abs=1e-12)
    assert k.low == pytest.approx(value - Z * se, abs=1e-6)
    assert k.high == pytest.approx(value + Z * se, abs=1e-6)
    assert 0.50 < k.low < k.value < k.high < 0.78  # a sensible width for n = 93


@pytest.mark.parametrize("name", ["a4", "linear", "quadratic"])
def test_weighted_intervals_follow_the_weighted_formula(name):
    value, se = weighted_by_hand(DESIGN, calibration.WEIGHTS[name])
    k = kappa(DESIGN, calibration.WEIGHTS[name])
    assert (k.value, k.low, k.high) == pytest.approx((value, value - Z * se, value + Z * se))


def test_the_weighted_formula_under_identity_weights_is_the_unweighted_one():
    for table in (DESIGN, embed({("PS", "PS"): 3, ("PC", "N"): 2, ("NR", "NR"): 4})):
        assert weighted_by_hand(table, UNWEIGHTED) == pytest.approx(fleiss_unweighted(table))


def test_a_two_category_table_by_hand():
    # PS/PS 8, PS/NR 2, NR/PS 1, NR/NR 9 (n = 20).
    # p_o = 17/20 = 0.85; rows PS 0.5, NR 0.5; columns PS 0.45, NR 0.55;
    # p_e = 0.5·0.45 + 0.5·0.55 = 0.5; κ = (0.85 − 0.5)/(1 − 0.5) = 0.7.
    # Every weighting gives 0 to PS against NR, so all four kappas are 0.7.
    # Variance (Fleiss 1969), 1 − κ = 0.3:
    #   diagonal  0.40·(1 − 0.95·0.3)² + 0.45·(1 − 1.05·0.3)² = 0.20449 + 0.21115125
    #   off       0.3²·(0.10·(0.45 + 0.5)² + 0.05·(0.55 + 0.5)²) = 0.09·0.145375 = 0.01308375
    #   minus     (0.7 − 0.5·0.3)² = 0.3025
    #   var = (0.428725 − 0.3025)/(20·0.25) = 0.025245; SE = 0.158887; 1.96·SE = 0.311413
    # Interval [0.3886, 1.0113] cut to [0.3886, 1].
    table = embed({("PS", "PS"): 8, ("PS", "NR"): 2, ("NR", "PS"): 1, ("NR", "NR"): 9})
    for k in kappas(table).values():
        assert k.value == pytest.approx(0.7)
        assert k.low == pytest.approx(0.7 - Z * math.sqrt(0.025245))
        assert round(k.low, 4) == 0.3886
        assert k.high == 1.0
    assert agreement(table) == pytest.approx(0.85)


def test_a_three_category_table_by_hand_where_the_weightings_differ():
    # PS/PS 4, PS/N 1, N/N 3, N/NR 1, NR/NR 1 (n = 10).
    # Rows PS 0.5, N 0.4, NR 0.1; columns PS 0.4, N 0.4, NR 0.2.
    # Unweighted: p_o = 0.8, p_e = 0.2 + 0.16 + 0.02 = 0.38, κ = 0.42/0.62 = 0.677419.
    # A4: w(PS,N) = w(N,NR) = 0.5, w(PS,NR) = 0: p_o = 0.8 + 0.05 + 0.05 = 0.9;
    #   p_e = 0.38 + 0.5·(0.5·0.4 + 0.4·0.4) + 0.5·(0.4·0.2 + 0.1·0.4) = 0.38 + 0.18 + 0.06
    #   = 0.62, κ = 0.28/0.38 = 0.736842. Linear gives PS–N and N–NR 0.5 too: the same.
    # Quadratic: w = 1 − 4/16 = 0.75 for both: p_o = 0.95, p_e = 0.38 + 0.75·0.48 = 0.74,
    #   κ = 0.21/0.26 = 0.807692.
    table = embed({("PS", "PS"): 4, ("PS", "N"): 1, ("N", "N"): 3, ("N", "NR"): 1, ("NR", "NR"): 1})
    got = {name: k.value for name, k in kappas(table).items()}
    assert got == pytest.approx(
        {
            "unweighted": 0.42 / 0.62,
            "a4": 0.28 / 0.38,
            "linear": 0.28 / 0.38,
            "quadratic": 0.21 / 0.26,
        }
    )
    value, se = fleiss_unweighted(table)
    assert kappa(table).low == pytest.approx(max(-1.0, value - Z * se), abs=1e-6)


def test_no_pairs_give_no_kappa_and_no_agreement():
    empty = calibration.empty_matrix()
    assert agreement(empty) is None
    for k in kappas(empty).values():
        assert (k.value, k.low, k.high) == (None, None, None)


def test_one_category_only_has_expected_agreement_one_and_no_kappa():
    table = embed({("N", "N"): 25})
    assert agreement(table) == 1.0
    for k in kappas(table).values():
        assert k.value is None and k.low is None and k.high is None
    assert verdict(kappa(table, A4).value, 25) == "cannot be computed"


def test_weights_making_every_pair_agree_give_expected_agreement_one():
    everything = tuple(tuple(1.0 for _ in range(5)) for _ in range(5))
    assert kappa(DESIGN, everything).value is None


def test_perfect_agreement_is_kappa_one_with_interval_one_to_one():
    table = embed({("PS", "PS"): 10, ("PC", "PC"): 5, ("NP", "NP"): 3, ("NR", "NR"): 2})
    for k in kappas(table).values():
        assert k.value == pytest.approx(1.0)
        assert k.low == pytest.approx(1.0) and k.high == pytest.approx(1.0)


def test_kappa_below_chance_is_negative_and_its_interval_stays_within_minus_one():
    table = embed({("PS", "NR"): 5, ("NR", "PS"): 5})
    k = kappa(table)
    assert k.value == pytest.approx(-1.0)
    assert k.low >= -1.0


# ---- verdict -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "matched", "words"),
    [
        (0.8, 20, "very good"),
        (0.7999, 20, "good"),
        (0.6, 20, "good"),
        (0.5999, 20, "moderate"),
        (0.4, 20, "moderate"),
        (0.3999, 20, "needs re-training"),
        (-0.5, 40, "needs re-training"),
        (1.0, 19, "too few to judge"),
        (None, 0, "too few to judge"),
        (None, 20, "cannot be computed"),
    ],
)
def test_verdicts_at_their_bounds(value, matched, words):
    assert verdict(value, matched) == words


# ---- alignment ---------------------------------------------------------------------------------

T0 = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def coded(key, seconds, category="PS", people=("R01",), staff=None) -> Coded:
    return Coded(key, T0 + timedelta(seconds=seconds), frozenset(people), staff, category)


def keys(alignment) -> tuple:
    return (
        [(a.key, b.key) for a, b in alignment.matched],
        [a.key for a in alignment.lead_only],
        [b.key for b in alignment.second_only],
    )


def test_the_same_set_of_people_is_required():
    lead = [coded("a", 0, people=("R01",)), coded("b", 60, people=("R01", "R02"))]
    second = [coded("x", 0, people=("R01", "R02")), coded("y", 60, people=("R02", "R01"))]
    assert keys(align(lead, second, 30)) == ([("b", "y")], ["a"], ["x"])


def test_the_tolerance_is_inclusive():
    lead = [coded("a", 0), coded("b", 100)]
    second = [coded("x", 30), coded("y", 131)]
    assert keys(align(lead, second, 30)) == ([("a", "x")], ["b"], ["y"])
    assert keys(align(lead, second, 31)) == ([("a", "x"), ("b", "y")], [], [])


def test_staff_must_agree_only_when_both_named_one():
    lead = [coded("a", 0, staff=1), coded("b", 100, staff=1), coded("c", 200, staff=None)]
    second = [coded("x", 0, staff=2), coded("y", 100, staff=None), coded("z", 200, staff=3)]
    assert keys(align(lead, second, 30)) == ([("b", "y"), ("c", "z")], ["a"], ["x"])


def test_nearest_first_not_the_lead_s_order():
    # Taking the lead's interactions in order would give a–x (18 s apart) and leave b alone;
    # nearest first pairs b–x (2 s) and leaves a.
    lead = [coded("a", 0), coded("b", 20)]
    second = [coded("x", 18)]
    assert keys(align(lead, second, 30)) == ([("b", "x")], ["a"], [])


def test_ties_go_to_the_earlier_interaction():
    # x is 10 s from both a and b: the lead's earlier (a) takes it.
    assert keys(align([coded("a", 10), coded("b", 30)], [coded("x", 20)], 30)) == (
        [("a", "x")],
        ["b"],
        [],
    )
    # a is 10 s from both x and y: the second's earlier (x) is taken.
    assert keys(align([coded("a", 20)], [coded("x", 10), coded("y", 30)], 30)) == (
        [("a", "x")],
        [],
        ["y"],
    )


def test_one_to_one_with_unmatched_on_both_sides_and_the_table():
    lead = [
        coded("a", 0, "PS"),
        coded("b", 1, "PS"),  # two at once; the second observer saw one
        coded("c", 300, "NP", people=("R02",)),
        coded("d", 900, "N"),
    ]
    second = [
        coded("x", 2, "PC"),
        coded("y", 305, "NR", people=("R02",)),
        coded("z", 600, "N"),  # nothing of the lead's within 30 s
    ]
    aligned = align(lead, second, 30)
    assert keys(aligned) == ([("b", "x"), ("c", "y")], ["a", "d"], ["z"])
    table = aligned.table
    assert table[0][1] == 1 and table[3][4] == 1 and calibration.total(table) == 2
    matched_keys = [k for pair in aligned.matched for k in (pair[0].key, pair[1].key)]
    assert len(matched_keys) == len(set(matched_keys))


def test_matched_pairs_are_in_the_lead_s_time_order():
    lead = [coded("late", 100), coded("early", 0)]
    second = [coded("x", 1), coded("y", 101)]
    assert keys(align(lead, second, 30))[0] == [("early", "x"), ("late", "y")]


def test_nothing_on_one_side_leaves_everything_unmatched():
    lead = [coded("a", 0), coded("b", 10)]
    assert keys(align(lead, [], 30)) == ([], ["a", "b"], [])
    assert keys(align([], lead, 30)) == ([], [], ["a", "b"])
    assert calibration.total(align([], [], 30).table) == 0


def test_linear_and_quadratic_weights_are_as_defined():
    assert LINEAR[0] == (1.0, 0.75, 0.5, 0.25, 0.0)
    assert QUADRATIC[0] == pytest.approx((1.0, 15 / 16, 12 / 16, 7 / 16, 0.0))
    assert all(A4[i][j] == A4[j][i] for i in range(5) for j in range(5))
