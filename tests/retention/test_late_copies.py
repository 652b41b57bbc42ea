"""A synced copy dated before its retention cut-off is answered ``invalid`` and never stored:
not as a new record, not as a revision, not as a quarantined copy — and a purge racing a device
that syncs an old copy of a record being removed never leaves it behind."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from careobs.quis.models import QuisSession
from careobs.retention.purge import purge_organisation
from careobs.sync.models import QuarantinedDocument
from tests.factories import DataBuilder
from tests.retention.records import DAY, SECOND, cutoff
from tests.support.quis import interaction, quis_doc
from tests.support.race import threaded_app, together
from tests.support.sync import iso, revise
from tests.support.web import PASSWORD
from tests.sync.devices import SyncClient

PAST = "This record is past its retention period: QUIS observations are kept 36 months (3 years)"


class NoLedger:
    """The device's answers are checked here, not kept in a ledger."""

    def note(self, documents, reply) -> None:
        """Nothing to note."""


def old_doc(org, started_at, **fields):
    return quis_doc(
        org.care_home,
        started_at=iso(started_at),
        ended_at=iso(started_at + 30 * SECOND),
        interactions=[interaction("PS", at=iso(started_at + SECOND))],
        status="submitted",
        **fields,
    )


def sessions(db) -> int:
    db.expire_all()
    return db.scalar(sa.select(sa.func.count()).select_from(QuisSession))


def test_a_copy_dated_before_the_cut_off_is_invalid_and_not_stored(app, auth, sync, db, org):
    cut = cutoff(app, db, org, 36)
    auth.login(org.supervisor)
    late, kept = old_doc(org, cut - SECOND), old_doc(org, cut)

    results = sync(late, kept)

    assert results[0]["status"] == "invalid"
    assert results[0]["errors"]["started_at"][0].startswith(PAST)
    assert "revision" not in results[0]
    assert results[1]["status"] == "created"
    assert sessions(db) == 1


def test_a_stored_record_past_its_period_is_unchanged_when_resent_and_never_quarantined(
    app, auth, sync, db, org
):
    """Its author resending what the server holds writes nothing (it is answered as before);
    a different copy of it would be quarantined, but is refused: it would outlive the purge."""
    cut = cutoff(app, db, org, 36)
    auth.login(org.supervisor)
    document = old_doc(org, cut + DAY)
    assert sync(document)[0]["status"] == "created"
    db.execute(sa.update(QuisSession).values(started_at=cut - DAY))  # time has passed
    db.commit()

    assert sync(document)[0]["status"] == "unchanged"
    changed = revise(document, 2, notes="Edited later.", started_at=iso(cut - DAY))
    answer = sync(changed)[0]
    assert answer["status"] == "invalid" and answer["errors"]["started_at"][0].startswith(PAST)
    db.expire_all()
    assert db.scalar(sa.select(sa.func.count()).select_from(QuarantinedDocument)) == 0


def test_a_draft_cannot_be_revised_into_the_past(app, auth, sync, db, org):
    cut = cutoff(app, db, org, 36)
    auth.login(org.supervisor)
    draft = quis_doc(org.care_home)
    assert sync(draft)[0]["status"] == "created"
    backdated = revise(draft, 2, started_at=iso(cut - DAY), ended_at=iso(cut - DAY + 60 * SECOND))
    assert sync(backdated)[0]["status"] == "invalid"
    db.expire_all()
    assert db.scalar(sa.select(QuisSession.revision)) == 1


@pytest.mark.parametrize("rounds", [3])
def test_a_purge_racing_a_sync_of_an_old_copy_never_resurrects_it(
    database_url, tmp_path, monkeypatch, rounds
):
    """A device sends changed copies of records the purge is removing at that moment, on a
    real threaded server: each copy is refused (invalid) whether it arrives before, during or
    after the batch that removes its record, and nothing of them is left — no session, no
    quarantined copy."""
    monkeypatch.setenv("CAREOBS_INSTANCE_PATH", str(tmp_path / "instance"))
    with threaded_app(database_url, tmp_path, "purge-race") as (app, db, port):
        org = DataBuilder(app, db, PASSWORD).organisation()
        cut = cutoff(app, db, org, 36)
        device = SyncClient(port, ledger=NoLedger())
        device.log_in(org.supervisor.email)
        try:
            _race(app, db, org, cut, device, rounds)
        finally:
            device.close()


def _race(app, db, org, cut, device, rounds: int) -> None:
    for _ in range(rounds):
        # Stored while within their period, then time passes (their dates move back).
        documents = [old_doc(org, cut + DAY) for _ in range(20)]
        assert set(device.send(documents).statuses) == {"created"}
        db.execute(sa.update(QuisSession).values(started_at=cut - DAY))
        db.commit()
        late = [revise(d, 2, notes="A late edit.", started_at=iso(cut - DAY)) for d in documents]
        purge_db = app.extensions["careobs.sessionmaker"]()

        def run_purge(purge_db=purge_db):
            with app.app_context():
                return purge_organisation(purge_db, org.org.id, batch_size=5)

        reply, run = together(lambda late=late: device.send(late), run_purge)
        purge_db.close()
        assert reply.status == 200
        assert set(reply.statuses) == {"invalid"}
        assert run.records["quis_sessions"] == 20
        assert sessions(db) == 0
        db.expire_all()
        assert db.scalar(sa.select(sa.func.count()).select_from(QuarantinedDocument)) == 0
