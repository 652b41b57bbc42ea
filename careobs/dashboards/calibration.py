"""The QUIS dashboard's "Calibration of observers" section: each observer's paired
observations, agreement over time and reminder, for the services the dashboard shows.

The figures are :mod:`careobs.quis.calibration_history`'s; this module only adds what a page
needs (the link to each pair's result). Calibration is not cut to the dashboard's dates: a
reminder depends on the last pair, whenever it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import url_for
from sqlalchemy.orm import Session

from careobs.dashboards.filters import Scope
from careobs.quis import calibration_history
from careobs.quis.calibration_history import Observer, Rules
from careobs.wording import plural

PAIR_PAGE = "quis_pairs.detail"  # the pair's calibration result (careobs/quis/pair_views.py)
ANCHOR = "calibration"  # the section's id on the dashboard page, for links to it


@dataclass
class Section:
    observers: list[Observer]
    rules: Rules

    @property
    def due(self) -> list[Observer]:
        return [o for o in self.observers if o.due]

    def summary(self) -> str:
        """The section in one sentence, e.g. "2 of 5 observers are due to pair again."."""
        if not self.observers:
            return "Nobody has recorded a QUIS session here in the last 12 months."
        due = len(self.due)
        total = plural(len(self.observers), "observer", "observers")
        return f"{due} of {total} {'is' if due == 1 else 'are'} due to pair again."

    @property
    def anchor(self) -> str:
        return ANCHOR

    @staticmethod
    def link(pair_uuid) -> str:
        """The pair's result page."""
        return url_for(PAIR_PAGE, pair_id=pair_uuid)


def section(db: Session, scope: Scope, now: datetime) -> Section:
    """The section for the dashboard's services (whatever its dates and other filters)."""
    return Section(
        calibration_history.observers(db, scope.organisation_id, scope.service_ids, now),
        calibration_history.rules_for(db, scope.organisation_id),
    )
