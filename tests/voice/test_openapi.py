"""/api/v1/openapi.json describes the ``conversation`` document with its fixed field names."""

from __future__ import annotations

from careobs.voice.questions import QUESTIONS
from tests.api.test_openapi import resolve

FIELDS = {
    "draw_id",
    "person_code",
    "outcome",
    "started_at",
    "ended_at",
    "answers",
    "comments",
    "actions",
    "status",
}


def test_the_conversation_document_is_described_with_its_fields(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    document = resolve(spec, {"$ref": "#/components/schemas/ConversationDocument"})
    data = resolve(spec, document["properties"]["data"])

    assert document["properties"]["kind"] == {"enum": ["conversation"]}
    assert set(data["properties"]) == FIELDS
    assert data["properties"]["outcome"]["enum"] == ["asked", "declined", "not_available"]
    answer = data["properties"]["answers"]["items"]["properties"]
    assert answer["question"]["enum"] == [q.key for q in QUESTIONS]
    assert "prefer_not_to_say" in answer["answer"]["enum"]
    mapping = spec["components"]["schemas"]["Document"]["discriminator"]["mapping"]
    assert mapping["conversation"] == "#/components/schemas/ConversationDocument"
