"""The 34 quality statements of CQC's single assessment framework (design §2.3), for tagging.

Codes are short and stable (``S6`` is Safe's sixth statement) so stored tags never depend on the
wording; the names are CQC's.
"""

from __future__ import annotations

QUALITY_STATEMENTS: dict[str, dict[str, str]] = {
    "Safe": {
        "S1": "Learning culture",
        "S2": "Safe systems, pathways and transitions",
        "S3": "Safeguarding",
        "S4": "Involving people to manage risks",
        "S5": "Safe environments",
        "S6": "Safe and effective staffing",
        "S7": "Infection prevention and control",
        "S8": "Medicines optimisation",
    },
    "Effective": {
        "E1": "Assessing needs",
        "E2": "Delivering evidence-based care and treatment",
        "E3": "How staff, teams and services work together",
        "E4": "Supporting people to live healthier lives",
        "E5": "Monitoring and improving outcomes",
        "E6": "Consent to care and treatment",
    },
    "Caring": {
        "C1": "Kindness, compassion and dignity",
        "C2": "Treating people as individuals",
        "C3": "Independence, choice and control",
        "C4": "Responding to people's immediate needs",
        "C5": "Workforce wellbeing and enablement",
    },
    "Responsive": {
        "R1": "Person-centred care",
        "R2": "Care provision, integration and continuity",
        "R3": "Providing information",
        "R4": "Listening to and involving people",
        "R5": "Equity in access",
        "R6": "Equity in experiences and outcomes",
        "R7": "Planning for the future",
    },
    "Well-led": {
        "W1": "Shared direction and culture",
        "W2": "Capable, compassionate and inclusive leaders",
        "W3": "Freedom to speak up",
        "W4": "Workforce equality, diversity and inclusion",
        "W5": "Governance, management and sustainability",
        "W6": "Partnerships and communities",
        "W7": "Learning, improvement and innovation",
        "W8": "Environmental sustainability – sustainable development",
    },
}

STATEMENTS: dict[str, str] = {
    code: f"{question} — {name}"
    for question, statements in QUALITY_STATEMENTS.items()
    for code, name in statements.items()
}
"""Every code with its label, e.g. ``"S6": "Safe — Safe and effective staffing"``."""

NAMES: dict[str, str] = {
    code: name for statements in QUALITY_STATEMENTS.values() for code, name in statements.items()
}
"""Every code with the statement's own name, e.g. ``"S6": "Safe and effective staffing"``."""

# What an action agreed at a monitoring visit usually evidences: staffing is being made safe,
# and the provider learns and improves.
VISIT_ACTION_TAGS = ["S6", "W7"]
# An action from a QUIS observation: dignity, and learning from what was seen.
QUIS_ACTION_TAGS = ["C1", "W7"]


def labels(codes: list[str]) -> list[str]:
    """The labels of stored tags, skipping any code no longer known."""
    return [STATEMENTS[c] for c in codes if c in STATEMENTS]
