"""The band boundary cases of tests/data/band_boundaries.json, shared by the server's scoring
tests and the device's (in Chromium), so both are held to the very same edges."""

from __future__ import annotations

import json
from pathlib import Path

FILE = Path(__file__).resolve().parent / "data" / "band_boundaries.json"


def load() -> list[dict]:
    """Every case: points, possible, green_from, amber_from, critical → band, score_text."""
    return json.loads(FILE.read_text(encoding="utf-8"))["cases"]


def ratings(case: dict) -> tuple[list[str], list[int]]:
    """Ratings that give the case's points of its possible, and the indexes of critical items.

    As many Met as the points allow, one Partly met for an odd point, Not met for the rest;
    a critical case marks one Not met item critical.
    """
    items = case["possible"] // 2
    met, partly = divmod(case["points"], 2)
    not_met = items - met - partly
    assert not_met >= 0 and case["possible"] % 2 == 0, case
    listed = ["met"] * met + ["partly"] * partly + ["not_met"] * not_met
    if case["critical"]:
        assert not_met, f"a critical failure needs an item Not met: {case}"
        return listed, [len(listed) - 1]
    return listed, []
