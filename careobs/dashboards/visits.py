"""The monitoring visits dashboard: score trend, bands, domains, missed items and lateness.

Its queries (:mod:`careobs.dashboards.visit_queries`) group submitted visits by their stored
outcome, and the per-domain counts and missed items stored beside each submitted visit (never
the raw answer rows); this module turns them into tables, headline figures and sentences.

Every table's rows add up to its n. A visit with nothing applicable (every item N/A, stored
before such visits were refused) has no score and no band: it is counted as "Unscored", so
Green + Amber + Red + Unscored = Visits, and shares of a band are stated against the scored
visits, saying so.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from careobs.dashboards.filters import Scope
from careobs.dashboards.tables import NOTE, Chart, Column, Table, counts_with_shares
from careobs.dashboards.visit_queries import (
    LATENESS,
    NO_VISITS,
    domain_grid,
    missed_items,
    outcomes,
)

__all__ = [
    "LATENESS",
    "domain_grid",
    "headline",
    "missed_items",
    "outcomes",
    "scored_text",
    "tables",
]

UNSCORED_MEANS = (
    "Unscored: every item was N/A, so the visit has no score and no band (such a visit can no "
    "longer be submitted)"
)
BANDS_MEAN = (
    "Bands follow the organisation's settings and are judged on the exact score, so 89.95% "
    "shows as 90.0% but is amber when green starts at 90%; red includes every visit where a "
    "critical item was not met."
)


def tables(db: Session, scope: Scope) -> tuple[dict, list[Table]]:
    """The scope's overall figures and the dashboard's tables: scores, bands, domains, missed
    items and lateness."""
    spans = scope.periods()
    per_period, late_counts, unrecorded = outcomes(db, scope)
    unit = scope.grouping.capitalize()
    overall = {key: sum(p[key] or 0 for p in per_period) for key in (*NO_VISITS, "score_sum")}

    def note(p: dict) -> str:
        if p["visits"] == 0:
            return "no visits"
        if p["scored"] == 0:
            return "no scored visits"
        return f"small sample: n = {p['scored']}" if p["scored"] < 5 else ""

    trend = Table(
        "scores",
        "Average score",
        [
            Column("period", unit),
            Column("visits", "Visits (n)", "int"),
            Column("scored", "Scored (n)", "int"),
            Column("score", "Average score", "pct"),
            NOTE,
        ],
        [
            [
                s.label,
                p["visits"],
                p["scored"],
                p["score_sum"] / p["scored"] / 100 if p["scored"] else None,
                note(p),
            ]
            for s, p in zip(spans, per_period, strict=True)
        ],
        caption=(
            "Mean of the scores of the scored visits only (points as a share of those "
            "possible). Unscored visits, with every item N/A, are left out of the average."
        ),
        chart=Chart("Average visit score", "line", "period", ("score",)),
    )
    bands = Table(
        "bands",
        "Visits by outcome band",
        [
            Column("period", unit),
            Column("visits", "Visits (n)", "int"),
            Column("green", "Green", "int"),
            Column("amber", "Amber", "int"),
            Column("red", "Red", "int"),
            Column("unscored", "Unscored", "int"),
            Column("late", "Late arrivals", "int"),
        ],
        [
            [s.label, p["visits"], p["green"], p["amber"], p["red"], p["unscored"], p["late"]]
            for s, p in zip(spans, per_period, strict=True)
        ],
        caption=(
            "Green + Amber + Red + Unscored = Visits. "
            f"{UNSCORED_MEANS}. {BANDS_MEAN} "
            "Late arrivals are counted apart from the bands, out of all the visits."
        ),
        chart=Chart(
            "Visits by band",
            "stacked",
            "period",
            ("green", "amber", "red", "unscored"),
            percent=False,
        ),
    )
    domains, cells = domain_grid(db, scope)
    grid = Table(
        "domains",
        "% met by checklist domain",
        [Column("domain", "Domain")]
        + [Column(f"p{i}", s.label, "pct") for i, s in enumerate(spans)]
        + [Column("n", "Items rated (n)", "int")],
        [
            [
                name,
                *(_share(cells.get((key, i))) for i in range(len(spans))),
                sum(cells.get((key, i), (0, 0))[1] for i in range(len(spans))),
            ]
            for key, name in domains
        ],
        caption="Met as a share of the items rated (N/A left out); a dash means none rated.",
        empty="No visits for these filters.",
        heat=True,
    )
    missed = Table(
        "missed",
        "Most often missed items",
        [
            Column("item", "Item"),
            Column("domain", "Domain"),
            Column("missed", "Missed (n)", "int"),
            Column("not_met", "Not met", "int"),
            Column("partly", "Partly met", "int"),
            Column("share", "Share of scored visits", "pct"),
        ],
        [
            [
                m["item"],
                m["domain"],
                m["missed"],
                m["not_met"],
                m["partly"],
                m["missed"] / overall["scored"] if overall["scored"] else None,
            ]
            for m in missed_items(db, scope)
        ],
        caption=(
            "Items rated Not met or Partly met. Share of scored visits: the visits that missed "
            f"the item, out of the {_count(overall['scored'], 'scored visit')} (visits where "
            "the item was N/A are still counted in that total)."
        ),
        empty="No item was missed at the visits in this period.",
        chart=Chart("Most often missed items", "bar", "item", ("missed",), percent=False),
    )
    arrived = sum(late_counts.values())
    late_table = counts_with_shares(
        "lateness",
        "Arrival against the planned time",
        Column("band", "Arrival"),
        late_counts.items(),
        caption=f"Visits with an arrival time recorded: {arrived}; without: {unrecorded}.",
        chart=Chart("Arrival against the planned time", "bar", "band", ("visits",), percent=False),
    )
    return overall, [trend, bands, grid, missed, late_table]


def _share(cell: tuple[int, int] | None) -> float | None:
    if not cell or cell[1] == 0:
        return None
    return cell[0] / cell[1]


def _count(n: int, word: str) -> str:
    """``1 scored visit``, ``2 scored visits``."""
    return f"{n} {word}{'' if n == 1 else 's'}"


def scored_text(overall: dict) -> str:
    """What the band shares are out of, in a sentence (for the evidence pack)."""
    visits, scored, unscored = overall["visits"], overall["scored"], overall["unscored"]
    if not visits:
        return "No monitoring visits in the period."
    return (
        f"Scored: {scored} of {_count(visits, 'visit')}; unscored (every item N/A): {unscored}. "
        "Green + Amber + Red + Unscored = Visits; each band's share in the figures above is out "
        "of the scored visits."
    )


def headline(overall: dict) -> list[tuple[str, str]]:
    """The period's figures, each with its denominator: bands out of the scored visits,
    the rest out of all the visits."""
    visits, scored = overall["visits"], overall["scored"]

    def of_scored(key: str) -> str:
        if not scored:
            return "0 (no scored visits)" if visits else "0"
        return f"{overall[key]} of {scored} scored ({overall[key] / scored * 100:.1f}%)"

    def of_visits(key: str) -> str:
        if not visits:
            return "0"
        share = overall[key] / visits * 100
        return f"{overall[key]} of {_count(visits, 'visit')} ({share:.1f}%)"

    average = overall["score_sum"] / scored if scored else None
    return [
        ("Visits", str(visits)),
        (
            "Average score",
            "—" if average is None else f"{average:.1f}% (over {_count(scored, 'scored visit')})",
        ),
        ("Green", of_scored("green")),
        ("Amber", of_scored("amber")),
        ("Red", of_scored("red")),
        ("Unscored", of_visits("unscored")),
        ("Unannounced", of_visits("unannounced")),
        ("Late arrivals", of_visits("late")),
    ]
