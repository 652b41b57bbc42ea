"""A session's length and rate on its pages: seconds under a minute, and no rate below the
10 minutes observed that a rate needs (issue 12: a 9-second session read as "0 minutes" and
"1900.2 interactions per person-hour")."""

from __future__ import annotations

from datetime import timedelta

from tests.support.quis import START, interaction, quis_doc
from tests.support.sync import iso

RULE = "Rates are shown for sessions of at least 10 minutes observed."


def synced(client, acme, length: timedelta, interactions, **fields) -> dict:
    document = quis_doc(
        acme.care_home,
        status="submitted",
        ended_at=iso(START + length),
        interactions=interactions,
        **fields,
    )
    response = client.post("/api/v1/sync", json={"documents": [document]})
    assert response.get_json()["results"][0]["status"] == "created", response.get_json()
    return document


def rate_cell(page: str) -> str:
    row = page.split('<th scope="row">Interactions per person-hour</th>', 1)[1]
    return row.split("<td>", 1)[1].split("</td>", 1)[0]


def test_a_nine_second_session_shows_seconds_and_is_too_short_to_rate(client, auth, data):
    acme = data.organisation()
    auth.login(acme.supervisor)
    # One person, one interaction 3 seconds in, ended after 9 seconds: 1 / (1 x 0.15) x 60
    # would be 400 an hour.
    document = synced(
        client,
        acme,
        timedelta(seconds=9),
        [interaction("PS", minute=0.05)],
        people=["R01"],
        frame_minutes=1,
        staff_on_duty=1,
    )

    page = client.get(f"/quis/sessions/{document['id']}").get_data(as_text=True)
    listing = client.get("/quis/").get_data(as_text=True)

    assert "27 Nov 2026, 12:00 to 12:00 (9 seconds)" in page
    assert "(0 minutes)" not in page
    assert rate_cell(page) == "too short to rate"
    assert RULE in page
    assert "All interactions (n = 1)" in page
    assert "Interactions per frame (1 minute)" in page
    assert "R01 · 1 member of staff on duty" in page
    assert "<td>9 seconds</td>" in listing
    assert "1 session." in listing


def test_a_twelve_minute_session_shows_its_rate(client, auth, data):
    acme = data.organisation()
    auth.login(acme.supervisor)
    # Two people for 12 minutes are 24 person-minutes: 6 interactions / 24 x 60 = 15.0 an hour.
    document = synced(
        client,
        acme,
        timedelta(minutes=12),
        [interaction("PS", minute=m) for m in (1, 2, 3, 4, 5, 6)],
    )

    page = client.get(f"/quis/sessions/{document['id']}").get_data(as_text=True)
    listing = client.get("/quis/").get_data(as_text=True)

    assert "27 Nov 2026, 12:00 to 12:12 (12 minutes)" in page
    assert rate_cell(page) == "15.0"
    assert RULE in page
    assert "Interactions per frame (5 minutes)" in page
    assert "R01, R02 · 3 staff on duty" in page
    assert "<td>12 minutes</td>" in listing


def test_just_under_ten_minutes_is_still_too_short(client, auth, data):
    acme = data.organisation()
    auth.login(acme.supervisor)
    document = synced(
        client,
        acme,
        timedelta(minutes=9, seconds=59),
        [interaction("PS", minute=m) for m in (1, 2, 3)],
    )
    page = client.get(f"/quis/sessions/{document['id']}").get_data(as_text=True)
    # Rounded down: the page never says "10 minutes" beside "too short to rate".
    assert "27 Nov 2026, 12:00 to 12:09 (9 minutes)" in page
    assert rate_cell(page) == "too short to rate"


def test_ten_minutes_exactly_is_rated(client, auth, data):
    acme = data.organisation()
    auth.login(acme.supervisor)
    # 2 people x 10 minutes = 20 person-minutes: 3 / 20 x 60 = 9.0 an hour.
    document = synced(
        client, acme, timedelta(minutes=10), [interaction("PS", minute=m) for m in (1, 2, 3)]
    )
    page = client.get(f"/quis/sessions/{document['id']}").get_data(as_text=True)
    assert "(10 minutes)" in page
    assert rate_cell(page) == "9.0"
    assert RULE in page
    assert "<td>10 minutes</td>" in client.get("/quis/").get_data(as_text=True)
