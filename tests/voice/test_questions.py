"""The question set and its summary: hand-counted answers, rows that add up to n."""

from __future__ import annotations

from careobs.voice.questions import ANSWERS, BY_KEY, QUESTIONS, summarise


def test_the_set_has_six_to_eight_first_person_statements_with_unique_versioned_keys():
    assert 6 <= len(QUESTIONS) <= 8
    assert len(BY_KEY) == len(QUESTIONS)
    assert all(q.text.startswith(("I ", "The staff", "When I")) for q in QUESTIONS)
    assert all(q.key.rsplit("_v", 1)[1].isdigit() for q in QUESTIONS)


def test_the_scale_has_five_points_in_words_and_prefer_not_to_say():
    assert list(ANSWERS.values()) == [
        "Strongly agree",
        "Agree",
        "Neither agree nor disagree",
        "Disagree",
        "Strongly disagree",
        "Prefer not to say",
    ]


def test_summary_counts_each_answer_and_the_share_agreeing_among_those_with_a_view():
    respect = QUESTIONS[0].key
    safe = QUESTIONS[2].key
    given = [
        (respect, "strongly_agree"),
        (respect, "agree"),
        (respect, "disagree"),
        (respect, "prefer_not_to_say"),
        (safe, "neither"),
        ("retired_v1", "agree"),  # a key no longer asked is left out
    ]

    rows = {row.question.key: row for row in summarise(given)}

    first = rows[respect]
    assert first.counts == {
        "strongly_agree": 1,
        "agree": 1,
        "neither": 0,
        "disagree": 1,
        "strongly_disagree": 0,
        "prefer_not_to_say": 1,
    }
    assert (first.n, first.n_view, first.agreeing) == (4, 3, 2)
    assert first.share_agreeing == 2 / 3
    assert (rows[safe].n, rows[safe].agreeing, rows[safe].share_agreeing) == (1, 0, 0.0)
    # Nobody answered the others: no share to state.
    assert rows[QUESTIONS[1].key].n == 0 and rows[QUESTIONS[1].key].share_agreeing is None
    assert sum(row.n for row in rows.values()) == 5
    assert all(sum(row.counts.values()) == row.n for row in rows.values())
