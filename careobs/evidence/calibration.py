"""Evidence that the QUIS figures are reliable: observers paired, independently coding the same
period, and how far they agreed — "Reliable observation", beside the QUIS observations under
Caring: dignity (C1).

Only aggregates and each pair's date and agreement: no observer is named (the pack includes no
per-worker QUIS figure). Each kappa is the pair's stored result (careobs.quis.pairs), so the
pack, the pair's page and the dashboard never disagree.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from careobs.dashboards.filters import Scope
from careobs.dashboards.tables import Column, Table
from careobs.evidence.contents import CHECKED, FOUND, Item
from careobs.quis import calibration, calibration_history
from careobs.wording import plural

STATEMENT = "C1"  # Caring — Kindness, compassion and dignity: where the QUIS figures are
TITLE = "Reliable observation"


def _kappa_words(value: float | None, matched: int) -> str:
    if value is None:
        return calibration.verdict(value, matched)
    return f"κ = {value:.2f} ({calibration.verdict(value, matched)})"


def calibration_evidence(
    db: Session, scope: Scope, add, counts: dict[str, int], now: datetime
) -> None:
    """The period's completed pairs (counts["pairs"]) and the observers due as at the end of
    the period (or now, if sooner); nothing when there are neither pairs nor observers."""
    rows = calibration_history.completed_pairs(db, scope.service_ids, scope.start, scope.end)
    counts["pairs"] = len(rows)
    as_at = min(now, scope.end)
    as_at_day = scope.last if now >= scope.end else now.astimezone(scope.zone).date()
    observers = calibration_history.observers(db, scope.organisation_id, scope.service_ids, as_at)
    if not rows and not observers:
        return
    rules = calibration_history.rules_for(db, scope.organisation_id)
    results = []
    calibrated = set()
    for pair, started_at, lead_id, second_id, _service in rows:
        matched = pair.matched or 0
        kappa = calibration.kappa(pair.confusion, calibration.A4)
        results.append((pair, started_at.astimezone(scope.zone).date(), matched, kappa))
        calibrated |= {lead_id, second_id}
    judged = [k.value for _, _, m, k in results if m >= calibration.TOO_FEW and k.value is not None]
    median = calibration_history.median_kappa_of(judged)
    due = sum(1 for o in observers if o.due)
    median_text = (
        f"{median:.2f} ({calibration.verdict(median, calibration.TOO_FEW)}), over "
        f"{plural(len(judged), 'pair', 'pairs')} with at least {calibration.TOO_FEW} matched "
        "interactions"
        if median is not None
        else "none: no pair had enough matched interactions to judge"
    )
    add(
        STATEMENT,
        Item(
            TITLE,
            CHECKED,
            f"{plural(len(rows), 'paired observation', 'paired observations')}: two observers "
            "coded the same period independently, each on their own device, and their coding "
            "was compared interaction by interaction, as evidence that the QUIS figures do not "
            "depend on who observed. Only the lead observer's record is counted in the figures. "
            + rules.describe(),
            facts=[
                ("Pairs completed", str(len(rows))),
                ("Observers calibrated", str(len(calibrated))),
                ("Median agreement (A4 κ)", median_text),
                (
                    "Observers due to pair again",
                    f"{due} of {len(observers)} (as at {as_at_day:%-d %b %Y})",
                ),
            ],
        ),
    )
    if not results:
        return
    add(
        STATEMENT,
        Item(
            "Agreement of each paired observation",
            FOUND,
            table=Table(
                "calibration_pairs",
                "Agreement of each paired observation",
                [
                    Column("date", "Observed", "date"),
                    Column("matched", "Matched interactions (n)", "int"),
                    Column("one_only", "Seen by one observer only", "int"),
                    Column("kappa", "Agreement (A4 κ)"),
                    Column("interval", "95% interval"),
                ],
                [
                    [
                        on,
                        matched,
                        (pair.lead_only or 0) + (pair.second_only or 0),
                        _kappa_words(kappa.value, matched),
                        f"{kappa.low:.2f}–{kappa.high:.2f}" if kappa.value is not None else None,
                    ]
                    for pair, on, matched, kappa in results
                ],
                caption="Each pair's A4-weighted kappa over its matched interactions, from "
                "the first observed; interactions seen by one observer only are counted, not "
                "dropped.",
            ),
        ),
    )
