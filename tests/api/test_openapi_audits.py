"""/api/v1/openapi.json describes issue 15's device contract: the ``audit`` document and the
bootstrap's ``audit_templates``, with the field names fixed there."""

from __future__ import annotations

import pytest

from tests.api.test_openapi import resolve
from tests.support.audits import TemplateInfo, audit_doc, person, proposed_action

URL = "/api/v1/openapi.json"
AUDIT_FIELDS = {
    "template_id",
    "template_version",
    "service_id",
    "subject",
    "started_at",
    "ended_at",
    "answers",
    "actions",
    "status",
}
TEMPLATE_FIELDS = {
    "id",
    "version",
    "name",
    "subject_type",
    "frequency_days",
    "cqc_statements",
    "domains",
}
# Each item of a template; easy_read_text is issue 16's ("" when none is written).
ITEM_FIELDS = {"id", "text", "critical", "easy_read_text"}


@pytest.fixture
def spec(client) -> dict:
    response = client.get(URL)
    assert response.status_code == 200
    return response.get_json()


def test_the_audit_document_is_described(spec):
    document = resolve(spec, {"$ref": "#/components/schemas/AuditDocument"})
    assert document["properties"]["kind"]["enum"] == ["audit"]
    audit = resolve(spec, document["properties"]["data"])
    assert set(audit["properties"]) >= AUDIT_FIELDS
    subject = audit["properties"]["subject"]
    assert set(subject["properties"]) == {"type", "id", "code"}
    assert set(subject["properties"]["type"]["enum"]) == {"person", "staff", "area", "service"}
    answer = audit["properties"]["answers"]["items"]
    assert set(answer["properties"]) == {"item_id", "rating", "comment"}
    assert set(answer["properties"]["rating"]["enum"]) == {"met", "partly", "not_met", "na"}
    assert set(audit["properties"]["status"]["enum"]) == {"draft", "submitted"}
    action = audit["properties"]["actions"]["items"]
    assert set(action["properties"]) == {"id", "description", "owner_id", "due_on"}


def test_the_bootstrap_describes_audit_templates(spec):
    operation = spec["paths"]["/api/v1/bootstrap"]["get"]
    body = resolve(spec, operation["responses"]["200"]["content"]["application/json"]["schema"])
    template = resolve(spec, body["properties"]["audit_templates"]["items"])
    assert set(template["required"]) == set(template["properties"]) == TEMPLATE_FIELDS
    item = template["properties"]["domains"]["items"]["properties"]["items"]["items"]
    assert set(item["properties"]) == set(item["required"]) == ITEM_FIELDS
    assert item["properties"]["easy_read_text"]["type"] == "string"


def test_the_test_documents_meet_the_described_shape(spec):
    schema = resolve(spec, {"$ref": "#/components/schemas/Audit"})
    template = TemplateInfo("00000000-0000-4000-8000-000000000001", 1, "person", [])
    data = audit_doc(
        "00000000-0000-4000-8000-000000000002",
        template,
        person("R01"),
        actions=[proposed_action()],
    )["data"]
    assert set(schema["required"]) <= set(data) <= set(schema["properties"])
