"""The evidence pack's compliments and concerns, under Listening to and involving people (R4)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import sqlalchemy as sa

from careobs.compliments import service
from careobs.compliments.models import Compliment
from careobs.db import get_session
from careobs.evidence.pack import DONE, FOUND, build
from careobs.feedback import service as feedback_service
from careobs.feedback.models import Feedback
from careobs.org.models import Service, StaffMember

FIRST, LAST = date(2026, 1, 1), date(2026, 2, 28)


def pack_of(app, service_id):
    with app.test_request_context():
        session = get_session()
        return build(session, session.get(Service, service_id), FIRST, LAST, LAST)


def r4(pack) -> list:
    return next(s.items for section in pack.sections for s in section.statements if s.code == "R4")


def test_compliments_and_what_was_done_with_them(app, org, db, logged):
    with app.test_request_context():
        session = get_session()
        admin = session.merge(org.admin)
        hal = session.get(StaffMember, org.staff_members["Hal Homecare"].id)
        sections = {s.key: s for s in service.sections(session, org.org.id)}
        praise = service.record(
            session,
            admin,
            entry_id=uuid.uuid4(),
            service=session.get(Service, org.homecare.id),
            kind="compliment",
            section=sections["staff"],
            received_on=date(2026, 2, 15),
            source="professional",
            text="The district nurse says Hal's notes are the clearest she reads.",
            staff=[hal],
        )
        [feedback] = session.scalars(sa.select(Feedback).where(Feedback.compliment_id == praise.id))
        feedback_service.release(session, feedback, admin)
        late = session.scalar(
            sa.select(Compliment).where(Compliment.received_on == date(2026, 2, 10))
        )
        service.respond(
            session,
            admin,
            late,
            response="",
            action_text="Check the tea round times.",
            due_on=date(2030, 1, 1) - timedelta(days=1),
        )
        session.commit()
    items = {item.title: item for item in r4(pack_of(app, org.homecare.id))}
    found, done = items["Compliments and concerns"], items["What was done with them"]
    assert (found.title, found.kind) == ("Compliments and concerns", FOUND)
    # 7 entries in the period: the 6 of the fixture and the district nurse's.
    assert "7 entries: 4 compliments and 3 concerns (responded to: 1 of 3)." in found.text
    assert "not a formal complaint" in found.text
    assert dict(found.facts)["Compliments"] == "4 of 7 (57.1%)"
    assert [row[1:] for row in found.table.rows if row[0] == "Staff"] == [[2, 0, 2]]
    assert sum(row[3] for row in found.table.rows) == 7
    assert (done.title, done.kind) == ("What was done with them", DONE)
    assert dict(done.facts) == {
        "Concerns responded to": "1 of 3",
        "Actions raised from concerns": "1",
        "Feedback from compliments released": "1 of 1",
        "Acknowledged by the care worker": "0 of 1",
    }
    # No entry is quoted and nobody who gave one is named.
    assert "district nurse" not in found.text + done.text


def test_a_period_without_entries_adds_nothing(app, org, db):
    pack = pack_of(app, org.homecare.id)
    titles = {
        item.title for section in pack.sections for s in section.statements for item in s.items
    }
    assert not titles & {"Compliments and concerns", "What was done with them"}
    assert pack.counts["compliments"] == pack.counts["concerns"] == 0
