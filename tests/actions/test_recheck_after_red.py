"""Booking the re-check a red visit asks for, called directly: once per visit, whatever calls
it again (the sync path is tested in tests/dashboards/test_coverage_states.py and, with
concurrent clients, tests/sync/test_recheck_after_red.py)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from careobs.actions import service
from careobs.actions.models import RecheckBooking
from careobs.db import get_session
from careobs.visits.models import MonitoringVisit
from tests.support.sync import SyncApi


def test_booking_twice_for_one_red_visit_keeps_one_booking(
    app, login_as, org, checklist, visit_doc
):
    red = visit_doc(ratings={checklist.critical[0]: "not_met"})  # 20 Nov 2026
    assert SyncApi(login_as(org.supervisor))(red)[0]["status"] == "created"

    with app.app_context():
        db = get_session()
        visit = db.scalar(sa.select(MonitoringVisit))
        supervisor = db.merge(org.supervisor)
        assert service.book_recheck_after_red(db, supervisor, visit) is None  # booked already
        assert service.book_recheck_after_red(db, supervisor, visit) is None
        db.commit()
        [booking] = db.scalars(sa.select(RecheckBooking)).all()
        assert (booking.after_visit_id, booking.due_by) == (visit.id, date(2026, 12, 18))
        assert booking.focus_item_keys == [str(checklist.items[checklist.critical[0]].key)]


def test_a_green_or_unscored_visit_books_nothing(app, login_as, org, visit_doc):
    assert SyncApi(login_as(org.supervisor))(visit_doc())[0]["status"] == "created"

    with app.app_context():
        db = get_session()
        visit = db.scalar(sa.select(MonitoringVisit))
        supervisor = db.merge(org.supervisor)
        assert service.book_recheck_after_red(db, supervisor, visit) is None
        visit.score, visit.band = None, "red"  # never stored so, but no score is no check
        assert service.book_recheck_after_red(db, supervisor, visit) is None
        assert service.fulfil_rechecks(db, visit) == []
        db.rollback()
        assert db.scalars(sa.select(RecheckBooking)).all() == []
