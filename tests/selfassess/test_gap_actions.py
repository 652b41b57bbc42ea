"""Raising the action for a self-assessment's gap (a statement scored 1 or 2): the action form
prefilled for the gap, what it refuses, one action per gap however often and however many
managers raise it — in turn, and at the same instant through a real threaded server (SQLite, or
PostgreSQL when CAREOBS_TEST_DATABASE_URL is set).

Acme (tests/conftest.py): Ada Admin; Mo Manager (care home only); Sue Supervisor (both
services); Stan Staff (care home); Hana Manager (homecare only); Other Org's admin.
"""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa

from careobs.actions import service as actions
from careobs.actions.models import Action
from careobs.audit.models import AuditEvent
from careobs.selfassess.models import SelfAssessment
from tests.clock import local_today
from tests.factories import DataBuilder
from tests.support import fixtures
from tests.support.race import threaded_app, together
from tests.support.selfassess import self_assessment_doc
from tests.support.web import PASSWORD
from tests.sync.devices import SyncClient

WHEN = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
GAPS = {"S3": 2, "W5": 1, "S1": 3, "E1": 4}  # S3 and W5 are gaps; C1 noted, not assessed


def raise_url(assessment, code: str) -> str:
    return f"/actions/new?self_assessment={assessment.uuid}&statement={code}"


def action_form(org, **overrides) -> dict:
    form = {
        "service": org.care_home.uuid.hex,
        "description": "Safeguarding refresher for every carer, and a check at supervision.",
        "owner": f"user-{org.manager.uuid.hex}",
        "due_on": (local_today() + timedelta(days=30)).isoformat(),
        "cqc_tags": ["S3"],
        "measure_kind": "",
    }
    form.update(overrides)
    return form


def send_assessment(client_as, user, service, status="submitted", type="self_assessment"):
    doc = self_assessment_doc(service, dict(GAPS), assessed_at=WHEN, status=status, type=type)
    doc["data"]["statements"].append({"code": "C1", "score": None, "rationale": "", "evidence": []})
    assert client_as(user)(doc)[0]["status"] == "created"
    return doc


def load(db, doc) -> SelfAssessment:
    db.expire_all()
    return db.scalar(sa.select(SelfAssessment).where(SelfAssessment.uuid == uuid.UUID(doc["id"])))


def all_actions(db) -> list[Action]:
    db.expire_all()
    return list(db.scalars(sa.select(Action).order_by(Action.id)))


@pytest.fixture
def assessed(org, client_as, db) -> SelfAssessment:
    """Sue Supervisor's submitted self-assessment of the care home (Mo manages it)."""
    return load(db, send_assessment(client_as, org.supervisor, org.care_home))


def test_the_form_is_prefilled_for_the_gap_and_says_which_it_answers(login_as, org, assessed):
    response = login_as(org.manager).get(raise_url(assessed, "S3"))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "This action answers a gap in the" in page
    assert "self-assessment of Acme Care House, 2 Nov 2026" in page
    assert "Safe — Safeguarding (S3), scored 2 — Some shortfalls" in page
    assert f'href="/self-assessments/{assessed.uuid}"' in page
    assert 'id="tag-S3" name="cqc_tags" value="S3" checked' in page
    assert page.count(" checked") == 1
    assert "Service: Acme Care House" in page
    assert f'name="service" value="{org.care_home.uuid.hex}"' in page
    assert "Measure it should move" in page


def test_raising_it_makes_one_action_for_the_gap(login_as, org, assessed, db):
    client = login_as(org.manager)
    response = client.post(raise_url(assessed, "S3"), data=action_form(org))
    [action] = all_actions(db)
    assert response.status_code == 302
    assert response.location.endswith(f"/actions/{action.uuid}")
    gap = next(s for s in assessed.statements if s.code == "S3")
    assert action.self_assessment_statement_id == gap.id
    assert action.source == "self_assessment"
    assert action.source_label == "Self-assessment gap"
    assert action.service_id == org.care_home.id
    assert action.cqc_tags == ["S3"]
    assert action.owner_user_id == org.manager.id
    [event] = db.scalars(sa.select(AuditEvent).where(AuditEvent.action == "action_created"))
    assert f"for S3 of self-assessment {assessed.uuid}" in event.summary
    shown = client.get(response.location).get_data(as_text=True)
    assert "Action added." in shown
    assert f'<a href="/self-assessments/{assessed.uuid}">' in shown
    assert "Gap in the self-assessment of 2 Nov 2026: S3 scored 2" in shown
    # The assessment's action plan now shows it.
    plan = client.get(f"/self-assessments/{assessed.uuid}").get_data(as_text=True)
    assert "2 gaps: 1 with an action, 1 still without." in plan
    assert f'href="/actions/{action.uuid}"' in plan


