"""Migration 0013 (issue 12): a visit that scored nothing loses its next check date, and a worker
whose latest scored visit was red before red visits booked their own re-check gets that booking.

Visits are written through the sync API (which books a red visit's re-check since 0011); the
rows are then set back to what the code before issue 12 stored, and the migration's functions
run on the database.
"""

from __future__ import annotations

import importlib.util
from datetime import date, datetime

import sqlalchemy as sa

from careobs import resource_dir
from careobs.actions.models import RecheckBooking
from careobs.visits.models import MonitoringVisit
from tests.dashboards.test_coverage_states import RED
from tests.support.dashboards import LONDON, add_worker, local, write
from tests.support.database import stored
from tests.visits.legacy import old_unscored_submissions_accepted


def _migration():
    path = resource_dir("migrations") / "versions" / "0013_unscored_and_red_backfill.py"
    spec = importlib.util.spec_from_file_location("unscored_and_red_backfill", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_visit_that_scored_nothing_has_no_next_check(
    app, db, acme, checklist, visit, admin_sync, monkeypatch
):
    scored = visit(local(2026, 10, 5, 10))
    with monkeypatch.context() as patch:
        old_unscored_submissions_accepted(patch)
        unscored = visit(local(2026, 10, 6, 10), rating="na")
        write(admin_sync, scored, unscored)
    # Stored today, an unscored visit carries no next check ...
    assert stored(db, MonitoringVisit, unscored).next_check_on is None
    assert stored(db, MonitoringVisit, scored).next_check_on == date(2027, 1, 3)  # 5 Oct + 90
    # ... and one stored before issue 12 (90 days out) loses it.
    db.execute(
        sa.update(MonitoringVisit)
        .where(MonitoringVisit.score.is_(None))
        .values(next_check_on=date(2027, 1, 4))
    )
    db.commit()
    engine = app.extensions["careobs.engine"]
    with engine.begin() as connection:
        assert _migration().clear_unscored(connection) == 1
    assert stored(db, MonitoringVisit, unscored).next_check_on is None
    assert stored(db, MonitoringVisit, scored).next_check_on == date(2027, 1, 3)


def test_the_latest_red_visit_of_a_worker_is_booked_once(
    app, db, acme, checklist, visit, admin_sync
):
    rose = add_worker(db, acme, "Rose Red", date(2024, 3, 4))  # last scored visit red
    rory = add_worker(db, acme, "Rory Redgreen", date(2024, 3, 4))  # red, then green
    ruth = add_worker(db, acme, "Ruth Booked", date(2024, 3, 4))  # red, booking kept
    red_rose = visit(local(2026, 11, 2, 10), staff=rose, ratings=RED)
    write(
        admin_sync,
        red_rose,
        visit(local(2026, 11, 3, 10), staff=rory, ratings=RED),
        visit(local(2026, 11, 20, 10), staff=rory),
        visit(local(2026, 11, 4, 10), staff=ruth, ratings=RED),
    )
    # Before 0011 red visits booked nothing: take away Rose's and Rory's bookings.
    db.execute(sa.delete(RecheckBooking).where(RecheckBooking.staff_id.in_([rose.id, rory.id])))
    db.commit()
    kept = db.scalar(sa.select(RecheckBooking).where(RecheckBooking.staff_id == ruth.id))

    engine = app.extensions["careobs.engine"]
    now = datetime(2026, 12, 6, 14, tzinfo=LONDON)
    with engine.begin() as connection:
        assert _migration().book_latest_red(connection, now=now) == 1

    db.expire_all()
    red_visit = stored(db, MonitoringVisit, red_rose)
    [booking] = db.scalars(
        sa.select(RecheckBooking).where(RecheckBooking.staff_id == rose.id)
    ).all()
    assert (booking.after_visit_id, booking.action_id) == (red_visit.id, None)
    assert booking.due_by == date(2026, 11, 30)  # 2 Nov + 28 days
    assert booking.focus_item_keys == [str(checklist.items[9].key), str(checklist.items[16].key)]
    assert booking.booked_by_id == red_visit.supervisor_id
    assert booking.fulfilled_at is None and booking.created_at == now
    assert db.scalar(sa.select(sa.func.count()).where(RecheckBooking.staff_id == rory.id)) == 0
    assert db.scalars(
        sa.select(RecheckBooking.id).where(RecheckBooking.staff_id == ruth.id)
    ).all() == [kept.id]

    # Rose's next scored visit fulfils the booking, as for one booked by the visit itself.
    write(admin_sync, visit(local(2026, 12, 1, 10), staff=rose))
    db.expire_all()
    assert db.get(RecheckBooking, booking.id).fulfilled_at is not None

    with engine.begin() as connection:
        assert _migration().book_latest_red(connection) == 0
