"""GET /api/v1/openapi.json: the published description of the device API (design §3.1)."""

from __future__ import annotations

import json

import pytest

from careobs.quis.models import CONTEXTS
from careobs.quis.scoring import CATEGORIES, NEGATIVE_REASONS
from tests.support.quis import interaction, quis_doc

URL = "/api/v1/openapi.json"
STATUSES = {"created", "updated", "unchanged", "stale", "conflict", "invalid", "forbidden"}
# Field names fixed by the public contract in design §3.1.
SESSION_FIELDS = {
    "service_id",
    "area_id",
    "context",
    "started_at",
    "ended_at",
    "planned_minutes",
    "frame_minutes",
    "people",
    "staff_on_duty",
    "status",
    "notes",
    "went_well",
    "to_develop",
    "interactions",
}
INTERACTION_FIELDS = {
    "id",
    "at",
    "people",
    "staff_id",
    "category",
    "initiated_by",
    "communication",
    "negative_reason",
    "note",
}


@pytest.fixture
def spec(client) -> dict:
    response = client.get(URL)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return json.loads(response.get_data(as_text=True))


def resolve(spec: dict, schema: dict) -> dict:
    """Follow a local ``$ref`` (``#/components/schemas/Name``) to the schema it names."""
    while "$ref" in schema:
        ref = schema["$ref"]
        assert ref.startswith("#/"), ref
        node = spec
        for part in ref[2:].split("/"):
            node = node[part]
        schema = node
    return schema


def all_refs(node) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for value in node.values() for r in all_refs(value)]
    if isinstance(node, list):
        return [r for value in node for r in all_refs(value)]
    return []


def test_served_without_login_as_openapi_3_1(spec):
    assert spec["openapi"].startswith("3.1.")
    assert spec["info"]["title"]
    assert spec["info"]["version"]


def test_every_reference_resolves(spec):
    refs = all_refs(spec)
    assert refs
    for ref in refs:
        assert isinstance(resolve(spec, {"$ref": ref}), dict)


def test_bootstrap_is_described(spec):
    operation = spec["paths"]["/api/v1/bootstrap"]["get"]
    assert {"200", "304", "401"} <= set(operation["responses"])
    body = resolve(spec, operation["responses"]["200"]["content"]["application/json"]["schema"])
    assert set(body["required"]) == {
        "user",
        "services",
        "checklists",
        "audit_templates",
        "settings",
    }
    service = body["properties"]["services"]["items"]
    assert {"id", "name", "kind", "areas", "staff", "people"} <= set(service["properties"])
    assert set(service["properties"]["kind"]["enum"]) == {"care_home", "homecare"}
    error = resolve(spec, operation["responses"]["401"]["content"]["application/json"]["schema"])
    assert error["required"] == ["error"]
    assert set(error["properties"]["error"]["required"]) == {"code", "message"}


def test_sync_request_describes_the_document(spec):
    operation = spec["paths"]["/api/v1/sync"]["post"]
    assert "get" not in spec["paths"]["/api/v1/sync"]
    assert any(p["name"] == "X-CSRFToken" and p["in"] == "header" for p in operation["parameters"])
    request = operation["requestBody"]["content"]["application/json"]["schema"]
    assert request["required"] == ["documents"]
    documents = request["properties"]["documents"]
    assert documents["type"] == "array"
    assert documents["maxItems"] == 100

    variants = resolve(spec, documents["items"])["oneOf"]
    kinds = {resolve(spec, v)["properties"]["kind"]["enum"][0] for v in variants}
    assert kinds == {"quis_session", "spot_check", "audit", "conversation", "self_assessment"}
    document = resolve(spec, {"$ref": "#/components/schemas/QuisSessionDocument"})
    assert set(document["required"]) == {"kind", "id", "revision", "data"}
    assert "quis_session" in document["properties"]["kind"]["enum"]
    assert document["properties"]["revision"]["minimum"] == 1

    session = resolve(spec, document["properties"]["data"])
    assert set(session["properties"]) >= SESSION_FIELDS
    assert set(session["properties"]["context"]["enum"]) == set(CONTEXTS)
    assert set(session["properties"]["status"]["enum"]) == {"draft", "submitted"}
    assert session["properties"]["people"]["maxItems"] == 8

    item = resolve(spec, session["properties"]["interactions"]["items"])
    assert set(item["properties"]) >= INTERACTION_FIELDS
    assert set(item["properties"]["category"]["enum"]) == set(CATEGORIES)
    assert set(item["properties"]["negative_reason"]["enum"]) == {*NEGATIVE_REASONS, None}


def test_the_test_documents_meet_the_described_shape(spec):
    """The documents these tests send carry every required field and no undescribed one."""
    document_schema = resolve(spec, {"$ref": "#/components/schemas/QuisSessionDocument"})
    session_schema = resolve(spec, document_schema["properties"]["data"])
    item_schema = resolve(spec, session_schema["properties"]["interactions"]["items"])
    document = quis_doc("00000000-0000-4000-8000-000000000000", interactions=[interaction()])

    assert set(document_schema["required"]) <= set(document) <= set(document_schema["properties"])
    data = document["data"]
    assert set(session_schema["required"]) <= set(data) <= set(session_schema["properties"])
    item = data["interactions"][0]
    assert set(item_schema["required"]) <= set(item) <= set(item_schema["properties"])


def test_sync_responses_describe_results_and_errors(spec):
    responses = spec["paths"]["/api/v1/sync"]["post"]["responses"]
    assert {"200", "400", "401", "413", "415"} <= set(responses)
    ok = resolve(spec, responses["200"]["content"]["application/json"]["schema"])
    result = resolve(spec, ok["properties"]["results"]["items"])
    assert set(result["required"]) == {"id", "status"}
    assert set(result["properties"]["status"]["enum"]) == STATUSES
    assert {"id", "status", "revision", "errors"} <= set(result["properties"])
    errors = result["properties"]["errors"]
    assert errors["additionalProperties"]["type"] == "array"
    for status in ("400", "401", "413", "415"):
        schema = resolve(spec, responses[status]["content"]["application/json"]["schema"])
        assert schema["properties"]["error"]["required"] == ["code", "message"]


def test_real_results_use_only_described_fields(spec, client, auth, data):
    org = data.organisation()
    auth.login(org.supervisor)
    result_schema = resolve(spec, {"$ref": "#/components/schemas/Result"})
    response = client.post(
        "/api/v1/sync",
        json={"documents": [quis_doc(org.care_home), quis_doc(org.care_home, revision=0)]},
    )

    for result in response.get_json()["results"]:
        assert set(result_schema["required"]) <= set(result) <= set(result_schema["properties"])
        assert result["status"] in result_schema["properties"]["status"]["enum"]
