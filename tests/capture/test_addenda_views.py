"""One addendum form and POST view for every kind of record, at each record's own URL: the same
rules, the same refusals of hostile input, and each kind's audit event name kept."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from careobs.audit.models import AuditEvent
from careobs.capture.addenda import Addendum
from careobs.quis.models import QuisSession
from careobs.visits.models import MonitoringVisit
from tests.support.database import count, stored

KINDS = ["quis_session", "monitoring_visit"]
MODEL = {"quis_session": QuisSession, "monitoring_visit": MonitoringVisit}
EVENT = {"quis_session": "quis_addendum_added", "monitoring_visit": "visit_addendum_added"}
ADDENDUM = {"reason": "Wrong time", "text": "It began at 12:05."}


def events(db) -> list[AuditEvent]:
    db.expire_all()
    return list(db.scalars(sa.select(AuditEvent).where(AuditEvent.action.like("%addendum%"))))


@pytest.mark.parametrize("kind", KINDS)
def test_an_addendum_is_stored_once_for_its_record_and_audited_under_its_kinds_name(
    client, auth, db, records, kind
):
    auth.login(records.acme.supervisor)

    response = client.post(records.url(kind), data={"reason": "  Wrong time ", "text": " x\n"})

    assert response.status_code == 302
    assert response.headers["Location"].endswith(records.url(kind))
    record = stored(db, MODEL[kind], records.document(kind))
    [addendum] = db.scalars(sa.select(Addendum)).all()
    assert (addendum.record_kind, addendum.organisation_id) == (kind, records.acme.org.id)
    linked = {"quis_session": addendum.quis_session_id, "monitoring_visit": addendum.visit_id}
    assert linked == {k: record.id if k == kind else None for k in KINDS}
    assert (addendum.reason, addendum.text) == ("Wrong time", "x")
    assert [(e.action, e.entity_type, e.entity_id, e.summary) for e in events(db)] == [
        (
            EVENT[kind],
            type(record).__name__,
            records.document(kind)["id"],
            f"addendum {addendum.id}",
        )
    ]
    assert [a.reason for a in record.addenda] == ["Wrong time"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"reason": "", "text": "t"}, "reason", "This field is required."),
        ({"reason": "   ", "text": "t"}, "reason", "This field is required."),
        ({"reason": "r", "text": " \n\t "}, "text", "This field is required."),
        ({"reason": "r" * 201, "text": "t"}, "reason", "longer than 200"),
        ({"reason": "r", "text": "t" * 100_000}, "text", "longer than 5000"),
        ({"reason": "a\x00b", "text": "t"}, "reason", "control characters"),
        ({"reason": "r", "text": "NUL \x00 here"}, "text", "control characters"),
        ({"reason": "r", "text": "bell \x07"}, "text", "control characters"),
    ],
)
def test_a_refused_addendum_is_a_form_error_and_stores_nothing(
    client, auth, db, records, kind, form, field, message
):
    auth.login(records.acme.supervisor)

    response = client.post(records.url(kind), data=form)

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'id="{field}-error"' in page
    assert message in page
    assert count(db, Addendum) == 0
    assert events(db) == []


@pytest.mark.parametrize("kind", KINDS)
def test_broken_characters_never_reach_the_database(client, auth, db, records, kind):
    auth.login(records.acme.supervisor)
    raw = b"reason=%ED%A0%80&text=\xed\xa0\x80\xff"  # a lone surrogate, encoded, and bad bytes

    response = client.post(
        records.url(kind), data=raw, content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code in (302, 400)
    for addendum in db.scalars(sa.select(Addendum)):
        addendum.reason.encode()
        addendum.text.encode()


@pytest.mark.parametrize("kind", KINDS)
def test_new_lines_and_tabs_are_kept(client, auth, db, records, kind):
    auth.login(records.acme.supervisor)

    response = client.post(records.url(kind), data={"reason": "r", "text": "a\n\tb\r\nc"})

    assert response.status_code == 302
    assert db.scalar(sa.select(Addendum.text)) == "a\n\tb\r\nc"


@pytest.mark.parametrize("kind", KINDS)
def test_the_detail_page_still_answers_get_and_its_url_takes_the_post(client, auth, records, kind):
    auth.login(records.acme.supervisor)

    page = client.get(records.url(kind))

    assert page.status_code == 200
    assert "Add addendum" in page.get_data(as_text=True)
    assert client.put(records.url(kind), data=ADDENDUM).status_code == 405


@pytest.mark.parametrize("kind", KINDS)
def test_an_unknown_record_is_404(client, auth, db, records, kind):
    auth.login(records.acme.supervisor)
    url = records.url(kind).rsplit("/", 1)[0] + f"/{uuid.uuid4()}"

    assert client.post(url, data=ADDENDUM).status_code == 404
    assert count(db, Addendum) == 0


@pytest.mark.parametrize("kind", KINDS)
def test_a_manager_of_the_service_may_add_and_a_care_worker_may_not(
    client, auth, db, records, kind
):
    service = "care_home" if kind == "quis_session" else "homecare"
    manager = records.acme.manager if service == "care_home" else records.acme.admin
    auth.login(records.acme.staff)
    assert client.post(records.url(kind), data=ADDENDUM).status_code in (403, 404)
    auth.logout()
    auth.login(manager)

    assert client.post(records.url(kind), data=ADDENDUM).status_code == 302
    assert [e.actor_id for e in events(db)] == [manager.id]


def test_the_reason_hint_is_the_one_each_page_had(client, auth, records):
    auth.login(records.acme.supervisor)
    hint = "For example: corrected the area, or a later observation."

    assert hint in client.get(records.url("quis_session")).get_data(as_text=True)
    assert hint not in client.get(records.url("monitoring_visit")).get_data(as_text=True)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    "body",
    [
        {"reason": "r", "text": "t"},  # two texts, but not the page's form
        {"reason": ["Wrong", "time"], "text": "t"},
        {"reason": "r", "text": {"x": 1}},
        {"reason": 7, "text": None},
        ["reason", "text"],
    ],
)
def test_a_json_body_is_not_the_form_and_never_a_5xx(client, auth, db, records, kind, body):
    """Flask-WTF would read a JSON body as the form; the addendum takes only the form's fields."""
    auth.login(records.acme.supervisor)

    response = client.post(records.url(kind), json=body)

    assert response.status_code == 400
    assert count(db, Addendum) == 0
    assert events(db) == []
