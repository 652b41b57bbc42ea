"""The migration that corrects bands stored from the rounded score (issue 12):
migrations/versions/0012_band_exact_fraction.py, run on visits written through the sync API and
then set back to what the code before issue 12 stored for them.

With the default settings (green from 90%, amber from 75%):

==============  ===============  ========================  =============================
visit           points           stored before             after the migration
==============  ===============  ========================  =============================
89.95           1799 / 2000      green (90.0)              amber; next check unchanged
74.95           1499 / 2000      amber (75.0)              red; re-check 28 days after
other settings  51 / 58 = 87.9   green (green from 85)     left: not the rounding's doing
amber           51 / 58          amber                     left
critical        56 / 58, 9★ N/M  red                       left
green           58 / 58          green                     left
unscored        all N/A          no band                   left
==============  ===============  ========================  =============================
"""

from __future__ import annotations

import importlib.util
import uuid
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from careobs import migrate, resource_dir
from careobs.audit.models import AuditEvent
from careobs.visits.models import MonitoringVisit
from careobs.visits.scoring import COMPETENT, DEVELOPMENT, NOT_YET
from tests.support.dashboards import LONDON, local, write
from tests.support.database import stored
from tests.visits.big_checklist import big_visit, thousand_items
from tests.visits.legacy import old_unscored_submissions_accepted

AMBER = {10: "not_met", 14: "not_met", 16: "not_met", 21: "partly"}  # 51 / 58 = 87.9%
RED_CRITICAL = {9: "not_met"}  # 56 / 58, but item 9 is critical


def _migration():
    path = resource_dir("migrations") / "versions" / "0012_band_exact_fraction.py"
    spec = importlib.util.spec_from_file_location("band_exact_fraction", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _as_stored_before(db, document, **values) -> None:
    """What the code before issue 12 stored for this visit (its band from the rounded score)."""
    db.execute(
        sa.update(MonitoringVisit)
        .where(MonitoringVisit.uuid == uuid.UUID(document["id"]))
        .values(**values)
    )
    db.commit()


def test_the_migration_rebands_visits_banded_from_the_rounded_score(
    app, db, acme, checklist, visit, admin_sync, monkeypatch
):
    big = thousand_items(app, db, checklist, acme.admin)
    day = date(2026, 10, 5)
    planned = local(2026, 10, 5, 10)
    documents = {
        # 1799 / 2000 = 89.95%: shown 90.0, stored green before, amber now.
        "89.95": big_visit(acme, big, planned, met=799, partly=201),
        # 1499 / 2000 = 74.95%: shown 75.0, stored amber before, red now.
        "74.95": big_visit(acme, big, planned, met=749, partly=1),
        # 51 / 58 = 87.9%, stored green: banded under other settings (green from 85), left.
        "other settings": visit(planned, ratings=AMBER),
        "amber": visit(planned, ratings=AMBER),
        "critical": visit(planned, ratings=RED_CRITICAL),
        "green": visit(planned),
    }
    write(admin_sync, *documents.values())
    with monkeypatch.context() as patch:
        old_unscored_submissions_accepted(patch)
        write(admin_sync, visit(planned, rating="na"))
    _as_stored_before(db, documents["89.95"], band="green", outcome=COMPETENT)
    _as_stored_before(
        db,
        documents["74.95"],
        band="amber",
        outcome=DEVELOPMENT,
        next_check_on=day + timedelta(days=90),
    )
    _as_stored_before(db, documents["other settings"], band="green", outcome=COMPETENT)
    before = {
        name: (r.band, r.outcome, r.next_check_on)
        for name, r in ((n, stored(db, MonitoringVisit, d)) for n, d in documents.items())
    }
    db.rollback()
    events = db.scalar(sa.select(sa.func.count()).select_from(AuditEvent))

    engine = app.extensions["careobs.engine"]
    db.close()
    # Run where the migration ran: before 0026 chained the audit log (the migration writes its
    # events as the log then was; 0026 chains them on the way back up).
    migrate.downgrade(engine, "0025_login_sessions")
    try:
        with engine.begin() as connection:
            now = datetime(2026, 12, 6, 14, tzinfo=LONDON)
            changed = _migration().reband(connection, now=now)
        with engine.begin() as connection:
            again = _migration().reband(connection)  # nothing left to correct
    finally:
        migrate.upgrade(engine)
    assert again == 0

    assert changed == 2
    db.expire_all()
    after = {
        name: (r.band, r.outcome, r.next_check_on)
        for name, r in ((n, stored(db, MonitoringVisit, d)) for n, d in documents.items())
    }
    assert after["89.95"] == ("amber", DEVELOPMENT, day + timedelta(days=90))
    assert after["74.95"] == ("red", NOT_YET, day + timedelta(days=28))  # re-check after red
    for name in ("other settings", "amber", "critical", "green"):
        assert after[name] == before[name], name
    assert (
        db.scalar(
            sa.select(sa.func.count())
            .select_from(MonitoringVisit)
            .where(MonitoringVisit.band.is_(None))
        )
        == 1
    )
    written = db.scalars(sa.select(AuditEvent).order_by(AuditEvent.id).offset(events)).all()
    assert [(e.action, e.entity_id, e.actor_id) for e in written] == [
        ("visit_rebanded", documents["89.95"]["id"], None),
        ("visit_rebanded", documents["74.95"]["id"], None),
    ]
    assert written[0].summary == (
        "Band corrected from green to amber: 1799 of 2000 points is 89.95%, below green at 90% "
        "(it was banded on the score rounded to one decimal)."
    )
    assert written[1].summary.startswith(
        "Band corrected from amber to red: 1499 of 2000 points is 74.95%, below amber at 75%"
    )
