"""static/js/visit-scoring.js, the outcome the visit form shows live, imported in a real page and
checked against careobs/visits/scoring.py, which the server stores (design §2.2)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from playwright.sync_api import Page

from careobs.checklists import default
from careobs.checklists.scoring import Answer
from careobs.visits import scoring

DEFAULT_RULES = {"green_from": 90, "amber_from": 75, "lateness_tolerance_minutes": 10}
CUSTOM_RULES = {"green_from": 80, "amber_from": 60, "lateness_tolerance_minutes": 5}

_OUTCOME = """async ({ cases }) => {
  const { outcome } = await import("/static/js/visit-scoring.js");
  return cases.map(({ ratings, critical, rules }) => {
    const items = ratings.map((_, i) => ({ id: `i${i}`, critical: critical.includes(i) }));
    const answers = ratings.map((rating, i) => ({ item_id: `i${i}`, rating, comment: "" }));
    return outcome(answers, items, rules);
  });
}"""


def case(met=0, partly=0, not_met=0, na=0, critical=(), rules=None) -> dict:
    """Ratings in a fixed order; ``critical`` holds indexes into that list."""
    ratings = ["met"] * met + ["partly"] * partly + ["not_met"] * not_met + ["na"] * na
    return {"ratings": ratings, "critical": list(critical), "rules": rules or DEFAULT_RULES}


def in_js(page: Page, cases: list[dict]) -> list[dict]:
    return page.evaluate(_OUTCOME, {"cases": cases})


def in_python(c: dict) -> dict:
    rules = scoring.Rules(green_from=c["rules"]["green_from"], amber_from=c["rules"]["amber_from"])
    answers = [Answer(r, i in c["critical"]) for i, r in enumerate(c["ratings"])]
    result = scoring.outcome(answers, rules)
    return {
        "score": result.score,
        "points": result.points,
        "possible": result.possible,
        "band": result.band,
        "criticalFailures": result.critical_failures,
        "wording": result.wording,
    }


def test_band_edges_and_rounding(module_page):
    cases = {
        # 179 of 200 points = 89.5% exactly: shown 89.5, amber.
        "89.5": case(met=79, partly=21),
        # 1799 of 2000 = 89.95%: shown rounded half up as 90.0, but banded exactly: amber.
        "89.95": case(met=799, partly=201),
        # 9 of 10 = 90% exactly: green.
        "90": case(met=4, partly=1),
        # 3 of 4 = 75% exactly: amber.
        "75": case(met=1, partly=1),
        # 749 of 1000 = 74.9%: red.
        "74.9": case(met=249, partly=251),
        # 2 of 3 possible is never produced (possible is even); 1 of 6 = 16.67 -> 16.7.
        "16.7": case(partly=1, not_met=2),
    }
    results = dict(zip(cases, in_js(module_page, list(cases.values())), strict=True))
    assert {k: (r["score"], r["band"]) for k, r in results.items()} == {
        "89.5": (89.5, "amber"),
        "89.95": (90.0, "amber"),
        "90": (90.0, "green"),
        "75": (75.0, "amber"),
        "74.9": (74.9, "red"),
        "16.7": (16.7, "red"),
    }
    assert (results["89.5"]["points"], results["89.5"]["possible"]) == (179, 200)
    assert results["90"]["wording"] == "Competent"
    assert results["75"]["wording"] == "Competent — development agreed"
    assert results["74.9"]["wording"] == "Not yet competent — re-check required"


def test_custom_bands(module_page):
    results = in_js(
        module_page,
        [
            case(met=3, partly=1, rules=CUSTOM_RULES),  # 7 of 8 = 87.5: green at 80
            case(met=2, partly=2, rules=CUSTOM_RULES),  # 6 of 8 = 75: amber at 60
            case(met=3, not_met=2, rules=CUSTOM_RULES),  # 6 of 10 = 60: amber (edge)
            case(met=1, partly=1, not_met=1, rules=CUSTOM_RULES),  # 3 of 6 = 50: red
        ],
    )
    assert [(r["score"], r["band"]) for r in results] == [
        (87.5, "green"),
        (75.0, "amber"),
        (60.0, "amber"),
        (50.0, "red"),
    ]


def test_all_not_applicable_has_no_score_band_or_wording(module_page):
    (result,) = in_js(module_page, [case(na=5, critical=[0, 1])])
    assert result == {
        "score": None,
        "points": 0,
        "possible": 0,
        "band": None,
        "criticalFailures": 0,
        "wording": None,
    }


def test_a_critical_item_not_met_forces_red(module_page):
    results = in_js(
        module_page,
        [
            case(met=19, not_met=1, critical=[19]),  # 95% but a critical item Not met
            case(met=19, not_met=1, critical=[0]),  # the critical item Met: green
            case(met=19, partly=1, critical=[19]),  # critical Partly met: not forced
            case(met=19, na=1, critical=[19]),  # critical N/A: left out
            case(met=8, not_met=2, critical=[8, 9]),  # two critical failures
        ],
    )
    assert [(r["band"], r["criticalFailures"], r["wording"]) for r in results] == [
        ("red", 1, "Not yet competent — re-check required"),
        ("green", 0, "Competent"),
        ("green", 0, "Competent"),
        ("green", 0, "Competent"),
        ("red", 2, "Not yet competent — re-check required"),
    ]
    assert results[0]["score"] == 95.0


def test_the_device_agrees_with_the_server_on_a_table_of_cases(module_page):
    chooser = random.Random(20261127)
    cases = [
        case(met=79, partly=21),
        case(met=799, partly=201),
        case(met=249, partly=251),
        case(na=3),
        case(met=1),
        case(not_met=1),
        case(not_met=1, critical=[0]),
        case(partly=1, critical=[0]),
    ]
    for _ in range(300):
        n = chooser.randint(1, 40)
        ratings = [chooser.choice(["met"] * 3 + ["partly", "not_met", "na"]) for _ in range(n)]
        critical = sorted(chooser.sample(range(n), k=chooser.randint(0, min(6, n))))
        rules = chooser.choice([DEFAULT_RULES, CUSTOM_RULES])
        cases.append({"ratings": ratings, "critical": critical, "rules": rules})

    device = in_js(module_page, cases)

    expected = [in_python(c) for c in cases]
    mismatches = [(c, d, e) for c, d, e in zip(cases, device, expected, strict=True) if d != e]
    assert not mismatches, mismatches[:3]
    # The table covers every band, no band, and critical failures.
    assert {e["band"] for e in expected} == {"green", "amber", "red", None}
    assert any(e["criticalFailures"] and e["score"] >= 75 for e in expected)


_TIMEKEEPING = """async ({ cases }) => {
  const m = await import("/static/js/visit-scoring.js");
  return cases.map((c) => ({
    arrival: m.arrivalJudgement(c.planned, c.arrived, c.tolerance),
    duration: m.durationJudgement(c.minutes, c.arrived, c.left),
  }));
}"""


def test_timekeeping_judgements_agree_with_the_server(module_page):
    planned = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
    rows = [  # (minutes late, minutes stayed, planned minutes, tolerance)
        (26, 60, 90, 10),
        (10, 30, 30, 10),
        (11, 30, 30, 10),
        (-5, 45, 30, 10),
        (0, 14, 30, 10),
        (3, 15, 30, 5),
        (6, 29, 30, 5),
        (2, 1, 1, 1),  # one-minute visit, one-minute tolerance: singular words
        (1, 0, 1, 1),
    ]
    cases = [
        {
            "planned": planned.isoformat(),
            "arrived": (planned + timedelta(minutes=late)).isoformat(),
            "left": (planned + timedelta(minutes=late + stayed)).isoformat(),
            "minutes": minutes,
            "tolerance": tolerance,
        }
        for late, stayed, minutes, tolerance in rows
    ]
    results = module_page.evaluate(_TIMEKEEPING, {"cases": cases})
    for c, result in zip(cases, results, strict=True):
        arrived = datetime.fromisoformat(c["arrived"])
        left = datetime.fromisoformat(c["left"])
        late = scoring.is_late(planned, arrived, c["tolerance"])
        assert result["arrival"]["rating"] == ("not_met" if late else "met")
        assert result["arrival"]["minutes"] == scoring.minutes_late(planned, arrived)
        assert result["duration"]["minutes"] == scoring.shortfall_minutes(
            c["minutes"], arrived, left
        )
    assert [(r["arrival"]["rating"], r["duration"]["rating"]) for r in results] == [
        ("not_met", "partly"),
        ("met", "met"),
        ("not_met", "met"),
        ("met", "met"),
        ("met", "not_met"),
        ("met", "partly"),
        ("not_met", "partly"),
        ("not_met", "met"),
        ("met", "not_met"),
    ]
    assert results[7]["arrival"]["words"] == "Arrived 2 minutes late (tolerance 1 minute)."
    assert results[7]["duration"]["words"] == "Stayed the full 1 planned minute."
    assert results[8]["arrival"]["words"] == (
        "Arrived 1 minute after the planned time, within the 1-minute tolerance."
    )
    assert results[8]["duration"]["words"] == ("Stayed 0 of the 1 planned minute: 1 minute short.")
    assert results[0]["arrival"]["words"] == "Arrived 26 minutes late (tolerance 10 minutes)."
    assert results[3]["arrival"]["words"] == "Arrived 5 minutes early."
    assert results[0]["duration"]["words"] == (
        "Stayed 60 of the 90 planned minutes: 30 minutes short."
    )


def test_the_timekeeping_items_are_named_as_the_default_checklist_names_them(module_page):
    names = module_page.evaluate(
        """async () => (await import("/static/js/visit-scoring.js")).TIMEKEEPING_ITEMS"""
    )
    timekeeping = dict(default.DOMAINS)["Timekeeping"]
    assert set(names.values()) <= {text for text, _critical, _guidance in timekeeping}


def test_the_timekeeping_keys_are_the_default_items_keys(module_page):
    keys = module_page.evaluate(
        """async () => (await import("/static/js/visit-scoring.js")).TIMEKEEPING_KEYS"""
    )
    names = module_page.evaluate(
        """async () => (await import("/static/js/visit-scoring.js")).TIMEKEEPING_ITEMS"""
    )
    assert keys == {which: str(default.item_key(text)) for which, text in names.items()}


_SUGGEST = """async ({ data, items }) => {
  const m = await import("/static/js/visit-scoring.js");
  return m.timekeepingSuggestions(data, items, { lateness_tolerance_minutes: 10 })
    .map((s) => [s.item.id, s.rating]);
}"""


def test_reworded_timekeeping_items_are_found_by_their_key(module_page):
    planned = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
    data = {
        "planned_at": planned.isoformat(),
        "planned_minutes": 30,
        "arrived_at": (planned + timedelta(minutes=20)).isoformat(),
        "left_at": (planned + timedelta(minutes=35)).isoformat(),
    }
    timekeeping = dict(default.DOMAINS)["Timekeeping"]
    arrival, duration = (text for text, _critical, _guidance in timekeeping[:2])
    by_key = [
        {"id": "a", "key": str(default.item_key(arrival)), "text": "Arrived on time (±10 min)"},
        {"id": "d", "key": str(default.item_key(duration)), "text": "Stayed as long as planned"},
    ]
    by_wording = [{"id": "w", "key": "00000000-0000-4000-8000-000000000000", "text": arrival}]
    unknown = [{"id": "u", "key": "00000000-0000-4000-8000-000000000001", "text": "Was punctual"}]

    def suggested(items):
        return module_page.evaluate(_SUGGEST, {"data": data, "items": items})

    assert suggested(by_key) == [["a", "not_met"], ["d", "partly"]]  # 15 of 30 minutes
    assert suggested(by_wording) == [["w", "not_met"]]
    assert suggested(unknown) == []
