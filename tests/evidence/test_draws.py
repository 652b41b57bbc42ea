"""The evidence pack's draws: every draw in the period with its repeat reason and verification,
and whether those drawn were then visited (care workers) or asked (people), from hand-built
records: draws through the draw pages, visits through the sync API."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from careobs.checklists import service as checklists
from careobs.db import get_session
from careobs.evidence.pack import CHECKED, build
from careobs.org.models import Service, StaffMember
from careobs.selection.models import SelectionDraw
from tests.clock import local_today
from tests.support.pdf import pdf_text
from tests.support.sync import SyncApi, iso
from tests.support.visits import checklist_info, spot_check

NOT_RECORDED = "Not recorded in careobs"


def pack_of(app, service, first, last):
    with app.test_request_context():
        session = get_session()
        return build(session, session.get(Service, service.id), first, last, last)


def item(pack, code: str, title_start: str):
    [found] = [
        i
        for section in pack.sections
        for s in section.statements
        if s.code == code
        for i in s.items
        if i.title.startswith(title_start)
    ]
    return found


@pytest.fixture
def world(app, db, data, login_as):
    """Acme's homecare: Hal (overdue) and two new starters, Wendy and Xavi; H01 (consent yes)
    and H02. Draws and visits are placed on days before today (T), London time."""
    acme = data.organisation()
    acme.people["H01"].consent = "yes"
    today = local_today(acme.org.timezone)
    for name in ("Wendy Worker", "Xavi Worker"):
        member = StaffMember(
            organisation_id=acme.org.id,
            service_id=acme.homecare.id,
            name=name,
            job_role="Care worker",
            start_date=today - timedelta(days=3),
        )
        db.add(member)
        acme.staff_members[name] = member
    manager = data.user(acme.org, "hm@acme.test", "Hana Manager", roles={acme.homecare: "manager"})
    db.commit()
    with app.app_context():
        checklist = checklist_info(db, checklists.create_default(db, acme.org.id).uuid)
        db.commit()
    return acme, today, login_as(manager), SyncApi(login_as(acme.supervisor)), checklist


def at(acme, day, hour=9):
    return datetime.combine(day, time(hour), tzinfo=ZoneInfo(acme.org.timezone))


def move(db, draw_uuid, when):
    """Date a draw made just now on another day (draws are otherwise made now)."""
    db.execute(
        sa.update(SelectionDraw).where(SelectionDraw.uuid == draw_uuid).values(created_at=when)
    )
    db.commit()


def draw(client, db, svc, count, path="/selection/", **fields) -> SelectionDraw:
    response = client.post(path, data={"service": str(svc.uuid), "count": str(count), **fields})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    db.expire_all()
    return db.scalar(sa.select(SelectionDraw).order_by(SelectionDraw.id.desc()).limit(1))


def visit(sync, acme, checklist, staff, day, **fields):
    planned = at(acme, day)
    document = spot_check(
        acme.homecare,
        acme.staff_members[staff],
        checklist,
        planned_at=iso(planned),
        arrived_at=iso(planned + timedelta(minutes=5)),
        left_at=iso(planned + timedelta(minutes=35)),
        **fields,
    )
    [result] = sync(document)
    assert result["status"] == "created", result


def test_the_pack_lists_each_draw_and_who_was_then_visited_or_asked(app, db, world):
    acme, today, client, sync, checklist = world

    def t(days: int):
        """The day ``days`` before today."""
        return today - timedelta(days=days)

    # Workers, 10 days ago: all three, then a repeat that day of one (Hal is overdue, so he
    # may be drawn again; the new starters drawn last time sit out).
    w1 = draw(client, db, acme.homecare, 3)
    w2 = draw(client, db, acme.homecare, 1, reason="Wendy and Xavi are on induction")
    for d in (w1, w2):
        move(db, d.uuid, at(acme, t(10), 10))
    assert {r["label"] for r in w1.result} == {"Hal Homecare", "Wendy Worker", "Xavi Worker"}
    assert [r["label"] for r in w2.result] == ["Hal Homecare"]
    # People, 8 days ago: both H01 and H02.
    p1 = draw(client, db, acme.homecare, 2, path="/selection/people")
    move(db, p1.uuid, at(acme, t(8), 10))
    # A draw long before the period is left out.
    old = draw(client, db, acme.homecare, 1, reason="An old round, before the period")
    move(db, old.uuid, at(acme, t(400), 10))
    # Hal is visited after the draws; Wendy only before them and after the period; Xavi's
    # visit is a draft. H01 gave her view; H02's visit recorded none.
    visit(sync, acme, checklist, "Hal Homecare", t(5))
    visit(sync, acme, checklist, "Wendy Worker", t(12))
    visit(sync, acme, checklist, "Wendy Worker", today)
    visit(sync, acme, checklist, "Xavi Worker", t(3), status="draft")
    visit(sync, acme, checklist, "Hal Homecare", t(6), person_code="H01")
    visit(
        sync,
        acme,
        checklist,
        "Hal Homecare",
        t(6),
        person_code="H02",
        consent="obtained_today",
        person_view={"satisfaction": None, "comment": ""},
    )
    # The people draw's record is changed by hand afterwards: it no longer verifies.
    doctored = db.get(SelectionDraw, p1.id)
    doctored.result = list(reversed(doctored.result))
    db.commit()

    pack = pack_of(app, acme.homecare, t(30), t(1))

    workers = item(pack, "S6", "Fair draws of care workers")
    assert workers.kind == CHECKED
    assert workers.table.rows == [
        [t(10), 1, 3, "No", "Yes", 1, 2],
        [t(10), 2, 1, "Yes: Wendy and Xavi are on induction", "Yes", 1, 0],
    ]
    assert workers.facts == [
        ("Draws", "2"),
        ("Repeat draws (same day, with the reason)", "1"),
        ("Verified", "2 of 2"),
        ("Drawn", "4"),
        ("Visited", "2"),
        ("Not yet visited", "2"),
    ]
    assert f"4 care workers drawn: 2 visited by {t(1):%-d %b %Y} and 2 not yet visited" in (
        workers.text
    )
    people = item(pack, "R4", "Fair draws of people")
    assert people.table.rows == [[t(8), 1, 2, "No", "No: tell your administrator", 1, 1]]
    assert ("Asked", "1") in people.facts and ("Not yet asked", "1") in people.facts
    assert ("Verified", "0 of 1") in people.facts
    assert pack.counts["draws_workers"] == 2 and pack.counts["draws_people"] == 1
    # drawn = checked + not yet checked, row by row and in total
    for table in (workers.table, people.table):
        for row in table.rows:
            assert row[2] == row[5] + row[6]

    # The HTML page and the PDF carry the same rows.
    query = f"service={acme.homecare.uuid}&date_from={t(30)}&date_to={t(1)}"
    for text in (
        client.get(f"/evidence/pack?{query}").get_data(as_text=True),
        pdf_text(client.get(f"/evidence/pack.pdf?{query}").data),
    ):
        assert "Fair draws of care workers to check" in text
        assert "Yes: Wendy and Xavi are on induction" in text
        assert "No: tell your administrator" in text


def test_a_visit_earlier_on_the_day_of_the_draw_did_not_follow_it(app, db, world):
    acme, today, client, sync, checklist = world
    day = today - timedelta(days=4)
    drawn = draw(client, db, acme.homecare, 3)
    move(db, drawn.uuid, at(acme, day, 15))  # drawn at 15:00
    visit(sync, acme, checklist, "Hal Homecare", day)  # 09:05 that morning: before the draw
    later = at(acme, day, 16)
    document = spot_check(
        acme.homecare,
        acme.staff_members["Wendy Worker"],
        checklist,
        planned_at=iso(later),
        arrived_at=iso(later + timedelta(minutes=5)),
        left_at=iso(later + timedelta(minutes=35)),
    )
    assert sync(document)[0]["status"] == "created"  # 16:05: after it

    workers = item(pack_of(app, acme.homecare, day, today), "S6", "Fair draws of care workers")

    assert workers.table.rows == [[day, 1, 3, "No", "Yes", 1, 2]]


def test_a_care_home_says_asking_is_not_recorded(app, db, world, login_as):
    acme, today, *_ = world
    drawn = draw(login_as(acme.manager), db, acme.care_home, 2, path="/selection/people")

    pack = pack_of(app, acme.care_home, today - timedelta(days=30), today)

    people = item(pack, "R4", "Fair draws of people")
    assert people.table.rows == [[today, 1, 2, "No", "Yes"]]
    assert [c.label for c in people.table.columns] == [
        "Drawn on",
        "Draw number",
        "How many drawn",
        "Repeat draw",
        "Verified",
    ]
    assert ("Asked", NOT_RECORDED) in people.facts
    assert "not recorded in careobs" in people.text
    assert drawn.kind == "people"
    found = [i.title for s in pack.sections for st in s.statements for i in st.items]
    assert not any(title.startswith("Fair draws of care workers") for title in found)


def test_no_draws_in_the_period_says_so(app, db, world):
    acme, today, *_ = world

    pack = pack_of(app, acme.homecare, today - timedelta(days=30), today)

    for code, title in (("S6", "Fair draws of care workers"), ("R4", "Fair draws of people")):
        found = item(pack, code, title)
        assert found.table.rows == [] and found.table.empty == "No draws in this period."
        assert ("Draws", "0") in found.facts and ("Verified", "0 of 0") in found.facts
