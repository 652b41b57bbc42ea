"""static/js/self-assessment-ratings.js, the key question lines the self-assessment form shows
live on the device, imported in a real page and held to careobs/selfassess/ratings.py, which the
server's pages and API use: the same percentage (rounded half up), rating, threshold and words
for every case, across all 34 statements."""

from __future__ import annotations

import random

from careobs.selfassess import ratings

_RESULTS = """async ({ cases, percents }) => {
  const { keyQuestion, lineOf, percent } = await import("/static/js/self-assessment-ratings.js");
  return {
    results: cases.map(({ name, codes, scores }) => {
      const r = keyQuestion(codes, scores);
      return { ...r, line: lineOf(name, r) };
    }),
    percents: percents.map(([total, assessed]) => percent(total, assessed)),
  };
}"""


def in_python(key: str, scores: dict) -> dict:
    r = ratings.key_question(key, scores)
    counted = f"{r.assessed} of {r.statements} statements assessed"
    line = (
        f"{r.name}: {counted}: not rated yet"
        if r.score_pct is None
        else f"{r.name}: {counted}, {r.total} of {r.maximum} = {r.score_pct}%: "
        f"{r.rating_label}, {r.threshold} threshold"
    )
    return {
        "statements": r.statements,
        "assessed": r.assessed,
        "total": r.total,
        "scorePct": r.score_pct,
        "rating": r.rating,
        "threshold": r.threshold,
        "line": line,
    }


def case(key: str, scores: list) -> dict:
    """``scores`` for the key question's statements in order (None: not assessed)."""
    name, codes = ratings.KEY_QUESTIONS[key]
    return {
        "key": key,
        "name": name,
        "codes": list(codes),
        "scores": dict(zip(codes, scores, strict=True)),
    }


NAMED = {
    # 5 of 8 = 62.5%: rounded half up to 63, good (lower threshold), never 62.
    "62.5": case("caring", [2, 3, None, None, None]),
    # 7 of 8 = 87.5%: 88, outstanding.
    "87.5": case("responsive", [3, 4, None, None, None, None, None]),
    # 12 of 32 = 37.5%: 38, inadequate, upper threshold.
    "37.5": case("safe", [2, 1, 2, 1, 2, 1, 2, 1]),
    # 11 of 28 = 39.29%: 39, requires improvement, lower threshold.
    "39.3": case("well_led", [2, 2, 2, 1, 1, 1, 2, None]),
    # Every statement 1: 25%, the lowest there is.
    "25": case("effective", [1, 1, 1, 1, 1, 1]),
    "100": case("caring", [4, 4, 4, 4, 4]),
    "none": case("safe", [None] * 8),
    # Good's midpoint (75) is the lower threshold; 76 upper.
    "75": case("effective", [3, 3, 3, None, None, None]),
}


def test_the_named_edges_agree_and_say_what_cqc_would(module_page):
    cases = list(NAMED.values())
    got = module_page.evaluate(_RESULTS, {"cases": cases, "percents": []})["results"]
    by_name = dict(zip(NAMED, got, strict=True))
    assert (
        by_name["62.5"]["line"]
        == "Caring: 2 of 5 statements assessed, 5 of 8 = 63%: Good, lower threshold"
    )
    assert by_name["87.5"]["line"] == (
        "Responsive: 2 of 7 statements assessed, 7 of 8 = 88%: Outstanding, lower threshold"
    )
    assert (by_name["37.5"]["scorePct"], by_name["37.5"]["rating"]) == (38, "inadequate")
    assert by_name["37.5"]["threshold"] == "upper"
    assert (by_name["39.3"]["scorePct"], by_name["39.3"]["rating"]) == (39, "requires_improvement")
    assert (by_name["25"]["scorePct"], by_name["25"]["rating"]) == (25, "inadequate")
    assert by_name["none"]["line"] == "Safe: 0 of 8 statements assessed: not rated yet"
    assert (by_name["75"]["threshold"], by_name["75"]["rating"]) == ("lower", "good")
    for name, c in NAMED.items():
        assert by_name[name] == in_python(c["key"], c["scores"]), name


def test_every_percentage_and_random_scores_across_all_34_statements_agree(module_page):
    # Every (total, assessed) a key question can have, and beyond (up to 34 statements).
    percents = [(t, a) for a in range(1, 35) for t in range(a, 4 * a + 1)]
    rng = random.Random(18)
    cases = []
    for key, (_name, codes) in ratings.KEY_QUESTIONS.items():
        for _ in range(80):
            cases.append(case(key, [rng.choice([None, 1, 2, 3, 4]) for _ in codes]))
        for assessed in range(len(codes) + 1):  # each count of statements assessed, all 4s
            cases.append(case(key, [4] * assessed + [None] * (len(codes) - assessed)))
    got = module_page.evaluate(_RESULTS, {"cases": cases, "percents": percents})
    assert got["percents"] == [ratings.percent(t, a) for t, a in percents]
    expected = [in_python(c["key"], c["scores"]) for c in cases]
    mismatched = [
        (c, g, e) for c, g, e in zip(cases, got["results"], expected, strict=True) if g != e
    ]
    assert mismatched == []
    # The random cases reach every rating.
    assert {e["rating"] for e in expected} >= set(ratings.RATINGS)
