"""Paired QUIS observations on the home page: an observer who is due to pair again sees the
task with its reason; a manager or admin sees how many of their observers are due, linked to
the QUIS dashboard's calibration section. Nobody else sees either."""

from __future__ import annotations

import html
from datetime import UTC, datetime

import pytest

from tests.support.calibration import complete, make_pair, session_by_doc, table_for
from tests.support.dashboards import local, session_doc, write
from tests.support.sync import SyncApi

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
DUE_LINK = 'href="/dashboards/quis#calibration"'


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    monkeypatch.setattr("careobs.home.views.utcnow", lambda: NOW)


@pytest.fixture
def observed(app, db, org, login_as):
    """Sue and Mo paired on 1 October (κ 0.54, moderate, 20 matched): both due; the admin
    observed at the care home on 1 November and never paired: due."""

    def observe(user, when):
        doc = session_doc(org.care_home, when, 30, ["PS"])
        write(SyncApi(login_as(user)), doc)
        return session_by_doc(db, doc)

    when = local(2026, 10, 1, 11)
    pair = make_pair(db, observe(org.supervisor, when), observe(org.manager, when))
    complete(db, pair, table_for(11, 9))
    observe(org.admin, local(2026, 11, 1, 11))
    return pair


def page_of(login_as, user) -> str:
    response = login_as(user).get("/")
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def test_an_observer_who_is_due_sees_the_task_with_its_reason(org, observed, login_as):
    page = page_of(login_as, org.supervisor)

    assert (
        "Pair a QUIS observation: Last agreement κ = 0.54 (moderate), below 0.60: pair again "
        "after refresher training."
    ) in " ".join(page.replace("<strong>", "").replace("</strong>", "").split())
    assert DUE_LINK not in page  # a supervisor does not see the dashboard


def test_a_manager_sees_how_many_observers_are_due(org, observed, login_as):
    page = page_of(login_as, org.manager)

    # Mo and Sue, and the admin, who observes at the care home as an organisation admin.
    assert "3 observers due for calibration" in page
    assert DUE_LINK in page
    assert "Pair a QUIS observation:" in page  # the manager observes too, and is due


def test_an_admin_sees_every_observer_due_and_their_own_task(org, observed, login_as):
    page = page_of(login_as, org.admin)

    assert "3 observers due for calibration" in page and DUE_LINK in page
    assert "Pair a QUIS observation: Never paired: pair with an experienced observer." in (
        " ".join(page.replace("<strong>", "").replace("</strong>", "").split())
    )


def test_an_observer_not_due_sees_no_task(app, db, org, observed, login_as):
    observed.completed_at = None  # the moderate pair has no result after all, and a later
    # pair agreed perfectly:
    db.commit()
    good = make_pair(
        db,
        session_by_doc(db, _write(login_as, org.supervisor, org)),
        session_by_doc(db, _write(login_as, org.manager, org)),
    )
    complete(db, good, table_for(20, 0))

    page = page_of(login_as, org.supervisor)

    assert "Pair a QUIS observation" not in page
    assert "Paired observations" not in page


def _write(login_as, user, org):
    doc = session_doc(org.care_home, local(2026, 11, 10, 11), 30, ["PS"])
    write(SyncApi(login_as(user)), doc)
    return doc


@pytest.mark.parametrize("role", ["staff", "outsider"])
def test_care_workers_and_others_see_neither(org, observed, login_as, role):
    page = page_of(login_as, getattr(org, role))

    assert "Paired observations" not in page and "due for calibration" not in page


def test_another_organisations_manager_sees_nothing_of_it(data, org, observed, login_as):
    other = data.organisation("Other Org", prefix="other")

    page = page_of(login_as, other.manager)

    assert "due for calibration" not in page and "Paired observations" not in page


@pytest.mark.parametrize("role", ["supervisor", "manager", "admin"])
def test_a_completed_pair_without_a_stored_table_is_skipped(db, org, observed, login_as, role):
    observed.confusion = None  # never written so; the page must not fail on it
    db.commit()

    page = " ".join(page_of(login_as, getattr(org, role)).split())

    assert "Last agreement" not in page
    if role != "supervisor":
        assert "due for calibration" in page  # the admin, never paired, is still due


def test_an_admins_home_reads_the_observers_once(org, observed, login_as, monkeypatch):
    from careobs.quis import calibration_history

    calls = []
    real = calibration_history.observers

    def counted(*args, **kwargs):
        calls.append(args[4] if len(args) > 4 else kwargs.get("user_ids"))
        return real(*args, **kwargs)

    monkeypatch.setattr(calibration_history, "observers", counted)
    page_of(login_as, org.admin)
    # Once, for every observer: the admin's own reminder is among them.
    assert calls == [None]

    calls.clear()
    page_of(login_as, org.supervisor)
    # A supervisor's own reminder reads their own pairs only.
    assert [list(who) for who in calls] == [[org.supervisor.id]]
