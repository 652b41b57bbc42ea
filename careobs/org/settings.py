"""The organisation's settings for monitoring visits, with design §2.2 defaults."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from careobs.org.models import Organisation, OrganisationSettings
from careobs.visits.scoring import Rules

DEFAULTS = {
    "green_from": 90,
    "amber_from": 75,
    "lateness_tolerance_minutes": 10,
    "recheck_days_after_red": 28,
    "check_frequency_days": 90,
    "new_starter_days": 28,
}
# Paired QUIS observations: matching tolerance, how often to pair each observer, the kappa bar.
CALIBRATION_DEFAULTS = {
    "pair_tolerance_seconds": 30,
    "calibration_interval_months": 6,
    "calibration_min_kappa": 0.6,
}
# How much each reason adds to a care worker's chance in the draw of whom to check next.
SELECTION_DEFAULTS = {
    "weight_base": 1,
    "weight_overdue": 4,
    "weight_new_starter": 3,
    "weight_red": 3,
    "weight_open_actions": 2,
}


def settings_for(db: Session, organisation_id: int) -> OrganisationSettings:
    """The saved settings, or the defaults (not saved) when the admin has not changed any."""
    saved = db.get(OrganisationSettings, organisation_id)
    return saved or OrganisationSettings(
        organisation_id=organisation_id, **DEFAULTS, **SELECTION_DEFAULTS, **CALIBRATION_DEFAULTS
    )


def time_zone(db: Session, organisation_id: int) -> ZoneInfo:
    """The organisation's clock: weeks, months and local times in reports follow it."""
    return ZoneInfo(db.get(Organisation, organisation_id).timezone)


def rules(settings: OrganisationSettings) -> Rules:
    """The scoring rules the settings describe."""
    return Rules(
        green_from=settings.green_from,
        amber_from=settings.amber_from,
        recheck_days_after_red=settings.recheck_days_after_red,
        frequency_days=settings.check_frequency_days,
    )


def as_dict(settings: OrganisationSettings) -> dict:
    """The settings as the device bootstrap sends them."""
    return {
        "green_from": settings.green_from,
        "amber_from": settings.amber_from,
        "lateness_tolerance_minutes": settings.lateness_tolerance_minutes,
        "recheck_days_after_red": settings.recheck_days_after_red,
        "check_frequency_days": settings.check_frequency_days,
        "new_starter_days": settings.new_starter_days,
    }


def selection_weights(settings: OrganisationSettings) -> dict[str, int]:
    """The draw weights the settings describe (stored with every draw)."""
    return {name: getattr(settings, name) for name in SELECTION_DEFAULTS}
