"""The demo's paired QUIS observations at Rosewood House: Nia Patel, new to QUIS, pairs three
times with Jo Evans over the last five months and her agreement rises from moderate to good;
Priya Shah last paired eight months ago and is due; a paired observation counts once.
Deterministic: loading again adds nothing and changes no result."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from careobs.accounts.models import Membership, User
from careobs.demo import ROSEWOOD, load_demo
from careobs.org.models import Service
from careobs.quis import calibration, calibration_history
from careobs.quis.models import QuisPair, QuisSession
from tests.support.database import count
from tests.support.demo import load_demo_once

TODAY = date(2026, 11, 27)
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


@pytest.fixture
def demo(app, db):
    with app.app_context():
        logins = load_demo_once(db, today=TODAY)
    db.expire_all()
    return logins


def pairs_of(db) -> list[QuisPair]:
    return list(db.scalars(sa.select(QuisPair).order_by(QuisPair.created_at)))


def results(db) -> list[tuple]:
    return [
        (p.uuid, p.code, p.matched, p.lead_only, p.second_only, p.confusion, p.kappa_a4)
        for p in pairs_of(db)
    ]


def observers(app, rosewood) -> dict:
    from careobs.db import get_session

    with app.app_context():
        found = calibration_history.observers(
            get_session(), rosewood.organisation_id, [rosewood.id], NOW
        )
    return {o.name: o for o in found}


def test_nias_agreement_rises_from_moderate_to_good_over_three_pairs(demo, app, db):
    rosewood = db.scalar(sa.select(Service).where(Service.name == ROSEWOOD))
    nia = db.scalar(sa.select(User).where(User.email == "observer@demo.test"))
    assert nia.display_name == "Nia Patel" and nia.password_hash
    assert "observer@demo.test" in {email for email, _role in demo}
    roles = db.execute(
        sa.select(Membership.service_id, Membership.role).where(Membership.user_id == nia.id)
    ).all()
    assert roles == [(rosewood.id, "supervisor")]

    found = observers(app, rosewood)
    pairs = found["Nia Patel"].pairs
    assert [(p.role, p.other) for p in pairs] == [("second", "Jo Evans")] * 3
    assert [p.verdict for p in pairs] == ["moderate", "good", "good"]
    kappas = [p.kappa.value for p in pairs]
    assert kappas == sorted(kappas) and kappas[0] < 0.6 <= kappas[1]
    for p in pairs:
        assert p.matched >= calibration.TOO_FEW
        assert (p.lead_only, p.second_only) == (2, 1)
    days_ago = [(TODAY - p.observed_on).days for p in pairs]
    assert days_ago == [150, 90, 30]
    assert found["Nia Patel"].due is False
    assert found["Jo Evans"].due is False
    # The stored kappa is the stored table's: the alignment matched the plan exactly.
    assert [round(k, 2) for k in kappas] == [0.56, 0.74, 0.78]


def test_the_manager_is_overdue_for_calibration(demo, app, db):
    rosewood = db.scalar(sa.select(Service).where(Service.name == ROSEWOOD))

    priya = observers(app, rosewood)["Priya Shah"]

    assert [p.other for p in priya.pairs] == ["Jo Evans"]
    assert priya.reminder() == "Last paired 8 months ago; pair every 6 months."


def test_each_pair_is_one_lead_and_one_second_and_counts_once(demo, db):
    pairs = pairs_of(db)
    assert len(pairs) == 4
    for pair in pairs:
        roles = db.execute(
            sa.select(QuisSession.pair_role, QuisSession.status).where(
                QuisSession.pair_id == pair.id
            )
        ).all()
        assert sorted(roles) == [("lead", "submitted"), ("second", "submitted")]
        assert pair.completed_at is not None and pair.tolerance_seconds == 30
        # Completed on the day observed, not when the demo was loaded.
        assert pair.completed_at.date() == pair.created_at.date()
    assert count(db, QuisSession, QuisSession.pair_role == "second") == 4


def test_loading_again_adds_nothing_and_changes_no_result(demo, app, db):
    before = results(db)
    sessions = count(db, QuisSession)

    with app.app_context():
        load_demo(db, today=TODAY)
    db.expire_all()

    assert results(db) == before
    assert count(db, QuisSession) == sessions


def test_the_demo_is_the_same_every_time_it_is_loaded(demo, app, db):
    # The service's id is new, so the pair ids (derived from it and the code) are too.
    first = [(p.code, p.confusion) for p in pairs_of(db)]
    from tests.support.database import empty_all_tables

    db.rollback()  # the test's own reads end before the tables are emptied under them
    empty_all_tables(app.extensions["careobs.engine"])
    with app.app_context():
        load_demo(db, today=TODAY)
    db.expire_all()

    assert [(p.code, p.confusion) for p in pairs_of(db)] == first
    assert pairs_of(db)[0].created_at.date() == TODAY - timedelta(days=270)


def demo_client(app, email):
    from careobs.demo import DEMO_PASSWORD
    from tests.support.web import Auth

    client = app.test_client()
    Auth(client).login(email, DEMO_PASSWORD)
    return client


def text_of(html_text: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", html_text)).split())


def test_the_demo_observer_finds_each_paired_session_and_its_result(app, db):
    from careobs.db import get_session

    with app.app_context():
        load_demo_once(get_session())
    client = demo_client(app, "observer@demo.test")

    listing = client.get("/quis/", query_string={"per_page": 100})
    assert listing.status_code == 200
    rows = re.findall(r"<tr>(.*?)</tr>", listing.get_data(as_text=True), re.S)
    hers = [row for row in rows if "Nia Patel" in row]
    assert len(hers) == 3
    verdicts = []
    for row in hers:
        assert "Second observer (calibration): not in the figures" in text_of(row)
        [session_link] = re.findall(r'href="(/quis/sessions/[0-9a-f-]{36})"', row)
        detail = client.get(session_link).get_data(as_text=True)
        [pair_link] = re.findall(r'href="(/quis/pairs/[0-9a-f-]{36})"', detail)
        result = client.get(pair_link)
        assert result.status_code == 200
        verdicts.append(
            re.search(r"Verdict: (moderate|good)", text_of(result.get_data(as_text=True)))
        )
    assert sorted(v.group(1) for v in verdicts if v) == ["good", "good", "moderate"]


def test_the_demo_manager_sees_the_calibration_section(app, db):
    from careobs.db import get_session

    with app.app_context():
        load_demo_once(get_session())
    page = demo_client(app, "manager@demo.test").get("/dashboards/quis")

    assert page.status_code == 200
    body = page.get_data(as_text=True)
    start = body.index('id="calibration"')
    section = body[start : body.index("</section>", start)]
    text = text_of(section)
    assert "Nia Patel: 3 pairs" in text
    assert len(re.findall(r'href="/quis/pairs/[0-9a-f-]{36}">[^<]* with Jo Evans<', section)) == 4
    assert "Due: Last paired 8 months ago; pair every 6 months." in text
    priya = re.search(r"<tr[^>]*>\s*<th[^>]*>Priya Shah</th>(.*?)</tr>", section, re.S)
    assert priya and "Last paired 8 months ago" in text_of(priya.group(1))
