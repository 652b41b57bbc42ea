"""QUIS pages show times on the organisation's clock (Europe/London), never UTC."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.support.quis import interaction, quis_doc
from tests.support.shown import shown
from tests.support.sync import iso

SUMMER_START = datetime(2026, 7, 1, 11, 30, tzinfo=UTC)  # 12:30 British Summer Time


def test_session_pages_show_british_summer_time(client, auth, data):
    acme = data.organisation()
    document = quis_doc(
        acme.care_home,
        status="submitted",
        started_at=iso(SUMMER_START),
        ended_at=iso(datetime(2026, 7, 1, 12, 0, tzinfo=UTC)),
        interactions=[
            interaction("PS", at=iso(datetime(2026, 7, 1, 11, 31, 5, tzinfo=UTC))),
        ],
    )
    auth.login(acme.supervisor)
    response = client.post("/api/v1/sync", json={"documents": [document]})
    assert response.get_json()["results"][0]["status"] == "created", response.get_json()

    detail = client.get(f"/quis/sessions/{document['id']}").get_data(as_text=True)
    listing = client.get("/quis/").get_data(as_text=True)

    assert "1 Jul 2026, 12:30 to 13:00 (30 minutes)" in detail
    assert "<td>12:31:05</td>" in detail
    assert "UTC" not in shown(detail)
    assert "1 Jul 2026, 12:30" in listing
    assert "UTC" not in shown(listing)


def test_the_list_filters_by_local_days_and_explains_a_bad_filter(client, auth, data):
    acme = data.organisation()
    # 00:30 on 2 June in London is still 1 June in UTC.
    early = datetime(2026, 6, 1, 23, 30, tzinfo=UTC)
    document = quis_doc(
        acme.care_home,
        status="submitted",
        started_at=iso(early),
        ended_at=iso(datetime(2026, 6, 2, 0, 0, tzinfo=UTC)),
        interactions=[interaction("PS", at=iso(datetime(2026, 6, 1, 23, 31, tzinfo=UTC)))],
    )
    auth.login(acme.supervisor)
    client.post("/api/v1/sync", json={"documents": [document]})
    link = f"/quis/sessions/{document['id']}"

    on_2_june = client.get("/quis/?date_from=2026-06-02&date_to=2026-06-02").get_data(as_text=True)
    on_1_june = client.get("/quis/?date_from=2026-06-01&date_to=2026-06-01").get_data(as_text=True)
    bad = client.get("/quis/?date_from=2026-06-03&date_to=2026-06-01&status=submitted")

    assert link in on_2_june
    assert "2 Jun 2026, 00:30" in on_2_june
    assert link not in on_1_june
    page = bad.get_data(as_text=True)
    assert "The “To” date must be on or after the “From” date." in page
    assert "No sessions are shown until the filter marked below is corrected." in page
    assert link not in page
