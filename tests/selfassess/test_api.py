"""``GET /api/v1/self-assessments/<id>``: the contract's shape, exact figures, who may read
it, bad addresses; and /api/v1/openapi.json describing it, the suggestions API and the
``self_assessment`` document.

Acme (tests/conftest.py): Ada Admin; Mo Manager (care home only); Sue Supervisor (both
services); Stan Staff (care home); Hana Manager (homecare only); Other Org's admin.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from careobs.selfassess import evidence
from careobs.selfassess.ratings import KEY_OF
from tests.api.test_openapi import resolve
from tests.support.selfassess import self_assessment_doc, statement

WHEN = datetime(2026, 11, 2, 10, 15, tzinfo=UTC)
KEYS = ["safe", "effective", "caring", "responsive", "well_led"]


def url(assessment_id) -> str:
    return f"/api/v1/self-assessments/{assessment_id}"


@pytest.fixture
def assessed(org, client_as):
    """Mo's self-assessment of the care home: Safe S1-S3 scored 4, 4, 3 (11 of 12 = 92%
    outstanding, lower threshold); Effective all 6 scored 2 (12 of 24 = 50%, requires
    improvement, lower: the band's midpoint is 50.5); Caring C1 noted, not scored; Responsive
    R1 1, R2 2 (3 of 8 = 37.5%, rounded up to 38%: inadequate, upper); Well-led W1-W7 3 and
    W8 2 (23 of 32 = 72%, good, lower)."""
    given = {"S1": 4, "S2": 4, "S3": 3, "C1": None, "R1": 1, "R2": 2}
    given |= {f"E{n}": 2 for n in range(1, 7)}
    given |= {f"W{n}": 3 for n in range(1, 8)} | {"W8": 2}
    doc = self_assessment_doc(org.care_home, given, assessed_at=WHEN)
    assert client_as(org.manager)(doc)[0]["status"] == "created"
    return doc


def test_the_contract_shape_with_exact_figures(login_as, org, assessed):
    response = login_as(org.manager).get(url(assessed["id"]))
    assert response.status_code == 200
    body = response.get_json()
    assert body == {
        "id": assessed["id"],
        "service_id": str(org.care_home.uuid),
        "type": "self_assessment",
        "status": "submitted",
        "assessed_at": "2026-11-02T10:15:00+00:00",
        "key_questions": [
            {
                "key": "safe",
                "name": "Safe",
                "assessed": 3,
                "score_pct": 92,
                "rating": "outstanding",
                "threshold": "lower",
            },
            {
                "key": "effective",
                "name": "Effective",
                "assessed": 6,
                "score_pct": 50,
                "rating": "requires_improvement",
                "threshold": "lower",
            },
            {
                "key": "caring",
                "name": "Caring",
                "assessed": 0,
                "score_pct": None,
                "rating": None,
                "threshold": None,
            },
            {
                "key": "responsive",
                "name": "Responsive",
                "assessed": 2,
                "score_pct": 38,
                "rating": "inadequate",
                "threshold": "upper",
            },
            {
                "key": "well_led",
                "name": "Well-led",
                "assessed": 8,
                "score_pct": 72,
                "rating": "good",
                "threshold": "lower",
            },
        ],
        "statements": [
            {"code": code, "score": score}
            for code, score in zip(
                KEY_OF,
                [4, 4, 3, None, None, None, None, None]
                + [2] * 6
                + [None] * 5
                + [1, 2, None, None, None, None, None]
                + [3] * 7
                + [2],
                strict=True,
            )
        ],
    }


def test_a_draft_mock_inspection_is_read_as_it_stands(login_as, org, client_as, homecare_manager):
    doc = self_assessment_doc(
        org.care_home, {"W5": 4}, type="mock_inspection", status="draft", assessed_at=WHEN
    )
    doc["data"]["statements"].append(statement("S1", None, "To look at."))
    assert client_as(homecare_manager)(doc)[0]["status"] == "created"
    body = login_as(homecare_manager).get(url(doc["id"])).get_json()
    assert (body["type"], body["status"]) == ("mock_inspection", "draft")
    assert [k["key"] for k in body["key_questions"]] == KEYS
    assert [k["score_pct"] for k in body["key_questions"]] == [None, None, None, None, 100]
    assert len(body["statements"]) == 34
    assert [s for s in body["statements"] if s["score"] is not None] == [{"code": "W5", "score": 4}]


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("admin", 200),
        ("manager", 200),  # the assessor, and the service's manager
        ("supervisor", 404),  # works there, but did not carry it out
        ("homecare_manager", 404),  # manager of another service
        ("staff", 404),
        ("checker", 403),  # a quality checker reaches only their own pages and API
        ("other", 404),  # another organisation's admin
        (None, 401),
    ],
)
def test_who_may_read_it(login_as, org, other, homecare_manager, checker, assessed, who, expected):
    user = {"homecare_manager": homecare_manager, "other": other.admin, "checker": checker}.get(who)
    user = user or (getattr(org, who) if who else None)
    response = login_as(user).get(url(assessed["id"]))
    assert response.status_code == expected
    assert response.mimetype == "application/json"
    if expected != 200:
        assert set(response.get_json()["error"]) == {"code", "message"}
        assert "key_questions" not in response.get_json()


def test_a_supervisor_reads_their_own(login_as, org, client_as):
    doc = self_assessment_doc(org.homecare, {"S1": 3})
    assert client_as(org.supervisor)(doc)[0]["status"] == "created"
    assert login_as(org.supervisor).get(url(doc["id"])).status_code == 200


@pytest.mark.parametrize(
    "address",
    [
        "/api/v1/self-assessments/not-a-uuid",
        f"/api/v1/self-assessments/{uuid.uuid5(uuid.NAMESPACE_URL, 'unknown')}",
        "/api/v1/self-assessments/00000000-0000-0000-0000-000000000000",
        "/api/v1/self-assessments/%00",
        "/api/v1/self-assessments/" + "9" * 5000,
    ],
)
def test_bad_ids_are_not_found_in_json(login_as, org, assessed, address):
    response = login_as(org.admin).get(address)
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_only_get(login_as, org, assessed):
    response = login_as(org.admin).post(url(assessed["id"]), json={})
    assert response.status_code == 405


# -- /api/v1/openapi.json ----------------------------------------------------------------------


@pytest.fixture
def spec(client) -> dict:
    return client.get("/api/v1/openapi.json").get_json()


def test_the_ratings_api_is_described_as_answered(spec, login_as, org, assessed):
    operation = spec["paths"]["/api/v1/self-assessments/{assessment_id}"]["get"]
    assert set(operation["responses"]) == {"200", "401", "404"}
    schema = resolve(spec, operation["responses"]["200"]["content"]["application/json"]["schema"])
    body = login_as(org.manager).get(url(assessed["id"])).get_json()
    assert set(schema["required"]) <= set(body) == set(schema["properties"])
    key_question = schema["properties"]["key_questions"]["items"]
    assert set(body["key_questions"][0]) == set(key_question["properties"])
    assert key_question["properties"]["key"]["enum"] == KEYS
    assert key_question["properties"]["rating"]["enum"] == [
        "outstanding",
        "good",
        "requires_improvement",
        "inadequate",
        None,
    ]
    assert "88-100% outstanding" in key_question["properties"]["rating"]["description"]
    item = schema["properties"]["statements"]["items"]["properties"]
    assert item["code"]["enum"] == list(KEY_OF)
    assert item["score"]["enum"] == [1, 2, 3, 4, None]


def test_the_suggestions_api_is_described(spec):
    operation = spec["paths"]["/api/v1/self-assessments/suggestions"]["get"]
    assert [(p["name"], p["in"], p["required"]) for p in operation["parameters"]] == [
        ("service_id", "query", True)
    ]
    assert set(operation["responses"]) == {"200", "400", "401", "404"}
    schema = resolve(spec, operation["responses"]["200"]["content"]["application/json"]["schema"])
    assert set(schema["properties"]) == {"service_id", "generated_at", "statements"}
    entry = schema["properties"]["statements"]["additionalProperties"]["items"]
    assert set(entry["properties"]) == {"kind", "id", "label", "date", "url"}
    assert entry["properties"]["kind"]["enum"] == list(evidence.KINDS)


def test_the_self_assessment_document_is_described_with_its_fields(spec):
    document = resolve(spec, {"$ref": "#/components/schemas/SelfAssessmentDocument"})
    data = resolve(spec, document["properties"]["data"])
    assert document["properties"]["kind"] == {"enum": ["self_assessment"]}
    assert set(data["properties"]) == {
        "service_id",
        "type",
        "assessed_at",
        "statements",
        "status",
        "interview_notes",
    }
    assert data["properties"]["type"]["enum"] == ["self_assessment", "mock_inspection"]
    item = data["properties"]["statements"]["items"]["properties"]
    assert set(item) == {"code", "score", "rationale", "evidence"}
    assert item["score"]["enum"] == [1, 2, 3, 4, None]
    assert item["evidence"]["maxItems"] == evidence.MAX_PER_STATEMENT
    mapping = spec["components"]["schemas"]["Document"]["discriminator"]["mapping"]
    assert mapping["self_assessment"] == "#/components/schemas/SelfAssessmentDocument"
    # The documents the tests send fit the description.
    sent = self_assessment_doc(None, {"S1": 2}, interview_notes="")
    assert set(data["required"]) <= set(sent["data"]) <= set(data["properties"])
    assert set(sent["data"]["statements"][0]) == set(item)
