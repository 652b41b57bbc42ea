"""The conversation's questions and answer scale, kept as data so stored answers keep their
meaning: each question has a versioned key, and new wording gets a new key, never the old one.

The statements follow the "I" statements of CQC's single assessment framework (what people
should be able to say about their care); each names the quality statement it evidences.
Pure data and arithmetic: no Flask, no database.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Question:
    key: str  # stored with each answer; a change of wording takes a new key
    text: str
    cqc: str  # the quality statement code it evidences (careobs.actions.cqc)


QUESTIONS: tuple[Question, ...] = (
    Question("respect_v1", "I am treated with respect and dignity.", "C1"),
    Question("matters_v1", "The staff know what matters to me.", "C2"),
    Question("safe_v1", "I feel safe, and I am supported to manage any risks.", "S3"),
    Question(
        "coordinated_v1",
        "I have care and support that is coordinated, and everyone works well together and"
        " with me.",
        "E3",
    ),
    Question("choice_v1", "I have choice and control over my care and support.", "C3"),
    Question("listened_v1", "When I raise something, I am listened to and it is acted on.", "R4"),
    Question("wellbeing_v1", "I am supported to stay well and do the things I enjoy.", "E4"),
)
BY_KEY = {q.key: q for q in QUESTIONS}

# The five-point scale in words, agreeing first, and the answer a person may give instead.
ANSWERS = {
    "strongly_agree": "Strongly agree",
    "agree": "Agree",
    "neither": "Neither agree nor disagree",
    "disagree": "Disagree",
    "strongly_disagree": "Strongly disagree",
    "prefer_not_to_say": "Prefer not to say",
}
AGREEING = ("strongly_agree", "agree")

# What came of asking: a conversation, or why there was none (the no-cherry-picking record).
OUTCOMES = {
    "asked": "Asked",
    "declined": "Declined to talk",
    "not_available": "Not available",
}


@dataclass(frozen=True)
class QuestionSummary:
    """How one question was answered: counts per answer (every answer, in scale order) and the
    share agreeing among those who gave a view (``prefer_not_to_say`` left out of ``n_view``)."""

    question: Question
    counts: dict[str, int]

    @property
    def n(self) -> int:
        return sum(self.counts.values())

    @property
    def n_view(self) -> int:
        return self.n - self.counts["prefer_not_to_say"]

    @property
    def agreeing(self) -> int:
        return sum(self.counts[a] for a in AGREEING)

    @property
    def share_agreeing(self) -> float | None:
        return self.agreeing / self.n_view if self.n_view else None


def summarise(answers) -> list[QuestionSummary]:
    """Per question, in the set's order, how ``answers`` ((question key, answer) pairs) were
    given; answers to keys no longer in the set are left out."""
    counts = {q.key: dict.fromkeys(ANSWERS, 0) for q in QUESTIONS}
    for key, answer in answers:
        if key in counts and answer in ANSWERS:
            counts[key][answer] += 1
    return [QuestionSummary(q, counts[q.key]) for q in QUESTIONS]
