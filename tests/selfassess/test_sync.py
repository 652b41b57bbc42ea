"""POST /api/v1/sync with ``self_assessment`` documents: created, unchanged, updated, stale, a
draft submitted, a submitted one kept as it was against a later revision; every malformed or
hostile document ``invalid`` with the path of the field at fault, and who may record which type
for which service (``forbidden`` with the reason) — nothing of a refused document written, and
the rest of its batch stored.

Acme (tests/conftest.py): Ada Admin; Mo Manager (care home only); Sue Supervisor (both
services); Stan Staff (care home); Hana Manager (homecare only); Other Org's admin.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from careobs.audit.models import AuditEvent
from careobs.permissions.selfassess import CLOSED, NO_MOCK, NOT_INDEPENDENT, NOT_YOURS
from careobs.selfassess import documents
from careobs.selfassess.models import SelfAssessment, SelfAssessmentStatement
from careobs.sync.models import QuarantinedDocument
from tests.support.database import count
from tests.support.selfassess import self_assessment_doc, statement
from tests.support.sync import SYNC_URL, revise

WHEN = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


def stored(db, doc) -> SelfAssessment | None:
    db.expire_all()
    return db.scalar(sa.select(SelfAssessment).where(SelfAssessment.uuid == uuid.UUID(doc["id"])))


def nothing_written(db) -> bool:
    db.expire_all()
    return (count(db, SelfAssessment), count(db, SelfAssessmentStatement)) == (0, 0)


def audit_actions(db) -> list[str]:
    return list(db.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


def trend(service) -> dict:
    """The service's QUIS figures as evidence (its id is the service's own)."""
    return {"kind": "quis_trend", "id": str(service.uuid)}


@pytest.fixture
def mo(org, client_as):
    return client_as(org.manager)


# -- the revision rules --------------------------------------------------------------------------


def test_created_once_then_unchanged(db, org, mo):
    doc = self_assessment_doc(org.care_home, {"W5": 2, "S1": 4}, assessed_at=WHEN)
    doc["data"]["statements"][0]["evidence"] = [trend(org.care_home)]
    assert mo(doc) == [{"id": doc["id"], "revision": 1, "status": "created"}]
    assert [r["status"] for r in mo(doc)] == ["unchanged"]
    assessment = stored(db, doc)
    assert (assessment.type, assessment.status, assessment.assessed_at) == (
        "self_assessment",
        "submitted",
        WHEN,
    )
    assert assessment.assessor_id == org.manager.id
    assert assessment.submitted_at is not None
    # Kept in CQC's order whatever order the device sent.
    assert [(s.code, s.score, s.evidence) for s in assessment.statements] == [
        ("S1", 4, []),
        ("W5", 2, [trend(org.care_home)]),
    ]
    assert audit_actions(db).count("self_assessment_submitted") == 1


def test_a_draft_is_updated_then_submitted_and_an_older_copy_is_stale(db, org, mo):
    draft = self_assessment_doc(org.care_home, {"S1": 2, "S2": None}, status="draft")
    assert [r["status"] for r in mo(draft)] == ["created"]
    assessment = stored(db, draft)
    assert assessment.status == "draft" and assessment.submitted_at is None
    second = revise(
        draft, 2, statements=[statement("S1", 3), statement("E1", 1), statement("E2", None, "")]
    )
    assert mo(second) == [{"id": draft["id"], "revision": 2, "status": "updated"}]
    assert [(s.code, s.score) for s in stored(db, draft).statements] == [
        ("S1", 3),
        ("E1", 1),
        ("E2", None),
    ]
    assert mo(draft) == [{"id": draft["id"], "revision": 2, "status": "stale"}]
    submitted = revise(second, 3, status="submitted")
    assert [r["status"] for r in mo(submitted)] == ["updated"]
    assessment = stored(db, draft)
    assert (assessment.status, assessment.revision) == ("submitted", 3)
    assert assessment.submitted_at is not None
    actions = audit_actions(db)
    assert actions.count("self_assessment_saved") == 1
    assert actions.count("self_assessment_updated") == 1
    assert actions.count("self_assessment_submitted") == 1


def test_a_submitted_assessment_is_not_changed_by_a_later_revision(db, org, mo):
    """As for every kind: the later copy is kept for a manager to review, the stored one stays
    (so an action raised for a gap always names the row it was raised for)."""
    doc = self_assessment_doc(org.care_home, {"S1": 1})
    mo(doc)
    row_id = stored(db, doc).statements[0].id
    later = revise(doc, 2, statements=[statement("S1", 4, "Better now.")])
    [answer] = mo(later)
    assert answer["status"] == "conflict", answer
    assert "already submitted" in answer["errors"]["id"][0]
    assessment = stored(db, doc)
    assert assessment.revision == 1
    assert [(s.id, s.code, s.score) for s in assessment.statements] == [(row_id, "S1", 1)]
    [kept] = db.scalars(sa.select(QuarantinedDocument))
    assert (kept.kind, kept.service_id, kept.revision) == ("self_assessment", org.care_home.id, 2)
    assert [r["status"] for r in mo(later)] == ["conflict"]  # sent again: kept once
    assert count(db, QuarantinedDocument) == 1


def test_the_kept_copy_is_reviewed_like_any_other(db, org, mo, login_as):
    doc = self_assessment_doc(org.care_home, {"S1": 1})
    mo(doc)
    mo(revise(doc, 2, statements=[statement("S1", 4, "Better now.")]))
    [kept] = db.scalars(sa.select(QuarantinedDocument))
    client = login_as(org.manager)
    listed = client.get("/sync/quarantine/")
    assert listed.status_code == 200
    one = client.get(f"/sync/quarantine/{kept.id}")
    assert one.status_code == 200
    assert "Better now." in one.get_data(as_text=True)


def test_a_mock_inspection_keeps_its_interview_notes(db, org, client_as, homecare_manager):
    doc = self_assessment_doc(
        org.care_home, {"C1": 3}, type="mock_inspection", interview_notes="Two carers, R01."
    )
    assert [r["status"] for r in client_as(homecare_manager)(doc)] == ["created"]
    assessment = stored(db, doc)
    assert (assessment.type, assessment.interview_notes) == ("mock_inspection", "Two carers, R01.")
    assert assessment.assessor_id == homecare_manager.id


# -- invalid, with the field at fault -----------------------------------------------------------


def with_statement(org, **fields) -> dict:
    doc = self_assessment_doc(org.care_home, {"S1": 3, "S2": 2})
    doc["data"]["statements"][0].update(fields)
    return doc


def case_unknown_code(org):
    return with_statement(org, code="Z1"), "statements[0].code", "Unknown quality statement"


def case_code_not_text(org):
    return with_statement(org, code=1), "statements[0].code", "Unknown quality statement"


def case_duplicate_code(org):
    return with_statement(org, code="S2"), "statements[1].code", "listed twice"


def score_case(value):
    def case(org):
        return with_statement(org, score=value), "statements[0].score", "Must be 1, 2, 3 or 4"

    case.__name__ = f"case_score_{value!r}"[:40]
    return case


def case_rationale_too_long(org):
    doc = with_statement(org, rationale="x" * (documents.MAX_TEXT + 1))
    return doc, "statements[0].rationale", None


def case_rationale_not_text(org):
    return with_statement(org, rationale=["a"]), "statements[0].rationale", None


def case_nul(org):
    return with_statement(org, rationale="a\u0000b"), "statements[0].rationale", None


def case_evidence_of_another_service(org):
    doc = with_statement(org, evidence=[trend(org.homecare)])
    return doc, "statements[0].evidence[0].id", documents.NOT_HELD


def case_evidence_unknown_id(org):
    doc = with_statement(org, evidence=[{"kind": "audit", "id": str(uuid.uuid4())}])
    return doc, "statements[0].evidence[0].id", documents.NOT_HELD


def case_evidence_twice(org):
    doc = with_statement(org, evidence=[trend(org.care_home), trend(org.care_home)])
    return doc, "statements[0].evidence[1].id", documents.TWICE


def case_evidence_bad_kind(org):
    doc = with_statement(org, evidence=[{"kind": "diary", "id": str(org.care_home.uuid)}])
    return doc, "statements[0].evidence[0].kind", None


def case_evidence_kind_a_list(org):
    doc = with_statement(org, evidence=[{"kind": ["audit"], "id": str(org.care_home.uuid)}])
    return doc, "statements[0].evidence[0].kind", None


def case_type_a_list(org):
    return self_assessment_doc(org.care_home, type=["self_assessment"]), "type", None


def case_status_an_object(org):
    return self_assessment_doc(org.care_home, status={"submitted": True}), "status", None


def case_evidence_bad_id(org):
    doc = with_statement(org, evidence=[{"kind": "audit", "id": "not-a-uuid"}])
    return doc, "statements[0].evidence[0].id", None


def case_evidence_not_objects(org):
    return with_statement(org, evidence=["audit"]), "statements[0].evidence[0]", None


def case_too_much_evidence(org):
    many = [{"kind": "audit", "id": str(uuid.uuid4())} for _ in range(31)]
    return with_statement(org, evidence=many), "statements[0].evidence", "at most 30"


def case_too_many_statements(org):
    doc = self_assessment_doc(org.care_home)
    doc["data"]["statements"].append(statement("S1", 3))
    return doc, "statements", "at most 34"


def case_statements_not_a_list(org):
    doc = self_assessment_doc(org.care_home)
    doc["data"]["statements"] = {"S1": 3}
    return doc, "statements", None


def case_year_1(org):
    return self_assessment_doc(org.care_home, assessed_at=None), "assessed_at", None


def case_year_9999(org):
    return self_assessment_doc(org.care_home), "assessed_at", None


def case_naive_time(org):
    doc = self_assessment_doc(org.care_home)
    doc["data"]["assessed_at"] = "2026-11-02T10:00:00"
    return doc, "assessed_at", "UTC offset"


def case_bad_type(org):
    return self_assessment_doc(org.care_home, type="inspection"), "type", None


def case_bad_status(org):
    return self_assessment_doc(org.care_home, status="final"), "status", None


def case_service_not_a_uuid(org):
    doc = self_assessment_doc(org.care_home)
    doc["data"]["service_id"] = "care home"
    return doc, "service_id", None


def case_unknown_service(org):
    doc = self_assessment_doc(org.care_home)
    doc["data"]["service_id"] = str(uuid.uuid4())
    return doc, "service_id", "Unknown service."


def case_notes_too_long(org):
    doc = self_assessment_doc(org.care_home, interview_notes="n" * (documents.MAX_TEXT + 1))
    return doc, "interview_notes", None


def case_interview_notes_on_a_self_assessment(org):
    # Shown only on a mock inspection's page: on a self-assessment they would be hidden text.
    doc = self_assessment_doc(org.care_home, interview_notes="Asked two carers about nights.")
    return doc, "interview_notes", documents.NOTES_FOR_MOCK


def case_submitted_with_nothing_scored(org):
    doc = self_assessment_doc(org.care_home, {"S1": None, "W1": None})
    return doc, "statements", documents.NOTHING_SCORED


def case_submitted_with_no_statements(org):
    return self_assessment_doc(org.care_home, {}), "statements", documents.NOTHING_SCORED


def case_scored_without_rationale(org):
    return with_statement(org, rationale="   "), "statements[0].rationale", documents.NO_RATIONALE


INVALID = [
    case_unknown_code,
    case_code_not_text,
    case_duplicate_code,
    *(score_case(v) for v in (0, 5, -1, True, False, "3", 2.5, 10**400, [3])),
    case_rationale_too_long,
    case_rationale_not_text,
    case_nul,
    case_evidence_of_another_service,
    case_evidence_unknown_id,
    case_evidence_twice,
    case_evidence_bad_kind,
    case_evidence_kind_a_list,
    case_type_a_list,
    case_status_an_object,
    case_evidence_bad_id,
    case_evidence_not_objects,
    case_too_much_evidence,
    case_too_many_statements,
    case_statements_not_a_list,
    case_naive_time,
    case_bad_type,
    case_bad_status,
    case_service_not_a_uuid,
    case_unknown_service,
    case_notes_too_long,
    case_interview_notes_on_a_self_assessment,
    case_submitted_with_nothing_scored,
    case_submitted_with_no_statements,
    case_scored_without_rationale,
]

# Raw JSON text a document's placeholder becomes (Python's json module will not write these).
RAW = {
    case_year_1: ('"ASSESSED-AT"', '"0001-01-01T00:15:00+01:00"'),
    case_year_9999: ('"ASSESSED-AT"', '"9999-12-31T23:30:00-05:00"'),
}


def post_raw(client, documents_: list[dict], replace: dict[str, str]):
    text = json.dumps({"documents": documents_})
    for placeholder, raw in replace.items():
        assert placeholder in text
        text = text.replace(placeholder, raw)
    response = client.post(SYNC_URL, data=text.encode(), content_type="application/json")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_json()["results"]


@pytest.mark.parametrize(
    "make", [*INVALID, case_year_1, case_year_9999], ids=lambda make: make.__name__
)
def test_a_bad_document_is_invalid_with_its_field_and_the_batch_goes_on(db, org, login_as, make):
    bad, path, words = make(org)
    replace = {}
    if make in RAW:
        bad["data"]["assessed_at"] = "ASSESSED-AT"
        placeholder, raw = RAW[make]
        replace[placeholder] = raw
    before = self_assessment_doc(org.homecare, {"S1": 3})
    after = self_assessment_doc(org.homecare, {"W1": 4})
    client = login_as(org.admin)
    first, answer, last = post_raw(client, [before, bad, after], replace)
    assert (first["status"], last["status"]) == ("created", "created")
    assert answer["status"] == "invalid", answer
    assert path in answer["errors"], answer["errors"]
    if words:
        assert any(words in message for message in answer["errors"][path]), answer["errors"]
    assert stored(db, bad) is None
    assert count(db, SelfAssessment) == 2
    assert count(db, SelfAssessmentStatement) == 2


@pytest.mark.parametrize(
    ("placeholder_field", "raw", "path"),
    [
        ("rationale", '"a\\ud800b"', "statements[0].rationale"),  # a lone surrogate
        ("rationale", "[" * 100_000 + "]" * 100_000, "statements"),  # deep JSON
    ],
    ids=["lone_surrogate", "deep_json"],
)
def test_text_no_database_can_store_is_invalid(db, org, login_as, placeholder_field, raw, path):
    bad = with_statement(org, **{placeholder_field: "PLACEHOLDER"})
    good = self_assessment_doc(org.homecare, {"S1": 3})
    [answer, kept] = post_raw(login_as(org.admin), [bad, good], {'"PLACEHOLDER"': raw})
    assert kept["status"] == "created"
    assert answer["status"] == "invalid", answer
    assert any(f.startswith(path) or path.startswith(f) for f in answer["errors"]), answer
    assert stored(db, bad) is None
    assert count(db, SelfAssessmentStatement) == 1


def test_a_refused_revision_of_a_draft_leaves_it_whole(db, org, mo):
    """Never a partial write: a bad second revision changes nothing of the first."""
    draft = self_assessment_doc(org.care_home, {"S1": 2, "S2": 3}, status="draft")
    mo(draft)
    bad = revise(draft, 2, statements=[statement("S1", 4), statement("S2", 3, evidence=["x"])])
    assert [r["status"] for r in mo(bad)] == ["invalid"]
    assessment = stored(db, draft)
    assert assessment.revision == 1
    assert [(s.code, s.score) for s in assessment.statements] == [("S1", 2), ("S2", 3)]


def test_a_draft_may_hold_scores_without_rationales_or_any_score(db, org, mo):
    doc = self_assessment_doc(org.care_home, {"S1": None}, status="draft")
    doc["data"]["statements"].append(statement("S2", 2, ""))
    assert [r["status"] for r in mo(doc)] == ["created"]


# -- who may record which type for which service ----------------------------------------------


@pytest.fixture
def homecare_supervisor(data, org, db):
    user = data.user(org.org, "sam@acme.test", "Sam Supervisor", roles={org.homecare: "supervisor"})
    db.commit()
    return user


@pytest.mark.parametrize(
    ("who", "type_", "status", "message"),
    [
        ("admin", "self_assessment", "created", None),
        ("admin", "mock_inspection", "created", None),  # the provider, independent
        ("manager", "self_assessment", "created", None),
        ("supervisor", "self_assessment", "created", None),
        ("manager", "mock_inspection", "forbidden", NOT_INDEPENDENT),
        ("supervisor", "mock_inspection", "forbidden", NOT_INDEPENDENT),
        ("staff", "self_assessment", "forbidden", NOT_YOURS),
        ("staff", "mock_inspection", "forbidden", NOT_INDEPENDENT),  # works there
        ("homecare_manager", "self_assessment", "forbidden", NOT_YOURS),
        ("homecare_manager", "mock_inspection", "created", None),
        ("homecare_supervisor", "self_assessment", "forbidden", NOT_YOURS),
        ("homecare_supervisor", "mock_inspection", "created", None),
        ("outsider", "mock_inspection", "forbidden", NO_MOCK),  # no role anywhere
        ("other", "self_assessment", "invalid", "Unknown service."),
        ("other", "mock_inspection", "invalid", "Unknown service."),
    ],
)
def test_who_may_assess_the_care_home(
    db, org, other, client_as, homecare_manager, homecare_supervisor, who, type_, status, message
):
    user = {
        "homecare_manager": homecare_manager,
        "homecare_supervisor": homecare_supervisor,
        "other": other.admin,
    }.get(who) or getattr(org, who)
    doc = self_assessment_doc(org.care_home, {"S1": 3}, type=type_)
    [answer] = client_as(user)(doc)
    assert answer["status"] == status, answer
    if message:
        assert answer["errors"] == {"service_id": [message]}
        assert nothing_written(db)
    else:
        assert stored(db, doc).type == type_


def test_a_closed_service_is_no_longer_assessed(db, org, data, client_as):
    org.care_home.active = False
    data.session.commit()
    for user, type_ in ((org.manager, "self_assessment"), (org.admin, "mock_inspection")):
        [answer] = client_as(user)(self_assessment_doc(org.care_home, {"S1": 3}, type=type_))
        assert answer["status"] == "forbidden"
        assert answer["errors"] == {"service_id": [CLOSED]}
    assert nothing_written(db)


def test_a_forbidden_document_does_not_stop_the_batch(db, org, client_as):
    refused = self_assessment_doc(org.care_home, {"S1": 3}, type="mock_inspection")
    allowed = self_assessment_doc(org.care_home, {"S1": 2})
    answers = client_as(org.manager)(refused, allowed)
    assert [a["status"] for a in answers] == ["forbidden", "created"]
    assert stored(db, refused) is None and stored(db, allowed) is not None


def test_another_persons_document_id_is_not_theirs_to_change(db, org, client_as):
    doc = self_assessment_doc(org.care_home, {"S1": 3}, status="draft")
    client_as(org.manager)(doc)
    taken = revise(doc, 2, statements=[statement("S1", 1)])
    [answer] = client_as(org.admin)(taken)
    assert answer["status"] == "conflict", answer
    assert [(s.code, s.score) for s in stored(db, doc).statements] == [("S1", 3)]
