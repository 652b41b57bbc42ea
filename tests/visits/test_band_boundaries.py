"""The band boundary cases (tests/data/band_boundaries.json) against the server's scoring:
bands from the exact fraction, the score rounded only for display. tests/e2e/
test_band_boundaries.py runs the same cases against static/js/visit-scoring.js."""

from __future__ import annotations

import pytest

from careobs.checklists.scoring import Answer, band_for, score_percent
from careobs.visits.scoring import Rules, outcome
from tests import band_cases

CASES = band_cases.load()


def shown(score: float | None) -> str | None:
    return None if score is None else f"{score:.1f}%"


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_outcome_at_the_band_edges(case):
    rules = Rules(green_from=case["green_from"], amber_from=case["amber_from"])
    listed, critical = band_cases.ratings(case)

    result = outcome([Answer(r, i in critical) for i, r in enumerate(listed)], rules)

    assert (result.points, result.possible) == (case["points"], case["possible"])
    assert result.band == case["band"]
    assert shown(result.score) == case["score_text"]
    assert result.critical_failures == (1 if case["critical"] else 0)


@pytest.mark.parametrize("case", [c for c in CASES if not c["critical"]], ids=lambda c: c["name"])
def test_band_for_and_score_percent_at_the_band_edges(case):
    rules = Rules(green_from=case["green_from"], amber_from=case["amber_from"])

    assert band_for(case["points"], case["possible"], rules) == case["band"]
    assert shown(score_percent(case["points"], case["possible"])) == case["score_text"]


def test_the_cases_cover_the_edges_the_issue_names():
    by_fraction = {(c["points"], c["possible"], c["green_from"]): c for c in CASES}
    assert by_fraction[(1799, 2000, 90)]["band"] == "amber"
    assert by_fraction[(17999, 20000, 90)]["band"] == "amber"
    assert by_fraction[(1800, 2000, 90)]["band"] == "green"
    assert by_fraction[(1499, 2000, 90)]["band"] == "red"
    assert by_fraction[(1500, 2000, 90)]["band"] == "amber"
    assert by_fraction[(0, 0, 90)]["band"] is None
    assert any(c["critical"] and c["band"] == "red" for c in CASES)
