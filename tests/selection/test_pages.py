"""Drawing through the pages: the stored record and audit event, the previous-pick rule,
verification, bad input and who may reach each route."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from careobs.audit.models import AuditEvent
from careobs.checklists import service as checklists
from careobs.days import local_midnight
from careobs.export import improvement
from careobs.org.models import OrganisationSettings
from careobs.org.settings import CALIBRATION_DEFAULTS
from careobs.selection import service
from careobs.selection.models import SelectionDraw
from tests.clock import local_today
from tests.support.selection import draws, errors, post_draw
from tests.support.sync import SyncApi, iso
from tests.support.visits import checklist_info, spot_check


def test_a_worker_draw_is_stored_audited_and_shown(org, homecare_manager, login_as, db):
    client = login_as(homecare_manager)

    response = post_draw(client, org.homecare, count=2)

    [draw] = draws(db)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/selection/{draw.uuid}")
    assert (draw.kind, draw.service_id, draw.sequence) == ("workers", org.homecare.id, 1)
    assert re.fullmatch(r"[0-9a-f]{16}", draw.seed) and draw.repeat_reason is None
    assert draw.requested_by_id == homecare_manager.id
    inputs = {row["label"]: row for row in draw.inputs["candidates"]}
    assert {name: (row["weight"], row["reasons"]) for name, row in inputs.items()} == {
        "Hal Homecare": (1 + 4, ["overdue"]),  # started in 2025: his first check is past due
        "Nina New": (1 + 3, ["new starter"]),
        "Ollie Open": (1 + 4 + 2 * 2, ["never checked", "2 open actions"]),
    }
    assert draw.inputs["settings"]["weight_overdue"] == 4
    assert draw.inputs["previous_pick"] == [] and draw.inputs["excluded"] == []
    assert len(draw.result) == 2
    assert [row["label"] for row in draw.result] == [
        w.candidate.label for w in service.compute("workers", draw.inputs, draw.seed).picked
    ]
    [event] = db.scalars(sa.select(AuditEvent).where(AuditEvent.action == "selection_drawn"))
    assert (event.entity_type, event.entity_id) == ("SelectionDraw", str(draw.uuid))
    assert event.actor_id == homecare_manager.id and event.organisation_id == org.org.id
    assert draw.seed in event.summary

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Drawn. This record is kept" in page
    assert f"<code>{draw.seed}</code>" in page
    assert "Repeat draw</span>" not in page
    for row in draw.result:
        assert f"<strong>{row['label']}</strong> — weight {row['weight']}" in page


@pytest.mark.parametrize("seed", ["dice 4-2-6", "<script>", "x" * 5000, ""])
def test_a_posted_seed_is_ignored_and_the_server_makes_every_seed(
    seed, org, homecare_manager, login_as, db
):
    client = login_as(homecare_manager)

    first = post_draw(client, org.homecare, count=1, seed=seed)
    second = post_draw(client, org.homecare, count=1, seed=seed, reason="Hal is off sick today")

    assert (first.status_code, second.status_code) == (302, 302)
    one, two = draws(db)
    for draw in (one, two):
        assert re.fullmatch(r"[0-9a-f]{16}", draw.seed), draw.seed
    assert one.seed != two.seed
    page = client.get("/selection/").get_data(as_text=True)
    assert 'name="seed"' not in page and "Seed" not in page


def test_nobody_is_drawn_twice_in_a_row_by_chance_alone(org, homecare_manager, login_as, db):
    client = login_as(homecare_manager)
    post_draw(client, org.homecare, count=3)

    refused = post_draw(client, org.homecare, count=3, reason="A second round this week")
    response = post_draw(client, org.homecare, count=2, reason="A second round this week")

    message = "Only 2 can be drawn (1 left out this time); you asked for 3."
    assert message in errors(refused.get_data(as_text=True), "count")
    first, second = draws(db)
    assert response.status_code == 302
    assert second.inputs["previous_draw"] == str(first.uuid)
    assert sorted(second.inputs["previous_pick"]) == sorted(r["key"] for r in first.result)
    # Nina is only a new starter: she sits out. Hal is overdue and Ollie never checked: they
    # stay in.
    assert [(e["label"], e["why"]) for e in second.inputs["excluded"]] == [
        ("Nina New", "picked in the previous draw")
    ]
    assert sorted(r["label"] for r in second.result) == ["Hal Homecare", "Ollie Open"]
    page = client.get(f"/selection/{second.uuid}").get_data(as_text=True)
    assert "Left out: picked in the previous draw" in page


def test_verify_recomputes_the_draw_and_spots_a_changed_record(org, homecare_manager, login_as, db):
    client = login_as(homecare_manager)
    post_draw(client, org.homecare, count=2)
    [draw] = draws(db)

    page = client.get(f"/selection/{draw.uuid}/verify").get_data(as_text=True)
    assert "Verified:" in page and "Does not match" not in page

    draw.result = list(reversed(draw.result))  # the order of picks is part of the result
    db.commit()
    page = client.get(f"/selection/{draw.uuid}/verify").get_data(as_text=True)
    assert "Does not match:" in page and "Verified:" not in page


def test_people_are_drawn_by_code_among_those_who_did_not_refuse(
    org, homecare_manager, login_as, db
):
    client = login_as(homecare_manager)

    response = post_draw(client, org.homecare, count=2, path="/selection/people")

    [draw] = draws(db)
    assert response.status_code == 302
    assert draw.kind == "people"
    assert sorted(r["label"] for r in draw.result) == ["H01", "H02"]
    assert all(r["weight"] == 1 for r in draw.result)
    assert draw.inputs["left_out_no_consent"] == 1
    page = client.get(f"/selection/{draw.uuid}").get_data(as_text=True)
    assert "H01" in page and "H03" not in page and "H04" not in page
    assert "1 person who said no" in page
    assert "Verified:" in client.get(f"/selection/{draw.uuid}/verify").get_data(as_text=True)


@pytest.mark.parametrize(
    ("count", "path", "message"),
    [
        ("0", "/selection/", "Draw between 1 and 50."),
        ("", "/selection/", "Enter how many to draw."),
        ("4", "/selection/", "Only 3 can be drawn; you asked for 4."),
        ("3", "/selection/people", "Only 2 can be drawn; you asked for 3."),
    ],
)
def test_bad_counts_get_a_clear_message_and_store_nothing(
    count, path, message, org, homecare_manager, login_as, db
):
    client = login_as(homecare_manager)

    response = post_draw(client, org.homecare, count=count, path=path)

    assert response.status_code == 200
    assert message in errors(response.get_data(as_text=True), "count")
    assert draws(db) == []
    assert (
        db.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "selection_drawn")
        )
        == 0
    )


def test_a_service_that_is_not_yours_cannot_be_drawn_in(org, other, login_as, db):
    # Acme's care home manager may draw people in the care home but not in homecare, nor in
    # another organisation's service; workers are drawn only in homecare (monitoring visits).
    client = login_as(org.manager)
    for svc in (org.homecare, other.homecare):
        response = post_draw(client, svc, path="/selection/people")
        assert response.status_code == 200
        assert "Not a valid choice" in errors(response.get_data(as_text=True), "service")
    response = post_draw(client, org.care_home, path="/selection/")
    assert "You manage or supervise no homecare service" in response.get_data(as_text=True)
    assert draws(db) == []
    assert post_draw(client, org.care_home, count=1, path="/selection/people").status_code == 302


def test_the_draw_weights_are_settings(org, homecare_manager, login_as, db):
    admin = login_as(org.admin)
    page = admin.get("/admin/settings/").get_data(as_text=True)
    assert re.search(r'id="weight_overdue"[^>]*value="4"', page)
    values = {
        "green_from": 90,
        "amber_from": 75,
        "lateness_tolerance_minutes": 10,
        "recheck_days_after_red": 28,
        "check_frequency_days": 90,
        "new_starter_days": 28,
        "weight_base": 2,
        "weight_overdue": 10,
        "weight_new_starter": 0,
        "weight_red": 3,
        "weight_open_actions": 1,
        **CALIBRATION_DEFAULTS,
    }
    bad = admin.post("/admin/settings/", data={**values, "weight_base": 0})
    assert "Number must be between 1 and 20" in errors(bad.get_data(as_text=True), "weight_base")
    assert admin.post("/admin/settings/", data=values).status_code == 302
    db.expire_all()
    assert db.get(OrganisationSettings, org.org.id).weight_overdue == 10

    post_draw(login_as(homecare_manager), org.homecare, count=1)

    [draw] = draws(db)
    weights = {row["label"]: row["weight"] for row in draw.inputs["candidates"]}
    assert weights == {"Hal Homecare": 12, "Nina New": 2, "Ollie Open": 14}


def test_history_lists_the_services_draws(org, homecare_manager, other, login_as, db):
    client = login_as(homecare_manager)
    post_draw(client, org.homecare, count=1)
    post_draw(client, org.homecare, count=1, path="/selection/people")
    workers, people = (f"<code>{d.seed}</code>" for d in draws(db))

    page = client.get("/selection/history").get_data(as_text=True)
    assert workers in page and people in page
    page = client.get("/selection/history?kind=people").get_data(as_text=True)
    assert workers not in page and people in page
    page = client.get(f"/selection/history?service={org.homecare.uuid}").get_data(as_text=True)
    assert workers in page
    for who in (org.manager, other.admin):  # another service's manager, another organisation
        page = login_as(who).get("/selection/history").get_data(as_text=True)
        assert workers not in page and "No draws yet." in page


def test_managers_find_the_draw_from_home(org, login_as):
    page = login_as(org.manager).get("/").get_data(as_text=True)
    assert 'href="/selection/"' in page


# Anonymous users go to the login page; care workers and users with no service role are
# refused; a manager of another service and another organisation's admin may draw in their
# own services but cannot see this draw.
EXPECTED = {
    #  who                    workers people history detail verify
    "anonymous": (302, 302, 302, 302, 302),
    "staff": (403, 403, 403, 403, 403),
    "no_service_role": (403, 403, 403, 403, 403),
    "supervisor": (200, 200, 200, 200, 200),
    "other_service_manager": (200, 200, 200, 404, 404),
    "service_manager": (200, 200, 200, 200, 200),
    "admin": (200, 200, 200, 200, 200),
    "other_org_admin": (200, 200, 200, 404, 404),
}


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_every_route_answers_each_role_as_expected(who, org, other, homecare_manager, login_as, db):
    post_draw(login_as(homecare_manager), org.homecare, count=1)
    [draw] = draws(db)
    people = {
        "anonymous": None,
        "staff": org.staff,
        "no_service_role": org.outsider,
        "supervisor": org.supervisor,
        "other_service_manager": org.manager,
        "service_manager": homecare_manager,
        "admin": org.admin,
        "other_org_admin": other.admin,
    }
    client = login_as(people[who])

    got = tuple(
        client.get(path).status_code
        for path in (
            "/selection/",
            "/selection/people",
            "/selection/history",
            f"/selection/{draw.uuid}",
            f"/selection/{draw.uuid}/verify",
        )
    )

    assert got == EXPECTED[who]
    if who in ("staff", "no_service_role", "anonymous"):
        assert post_draw(client, org.homecare).status_code in (302, 403)
        assert len(draws(db)) == 1


# --- every draw kept; a second one on the same day needs a reason ------------------------------


def test_a_second_draw_the_same_day_needs_a_reason_and_keeps_it(
    org, homecare_manager, login_as, db
):
    client = login_as(homecare_manager)
    assert post_draw(client, org.homecare, count=1).status_code == 302
    [first] = draws(db)

    refused = post_draw(client, org.homecare, count=1)
    blank = post_draw(client, org.homecare, count=1, reason="   ")

    for response in (refused, blank):
        page = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "say why you are drawing again" in errors(page, "reason")
        assert f'href="/selection/{first.uuid}"' in page  # the earlier draw, to look at first
    assert draws(db) == [first]
    drawn = post_draw(client, org.homecare, count=1, reason="  Hal is off sick this week  ")
    assert drawn.status_code == 302
    _, second = draws(db)
    assert second.repeat_reason == "Hal is off sick this week"
    assert (second.sequence, second.inputs["previous_draw"]) == (2, str(first.uuid))
    [event] = db.scalars(
        sa.select(AuditEvent).where(AuditEvent.entity_id == str(second.uuid))
    ).all()
    # The reason stays with the draw, out of the log (which could never be redacted).
    assert "drawn again today" in event.summary and "Hal" not in event.summary

    detail = client.get(f"/selection/{second.uuid}").get_data(as_text=True)
    assert '<span class="badge">Repeat draw</span>' in detail
    assert "Reason given: “Hal is off sick this week”" in detail
    history = client.get("/selection/history").get_data(as_text=True)
    assert history.count('<span class="badge">Repeat draw</span>') == 1
    assert "Why drawn again that day: Hal is off sick this week" in history
    assert history.count("Hana Manager") == 2 and history.count("1 drawn of 3") == 2
    # The first draw of the day is no repeat, and a reason given with it is not stored.
    assert first.repeat_reason is None
    form = client.get("/selection/").get_data(as_text=True)
    assert "Already drawn today:" in form and "Why draw again today?" in form


def test_a_reason_given_for_the_days_first_draw_is_not_kept(org, homecare_manager, login_as, db):
    client = login_as(homecare_manager)

    post_draw(client, org.homecare, count=1, reason="Just because, on the first draw")

    [draw] = draws(db)
    assert draw.repeat_reason is None


def test_the_day_is_the_organisations_day(org, homecare_manager, login_as, db, app):
    # A draw at 23:59 the evening before (London time) does not make today's draw a repeat;
    # one at 00:01 today does, whatever the UTC date of either.
    zone = ZoneInfo(org.org.timezone)
    client = login_as(homecare_manager)
    post_draw(client, org.homecare, count=1)
    [first] = draws(db)
    today = local_today(org.org.timezone)
    first.created_at = local_midnight(today, zone) - timedelta(minutes=1)
    db.commit()

    assert post_draw(client, org.homecare, count=1).status_code == 302
    _, second = draws(db)
    assert second.repeat_reason is None and second.sequence == 2
    second.created_at = local_midnight(today, zone) + timedelta(minutes=1)
    db.commit()
    page = post_draw(client, org.homecare, count=1).get_data(as_text=True)
    assert "say why you are drawing again" in errors(page, "reason")
    assert len(draws(db)) == 2


def test_people_are_not_drawn_twice_in_a_row(org, homecare_manager, login_as, db):
    client = login_as(homecare_manager)
    path = "/selection/people"
    post_draw(client, org.homecare, count=1, path=path)
    [first] = draws(db)
    [picked] = first.result
    other_code = ({"H01", "H02"} - {picked["label"]}).pop()

    too_many = post_draw(client, org.homecare, count=2, path=path, reason="Ask two more today")
    again = post_draw(client, org.homecare, count=1, path=path, reason="Ask one more today")

    message = "Only 1 can be drawn (1 left out this time); you asked for 2."
    assert message in errors(too_many.get_data(as_text=True), "count")
    assert again.status_code == 302
    _, second = draws(db)
    assert second.inputs["previous_draw"] == str(first.uuid)
    assert second.inputs["previous_pick"] == [picked["key"]]
    assert [(e["label"], e["why"]) for e in second.inputs["excluded"]] == [
        (picked["label"], "picked in the previous draw")
    ]
    assert [r["label"] for r in second.result] == [other_code]
    assert service.verify(second)
    page = client.get(f"/selection/{second.uuid}/verify").get_data(as_text=True)
    assert "Verified:" in page and "Left out: picked in the previous draw" in page


def test_a_draw_made_before_seeds_were_the_servers_still_verifies(
    org, homecare_manager, login_as, db
):
    # As the old code stored a people draw: a typed seed, no previous pick for people, no
    # sequence of its own (the migration numbers it). Drawing one of H01 and H02 (sorted by
    # key), both of weight 1: the ticket is random.Random(seed).randrange(2).
    h01, h02 = org.people["H01"], org.people["H02"]
    rows = sorted(
        [
            {"key": str(h01.uuid), "label": "H01", "status": "", "last_band": None},
            {"key": str(h02.uuid), "label": "H02", "status": "", "last_band": None},
        ],
        key=lambda row: row["key"],
    )
    for row in rows:
        row |= {"open_actions": 0, "weight": 1, "reasons": []}
    ticket = random.Random("dice 4-2-6").randrange(2)
    chosen = rows[ticket]
    old = SelectionDraw(
        organisation_id=org.org.id,
        service_id=org.homecare.id,
        kind="people",
        sequence=1,
        seed="dice 4-2-6",
        inputs={
            "k": 1,
            "settings": None,
            "previous_draw": None,
            "previous_pick": [],
            "candidates": rows,
            "left_out_no_consent": 1,
            "excluded": [],
        },
        result=[{"key": chosen["key"], "label": chosen["label"], "weight": 1, "reasons": []}],
        requested_by_id=homecare_manager.id,
    )
    db.add(old)
    db.commit()
    client = login_as(homecare_manager)

    page = client.get(f"/selection/{old.uuid}/verify").get_data(as_text=True)

    assert "Verified:" in page and "dice 4-2-6" in page
    # The next people draw follows it: whoever it drew sits out.
    post_draw(client, org.homecare, count=1, path="/selection/people", reason="Next round")
    _, new = draws(db)
    assert new.sequence == 2 and new.inputs["previous_pick"] == [chosen["key"]]
    assert [r["label"] for r in new.result] == [rows[1 - ticket]["label"]]


def test_a_worker_due_a_recheck_after_red_is_drawn_again_straight_away(
    app, org, homecare_manager, login_as, db
):
    # Hal's visit today, submitted through the sync API, failed a critical item: red, so a
    # re-check is due in 28 days. The draw weighs him as red with that reason, and the next
    # draw keeps him in, while Nina (a new starter) sits out.
    with app.app_context():
        checklist = checklist_info(db, checklists.create_default(db, org.org.id).uuid)
        db.commit()
    planned = datetime.now(UTC) - timedelta(minutes=40)
    document = spot_check(
        org.homecare,
        org.staff_members["Hal Homecare"],
        checklist,
        ratings={checklist.critical[0]: "not_met"},
        planned_at=iso(planned),
        arrived_at=iso(planned + timedelta(minutes=2)),
        left_at=iso(planned + timedelta(minutes=32)),
        consent="obtained_today",
    )
    [result] = SyncApi(login_as(org.supervisor))(document)
    assert result["status"] == "created", result
    client = login_as(homecare_manager)

    post_draw(client, org.homecare, count=3)
    post_draw(client, org.homecare, count=2, reason="A second round this week")

    first, second = draws(db)
    hal = next(r for r in first.inputs["candidates"] if r["label"] == "Hal Homecare")
    assert (hal["status"], hal["weight"]) == ("Re-check due after red", 1 + 3)
    assert hal["reasons"] == ["last result red", "re-check due after red"]
    assert [e["label"] for e in second.inputs["excluded"]] == ["Nina New"]
    assert sorted(r["label"] for r in second.result) == ["Hal Homecare", "Ollie Open"]


def test_the_organisations_export_keeps_each_draws_place_and_repeat_reason(
    org, homecare_manager, login_as, db
):
    client = login_as(homecare_manager)
    post_draw(client, org.homecare, count=1)
    post_draw(client, org.homecare, count=1, reason="Hal is off sick this week")

    rows = db.execute(improvement.selection_draws(org.org.id)).mappings().all()

    assert [(r["sequence"], r["repeat_reason"]) for r in rows] == [
        (1, None),
        (2, "Hal is off sick this week"),
    ]
