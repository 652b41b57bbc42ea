"""Evidence that the QUIS figures are reliable: observers paired, independently coding the same
period, and how far they agreed — "Reliable observation", beside the QUIS observations under
Caring: dignity (C1).

Only aggregates and each pair's date and agreement: no observer is named (the pack includes no
per-worker QUIS figure). Each kappa is the pair's stored result (careobs.quis.pairs), so the
pack, the pair's page and the dashboard never disagree.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from careobs.dashboards.filters import Scope
from careobs.dashboards.tables import Column, Table
from careobs.days import local_midnight
from careobs.evidence.contents import CHECKED, FOUND, Item
from careobs.quis import calibration, calibration_history
from careobs.wording import plural

STATEMENT = "C1"  # Caring — Kindness, compassion and dignity: where the QUIS figures are
TITLE = "Reliable observation"


def calibration_evidence(
    db: Session, scope: Scope, add, counts: dict[str, int], today: date
) -> None:
    """The period's completed pairs (counts["pairs"]) and the observers due as at the end of
    the period or of ``today``, whichever is sooner, reading nothing written after it (so a pack
    for a fixed day is the same whenever it is made); nothing when there are neither pairs nor
    observers."""
    end_of_today = local_midnight(today + timedelta(days=1), scope.zone)
    as_at = min(end_of_today, scope.end)
    as_at_day = min(today, scope.last)
    rows = calibration_history.completed_pairs(
        db, scope.service_ids, scope.start, scope.end, completed_by=end_of_today
    )
    rules = calibration_history.rules_for(db, scope.organisation_id)
    results = calibration_history.pair_results(rows, scope.zone, rules.min_kappa)
    counts["pairs"] = len(results)
    observers = calibration_history.observers(db, scope.organisation_id, scope.service_ids, as_at)
    if not results and not observers:
        return
    calibrated = {i for r in results for i in (r.lead_id, r.second_id)}
    judged = [r for r in results if r.judged]
    median = calibration_history.median_kappa(judged)
    due = sum(1 for o in observers if o.due)
    median_text = (
        f"{calibration.kappa_figure(median, (rules.min_kappa,))} "
        f"({calibration.verdict(median, calibration.TOO_FEW)}), over "
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
            f"{plural(len(results), 'paired observation', 'paired observations')}: two observers "
            "coded the same period independently, each on their own device, and their coding "
            "was compared interaction by interaction, as evidence that the QUIS figures do not "
            "depend on who observed. Only the lead observer's record is counted in the figures. "
            + rules.describe(),
            facts=[
                ("Pairs completed", str(len(results))),
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
                        r.observed_on,
                        r.matched,
                        r.lead_only + r.second_only,
                        r.kappa_words(),
                        f"{r.kappa.low:.2f}–{r.kappa.high:.2f}"
                        if r.kappa.value is not None
                        else None,
                    ]
                    for r in results
                ],
                caption="Each pair's A4-weighted kappa over its matched interactions, from "
                "the first observed; interactions seen by one observer only are counted, not "
                "dropped.",
            ),
        ),
    )
