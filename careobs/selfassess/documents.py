"""Validating a ``self_assessment`` document (issue 18).

``data``: ``service_id``, ``type`` ("self_assessment" | "mock_inspection"), ``assessed_at``,
``statements`` (``[{"code": "S1" … "W8", "score": 1-4 | null, "rationale", "evidence":
[{"kind", "id"}]}]``), ``status``; optionally ``interview_notes`` (a mock inspection's
interviews). A statement with no score is a note not yet assessed. Each code at most once;
each piece of evidence must name a record of the assessed service (careobs.selfassess.evidence),
at most once per statement. Submitting needs at least one statement scored, and a rationale for
each one scored. Who may record which type for which service is
careobs.permissions.assessment_refusal: anyone else's document is ``forbidden``, with the
sentence saying why.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from careobs.capture.documents import each_object
from careobs.org.models import Service
from careobs.permissions.selfassess import assessment_refusal
from careobs.selfassess import evidence as evidence_kinds
from careobs.selfassess.models import TYPES
from careobs.selfassess.ratings import KEY_OF, SCORES
from careobs.sync.fields import Errors, read_choice, read_text, read_time, read_uuid
from careobs.sync.roster import Forbidden, Rosters, ServiceRoster

MAX_TEXT = 20_000
NOTHING_SCORED = "Score at least one quality statement before submitting."
NO_RATIONALE = "Say why you gave this score before submitting."
NOT_HELD = "No such record in the service assessed."
TWICE = "This evidence is listed twice for the statement."
NOTES_FOR_MOCK = "Interview notes belong to a mock inspection: leave them empty here."


@dataclass
class CleanStatement:
    code: str
    score: int | None
    rationale: str
    evidence: list[dict]  # [{"kind", "id"}], the id as a string


@dataclass
class CleanSelfAssessment:
    service: Service
    type: str
    assessed_at: datetime
    statements: list[CleanStatement]
    interview_notes: str
    status: str
    # The service's roster: the sync files a copy that conflicts with a submitted assessment
    # for review under ``roster.service`` (careobs.sync.service.quarantine).
    roster: ServiceRoster | None = None

    @property
    def scores(self) -> dict[str, int | None]:
        return {s.code: s.score for s in self.statements}


def read_service(value, type_: str | None, rosters: Rosters, errors: Errors) -> Service | None:
    """The service assessed; Forbidden when the user may not record ``type_`` for it."""
    service_uuid = read_uuid(value, "service_id", errors)
    roster = rosters.get(service_uuid) if service_uuid else None
    if service_uuid and roster is None:
        errors.add("service_id", "Unknown service.")
        return None
    if roster is None:
        return None
    if type_ is not None:
        refusal = assessment_refusal(rosters.user, roster.service, type_)
        if refusal is not None:
            raise Forbidden("service_id", refusal)
    return roster.service


def read_evidence(value, path: str, errors: Errors) -> list[tuple[str, uuid.UUID]]:
    """A statement's evidence as (kind, id) pairs, each at most once."""
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > evidence_kinds.MAX_PER_STATEMENT:
        errors.add(path, f"Must be a list of at most {evidence_kinds.MAX_PER_STATEMENT} records.")
        return []
    refs: list[tuple[str, uuid.UUID]] = []
    for item_path, entry in each_object(value, path, errors):
        kind = read_choice(
            entry.get("kind"), f"{item_path}.kind", errors, tuple(evidence_kinds.KINDS)
        )
        ref = read_uuid(entry.get("id"), f"{item_path}.id", errors)
        if kind is None or ref is None:
            continue
        if (kind, ref) in refs:
            errors.add(f"{item_path}.id", TWICE)
            continue
        refs.append((kind, ref))
    return refs


def read_statements(value, errors: Errors) -> list[tuple[CleanStatement, list, str]]:
    """Each statement once, by its CQC code, with its evidence references and path."""
    if value is None:
        value = []
    if not isinstance(value, list) or len(value) > len(KEY_OF):
        errors.add("statements", f"Must be a list of at most {len(KEY_OF)} statements.")
        return []
    read, seen = [], set()
    for path, entry in each_object(value, "statements", errors):
        code = entry.get("code")
        if not isinstance(code, str) or code not in KEY_OF:
            errors.add(f"{path}.code", "Unknown quality statement: S1 to W8.")
            continue
        if code in seen:
            errors.add(f"{path}.code", "This statement is listed twice.")
            continue
        seen.add(code)
        score = entry.get("score")
        # ``type(...) is int``: not a bool (True == 1), and nothing unhashable reaches ``in``.
        if score is not None and (type(score) is not int or score not in SCORES):
            errors.add(f"{path}.score", "Must be 1, 2, 3 or 4, or null when not assessed.")
            score = None
        rationale = read_text(entry.get("rationale"), f"{path}.rationale", errors, MAX_TEXT)
        refs = read_evidence(entry.get("evidence"), f"{path}.evidence", errors)
        evidence = [{"kind": k, "id": str(i)} for k, i in refs]
        read.append((CleanStatement(code, score, rationale, evidence), refs, path))
    # Kept in CQC's order, whatever order the device sent.
    order = list(KEY_OF)
    read.sort(key=lambda r: order.index(r[0].code))
    return read


def validate(data, rosters: Rosters):
    """Check a self-assessment document; raises Forbidden for a service (or type) the user may
    not assess. Everything is checked before anything is written."""
    errors = Errors()
    if not isinstance(data, dict):
        errors.add("data", "Must be an object.")
        return None, errors
    type_ = read_choice(data.get("type"), "type", errors, tuple(TYPES))
    service = read_service(data.get("service_id"), type_, rosters, errors)
    assessed_at = read_time(data.get("assessed_at"), "assessed_at", errors)
    status = read_choice(data.get("status"), "status", errors, ("draft", "submitted"))
    read = read_statements(data.get("statements"), errors)
    notes = read_text(data.get("interview_notes"), "interview_notes", errors, MAX_TEXT)
    if type_ == "self_assessment" and notes.strip():
        errors.add("interview_notes", NOTES_FOR_MOCK)
    if service is not None and not errors:
        named = [ref for _, refs, _ in read for ref in refs]
        held = evidence_kinds.held(rosters.db, service.id, named)
        for _statement, refs, path in read:
            for index, ref in enumerate(refs):
                if ref not in held:
                    errors.add(f"{path}.evidence[{index}].id", NOT_HELD)
    if status == "submitted" and not errors:
        scored = [(s, path) for s, _, path in read if s.score is not None]
        if not scored:
            errors.add("statements", NOTHING_SCORED)
        for statement, path in scored:
            if not statement.rationale.strip():
                errors.add(f"{path}.rationale", NO_RATIONALE)
    if errors:
        return None, errors
    statements = [s for s, _, _ in read]
    clean = CleanSelfAssessment(
        service, type_, assessed_at, statements, notes, status, rosters.get(service.uuid)
    )
    return clean, errors
