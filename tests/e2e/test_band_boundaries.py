"""The band boundary cases (tests/data/band_boundaries.json) against static/js/visit-scoring.js
in a real page: the device bands from the exact fraction and rounds only for display, exactly
as tests/visits/test_band_boundaries.py checks the server does."""

from __future__ import annotations

from tests import band_cases

CASES = band_cases.load()

_RUN = """async ({ cases }) => {
  const { outcome, bandFor, scorePercent } = await import("/static/js/visit-scoring.js");
  const shown = (score) => (score === null ? null : `${score.toFixed(1)}%`);
  return cases.map(({ ratings, critical, points, possible, rules }) => {
    const items = ratings.map((_, i) => ({ id: `i${i}`, critical: critical.includes(i) }));
    const answers = ratings.map((rating, i) => ({ item_id: `i${i}`, rating, comment: "" }));
    const result = outcome(answers, items, rules);
    return {
      points: result.points,
      possible: result.possible,
      band: result.band,
      scoreText: shown(result.score),
      criticalFailures: result.criticalFailures,
      bandFor: bandFor(points, possible, rules),
      scorePercentText: shown(scorePercent(points, possible)),
    };
  });
}"""


def test_the_device_bands_the_boundary_cases_as_the_data_file_says(module_page):
    sent = []
    for case in CASES:
        listed, critical = band_cases.ratings(case)
        sent.append(
            {
                "ratings": listed,
                "critical": critical,
                "points": case["points"],
                "possible": case["possible"],
                "rules": {"green_from": case["green_from"], "amber_from": case["amber_from"]},
            }
        )

    results = module_page.evaluate(_RUN, {"cases": sent})

    got = {c["name"]: r for c, r in zip(CASES, results, strict=True)}
    expected = {
        c["name"]: {
            "points": c["points"],
            "possible": c["possible"],
            "band": c["band"],
            "scoreText": c["score_text"],
            "criticalFailures": 1 if c["critical"] else 0,
            # Without the critical failure the fraction alone decides.
            "bandFor": got[c["name"]]["bandFor"] if c["critical"] else c["band"],
            "scorePercentText": c["score_text"],
        }
        for c in CASES
    }
    assert got == expected
    # The critical cases would not be red by their fraction alone.
    assert all(got[c["name"]]["bandFor"] != "red" for c in CASES if c["critical"])
