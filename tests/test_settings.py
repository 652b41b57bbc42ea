"""The organisation's monitoring visit settings (/admin/settings/): validation, saving, the
audit log, and the values devices receive in /api/v1/bootstrap."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from careobs.audit.models import AuditEvent
from careobs.org.models import OrganisationSettings
from careobs.org.settings import CALIBRATION_DEFAULTS, DEFAULTS, SELECTION_DEFAULTS

URL = "/admin/settings/"


def form(**changes) -> dict:
    values = {**DEFAULTS, **SELECTION_DEFAULTS, **CALIBRATION_DEFAULTS, **changes}
    return {k: str(v) for k, v in values.items()}


def field_errors(page: str, field_id: str) -> str:
    """The error list shown next to one form field ("" when it has none)."""
    match = re.search(rf'<ul class="errors" id="{field_id}-error">(.*?)</ul>', page, re.S)
    return match.group(1) if match else ""


def saved(db, org) -> OrganisationSettings | None:
    db.expire_all()
    return db.get(OrganisationSettings, org.org.id)


def visit_settings(client) -> dict:
    response = client.get("/api/v1/bootstrap")
    assert response.status_code == 200
    return response.get_json()["settings"]["visits"]


def setting_events(db) -> list[AuditEvent]:
    db.expire_all()
    return list(db.scalars(sa.select(AuditEvent).where(AuditEvent.action == "settings_changed")))


def test_the_form_shows_the_defaults(client, auth, org):
    auth.login(org.admin)

    page = client.get(URL).get_data(as_text=True)

    assert 'name="green_from"' in page
    assert re.search(r'id="green_from"[^>]*value="90"', page)
    assert re.search(r'id="amber_from"[^>]*value="75"', page)
    assert re.search(r'id="lateness_tolerance_minutes"[^>]*value="10"', page)
    assert re.search(r'id="check_frequency_days"[^>]*value="90"', page)


def test_bootstrap_sends_the_defaults_before_anything_is_saved(client, auth, db, org):
    auth.login(org.supervisor)

    settings = visit_settings(client)

    assert (
        {k: settings[k] for k in DEFAULTS}
        == DEFAULTS
        == {
            "green_from": 90,
            "amber_from": 75,
            "lateness_tolerance_minutes": 10,
            "recheck_days_after_red": 28,
            "check_frequency_days": 90,
            "new_starter_days": 28,
        }
    )
    assert saved(db, org) is None


def test_saved_values_are_used_and_sent_to_devices(client, auth, db, org):
    new = {
        "green_from": 85,
        "amber_from": 70,
        "lateness_tolerance_minutes": 15,
        "recheck_days_after_red": 14,
        "check_frequency_days": 60,
        "new_starter_days": 21,
    }
    auth.login(org.admin)

    response = client.post(URL, data=form(**new))

    assert response.status_code == 302
    assert response.headers["Location"].endswith(URL)
    row = saved(db, org)
    assert {k: getattr(row, k) for k in new} == new
    page = client.get(URL).get_data(as_text=True)
    assert "Settings saved" in page
    assert re.search(r'id="green_from"[^>]*value="85"', page)
    [event] = setting_events(db)
    assert event.actor_id == org.admin.id
    assert event.organisation_id == org.org.id
    assert "green_from=85" in event.summary
    assert "new_starter_days=21" in event.summary

    auth.logout()
    auth.login(org.supervisor)
    settings = visit_settings(client)
    assert {k: settings[k] for k in new} == new


def test_saving_again_changes_the_saved_row(client, auth, db, org):
    auth.login(org.admin)
    client.post(URL, data=form(green_from=95))

    client.post(URL, data=form(green_from=80, amber_from=60))

    row = saved(db, org)
    assert (row.green_from, row.amber_from) == (80, 60)
    assert db.scalar(sa.select(sa.func.count()).select_from(OrganisationSettings)) == 1
    assert visit_settings(client)["green_from"] == 80


def test_the_bootstrap_etag_changes_with_the_settings(client, auth, org):
    auth.login(org.admin)
    etag = client.get("/api/v1/bootstrap").headers["ETag"]

    client.post(URL, data=form(lateness_tolerance_minutes=5))

    assert client.get("/api/v1/bootstrap").headers["ETag"] != etag


def test_another_organisation_keeps_its_defaults(client, auth, data, db, org):
    other = data.organisation("Other Org", prefix="other")
    auth.login(org.admin)
    client.post(URL, data=form(green_from=80, amber_from=60))
    auth.logout()

    auth.login(other.admin)

    assert visit_settings(client)["green_from"] == 90
    assert re.search(r'id="green_from"[^>]*value="90"', client.get(URL).get_data(as_text=True))


@pytest.mark.parametrize(("green", "amber"), [(75, 75), (80, 85), (50, 99)])
def test_amber_must_be_below_green(client, auth, db, org, green, amber):
    auth.login(org.admin)

    response = client.post(URL, data=form(green_from=green, amber_from=amber))

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Amber must start below green." in field_errors(page, "amber_from")
    assert saved(db, org) is None
    assert setting_events(db) == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("green_from", 0),
        ("green_from", 101),
        ("amber_from", -1),
        ("amber_from", 100),
        ("lateness_tolerance_minutes", -1),
        ("lateness_tolerance_minutes", 121),
        ("recheck_days_after_red", 0),
        ("recheck_days_after_red", 366),
        ("check_frequency_days", 6),
        ("check_frequency_days", 731),
        ("new_starter_days", 0),
        ("new_starter_days", 366),
        ("green_from", "ninety"),
        ("lateness_tolerance_minutes", "10.5"),
        ("check_frequency_days", ""),
    ],
)
def test_values_out_of_range_are_refused(client, auth, db, org, field, value):
    auth.login(org.admin)

    response = client.post(URL, data=form(**{field: value}))

    assert response.status_code == 200
    assert field_errors(response.get_data(as_text=True), field)
    assert saved(db, org) is None
    assert setting_events(db) == []


def test_a_missing_field_is_refused(client, auth, db, org):
    auth.login(org.admin)
    values = form()
    del values["new_starter_days"]

    response = client.post(URL, data=values)

    assert field_errors(response.get_data(as_text=True), "new_starter_days")
    assert saved(db, org) is None


def test_the_edges_of_each_range_are_accepted(client, auth, db, org):
    # Re-check days must stay below the routine frequency, so the edges go in two sets.
    low = {
        "green_from": 100,
        "amber_from": 99,
        "lateness_tolerance_minutes": 0,
        "recheck_days_after_red": 1,
        "check_frequency_days": 7,
        "new_starter_days": 1,
    }
    high = {
        "green_from": 1,
        "amber_from": 0,
        "lateness_tolerance_minutes": 120,
        "recheck_days_after_red": 365,
        "check_frequency_days": 730,
        "new_starter_days": 365,
    }
    auth.login(org.admin)

    for edges in (low, high):
        assert client.post(URL, data=form(**edges)).status_code == 302
        row = saved(db, org)
        assert {k: getattr(row, k) for k in edges} == edges


@pytest.mark.parametrize(("recheck", "frequency"), [(90, 90), (91, 90), (28, 14), (365, 7)])
def test_the_recheck_after_red_must_come_sooner_than_the_routine_check(
    client, auth, db, org, recheck, frequency
):
    auth.login(org.admin)

    response = client.post(
        URL, data=form(recheck_days_after_red=recheck, check_frequency_days=frequency)
    )

    assert response.status_code == 200
    errors = field_errors(response.get_data(as_text=True), "recheck_days_after_red")
    assert (
        "Make the re-check after a red result sooner than the routine check: fewer than "
        f"{frequency} days"
    ) in errors
    assert saved(db, org) is None
    assert setting_events(db) == []


def test_a_recheck_one_day_sooner_than_the_routine_check_is_accepted(client, auth, db, org):
    auth.login(org.admin)

    response = client.post(URL, data=form(recheck_days_after_red=89, check_frequency_days=90))

    assert response.status_code == 302
    row = saved(db, org)
    assert (row.recheck_days_after_red, row.check_frequency_days) == (89, 90)


def test_the_form_needs_the_csrf_token(client, auth, db, org):
    auth.login(org.admin)

    response = client.post(URL, data=form(green_from=80), csrf=False)

    assert response.status_code == 400
    assert saved(db, org) is None


@pytest.mark.parametrize("role", ["manager", "supervisor", "staff", "outsider"])
def test_only_admins_see_or_change_the_settings(client, auth, db, org, role):
    auth.login(getattr(org, role))

    assert client.get(URL).status_code == 403
    assert client.post(URL, data=form(green_from=80)).status_code == 403
    assert saved(db, org) is None


def test_logged_out_is_sent_to_login(client, org):
    response = client.get(URL)

    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
