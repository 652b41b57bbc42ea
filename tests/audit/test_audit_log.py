"""The audit log screen: organisation admins read who did what, newest first, and filter it by
action, actor, record and date; nobody ever sees another organisation's events."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from careobs.audit.models import AuditEvent
from careobs.org.models import Organisation


def add_event(db, org, action, *, at, actor=None, entity_id=None, summary="") -> AuditEvent:
    event = AuditEvent(
        organisation_id=org.org.id,
        actor_id=actor.id if actor else None,
        action=action,
        entity_type="Person" if entity_id else None,
        entity_id=entity_id,
        summary=summary,
        at=at,
    )
    db.add(event)
    db.commit()
    return event


def summaries(page: str) -> list[str]:
    """The summaries of the events listed, top to bottom (only those tagged "evt-")."""
    return re.findall(r"(evt-[a-z0-9-]+)", page)


def events_table(page: str) -> str:
    """Just the table of events (the filter form echoes what was asked for)."""
    match = re.search(r"<tbody>.*?</tbody>", page, re.S)
    return match.group(0) if match else ""


@pytest.fixture
def history(data, db):
    """Acme with four dated events by two people, and one event of another organisation."""
    acme = data.organisation()
    other = data.organisation("Other Org", prefix="other")
    r01, h01 = acme.people["R01"], acme.people["H01"]

    def day(d, hour=12):
        return datetime(2025, 3, d, hour, tzinfo=UTC)

    add_event(
        db,
        acme,
        "person_created",
        at=day(1),
        actor=acme.admin,
        entity_id=str(r01.uuid),
        summary="evt-r01-created",
    )
    add_event(
        db,
        acme,
        "person_updated",
        at=day(3),
        actor=acme.manager,
        entity_id=str(r01.uuid),
        summary="evt-r01-updated",
    )
    add_event(
        db,
        acme,
        "person_created",
        at=day(2),
        actor=acme.admin,
        entity_id=str(h01.uuid),
        summary="evt-h01-created",
    )
    add_event(
        db,
        acme,
        "person_updated",
        at=day(3, hour=23),
        actor=acme.admin,
        entity_id=str(h01.uuid),
        summary="evt-h01-updated",
    )
    add_event(
        db,
        other,
        "person_created",
        at=day(2),
        actor=other.admin,
        entity_id=str(other.people["R01"].uuid),
        summary="evt-other-org",
    )
    return acme, other


def test_events_are_listed_newest_first(client, auth, history):
    acme, _ = history
    auth.login(acme.admin)

    page = client.get("/admin/audit/?date_to=2025-03-31").get_data(as_text=True)

    assert summaries(page) == [
        "evt-h01-updated",
        "evt-r01-updated",
        "evt-h01-created",
        "evt-r01-created",
    ]
    assert "2025-03-03 23:00:00" in page
    assert "person updated: evt-h01-updated" in page


def test_the_unfiltered_log_is_in_time_order_with_todays_events_on_top(client, auth, history):
    acme, _ = history
    auth.login(acme.admin)

    page = client.get("/admin/audit/").get_data(as_text=True)

    times = re.findall(r"<tr>\s*<td>(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)</td>", page)
    assert len(times) > 4
    assert times == sorted(times, reverse=True)
    assert times[-4:] == [
        "2025-03-03 23:00:00",
        "2025-03-03 12:00:00",
        "2025-03-02 12:00:00",
        "2025-03-01 12:00:00",
    ]


def test_filter_by_action(client, auth, history):
    acme, _ = history
    auth.login(acme.admin)

    page = client.get("/admin/audit/?action=person_created").get_data(as_text=True)

    assert summaries(page) == ["evt-h01-created", "evt-r01-created"]
    assert "2 events." in page


def test_filter_by_actor(client, auth, history):
    acme, _ = history
    auth.login(acme.admin)

    page = client.get(f"/admin/audit/?actor={acme.manager.uuid.hex}").get_data(as_text=True)

    assert summaries(page) == ["evt-r01-updated"]


def test_filter_by_record_id(client, auth, history):
    acme, _ = history
    auth.login(acme.admin)
    r01 = acme.people["R01"]

    page = client.get(f"/admin/audit/?record={r01.uuid}").get_data(as_text=True)

    assert summaries(page) == ["evt-r01-updated", "evt-r01-created"]


def test_filter_by_dates_includes_both_whole_days(client, auth, history):
    acme, _ = history
    auth.login(acme.admin)

    page = client.get("/admin/audit/?date_from=2025-03-02&date_to=2025-03-03").get_data(
        as_text=True
    )

    assert summaries(page) == ["evt-h01-updated", "evt-r01-updated", "evt-h01-created"]


def test_filter_from_a_date_only(client, auth, history):
    acme, _ = history
    auth.login(acme.admin)

    page = client.get("/admin/audit/?date_from=2025-03-03&action=person_updated").get_data(
        as_text=True
    )

    assert summaries(page) == ["evt-h01-updated", "evt-r01-updated"]


def test_filters_combine(client, auth, history):
    acme, _ = history
    auth.login(acme.admin)
    h01 = acme.people["H01"]

    page = client.get(
        f"/admin/audit/?action=person_updated&actor={acme.admin.uuid.hex}&record={h01.uuid}"
        "&date_from=2025-03-01&date_to=2025-03-31"
    ).get_data(as_text=True)

    assert summaries(page) == ["evt-h01-updated"]


def test_a_filter_matching_nothing_says_so(client, auth, history):
    acme, _ = history
    auth.login(acme.admin)

    page = client.get("/admin/audit/?date_from=2024-01-01&date_to=2024-01-31").get_data(
        as_text=True
    )

    assert "No events match." in page


def test_another_organisations_events_are_never_shown(client, auth, history):
    acme, other = history
    auth.login(acme.admin)
    their_record = other.people["R01"].uuid

    pages = [
        client.get("/admin/audit/").get_data(as_text=True),
        client.get("/admin/audit/?date_to=2025-03-31").get_data(as_text=True),
        client.get(f"/admin/audit/?record={their_record}").get_data(as_text=True),
        client.get(f"/admin/audit/?actor={other.admin.uuid.hex}").get_data(as_text=True),
    ]

    for page in pages:
        listed = events_table(page)
        assert "evt-other-org" not in listed
        assert str(their_record) not in listed
        for user in (other.admin, other.manager, other.staff):
            assert str(user.uuid) not in listed  # their user_created and password_set events
    assert str(acme.admin.uuid) in events_table(pages[0])  # Acme's own user events are listed
    assert "@other.test" not in pages[0]
    assert other.admin.uuid.hex not in pages[0]
    assert "No events match." in pages[2]


def test_the_actor_choices_are_the_organisations_own_users(client, auth, history):
    acme, other = history
    auth.login(acme.admin)

    page = client.get("/admin/audit/").get_data(as_text=True)

    assert f'value="{acme.staff.uuid.hex}"' in page
    assert f'value="{other.staff.uuid.hex}"' not in page


def test_changes_made_in_the_admin_screens_appear_in_the_log(client, auth, data):
    acme = data.organisation()
    auth.login(acme.admin)
    client.post(
        "/admin/people/new",
        data={"service": acme.care_home.uuid.hex, "code": "R09", "consent": "not_recorded"},
    )

    page = client.get("/admin/audit/?action=person_created").get_data(as_text=True)

    assert "person created: Acme Care House: R09" in page
    assert "Ada Admin" in page


@pytest.mark.parametrize("role", ["manager", "supervisor", "staff", "outsider"])
def test_only_organisation_admins_may_read_the_log(client, auth, history, role):
    acme, _ = history
    auth.login(getattr(acme, role))

    response = client.get("/admin/audit/")

    assert response.status_code == 403
    assert "evt-" not in response.get_data(as_text=True)


def test_anonymous_visitors_are_sent_to_log_in(client, history):
    response = client.get("/admin/audit/")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


# Local days and times, and filters that cannot be read


def field_errors(page: str, field_id: str) -> str:
    """The error list shown next to one filter field ("" when it has none)."""
    match = re.search(rf'<ul class="errors" id="{field_id}-error">(.*?)</ul>', page, re.S)
    return match.group(1) if match else ""


@pytest.fixture
def summer_night(data, db):
    """Acme on London time, with events either side of midnight BST (UTC+1) on 1-2 July."""
    acme = data.organisation()
    add_event(
        db,
        acme,
        "person_updated",
        at=datetime(2025, 7, 1, 22, 59, 30, tzinfo=UTC),  # 23:59:30 on 1 July in London
        actor=acme.admin,
        summary="evt-late-on-the-first",
    )
    add_event(
        db,
        acme,
        "person_updated",
        at=datetime(2025, 7, 1, 23, 30, tzinfo=UTC),  # 00:30 on 2 July in London
        actor=acme.admin,
        summary="evt-early-on-the-second",
    )
    return acme


def set_time_zone(db, acme, zone: str) -> None:
    db.get(Organisation, acme.org.id).timezone = zone
    db.commit()


def test_date_filters_are_whole_days_on_the_organisations_clock(client, auth, summer_night):
    auth.login(summer_night.admin)

    first = client.get("/admin/audit/?date_from=2025-07-01&date_to=2025-07-01")
    second = client.get("/admin/audit/?date_from=2025-07-02&date_to=2025-07-02")

    assert summaries(first.get_data(as_text=True)) == ["evt-late-on-the-first"]
    assert summaries(second.get_data(as_text=True)) == ["evt-early-on-the-second"]


def test_times_are_shown_on_the_organisations_clock_and_labelled(client, auth, summer_night):
    auth.login(summer_night.admin)

    page = client.get("/admin/audit/?date_from=2025-07-01&date_to=2025-07-02").get_data(
        as_text=True
    )

    table = events_table(page)
    assert "2025-07-02 00:30:00" in table
    assert "2025-07-01 23:59:30" in table
    assert "2025-07-01 23:30:00" not in table  # the UTC time of the second event
    assert '<th scope="col">When (Europe/London time)</th>' in page


def test_another_time_zone_moves_the_days_and_times(client, auth, db, summer_night):
    set_time_zone(db, summer_night, "America/New_York")  # UTC-4 in July
    auth.login(summer_night.admin)

    page = client.get("/admin/audit/?date_from=2025-07-01&date_to=2025-07-01").get_data(
        as_text=True
    )

    assert summaries(page) == ["evt-early-on-the-second", "evt-late-on-the-first"]
    assert "2025-07-01 19:30:00" in events_table(page)
    assert "When (America/New_York time)" in page


@pytest.mark.parametrize("query", ["date_from=bad", "date_to=2025-13-01", "date_from=31/03/2025"])
def test_an_unreadable_date_is_shown_next_to_its_field_and_nothing_is_listed(
    client, auth, history, query
):
    acme, _ = history
    auth.login(acme.admin)
    field_id = query.partition("=")[0]

    response = client.get(f"/admin/audit/?action=person_created&{query}")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Enter a real date as year-month-day, for example 2026-11-27." in field_errors(
        page, field_id
    )
    assert "Please check the form" in page
    assert "No events are listed until the filters marked above are corrected." in page
    assert events_table(page) == ""
    assert summaries(page) == []
    assert "No events match." not in page


def test_an_unknown_action_is_shown_next_to_its_field_and_nothing_is_listed(client, auth, history):
    acme, _ = history
    auth.login(acme.admin)

    page = client.get("/admin/audit/?action=made_up").get_data(as_text=True)

    assert "Not a valid choice." in field_errors(page, "action")
    assert summaries(page) == []


def test_an_end_date_before_the_start_date_is_refused(client, auth, history):
    acme, _ = history
    auth.login(acme.admin)

    page = client.get("/admin/audit/?date_from=2025-03-03&date_to=2025-03-01").get_data(
        as_text=True
    )

    assert "The “To” date must be on or after the “From” date." in field_errors(page, "date_to")
    assert summaries(page) == []


def test_the_same_day_as_start_and_end_is_allowed(client, auth, history):
    acme, _ = history
    auth.login(acme.admin)

    page = client.get("/admin/audit/?date_from=2025-03-02&date_to=2025-03-02").get_data(
        as_text=True
    )

    assert field_errors(page, "date_to") == ""
    assert summaries(page) == ["evt-h01-created"]
