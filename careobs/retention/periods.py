"""How long each type of record is kept: the types, their default periods with the source each
rests on, the bounds an admin may set, and the cut-off day a period gives (pure rules: no Flask,
no database).

The defaults follow the Records Management Code of Practice for Health and Social Care 2021
(NHSX, England; Appendix II, the retention schedule), which also applies to adult social care,
where the Code names a record like ours; elsewhere they are careobs's own choice, said as such.
careobs is a quality-assurance tool, not the care record: what it holds about people supported
are codes, and what it holds about care workers is their practice as observed. Its QUIS sessions,
monitoring visits and the written feedback that goes with them are therefore *practice records*
kept for three years (long enough to show CQC three years of learning and improvement, and
shorter than the Code's periods for care records and staff files, which careobs is not); an
organisation that files them in the staff record instead raises the period.

Bounds: whole months. A care or practice record is kept at least 12 months, so the dashboards'
default period (the last twelve months) never loses data to a purge (a comparison with the
year before needs 24); housekeeping records (notifications, quarantined copies, login
history) at least one month. At most 25 years (300 months): the longest period the Code gives
anything careobs holds is far shorter, and a bigger number is a typing slip.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

MAX_MONTHS = 300
RECORD_MIN = 12  # care and practice records: the dashboards' year, and the year before it
HOUSEKEEPING_MIN = 1


@dataclass(frozen=True)
class RecordType:
    """One type of record with its own retention period."""

    key: str  # stored in retention_periods.record_type
    label: str
    default_months: int
    minimum: int
    source: str  # where the default comes from, in a sentence
    removes: str  # what goes with each record, in words


TYPES: tuple[RecordType, ...] = (
    RecordType(
        "closed_actions",
        "Closed actions",
        60,
        RECORD_MIN,
        "Counted from when the action was done or cancelled. Five years, as the Code's "
        "retention for clinical audit records (5 years): an action is the audit's outcome.",
        "its progress notes and re-check bookings; records that named it keep their content",
    ),
    RecordType(
        "quis_sessions",
        "QUIS observations",
        36,
        RECORD_MIN,
        "Practice records (careobs's choice): three years of trends for CQC, shorter than the "
        "Code's periods for care records and staff files.",
        "interactions, written feedback drafted from it, addenda, alerts, quarantined copies",
    ),
    RecordType(
        "monitoring_visits",
        "Monitoring visits",
        36,
        RECORD_MIN,
        "Practice records (careobs's choice), like QUIS observations; raise it if your spot "
        "checks are filed in the staff record (the Code: 6 years after the worker leaves).",
        "answers, agreed actions as written, domain scores, missed items, written feedback, "
        "fulfilled re-checks, addenda, alerts, quarantined copies",
    ),
    RecordType(
        "audits",
        "Audits and co-audits",
        60,
        RECORD_MIN,
        "The Code's retention for clinical audit records: 5 years.",
        "answers, proposed actions as written, co-audit follow-ups, addenda, quarantined copies",
    ),
    RecordType(
        "self_assessments",
        "Self-assessments and mock inspections",
        60,
        RECORD_MIN,
        "Kept as audits are (the Code: clinical audit records, 5 years).",
        "the statements assessed, quarantined copies",
    ),
    RecordType(
        "conversations",
        "People's voice conversations",
        36,
        RECORD_MIN,
        "Experience feedback from people supported (careobs's choice): three years, as the "
        "practice records they are read beside.",
        "answers, follow-ups as written, quarantined copies",
    ),
    RecordType(
        "compliments",
        "Compliments and concerns",
        120,
        RECORD_MIN,
        "The Code's retention for a complaints case file: 10 years after closure (a concern "
        "here is informal, but may become a complaint).",
        "the staff it named and the feedback it became",
    ),
    RecordType(
        "notifications",
        "Notifications and push messages",
        12,
        HOUSEKEEPING_MIN,
        "Messages under the bell (careobs's choice): a year; they carry no personal data.",
        "the push messages that carried them",
    ),
    RecordType(
        "quarantined",
        "Quarantined copies",
        12,
        HOUSEKEEPING_MIN,
        "Conflicting copies kept for a manager to review (careobs's choice): a year.",
        "nothing else",
    ),
    RecordType(
        "login_history",
        "Login history",
        12,
        HOUSEKEEPING_MIN,
        "Logins per device (careobs's choice): a year after the login ended, for security "
        "investigations; a login still in use is kept, however long ago it began. The audit "
        "log keeps every login event regardless.",
        "nothing else",
    ),
)
BY_KEY = {t.key: t for t in TYPES}

# The records devices send, by sync kind: their retention type and the field of the document
# whose date decides whether a copy is past its period (the same date the purge counts from).
SYNCED = {
    "quis_session": ("quis_sessions", "started_at"),
    "spot_check": ("monitoring_visits", "planned_at"),
    "audit": ("audits", "started_at"),
    "conversation": ("conversations", "started_at"),
    "self_assessment": ("self_assessments", "assessed_at"),
}

# Login failures belong to no organisation (an unknown address can fail to log in): they only
# slow down guessing, over minutes, and are removed after this many days by every purge run.
LOGIN_FAILURE_DAYS = 90


def months_problem(record_type: RecordType, months) -> str | None:
    """Why ``months`` cannot be this type's period, or None when it can."""
    if isinstance(months, bool) or not isinstance(months, int):
        return "Enter a whole number of months."
    if months < record_type.minimum:
        if record_type.minimum == RECORD_MIN:
            return (
                f"Keep these at least {RECORD_MIN} months, so the dashboards' year keeps its data."
            )
        return f"Keep these at least {record_type.minimum} month."
    if months > MAX_MONTHS:
        return f"At most {MAX_MONTHS} months (25 years)."
    return None


def months_before(day: date, months: int) -> date:
    """The day ``months`` calendar months before ``day`` (the 31st falls back to the month's
    last day: 31 March less one month is 28 or 29 February)."""
    total = day.year * 12 + (day.month - 1) - months
    year, month = divmod(total, 12)
    month += 1
    last = _days_in(year, month)
    return date(year, month, min(day.day, last))


def _days_in(year: int, month: int) -> int:
    following = date(year + (month == 12), month % 12 + 1, 1)
    return (following - date(year, month, 1)).days


def cutoff_day(today: date, months: int) -> date:
    """The first day still kept: a record dated before this (on the organisation's clock) is
    past its retention period."""
    return months_before(today, months)


def describe_months(months: int) -> str:
    """ "36 months (3 years)", "18 months", "1 month"."""
    words = f"{months} month{'' if months == 1 else 's'}"
    if months % 12 == 0:
        years = months // 12
        words += f" ({years} year{'' if years == 1 else 's'})"
    return words
