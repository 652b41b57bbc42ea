"""A session's interactions written straight to the driver (careobs.quis.interaction_rows) are
the rows SQLAlchemy would store through the columns' types, on SQLite and on PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import sqlite

from careobs.quis import interaction_rows
from careobs.quis.documents import CleanInteraction
from careobs.quis.models import QuisInteraction, QuisSession
from tests.support.quis import START, interaction, quis_doc
from tests.support.sync import iso

AWKWARD_NOTES = (
    "",
    "Tab\there, line\nbreak, carriage\rreturn and a back\\slash",
    "\\N",  # PostgreSQL's COPY reads this, unescaped, as NULL
    "Quotes \" and ' and a comma, too",
    "Zoë said “thank you” 🙂",
)


def _processed(column: str, value):
    """``value`` as the column's own bind processors give it to the SQLite driver."""
    dialect = sqlite.dialect()
    process = QuisInteraction.__table__.c[column].type.dialect_impl(dialect).bind_processor(dialect)
    return process(value)


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 11, 27, 12, 0, tzinfo=UTC),
        datetime(2026, 6, 1, 0, 30, 5, 123456, tzinfo=timezone(timedelta(hours=1))),
        datetime(2026, 1, 1, 0, 0, 59, 1, tzinfo=timezone(timedelta(hours=-5, minutes=-30))),
        datetime(2000, 1, 1, tzinfo=timezone(timedelta(hours=14))),
    ],
)
def test_sqlite_times_are_stored_as_the_column_type_stores_them(moment):
    assert interaction_rows.sqlite_time(moment) == _processed("at", moment)


def test_people_are_stored_as_the_column_type_stores_them():
    items = [
        CleanInteraction(uuid.uuid4(), START, people, None, "PS", None, None, None, "")
        for people in (["R01"], ["R01", "R02"], ["Zoë", "R\\01"], ["R01"])
    ]

    texts = interaction_rows._people_text(items)

    assert len(texts) == 3
    for item in items:
        assert texts[tuple(item.people)] == _processed("people", item.people)


def test_interactions_come_back_as_sent(client, auth, data, db):
    acme = data.organisation()
    auth.login(acme.supervisor)
    carla = acme.staff_members["Carla Carer"]
    sent = [
        interaction(
            "NR" if n % 2 else "PS",
            ("R01", "R02") if n == 1 else ("R02",),
            staff=carla if n % 2 else None,
            minute=n + 0.5,
            note=note,
            initiated_by=None if n == 2 else "person",
            communication=None if n == 3 else "one_way",
            negative_reason="task_focused" if n % 2 else None,
        )
        for n, note in enumerate(AWKWARD_NOTES)
    ]
    # One time written with another offset and microseconds, as a phone may send it.
    sent[0]["at"] = iso((START + timedelta(seconds=7.25)).astimezone(timezone(timedelta(hours=2))))
    document = quis_doc(acme.care_home, status="submitted", interactions=sent)

    response = client.post("/api/v1/sync", json={"documents": [document]})

    assert response.get_json()["results"][0]["status"] == "created", response.get_json()
    session_id = db.scalar(
        sa.select(QuisSession.id).where(QuisSession.uuid == uuid.UUID(document["id"]))
    )
    stored = db.scalars(
        sa.select(QuisInteraction)
        .where(QuisInteraction.session_id == session_id)
        .order_by(QuisInteraction.position)
    ).all()
    assert [
        (
            str(i.uuid),
            i.position,
            i.at,
            i.people,
            i.staff_id,
            i.category,
            i.initiated_by,
            i.communication,
            i.negative_reason,
            i.note,
        )
        for i in stored
    ] == [
        (
            item["id"],
            position,
            datetime.fromisoformat(item["at"]).astimezone(UTC),
            item["people"],
            carla.id if item["staff_id"] else None,
            item["category"],
            item["initiated_by"],
            item["communication"],
            item["negative_reason"],
            item["note"],
        )
        for position, item in enumerate(sent)
    ]
    assert stored[0].at.microsecond == 250000
    # The JSON text itself, as json.dumps writes it (what SQLAlchemy's JSON type stores).
    people_texts = db.execute(
        sa.text(
            "SELECT CAST(people AS TEXT) FROM quis_interactions WHERE session_id = :s "
            "ORDER BY position"
        ),
        {"s": session_id},
    ).scalars()
    assert list(people_texts) == ['["R02"]', '["R01", "R02"]', '["R02"]', '["R02"]', '["R02"]']


def test_a_clash_on_insert_is_sqlalchemys_integrity_error(app, client, auth, data, db):
    """The sync tells an id clash (IntegrityError: answered invalid) and a deadlock (run the
    batch again) from other failures by SQLAlchemy's exception classes, on both databases."""
    acme = data.organisation()
    auth.login(acme.supervisor)
    first = interaction("PS")
    document = quis_doc(acme.care_home, interactions=[first])
    assert client.post("/api/v1/sync", json={"documents": [document]}).get_json()["results"][0][
        "status"
    ] == ("created")
    session_id = db.scalar(
        sa.select(QuisSession.id).where(QuisSession.uuid == uuid.UUID(document["id"]))
    )
    again = CleanInteraction(
        uuid.UUID(first["id"]), START, ["R01"], None, "PS", None, None, None, ""
    )

    with app.app_context(), pytest.raises(sa.exc.IntegrityError):
        interaction_rows.insert(db.connection(), session_id, [again])
    db.rollback()
