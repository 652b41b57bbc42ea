"""Self-assessment documents as a device sends them (document kind ``self_assessment``)."""

from __future__ import annotations

from datetime import UTC, datetime

from careobs.selfassess.ratings import KEY_OF
from tests.support.sync import iso, new_id, public_id

ALL_CODES = list(KEY_OF)


def statement(
    code: str,
    score: int | None = 3,
    rationale: str = "Seen at the visits and audits.",
    evidence: list | None = None,
) -> dict:
    return {"code": code, "score": score, "rationale": rationale, "evidence": evidence or []}


def self_assessment_doc(
    service,
    scores: dict[str, int | None] | None = None,
    *,
    type: str = "self_assessment",
    status: str = "submitted",
    assessed_at: datetime | None = None,
    document_id: str | None = None,
    revision: int = 1,
    **fields,
) -> dict:
    """A valid self-assessment of ``service``: every statement scored 3 unless ``scores`` says
    otherwise (a code → score; None: noted, not assessed)."""
    scores = {c: 3 for c in ALL_CODES} if scores is None else scores
    data = {
        "service_id": public_id(service),
        "type": type,
        "assessed_at": iso(assessed_at or datetime.now(UTC)),
        "statements": [statement(c, s) for c, s in scores.items()],
        "status": status,
        **fields,
    }
    return {
        "kind": "self_assessment",
        "id": document_id or new_id(),
        "revision": revision,
        "data": data,
    }