def test_raising_the_same_gap_again_shows_the_first_action(login_as, org, assessed, db):
    first = login_as(org.manager).post(raise_url(assessed, "S3"), data=action_form(org))
    [action] = all_actions(db)
    again = login_as(org.admin)
    tries = (
        lambda: again.get(raise_url(assessed, "S3")),
        lambda: again.post(raise_url(assessed, "S3"), data=action_form(org, description="More.")),
    )
    for attempt in tries:
        response = attempt()
        assert response.status_code == 302
        assert response.location == first.location
        page = again.get(response.location).get_data(as_text=True)
        assert "This gap already has an action: here it is." in page
    assert all_actions(db) == [action]


def test_the_service_layer_refuses_a_second_action_for_a_gap(app, db, org, assessed):
    gap = next(s for s in assessed.statements if s.code == "W5")
    with app.app_context():
        made = actions.create(
            db,
            org.manager,
            service=assessed.service,
            description="Governance meeting each month.",
            owner=None,
            due_on=None,
            cqc_tags=["W5"],
            self_assessment_statement=gap,
        )
        db.commit()
        with pytest.raises(actions.GapAlreadyRaised) as refused:
            actions.create(
                db,
                org.admin,
                service=assessed.service,
                description="Twice.",
                owner=None,
                due_on=None,
                cqc_tags=[],
                self_assessment_statement=gap,
            )
        assert refused.value.action.id == made.id
        not_a_gap = next(s for s in assessed.statements if s.code == "S1")
        with pytest.raises(ValueError):
            actions.create(
                db,
                org.admin,
                service=assessed.service,
                description="Not a gap.",
                owner=None,
                due_on=None,
                cqc_tags=[],
                self_assessment_statement=not_a_gap,
            )
        with pytest.raises(ValueError):  # another service than the one assessed
            actions.create(
                db,
                org.admin,
                service=org.homecare,
                description="Elsewhere.",
                owner=None,
                due_on=None,
                cqc_tags=[],
                self_assessment_statement=next(s for s in assessed.statements if s.code == "S3"),
            )
        db.rollback()
    assert len(all_actions(db)) == 1


@pytest.mark.parametrize(
    "query",
    [
        {"statement": "S1"},  # scored 3: not a gap
        {"statement": "E1"},  # scored 4
        {"statement": "C1"},  # noted, not assessed
        {"statement": "R1"},  # no row
        {"statement": "Z9"},
        {"statement": ""},
        {"statement": "S3\x00"},
        {"statement": None},  # no statement named
        {"self_assessment": "not-a-uuid", "statement": "S3"},
        {"self_assessment": str(uuid.uuid4()), "statement": "S3"},
        {"self_assessment": None, "statement": "S3"},
        {"quis_session": str(uuid.uuid4()), "statement": "S3"},
    ],
)
def test_what_is_not_a_gap_one_may_raise_is_not_found(login_as, org, assessed, db, query):
    args = {"self_assessment": str(assessed.uuid), **query}
    args = {k: v for k, v in args.items() if v is not None}
    client = login_as(org.manager)
    assert client.get("/actions/new", query_string=args).status_code == 404
    assert client.post("/actions/new", query_string=args, data=action_form(org)).status_code == 404
    assert all_actions(db) == []


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("admin", 200),
        ("manager", 200),
        ("supervisor", 404),  # carried it out and reads it, but raising is for managers
        ("homecare_manager", 404),  # manager of another service
        ("staff", 403),  # no action form at all
        ("other", 404),  # another organisation's admin
        (None, 302),
    ],
)
def test_who_may_raise_a_gaps_action(
    login_as, org, other, homecare_manager, assessed, db, who, expected
):
    user = {"homecare_manager": homecare_manager, "other": other.admin}.get(who)
    user = user or (getattr(org, who) if who else None)
    client = login_as(user)
    assert client.get(raise_url(assessed, "S3")).status_code == expected
    posted = client.post(raise_url(assessed, "S3"), data=action_form(org))
    assert posted.status_code == (302 if expected in (200, 302) else expected)
    assert len(all_actions(db)) == (1 if expected == 200 else 0)


def test_a_drafts_gap_is_not_raised(login_as, org, client_as, db):
    draft = load(db, send_assessment(client_as, org.manager, org.care_home, status="draft"))
    client = login_as(org.manager)
    assert client.get(raise_url(draft, "S3")).status_code == 404
    assert client.post(raise_url(draft, "S3"), data=action_form(org)).status_code == 404
    assert all_actions(db) == []


def test_a_gaps_action_is_for_the_service_assessed(login_as, org, assessed, db):
    """An admin may add actions anywhere, but a gap's action belongs to the service assessed."""
    posted = login_as(org.admin).post(
        raise_url(assessed, "S3"),
        data=action_form(
            org, service=org.homecare.uuid.hex, owner=f"user-{org.supervisor.uuid.hex}"
        ),
    )
    assert posted.status_code == 400
    assert "Not a valid choice" in posted.get_data(as_text=True)
    assert all_actions(db) == []


