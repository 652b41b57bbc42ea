"""The addenda table: each row belongs to exactly one record, of the kind it says, and each
record's ``addenda`` lists only its own, oldest first."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from careobs.capture.addenda import Addendum
from careobs.quis.models import QuisSession
from careobs.visits.models import MonitoringVisit
from tests.support.database import stored


def _addendum(records, **link) -> Addendum:
    return Addendum(
        organisation_id=records.acme.org.id,
        author_id=records.acme.supervisor.id,
        reason="r",
        text="t",
        **link,
    )


def _ids(db, records) -> tuple[int, int]:
    return (
        stored(db, QuisSession, records.quis).id,
        stored(db, MonitoringVisit, records.visit).id,
    )


@pytest.mark.parametrize(
    "link",
    [
        {"record_kind": "quis_session"},  # no record
        {"record_kind": "quis_session", "visit": True},  # the other kind's key
        {"record_kind": "monitoring_visit", "quis": True},
        {"record_kind": "quis_session", "quis": True, "visit": True},  # two records
        {"record_kind": "care_plan", "quis": True},  # a kind that does not exist
    ],
)
def test_the_database_refuses_an_addendum_without_exactly_one_record_of_its_kind(db, records, link):
    session_id, visit_id = _ids(db, records)
    values = {"record_kind": link["record_kind"]}
    if link.get("quis"):
        values["quis_session_id"] = session_id
    if link.get("visit"):
        values["visit_id"] = visit_id
    db.add(_addendum(records, **values))

    with pytest.raises(sa.exc.IntegrityError):
        db.commit()
    db.rollback()


def test_the_database_refuses_an_addendum_to_a_record_that_does_not_exist(db, records):
    db.add(_addendum(records, record_kind="monitoring_visit", visit_id=10_000))

    with pytest.raises(sa.exc.IntegrityError):
        db.commit()
    db.rollback()


def test_each_record_lists_only_its_own_addenda_oldest_first(db, records):
    session_id, visit_id = _ids(db, records)
    when = [datetime(2026, 11, day, 9, tzinfo=UTC) for day in (1, 2, 3)]
    db.add_all(
        [
            _addendum(
                records, record_kind="quis_session", quis_session_id=session_id, created_at=when[2]
            ),
            _addendum(
                records, record_kind="monitoring_visit", visit_id=visit_id, created_at=when[1]
            ),
            _addendum(
                records, record_kind="quis_session", quis_session_id=session_id, created_at=when[0]
            ),
        ]
    )
    db.commit()
    db.expire_all()

    session = stored(db, QuisSession, records.quis)
    visit = stored(db, MonitoringVisit, records.visit)
    assert [a.created_at for a in session.addenda] == [when[0], when[2]]
    assert [a.created_at for a in visit.addenda] == [when[1]]
    assert {a.author.display_name for a in session.addenda} == {"Sue Supervisor"}
