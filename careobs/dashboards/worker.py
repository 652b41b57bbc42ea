"""A care worker's own page: their visit scores over time and the feedback they were given.

Per-worker figures are shown only to that worker and to managers of their service (design
§2.1 and §2.4), never side by side with other workers'. Who sees what here is decided in
careobs.permissions.visits.
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import Session

from careobs.checklists.scoring import BANDS
from careobs.dashboards import coverage
from careobs.dashboards.tables import Chart, Column, Table
from careobs.db import utcnow
from careobs.feedback.models import Feedback
from careobs.org.models import StaffMember
from careobs.permissions import (
    sees_unreleased_visits_of,
    visits_on_worker_page,
)
from careobs.visits.models import VISIT_TYPES, MonitoringVisit


def tables(db: Session, member: StaffMember, zone: ZoneInfo, viewer) -> list[Table]:
    """The worker's page for ``viewer``: the worker sees a visit once its feedback is released
    to them (as on the visits list); their managers see every submitted visit, and first the
    worker's row of the coverage list (when the next check is due, and why)."""
    shown = sa.select(
        MonitoringVisit.uuid,
        MonitoringVisit.planned_at,
        MonitoringVisit.visit_type,
        MonitoringVisit.score,
        MonitoringVisit.band,
        MonitoringVisit.outcome,
    ).where(MonitoringVisit.staff_id == member.id, MonitoringVisit.status == "submitted")
    manages = sees_unreleased_visits_of(viewer, member)
    shown = shown.where(visits_on_worker_page(viewer, member))
    visits = db.execute(shown.order_by(MonitoringVisit.planned_at)).all()
    scores = Table(
        "scores",
        "Monitoring visit scores",
        [
            Column("date", "Date", "date"),
            Column("type", "Type"),
            Column("score", "Score", "pct"),
            Column("band", "Band"),
            Column("outcome", "Outcome"),
        ],
        [
            [
                v.planned_at.astimezone(zone).date(),
                VISIT_TYPES[v.visit_type],
                None if v.score is None else v.score / 100,
                BANDS.get(v.band, "—") if v.band else None,
                v.outcome,
            ]
            for v in visits
        ],
        caption="Monitoring visits of this worker's practice, oldest first"
        + ("." if manages else ", once their feedback is released."),
        empty="No monitoring visits yet.",
        chart=Chart("Visit scores over time", "line", "date", ("score",)),
    )
    feedback = db.scalars(
        sa.select(Feedback)
        .where(Feedback.staff_id == member.id, Feedback.status == "released")
        .order_by(Feedback.released_at.desc())
    ).all()
    history = Table(
        "feedback",
        "Feedback history",
        [
            Column("date", "Released", "date"),
            Column("source", "From"),
            Column("author", "Written by"),
            Column("progress", "Status"),
        ],
        [
            [
                f.released_at.astimezone(zone).date(),
                f.source_label,
                f.author.display_name,
                f.progress,
            ]
            for f in feedback
        ],
        caption="Newest first.",
        empty="No feedback released yet.",
    )
    scores.links = [url_for("visits.detail", visit_id=v.uuid) for v in visits]
    history.links = [url_for("feedback.detail", feedback_id=f.uuid) for f in feedback]
    if not manages:
        # A worker is not told when they are next due: checks are meant to be unannounced.
        return [scores, history]
    return [next_check(db, member, utcnow().astimezone(zone).date()), scores, history]


def next_check(db: Session, member: StaffMember, today: date) -> Table:
    """The worker's row of the coverage list: status, due date and why it is due then."""
    scope = coverage.service_scope(db, member.organisation_id, [member.service_id], today)
    found = coverage.workers(db, scope, today, staff_ids=[member.id])
    return Table(
        "next_check",
        "Next check",
        [
            Column("status", "Status"),
            Column("due", "Next check due", "date"),
            Column("due_because", "Due because"),
            Column("days_overdue", "Days overdue", "int"),
            Column("last_visit", "Last scored visit", "date"),
            Column("recheck_focus", "Re-check focus"),
        ],
        [
            [w.status, w.due, w.due_because, w.days_overdue(today), w.last_visit, w.recheck_focus]
            for w in found
        ],
        caption=coverage.CAPTION,
        empty="No longer an active care worker, so no check is due.",
    )
