"""careobs.wording: counts and lengths in plain English, as every generated text says them."""

from __future__ import annotations

import pytest

from careobs.wording import duration_text, plural, with_article


def test_plural_fits_the_word_to_the_count():
    assert plural(0, "visit", "visits") == "0 visits"
    assert plural(1, "visit", "visits") == "1 visit"
    assert plural(2, "visit", "visits") == "2 visits"
    assert plural(1, "person observed", "people observed") == "1 person observed"
    assert plural(3, "person observed", "people observed") == "3 people observed"
    assert plural(1, "member of staff", "members of staff") == "1 member of staff"


# Rounded down, so a length is never shown longer than it was (9:59 is not "10 minutes").
DURATIONS = [
    (0, "0 seconds"),
    (1 / 60, "1 second"),
    (2 / 60, "2 seconds"),
    (0.15, "9 seconds"),  # a 9-second session, as stored: 9 / 60 minutes
    (59 / 60, "59 seconds"),
    (59.9 / 60, "59 seconds"),
    (60 / 60, "1 minute"),
    (61 / 60, "1 minute"),
    (119 / 60, "1 minute"),
    (120 / 60, "2 minutes"),
    (599 / 60, "9 minutes"),  # 9:59 is short of the 10 minutes a rate needs, and says so
    (10, "10 minutes"),
    (12, "12 minutes"),
    (45, "45 minutes"),
    (59, "59 minutes"),
    (60, "1 hour"),  # 3,600 seconds
    (61, "1 hour 1 minute"),
    (65, "1 hour 5 minutes"),
    (120, "2 hours"),
    (150.5, "2 hours 30 minutes"),
    (-3, "0 seconds"),  # a clock gone backwards is no time at all
]


@pytest.mark.parametrize(("minutes", "words"), DURATIONS)
def test_duration_text(minutes, words):
    assert duration_text(minutes) == words


def test_every_whole_second_survives_the_trip_through_minutes():
    # Sessions store seconds / 60; a whole second must not slip down to the one before.
    unit = {"second": 1, "seconds": 1, "minute": 60, "minutes": 60, "hour": 3600, "hours": 3600}
    for seconds in range(3 * 3600):
        words = duration_text(seconds / 60).split(" ")
        shown = sum(int(n) * unit[u] for n, u in zip(words[::2], words[1::2], strict=True))
        assert shown == (seconds if seconds < 60 else seconds - seconds % 60), seconds


def test_with_article_goes_by_the_first_letter():
    assert with_article("audit") == "an audit"
    assert with_article("Observation") == "an Observation"
    assert with_article("QUIS observation") == "a QUIS observation"
    assert with_article("monitoring visit") == "a monitoring visit"
