"""Unit tests for QUIS scoring, anchored on published figures and hand-computed sessions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from careobs.quis import scoring
from careobs.quis.scoring import (
    CategoryCounts,
    Frame,
    Interval,
    frame_timeline,
    interactions_per_person_hour,
    negative_share,
    neutral_share,
    observed_minutes,
    people_with_negative,
    per_person_counts,
    percent,
    person_minutes,
    positive_share,
    rate_text,
    ratio_text,
    social_share,
    summarise,
    wilson_interval,
)

START = datetime(2025, 3, 4, 12, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return START + timedelta(minutes=minutes)


# Paudel, Resnick & Galik 2019: 556 interactions, 466 positive, 60 neutral, 30 negative.
PAUDEL = CategoryCounts(PS=300, PC=166, N=60, NP=20, NR=10)
# Barker et al. 2016: 1,554 interactions, 73% positive, 17% neutral, 10% negative.
BARKER = CategoryCounts(PS=600, PC=534, N=264, NP=100, NR=56)


def test_constants():
    assert scoring.CATEGORIES == ("PS", "PC", "N", "NP", "NR")
    assert list(scoring.CATEGORY_LABELS) == list(scoring.CATEGORIES)
    assert scoring.CATEGORY_LABELS["NR"] == "Negative restrictive"
    assert scoring.POSITIVE == ("PS", "PC")
    assert scoring.NEGATIVE == ("NP", "NR")
    assert list(scoring.NEGATIVE_REASONS) == [
        "call_not_acknowledged",
        "task_focused",
        "conversation_dismissed",
        "stopped_without_explanation",
        "talked_over",
        "other",
    ]
    assert scoring.NEGATIVE_REASONS["talked_over"] == "Staff talking over or past the person"
    assert scoring.COACHING_PROMPTS == (
        "Approach from the front",
        "Introduce yourself",
        "Smile and make eye contact",
        "Involve the person in what is happening",
    )


def test_paudel_2019_published_figures():
    assert PAUDEL.total == 556
    assert (PAUDEL.positive, PAUDEL.neutral, PAUDEL.negative) == (466, 60, 30)
    assert percent(positive_share(PAUDEL)) == "83.8%"
    assert percent(neutral_share(PAUDEL)) == "10.8%"
    assert percent(negative_share(PAUDEL)) == "5.4%"
    interval = wilson_interval(PAUDEL.positive, PAUDEL.total)
    assert round(interval.low * 100, 1) == 80.5
    assert round(interval.high * 100, 1) == 86.6
    assert ratio_text(PAUDEL) == "15.5 : 1"


def test_barker_2016_published_figures():
    assert BARKER.total == 1554
    assert round(positive_share(BARKER) * 100) == 73
    assert round(neutral_share(BARKER) * 100) == 17
    assert round(negative_share(BARKER) * 100) == 10
    assert percent(positive_share(BARKER), 0) == "73%"


def test_wilson_interval_edges():
    assert wilson_interval(0, 0) is None
    none = wilson_interval(0, 20)
    assert none.low == 0.0
    assert 0.0 < none.high < 1.0
    everything = wilson_interval(20, 20)
    assert everything.high == 1.0
    assert 0.0 < everything.low < 1.0
    # Symmetry: the interval for 0/20 mirrors the one for 20/20.
    assert none.high == pytest.approx(1 - everything.low)
    assert wilson_interval(1, 1).low >= 0.0
    with pytest.raises(ValueError):
        wilson_interval(5, 4)


def test_wilson_interval_textbook_value():
    # 8 of 10 with z = 1.96: the standard worked example gives 0.4902 to 0.9433.
    interval = wilson_interval(8, 10, z=1.96)
    assert round(interval.low, 4) == 0.4902
    assert round(interval.high, 4) == 0.9433
    assert isinstance(interval, Interval)


def test_category_counts_basics():
    c = CategoryCounts.from_categories(["PS", "PS", "PC", "N", "NR"])
    assert c == CategoryCounts(PS=2, PC=1, N=1, NR=1)
    assert c.total == 5
    assert c.positive == 3
    assert c.neutral == 1
    assert c.negative == 1
    assert c.share("PS") == 0.4
    assert c.share("NP") == 0.0
    assert c.as_dict() == {"PS": 2, "PC": 1, "N": 1, "NP": 0, "NR": 1}
    assert list(c.as_dict()) == list(scoring.CATEGORIES)
    assert CategoryCounts().share("PS") is None


def test_unknown_category_raises():
    with pytest.raises(ValueError, match="XX"):
        CategoryCounts.from_categories(["PS", "XX"])
    with pytest.raises(ValueError):
        CategoryCounts().share("P")
    with pytest.raises(ValueError):
        per_person_counts([{"category": "bad", "people": ["A"]}], ["A"])


def test_shares_are_none_without_interactions():
    empty = CategoryCounts()
    assert positive_share(empty) is None
    assert neutral_share(empty) is None
    assert negative_share(empty) is None
    assert social_share(empty) is None
    assert percent(None) == "—"


def test_ratio_text():
    assert ratio_text(CategoryCounts()) == "no interactions"
    assert ratio_text(CategoryCounts(N=3)) == "no negatives"
    assert ratio_text(CategoryCounts(PS=5)) == "no negatives"
    assert ratio_text(CategoryCounts(PS=3, NP=1)) == "3.0 : 1"
    assert ratio_text(CategoryCounts(PS=1, NR=4)) == "0.2 : 1"
    assert ratio_text(CategoryCounts(PS=7, PC=3, NP=2, NR=2)) == "2.5 : 1"


def test_social_share():
    assert social_share(CategoryCounts(PS=3, PC=1, NR=10)) == 0.75
    assert social_share(CategoryCounts(PC=4)) == 0.0
    assert social_share(CategoryCounts(N=4, NP=1)) is None


def test_rates_and_minutes():
    assert person_minutes(5, 60) == 300
    assert interactions_per_person_hour(30, person_minutes(5, 60), 60) == 6.0
    assert interactions_per_person_hour(3, 0, 60) is None
    assert interactions_per_person_hour(3, -1, 60) is None


def test_a_rate_needs_ten_minutes_observed():
    # 9 seconds with 1 person and 5 interactions would read as 2,000 an hour.
    assert interactions_per_person_hour(5, person_minutes(1, 0.15), 0.15) is None
    assert rate_text(5, 0.15, 0.15) == "too short to rate"
    assert interactions_per_person_hour(5, person_minutes(2, 10), 10) == 15.0
    assert rate_text(5, 20, 10) == "15.0"
    assert rate_text(5, 0, 12) == "—"
    assert observed_minutes(START, at(12.5)) == 12.5
    assert observed_minutes(at(10), START) == 0.0
    assert percent(0.5, 0) == "50%"
    assert percent(0.12345, 2) == "12.35%"


INTERACTIONS = [
    {"at": at(1), "category": "PS", "people": ["A", "B"]},
    {"at": at(2), "category": "NP", "people": ["B"]},
    {"at": at(5), "category": "PC", "people": ["C"]},
    {"at": at(6), "category": "NR", "people": ["C", "Z"]},
    {"at": at(9), "category": "N", "people": ["A"]},
]


def test_people_with_negative():
    assert people_with_negative(INTERACTIONS, ["C", "B", "A"]) == ["B", "C"]
    # Z is not among the people observed, so is not reported.
    assert people_with_negative(INTERACTIONS, ["A"]) == []
    assert people_with_negative([], ["A"]) == []


def test_per_person_counts_shared_interaction_counts_for_each():
    result = per_person_counts(INTERACTIONS, ["C", "A", "B", "D"])
    assert list(result) == ["C", "A", "B", "D"]
    assert result["A"] == CategoryCounts(PS=1, N=1)
    assert result["B"] == CategoryCounts(PS=1, NP=1)
    assert result["C"] == CategoryCounts(PC=1, NR=1)
    assert result["D"] == CategoryCounts()


def test_frame_boundary_goes_to_later_frame():
    interactions = [
        {"at": at(4.99), "category": "PS"},
        {"at": at(5), "category": "NR"},
    ]
    frames = frame_timeline(interactions, START, 5, at(10))
    assert [f.number for f in frames] == [1, 2]
    assert frames[0].counts == CategoryCounts(PS=1)
    assert frames[1].counts == CategoryCounts(NR=1)
    assert frames[1].starts_at == at(5)


def test_frame_counts():
    assert len(frame_timeline([], START, 5, at(60))) == 12
    frames = frame_timeline([], START, 5, at(7))
    assert [(f.number, f.starts_at) for f in frames] == [(1, START), (2, at(5))]
    assert len(frame_timeline([], START, 5, START)) == 1
    assert len(frame_timeline([], START, 5, at(-3))) == 1
    with pytest.raises(ValueError):
        frame_timeline([], START, 0, at(60))


def test_frame_out_of_session_interactions_are_kept():
    interactions = [
        {"at": at(-2), "category": "N"},
        {"at": at(7), "category": "PS"},  # exactly at the end
        {"at": at(30), "category": "NP"},
    ]
    frames = frame_timeline(interactions, START, 5, at(7))
    assert frames == [
        Frame(1, START, CategoryCounts(N=1)),
        Frame(2, at(5), CategoryCounts(PS=1, NP=1)),
    ]


def test_summarise_small_session():
    # 5 interactions over 10 minutes with 3 people: PS, NP, PC, NR, N.
    summary = summarise(INTERACTIONS, ["A", "B", "C"], START, at(10), 5)
    assert summary.counts == CategoryCounts(PS=1, PC=1, N=1, NP=1, NR=1)
    assert summary.positive_share == 0.4
    assert summary.neutral_share == 0.2
    assert summary.negative_share == 0.4
    assert summary.positive_interval == wilson_interval(2, 5)
    assert summary.negative_interval == wilson_interval(2, 5)
    assert summary.ratio == "1.0 : 1"
    assert summary.social == 0.5
    # 5 interactions / (3 people x 10 minutes) x 60 = 10 per person-hour.
    assert summary.per_person_hour == pytest.approx(10.0)
    assert summary.people_observed == 3
    assert summary.people_with_negative == ["B", "C"]
    assert summary.people_with_negative_share == pytest.approx(2 / 3)
    assert summary.minutes == 10.0
    assert [f.counts for f in summary.frames] == [
        CategoryCounts(PS=1, NP=1),
        CategoryCounts(PC=1, NR=1, N=1),
    ]
    assert summary.per_person["A"] == CategoryCounts(PS=1, N=1)
    assert list(summary.per_person) == ["A", "B", "C"]


def test_summarise_empty_session():
    summary = summarise(iter([]), [], START, at(15), 5)
    assert summary.counts.total == 0
    assert summary.positive_share is None
    assert summary.positive_interval is None
    assert summary.ratio == "no interactions"
    assert summary.per_person_hour is None
    assert summary.people_with_negative_share is None
    assert len(summary.frames) == 3