def test_a_mock_inspections_gap_is_raised_by_the_services_manager(
    login_as, org, client_as, homecare_manager, db
):
    mock = load(
        db,
        send_assessment(client_as, homecare_manager, org.care_home, type="mock_inspection"),
    )
    # The inspector (a manager elsewhere) reads it but raises nothing in the care home.
    assert login_as(homecare_manager).get(raise_url(mock, "W5")).status_code == 404
    posted = login_as(org.manager).post(
        raise_url(mock, "W5"), data=action_form(org, cqc_tags=["W5"])
    )
    assert posted.status_code == 302
    [action] = all_actions(db)
    assert action.source == "self_assessment" and action.cqc_tags == ["W5"]
    page = login_as(org.manager).get(posted.location).get_data(as_text=True)
    assert "Gap in the mock inspection of 2 Nov 2026: W5 scored 1" in page
    # The inspector sees that the gap has its action, but may not open the care home's action.
    inspected = login_as(homecare_manager).get(f"/self-assessments/{mock.uuid}")
    shown = inspected.get_data(as_text=True)
    assert "2 gaps: 1 with an action, 1 still without." in shown
    assert "An action is raised: Mo Manager" in shown
    assert f"/actions/{action.uuid}" not in shown
    assert login_as(homecare_manager).get(f"/actions/{action.uuid}").status_code == 404


def test_the_owner_who_may_not_read_the_assessment_sees_no_link(login_as, org, assessed, db, carla):
    """A care worker who owns the action reads it, but not the self-assessment behind it."""
    form = action_form(org, owner=f"staff-{org.staff_members['Carla Carer'].uuid.hex}")
    posted = login_as(org.manager).post(raise_url(assessed, "S3"), data=form)
    assert posted.status_code == 302
    [action] = all_actions(db)
    client = login_as(carla)
    page = client.get(f"/actions/{action.uuid}").get_data(as_text=True)
    assert "Gap in the self-assessment of 2 Nov 2026: S3 scored 2" in page
    assert "/self-assessments/" not in page.split("<main", 1)[1].split("</main>")[0]
    assert client.get(f"/self-assessments/{assessed.uuid}").status_code == 404


carla = fixtures.carla


# -- two managers at the same instant ------------------------------------------------------------

CLIENTS = 2


@pytest.fixture
def race(database_url, tmp_path, monkeypatch):
    """A threaded server with Acme, a second manager of the care home, and a submitted
    self-assessment of it with gaps S3 and W5: (acme, db, assessment, [Mo's client, Max's])."""
    monkeypatch.setenv("CAREOBS_INSTANCE_PATH", str(tmp_path / "instance"))
    clients = []
    with threaded_app(database_url, tmp_path, "gap-race") as (app, db, port):
        builder = DataBuilder(app, db, PASSWORD)
        acme = builder.organisation()
        builder.user(acme.org, "max@acme.test", "Max Manager", roles={acme.care_home: "manager"})
        db.commit()
        try:
            for email in (acme.manager.email, "max@acme.test"):
                client = SyncClient(port, ledger=None)
                client.log_in(email)
                clients.append(client)
            doc = self_assessment_doc(acme.care_home, dict(GAPS), assessed_at=WHEN)
            reply = clients[0].request(
                "POST",
                "/api/v1/sync",
                json.dumps({"documents": [doc]}).encode(),
                {"Content-Type": "application/json", "X-CSRFToken": clients[0].token},
            )
            assert reply.status == 200, reply
            assert json.loads(reply.body)["results"][0]["status"] == "created"
            yield acme, db, load(db, doc), clients
        finally:
            for client in clients:
                client.close()


def test_two_managers_raising_a_gap_at_once_make_one_action(race, monkeypatch):
    acme, db, assessment, clients = race
    looked_up = actions.gap_action
    lookups = []

    def slowly(*args, **kwargs):
        """Both requests find no action yet, then wait, so their inserts meet."""
        found = looked_up(*args, **kwargs)
        lookups.append(found is None)
        if found is None:
            time.sleep(0.3)
        return found

    monkeypatch.setattr(actions, "gap_action", slowly)
    path = raise_url(assessment, "S3")

    def raise_it(client: SyncClient, description: str):
        form = action_form(acme, description=description)
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-CSRFToken": client.token,
        }
        return client.request("POST", path, urlencode(form, doseq=True).encode(), headers)

    replies = together(
        lambda: raise_it(clients[0], "Mo's plan."), lambda: raise_it(clients[1], "Max's plan.")
    )

    assert [r.status for r in replies] == [302, 302], [(r.status, r.body[:300]) for r in replies]
    [action] = all_actions(db)
    assert action.description in ("Mo's plan.", "Max's plan.")
    gap = next(s for s in assessment.statements if s.code == "S3")
    assert action.self_assessment_statement_id == gap.id
    pages = [c.request("GET", f"/actions/{action.uuid}").body.decode() for c in clients]
    assert sorted("Action added." in p for p in pages) == [False, True]
    assert sorted("This gap already has an action: here it is." in p for p in pages) == [
        False,
        True,
    ]
    events = db.scalars(sa.select(AuditEvent).where(AuditEvent.action == "action_created"))
    assert len(list(events)) == 1
    # Both passed both look-ups (the page's and the insert's) before either wrote; the loser's
    # insert hit the unique column and then found the winner's action.
    assert sorted(lookups) == [False, True, True, True, True]
