"""Visits stored before issue 12, for tests of how they are counted now.

A visit with every item N/A used to be accepted when submitted; the server now refuses one
(careobs.visits.documents.ALL_NA), but those already stored remain and must still be
counted ("Unscored"). :func:`old_unscored_submissions_accepted` lets the real sync path store
one the way it used to: the document is checked as a draft (which may be all N/A), then stored
as submitted, with the outcome, report rows and per-period sums the service writes.
"""

from __future__ import annotations

import pytest

from careobs.visits import documents


def _all_na(data) -> bool:
    answers = data.get("answers") if isinstance(data, dict) else None
    return bool(answers) and all(a.get("rating") == "na" for a in answers)


def old_unscored_submissions_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    """Within ``monkeypatch``'s scope, accept a submitted visit with every item N/A."""
    original = documents.validate

    def validate(data, rosters):
        if not (_all_na(data) and data.get("status") == "submitted"):
            return original(data, rosters)
        clean, errors = original({**data, "status": "draft"}, rosters)
        if clean is not None:
            clean.status = "submitted"
        return clean, errors

    monkeypatch.setattr(documents, "validate", validate)
