"""Who reaches the "Remove personal data" page of a visit, what bad input gets (a clear 4xx,
nothing written), and where the page is linked from."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa

from careobs.audit.models import AuditEvent
from careobs.visits.models import MonitoringVisit
from tests.redaction.conftest import SPANS, form, refs, url

UNKNOWN = uuid.uuid5(uuid.NAMESPACE_URL, "careobs-test-unknown-record")


def _unchanged(db, visit) -> None:
    db.expire_all()
    stored = db.get(MonitoringVisit, visit.record.id)
    assert SPANS["went_well"] in stored.went_well
    assert db.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "text_redacted")) == 0


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("admin", 200),
        ("homecare_manager", 200),
        ("supervisor", 403),  # wrote it and reads it, but does not answer for the service
        ("manager", 404),  # manages the care home only: cannot see homecare visits
        ("staff", 404),
        ("outsider", 404),
        ("other_admin", 404),
    ],
)
def test_who_may_redact_a_visit(
    app, db, org, other, visit, login_as, homecare_manager, who, status
):
    users = {"homecare_manager": homecare_manager, "other_admin": other.admin}
    user = users.get(who) or getattr(org, who)
    client = login_as(user)
    assert client.get(url("visit", visit.record)).status_code == status
    ref = refs(app, db, visit.record)["went_well"]
    posted = client.post(url("visit", visit.record), data=form(ref, SPANS["went_well"]))
    assert posted.status_code == (302 if status == 200 else status)
    if status != 200:
        _unchanged(db, visit)


def test_anonymous_is_sent_to_log_in(client, visit):
    response = client.get(url("visit", visit.record))
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.post(url("visit", visit.record), data={}).status_code in (302, 400)


@pytest.mark.parametrize(
    "path",
    [
        f"/redact/visit/{UNKNOWN}",
        f"/redact/nothing/{UNKNOWN}",
        "/redact/visit/not-a-uuid",
        "/redact/visit/99999999999999999999999999",
    ],
)
def test_unknown_records_are_not_found(login_as, org, visit, path):
    assert login_as(org.admin).get(path).status_code == 404


def test_a_draft_is_its_authors_to_edit(app, db, org, visit_doc, client_as, login_as):
    document = visit_doc(status="draft", went_well="Call 07700 900200.")
    assert client_as(org.supervisor)(document)[0]["status"] == "created"
    record = db.scalar(sa.select(MonitoringVisit))
    admin = login_as(org.admin)
    page = admin.get(url("visit", record))
    assert page.status_code == 409
    assert "draft" in page.get_data(as_text=True)
    assert admin.post(url("visit", record), data=form("went_well", "07700")).status_code == 409
    # and its page offers no link
    detail = admin.get(f"/visits/{record.uuid}").get_data(as_text=True)
    assert "Remove personal data" not in detail


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"words": "07700\x00900102"}, 400),  # NUL
        ({"words": "\ud800"}, 409),  # a lone surrogate arrives as U+FFFD: not in the text
        ({"words": "x" * 10_000}, 400),
        ({"words": "not in this text"}, 409),
        ({"words": "   "}, 400),
        ({"words": "[redacted]"}, 400),
        ({"place": "answer:99999999999999999999999"}, 400),
        ({"place": "nowhere"}, 400),
        ({"place": ""}, 400),
        ({"reason": "because I said so"}, 400),
        ({"reason": ""}, 400),
        ({"confirm": ""}, 400),
        ({"what": "some"}, 400),
    ],
    ids=[
        "nul",
        "surrogate",
        "10000-chars",
        "absent",
        "spaces",
        "the-mark",
        "huge-row-id",
        "unknown-text",
        "no-text",
        "free-text-reason",
        "no-reason",
        "not-confirmed",
        "bad-what",
    ],
)
def test_bad_input_is_refused_and_writes_nothing(app, db, org, visit, login_as, change, status):
    ref = refs(app, db, visit.record)["went_well"]
    fields = {**form(ref, SPANS["went_well"]), **change}
    # sent as a browser would send it: a lone surrogate as its (broken) UTF-8 bytes
    body = urlencode(fields, encoding="utf-8", errors="surrogatepass")
    response = login_as(org.admin).post(
        url("visit", visit.record), data=body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == status, response.get_data(as_text=True)[:3000]
    _unchanged(db, visit)


def test_a_json_body_is_not_a_form(app, db, org, visit, login_as):
    ref = refs(app, db, visit.record)["went_well"]
    response = login_as(org.admin).post(
        url("visit", visit.record), json={**form(ref, SPANS["went_well"]), "words": [1, 2]}
    )
    assert response.status_code == 400
    _unchanged(db, visit)


def test_the_csrf_token_is_required(app, db, org, visit, login_as):
    ref = refs(app, db, visit.record)["went_well"]
    client = login_as(org.admin)
    response = client.post(url("visit", visit.record), data=form(ref, "07700"), csrf=False)
    assert response.status_code == 400
    _unchanged(db, visit)


@pytest.mark.parametrize(("who", "linked"), [("admin", True), ("supervisor", False)])
def test_the_flag_warning_leads_to_the_page(org, visit, login_as, who, linked):
    page = login_as(getattr(org, who)).get(f"/visits/{visit.record.uuid}").get_data(as_text=True)
    assert "Possible personal information" in page
    assert (url("visit", visit.record) in page) is linked
    assert ("Remove personal data" in page) is linked
