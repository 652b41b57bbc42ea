"""The organisation's paired QUIS settings on /admin/settings/: the matching tolerance, how
often to pair each observer and the kappa bar; saved, audited, and refused when out of range
or malformed, with nothing written."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from careobs.org.settings import CALIBRATION_DEFAULTS, settings_for
from tests.test_settings import URL, field_errors, form, saved, setting_events


def test_the_form_shows_the_defaults_with_help(client, auth, org):
    auth.login(org.admin)

    page = client.get(URL).get_data(as_text=True)

    assert "Paired QUIS observations" in page
    assert 'id="pair_tolerance_seconds"' in page and 'value="30"' in page
    assert 'id="calibration_interval_months"' in page
    assert 'value="0.60"' in page
    assert "Default 6." in page and "Default 30." in page


def test_the_three_are_saved_audited_and_read_by_the_calibration(app, client, auth, db, org):
    auth.login(org.admin)
    client.post(URL, data=form())  # saved once with the defaults: the next event is the change

    response = client.post(
        URL,
        data=form(
            pair_tolerance_seconds=45, calibration_interval_months=3, calibration_min_kappa="0.65"
        ),
    )

    assert response.status_code == 302
    row = saved(db, org)
    assert (row.pair_tolerance_seconds, row.calibration_interval_months) == (45, 3)
    assert row.calibration_min_kappa == 0.65
    _, event = setting_events(db)
    assert event.summary == (
        "pair_tolerance_seconds=45, calibration_interval_months=3, calibration_min_kappa=0.65"
    )
    with app.app_context():
        from careobs.db import get_session

        assert settings_for(get_session(), org.org.id).calibration_min_kappa == 0.65


def test_saving_the_same_values_again_records_no_change(client, auth, db, org):
    auth.login(org.admin)
    client.post(URL, data=form())
    client.post(URL, data=form())

    _, second = setting_events(db)
    assert "calibration" not in second.summary and second.summary == "no change"
    assert saved(db, org).calibration_min_kappa == CALIBRATION_DEFAULTS["calibration_min_kappa"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("pair_tolerance_seconds", 4),
        ("pair_tolerance_seconds", 601),
        ("pair_tolerance_seconds", "30.5"),
        ("pair_tolerance_seconds", "9" * 400),
        ("calibration_interval_months", 0),
        ("calibration_interval_months", 25),
        ("calibration_interval_months", ""),
        ("calibration_min_kappa", "-0.01"),
        ("calibration_min_kappa", "1.01"),
        ("calibration_min_kappa", "0.655"),
        ("calibration_min_kappa", "nan"),
        ("calibration_min_kappa", "NaN"),
        ("calibration_min_kappa", "sNaN"),
        ("calibration_min_kappa", "inf"),
        ("calibration_min_kappa", "-Infinity"),
        ("calibration_min_kappa", "1e999999999"),
        ("calibration_min_kappa", "0.6\x00"),
        ("calibration_min_kappa", "0.\ud800"),
        ("green_from", "9" * 400),  # every whole number of the form, not only the new ones
        ("check_frequency_days", "-" + "9" * 400),
        ("calibration_min_kappa", "six tenths"),
        ("calibration_min_kappa", ""),
    ],
)
def test_bad_values_are_refused_and_nothing_is_written(client, auth, db, org, field, value):
    auth.login(org.admin)

    if "\ud800" in str(value):  # a lone surrogate cannot be encoded: send its raw bytes
        body = urlencode(form(**{field: "0.SURROGATE"})).replace("SURROGATE", "%ED%A0%80")
        response = client.post(URL, data=body, content_type="application/x-www-form-urlencoded")
    else:
        response = client.post(URL, data=form(**{field: value}))

    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert field_errors(response.get_data(as_text=True), field)
    assert saved(db, org) is None
    assert setting_events(db) == []


def test_the_edges_are_accepted(client, auth, db, org):
    auth.login(org.admin)

    low = form(pair_tolerance_seconds=5, calibration_interval_months=1, calibration_min_kappa="0")
    assert client.post(URL, data=low).status_code == 302
    row = saved(db, org)
    assert (row.pair_tolerance_seconds, row.calibration_interval_months) == (5, 1)
    assert row.calibration_min_kappa == 0

    high = form(
        pair_tolerance_seconds=600, calibration_interval_months=24, calibration_min_kappa="1.00"
    )
    assert client.post(URL, data=high).status_code == 302
    row = saved(db, org)
    assert (row.pair_tolerance_seconds, row.calibration_interval_months) == (600, 24)
    assert row.calibration_min_kappa == 1


@pytest.mark.parametrize("role", ["manager", "supervisor", "staff", "outsider"])
def test_only_admins_change_them(client, auth, db, org, role):
    auth.login(getattr(org, role))

    response = client.post(URL, data=form(calibration_interval_months=2))

    assert response.status_code == 403
    assert saved(db, org) is None
