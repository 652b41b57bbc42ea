"""Admin > Retention: organisation admins only; each type's period, source and counts per
service that add up to the total; changing a period is validated and audited (old → new)."""

from __future__ import annotations

import html
import re

import pytest
import sqlalchemy as sa

from careobs.audit.models import AuditEvent
from careobs.retention.models import RetentionPeriod
from careobs.retention.periods import TYPES
from tests.retention.records import DAY, cutoff, quis_session
from tests.support.web import decoded_text


def text(response) -> str:
    return html.unescape(decoded_text(response))


URL = "/admin/retention/"


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 200), ("manager", 403), ("supervisor", 403), ("staff", 403), ("outsider", 403)],
)
def test_only_organisation_admins_see_the_page(org, login_as, role, status):
    client = login_as(getattr(org, role))
    assert client.get(URL).status_code == status
    assert client.post(URL + "quis_sessions", data={"quis_sessions-months": "48"}).status_code == (
        302 if role == "admin" else status
    )


def test_anonymous_is_sent_to_log_in(client, org):
    response = client.get(URL)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    response = client.post(URL + "quis_sessions", data={"quis_sessions-months": "24"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_page_lists_every_type_with_counts_that_add_up(app, db, org, other, login_as):
    cut = cutoff(app, db, org, 36)
    for _ in range(3):
        quis_session(db, org, cut - DAY)
    quis_session(db, org, cut - DAY, service=org.homecare)
    quis_session(db, org, cut + DAY)
    for _ in range(5):
        quis_session(db, other, cut - DAY)  # another organisation's: never counted here
    db.commit()

    page = text(login_as(org.admin).get(URL))

    for record_type in TYPES:
        assert record_type.label in page and record_type.source in page
    section = page.split('id="type-quis_sessions"')[1].split("</section>")[0]
    rows = dict(re.findall(r"<tr><td>([^<]+)</td><td>(\d+)</td></tr>", section))
    total = re.search(r'<th scope="row">Total</th><td>(\d+)</td>', section).group(1)
    assert rows == {"Acme Care Homecare": "1", "Acme Care House": "3"}
    assert int(total) == sum(map(int, rows.values())) == 4
    assert "QUIS trends, calibration and per-worker QUIS figures before" in page


def test_changing_a_period_is_saved_and_audited(db, org, login_as):
    client = login_as(org.admin)
    response = client.post(URL + "quis_sessions", data={"quis_sessions-months": "48"})
    assert response.status_code == 302
    db.expire_all()
    saved = db.get(RetentionPeriod, (org.org.id, "quis_sessions"))
    assert saved.months == 48
    confirmed = {"quis_sessions-months": "24", "quis_sessions-confirmed": "24"}
    assert client.post(URL + "quis_sessions", data=confirmed).status_code == 302
    summaries = db.scalars(
        sa.select(AuditEvent.summary)
        .where(AuditEvent.action == "retention_changed")
        .order_by(AuditEvent.id)
    ).all()
    assert summaries == [
        "QUIS observations (quis_sessions): 36 → 48 months",
        "QUIS observations (quis_sessions): 48 → 24 months (shorter: confirmed)",
    ]
    assert "Kept 24 months (2 years)" in text(client.get(URL))


@pytest.mark.parametrize(
    ("record_type", "value", "message"),
    [
        ("quis_sessions", "11", "Keep these at least 12 months"),
        ("notifications", "0", "Keep these at least 1 month."),
        ("audits", "301", "At most 300 months (25 years)."),
        ("audits", "9" * 400, "At most 300 months (25 years)."),
        ("audits", "-5", "Keep these at least 12 months"),
        ("audits", "2.5", "Not a valid integer value."),
        ("audits", "abc", "Not a valid integer value."),
        ("audits", "", "Enter a whole number of months."),
        ("audits", "12\x00", "Not a valid integer value."),
        ("audits", "\ud800", "Not a valid integer value."),
    ],
)
def test_a_bad_period_is_refused_in_words_and_nothing_changes(
    db, org, login_as, record_type, value, message
):
    client = login_as(org.admin)
    if value == "\ud800":  # a lone surrogate cannot be encoded: send its raw bytes
        data, kwargs = (
            f"{record_type}-months=%ED%A0%80".encode(),
            {"content_type": "application/x-www-form-urlencoded"},
        )
    else:
        data, kwargs = {f"{record_type}-months": value}, {}
    response = client.post(URL + record_type, data=data, **kwargs)
    assert response.status_code == 400
    assert message in text(response)
    db.expire_all()
    assert db.scalar(sa.select(sa.func.count()).select_from(RetentionPeriod)) == 0
    assert not db.scalar(
        sa.select(sa.func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "retention_changed")
    )


@pytest.mark.parametrize("record_type", ["audit_events", "QUIS_SESSIONS", "x" * 300, "%00"])
def test_an_unknown_type_is_not_found(org, login_as, record_type):
    client = login_as(org.admin)
    response = client.post(URL + record_type, data={f"{record_type}-months": "24"})
    assert response.status_code == 404


def test_each_organisation_keeps_its_own_periods(db, org, other, login_as):
    login_as(org.admin).post(URL + "audits", data={"audits-months": "24", "audits-confirmed": "24"})
    db.expire_all()
    assert db.get(RetentionPeriod, (org.org.id, "audits")).months == 24
    assert db.get(RetentionPeriod, (other.org.id, "audits")) is None
    assert "Kept 60 months (5 years)" in text(login_as(other.admin).get(URL))


def test_the_admin_index_links_to_it_for_admins_only(org, login_as):
    assert URL in login_as(org.admin).get("/admin/").get_data(as_text=True)
    assert URL not in login_as(org.manager).get("/admin/").get_data(as_text=True)
