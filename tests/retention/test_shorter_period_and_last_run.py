"""Admin > Retention: a shorter period is confirmed first, with what the next purge would remove
under it per service (a slip of the keyboard would otherwise remove years that night); a longer
one saves at once; the page says when the last purge ran and how it ended."""

from __future__ import annotations

import html
import re

import pytest
import sqlalchemy as sa

from careobs.audit.models import AuditEvent
from careobs.audit.service import record
from careobs.retention.models import RetentionPeriod
from careobs.retention.purge import purge_organisation
from tests.retention.records import DAY, cutoff, quis_session
from tests.support.web import decoded_text

URL = "/admin/retention/"


def text(response) -> str:
    return html.unescape(decoded_text(response))


def saved(db, org, key="quis_sessions"):
    db.expire_all()
    row = db.get(RetentionPeriod, (org.org.id, key))
    return None if row is None else row.months


def changes(db) -> list[str]:
    return db.scalars(
        sa.select(AuditEvent.summary)
        .where(AuditEvent.action == "retention_changed")
        .order_by(AuditEvent.id)
    ).all()


def test_a_shorter_period_asks_first_with_what_the_next_purge_would_remove(
    app, db, org, other, login_as
):
    year, three_years = cutoff(app, db, org, 12), cutoff(app, db, org, 36)
    quis_session(db, org, year - DAY)
    quis_session(db, org, year - 2 * DAY)
    quis_session(db, org, year - DAY, service=org.homecare)
    quis_session(db, org, three_years - DAY)  # past the present period already
    quis_session(db, org, year + DAY)  # kept either way
    quis_session(db, other, year - DAY)  # another organisation's
    db.commit()
    client = login_as(org.admin)

    response = client.post(URL + "quis_sessions", data={"quis_sessions-months": "12"})

    assert response.status_code == 200
    page = text(response)
    assert "Shorten the period for QUIS observations?" in page
    assert f"anything dated before {year.date().isoformat()} is past its period" in page
    rows = re.findall(r"<tr><td>([^<]+)</td><td>(\d+)</td><td>(\d+)</td></tr>", page)
    assert sorted(rows) == [("Acme Care Homecare", "1", "0"), ("Acme Care House", "3", "1")]
    assert re.search(r'<th scope="row">Total</th><td>4</td><td>1</td>', page)
    assert ">Yes, keep them 12 months</button>" in page
    assert ">No, keep them 36 months</a>" in page
    assert 'name="quis_sessions-confirmed" type="hidden" value="12"' in page
    assert saved(db, org) is None and changes(db) == []

    assert (
        client.post(
            URL + "quis_sessions",
            data={"quis_sessions-months": "12", "quis_sessions-confirmed": "12"},
        )
        .headers["Location"]
        .endswith(URL)
    )
    assert saved(db, org) == 12
    assert changes(db) == ["QUIS observations (quis_sessions): 36 → 12 months (shorter: confirmed)"]


@pytest.mark.parametrize(
    "confirmed", ["24", "", "12\x00", "9" * 400, "-12", "12.0", " 12", "\ud800"], ids=repr
)
def test_a_confirmation_for_another_number_or_garbage_asks_again(db, org, login_as, confirmed):
    client = login_as(org.admin)
    if confirmed == "\ud800":  # a lone surrogate cannot be encoded: send its raw bytes
        data = b"compliments-months=12&compliments-confirmed=%ED%A0%80"
        kwargs = {"content_type": "application/x-www-form-urlencoded"}
    else:
        data = {"compliments-months": "12", "compliments-confirmed": confirmed}
        kwargs = {}

    response = client.post(URL + "compliments", data=data, **kwargs)

    assert response.status_code == 200
    assert ">Yes, keep them 12 months</button>" in text(response)
    assert ">No, keep them 120 months</a>" in text(response)
    assert saved(db, org, "compliments") is None and changes(db) == []


def test_a_longer_or_equal_period_saves_at_once(db, org, login_as):
    client = login_as(org.admin)
    assert client.post(URL + "audits", data={"audits-months": "72"}).status_code == 302
    assert client.post(URL + "audits", data={"audits-months": "72"}).status_code == 302
    assert saved(db, org, "audits") == 72
    # Shorter than the saved 72 (though longer than the default): asked first.
    assert client.post(URL + "audits", data={"audits-months": "61"}).status_code == 200
    assert saved(db, org, "audits") == 72


def test_a_shorter_period_that_removes_nothing_yet_still_asks(db, org, login_as):
    response = login_as(org.admin).post(URL + "notifications", data={"notifications-months": "1"})
    assert response.status_code == 200
    assert "Nothing to remove today" in text(response)
    assert ">Yes, keep them 1 month</button>" in text(response)


def test_each_save_button_names_its_type_as_written(org, login_as):
    page = text(login_as(org.admin).get(URL))
    assert "Save the period for QUIS observations</button>" in page
    assert "Save the period for Login history</button>" in page
    assert "quis observations" not in page


def test_the_page_says_when_the_last_purge_ran_and_how_it_ended(app, db, org, login_as):
    client = login_as(org.admin)
    assert "No purge has run yet — see the README's cron line" in text(client.get(URL))

    quis_session(db, org, cutoff(app, db, org, 36) - DAY)
    db.commit()
    with app.app_context():
        purge_organisation(db, org.org.id)
    page = text(client.get(URL))
    assert "No purge has run yet" not in page
    assert re.search(
        r"Last purge: \d+ \w+ \d{4}, \d\d:\d\d\. Removed past retention: quis_sessions 1; "
        r"3 rows in 1 batches\.",
        page,
    )
    assert "has not written its outcome" not in page

    # A run killed outright leaves its start with no outcome after it.
    with app.app_context():
        record(db, "retention_purge_started", organisation_id=org.org.id, summary="Starting")
        db.commit()
    page = text(client.get(URL))
    assert "Last purge:" in page and "has not written its outcome" in page


def test_another_organisations_purge_is_not_ours(app, db, org, other, login_as):
    with app.app_context():
        purge_organisation(db, other.org.id)
    assert "No purge has run yet" in text(login_as(org.admin).get(URL))
