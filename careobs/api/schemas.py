"""The JSON schemas of the device API's documents, sync results and dashboards, which the OpenAPI
description (:mod:`careobs.api.openapi`) refers to; enumerations come from the models."""

from careobs.checklists.models import SUBJECT_TYPES
from careobs.checklists.scoring import RATINGS
from careobs.quis.models import CONTEXTS
from careobs.quis.scoring import CATEGORIES, NEGATIVE_REASONS
from careobs.visits.models import VISIT_TYPES
from careobs.voice.questions import ANSWERS as VOICE_ANSWERS
from careobs.voice.questions import OUTCOMES, QUESTIONS

ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
        }
    },
}

TIME = {"type": "string", "format": "date-time", "description": "ISO 8601 with a UTC offset"}
NULLABLE_TIME = {**TIME, "type": ["string", "null"]}
UUID = {"type": "string", "format": "uuid"}

INTERACTION = {
    "type": "object",
    "required": ["id", "at", "people", "category"],
    "properties": {
        "id": UUID,
        "at": TIME,
        "people": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        "staff_id": {"type": ["string", "null"], "format": "uuid"},
        "category": {"enum": list(CATEGORIES)},
        "initiated_by": {"enum": ["staff", "person", None]},
        "communication": {"enum": ["two_way", "one_way", None]},
        "negative_reason": {"enum": [*NEGATIVE_REASONS, None]},
        "note": {"type": "string"},
    },
}

QUIS_SESSION = {
    "type": "object",
    "required": [
        "service_id",
        "context",
        "started_at",
        "planned_minutes",
        "frame_minutes",
        "people",
        "status",
    ],
    "properties": {
        "service_id": UUID,
        "area_id": {"type": ["string", "null"], "format": "uuid"},
        "context": {"enum": list(CONTEXTS)},
        "started_at": TIME,
        "ended_at": NULLABLE_TIME,
        "planned_minutes": {"type": "integer", "minimum": 1, "maximum": 480},
        "frame_minutes": {"type": "integer", "minimum": 1, "maximum": 60},
        "people": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 8},
        "staff_on_duty": {"type": ["integer", "null"], "minimum": 0},
        "status": {"enum": ["draft", "submitted"]},
        "notes": {"type": "string"},
        "went_well": {"type": "string"},
        "to_develop": {"type": "string"},
        "interactions": {"type": "array", "items": INTERACTION},
        "feedback": {
            "type": "array",
            "description": "Optional feedback to staff written with the session",
            "items": {
                "type": "object",
                "required": ["staff_id"],
                "properties": {
                    "staff_id": UUID,
                    "went_well": {"type": "string"},
                    "to_develop": {"type": "string"},
                    "release": {
                        "type": "boolean",
                        "description": "Release the observer's words to the worker on "
                        "submission; with both boxes empty nothing is released and the entry "
                        "is kept as careobs's draft, to check and release from the session page",
                    },
                },
            },
        },
    },
}

SPOT_CHECK = {
    "type": "object",
    "required": [
        "service_id",
        "staff_id",
        "person_code",
        "visit_type",
        "consent",
        "checklist_id",
        "checklist_version",
        "planned_at",
        "planned_minutes",
        "status",
    ],
    "properties": {
        "service_id": UUID,
        "staff_id": UUID,
        "person_code": {"type": "string"},
        "visit_type": {"enum": list(VISIT_TYPES)},
        "consent": {"enum": ["on_record", "obtained_today"]},
        "checklist_id": UUID,
        "checklist_version": {"type": "integer", "minimum": 1},
        "planned_at": TIME,
        "planned_minutes": {"type": "integer", "minimum": 5, "maximum": 600},
        "started_at": {
            **NULLABLE_TIME,
            "description": "When the visit was set up on the device (set once, never changed). "
            "A checklist version retired after this time is still accepted for the visit; "
            "without it, the arrival (or planned) time is used.",
        },
        "arrived_at": NULLABLE_TIME,
        "left_at": NULLABLE_TIME,
        "answers": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["item_id", "rating"],
                "properties": {
                    "item_id": UUID,
                    "rating": {"enum": list(RATINGS)},
                    "comment": {"type": "string"},
                    "suggested": {
                        "type": "boolean",
                        "description": "True when the device suggested this rating from the "
                        "recorded times (Timekeeping items) and the supervisor kept it",
                    },
                },
            },
        },
        "person_view": {
            "type": "object",
            "properties": {
                "satisfaction": {"type": ["integer", "null"], "minimum": 1, "maximum": 5},
                "comment": {"type": "string"},
            },
        },
        "went_well": {"type": "string"},
        "to_develop": {"type": "string"},
        "actions": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "description"],
                "properties": {
                    "id": UUID,
                    "description": {"type": "string"},
                    "owner_id": {"type": ["string", "null"], "format": "uuid"},
                    "due_on": {"type": ["string", "null"], "format": "date"},
                },
            },
        },
        "status": {"enum": ["draft", "submitted"]},
        "release_feedback": {
            "type": "boolean",
            "description": "Release the feedback to the worker on submission",
        },
    },
}


ANSWER = {
    "type": "object",
    "required": ["item_id", "rating"],
    "properties": {
        "item_id": UUID,
        "rating": {"enum": list(RATINGS)},
        "comment": {"type": "string"},
    },
}

AUDIT = {
    "type": "object",
    "description": "One audit on an audit template (issue 15). The subject must be of the "
    "template's subject type and of the service: a person by code (id null), a care worker "
    "or an area by id (code null), the whole service by neither. A submitted audit rates every "
    "item and at least one applicable; its proposed actions become actions once.",
    "required": [
        "template_id",
        "template_version",
        "service_id",
        "subject",
        "started_at",
        "status",
    ],
    "properties": {
        "template_id": UUID,
        "template_version": {"type": "integer", "minimum": 1},
        "service_id": UUID,
        "subject": {
            "type": "object",
            "required": ["type"],
            "properties": {
                "type": {"enum": list(SUBJECT_TYPES)},
                "id": {"type": ["string", "null"], "format": "uuid"},
                "code": {"type": ["string", "null"], "description": "A person's code"},
            },
        },
        "started_at": TIME,
        "ended_at": NULLABLE_TIME,
        "answers": {"type": "array", "items": ANSWER},
        "actions": SPOT_CHECK["properties"]["actions"],
        "went_well": {"type": "string"},
        "to_develop": {"type": "string"},
        "status": {"enum": ["draft", "submitted"]},
        "co_audit": {
            "type": ["object", "null"],
            "description": "A co-audit (issue 16): the template answered with a person "
            "supported or by a quality checker, compared with a staff audit. Absent or null: a "
            "staff audit. with 'person': person_code is an active person of the service and a "
            "submitted co-audit needs consent true (a draft may lack it); sent by whoever may "
            "complete the template there. With 'quality_checker': person_code null, sent only "
            "by a quality checker of the service assigned that staff audit (anything else is "
            "forbidden). compare_with may name a staff audit the server does not hold yet; "
            "when it holds it, it must be a staff audit of the same service, template (any "
            "version) and subject, or the co-audit is invalid. A co-audit may be all N/A "
            "('Not sure') and is never a subject's latest audit (due dates ignore it).",
            "required": ["with", "compare_with"],
            "properties": {
                "with": {"enum": ["person", "quality_checker"]},
                "person_code": {"type": ["string", "null"], "maxLength": 16},
                "compare_with": {**UUID, "description": "The staff audit's document id"},
                "consent": {
                    "type": "boolean",
                    "description": "The person agreed to take part (with a person)",
                },
            },
        },
        "easy_read": {
            "type": "boolean",
            "description": "Answered on the easy-read form: Yes = met, Partly = partly, "
            "No = not_met, Not sure = na",
        },
    },
}

CONVERSATION = {
    "type": "object",
    "description": "A conversation with a person picked by a draw of people (issue 16): the "
    "person by code, one of the draw's picks; one conversation per draw and person (a second "
    "is invalid). Asked: each answer names a question by its versioned key, and a submitted "
    "one answers every question. Declined or not available: no answers. Its follow-up "
    "actions become actions once.",
    "required": ["draw_id", "person_code", "outcome", "started_at", "status"],
    "properties": {
        "draw_id": UUID,
        "person_code": {"type": "string"},
        "outcome": {"enum": list(OUTCOMES)},
        "started_at": TIME,
        "ended_at": NULLABLE_TIME,
        "answers": {
            "type": "array",
            "maxItems": len(QUESTIONS),
            "items": {
                "type": "object",
                "required": ["question", "answer"],
                "properties": {
                    "question": {"enum": [q.key for q in QUESTIONS]},
                    "answer": {"enum": list(VOICE_ANSWERS)},
                    "comment": {"type": "string"},
                },
            },
        },
        "comments": {"type": "string"},
        "actions": SPOT_CHECK["properties"]["actions"],
        "status": {"enum": ["draft", "submitted"]},
    },
}

AUDIT_TEMPLATE = {
    "type": "object",
    "required": [
        "id",
        "version",
        "name",
        "subject_type",
        "frequency_days",
        "cqc_statements",
        "domains",
    ],
    "properties": {
        "id": UUID,
        "version": {"type": "integer", "minimum": 1},
        "name": {"type": "string"},
        "subject_type": {"enum": list(SUBJECT_TYPES)},
        "frequency_days": {"type": ["integer", "null"], "minimum": 1},
        "cqc_statements": {
            "type": "array",
            "items": {"type": "string"},
            "description": "CQC quality statement codes, e.g. S8",
        },
        "domains": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "items"],
                "properties": {
                    "name": {"type": "string"},
                    "items": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["id", "text", "critical", "easy_read_text"],
                            "properties": {
                                "id": UUID,
                                "text": {"type": "string"},
                                "critical": {"type": "boolean"},
                                "easy_read_text": {
                                    "type": "string",
                                    "maxLength": 300,
                                    "description": "The item in plain words for an easy-read "
                                    "co-audit; empty when none is written, and the device then "
                                    "shows text",
                                },
                            },
                        },
                    },
                },
            },
        },
    },
}


def document(kind: str, data_schema: str) -> dict:
    """The envelope of one synced document whose ``data`` is the named schema."""
    return {
        "type": "object",
        "required": ["kind", "id", "revision", "data"],
        "properties": {
            "kind": {"enum": [kind]},
            "id": UUID,
            "revision": {"type": "integer", "minimum": 1},
            "data": {"$ref": f"#/components/schemas/{data_schema}"},
        },
    }


DOCUMENT = {
    "oneOf": [
        {"$ref": "#/components/schemas/QuisSessionDocument"},
        {"$ref": "#/components/schemas/SpotCheckDocument"},
        {"$ref": "#/components/schemas/AuditDocument"},
        {"$ref": "#/components/schemas/ConversationDocument"},
    ],
    "discriminator": {
        "propertyName": "kind",
        "mapping": {
            "quis_session": "#/components/schemas/QuisSessionDocument",
            "spot_check": "#/components/schemas/SpotCheckDocument",
            "audit": "#/components/schemas/AuditDocument",
            "conversation": "#/components/schemas/ConversationDocument",
        },
    },
}

RESULT = {
    "type": "object",
    "required": ["id", "status"],
    "properties": {
        "id": {"type": ["string", "null"]},
        "status": {
            "enum": ["created", "updated", "unchanged", "stale", "conflict", "invalid", "forbidden"]
        },
        "revision": {"type": "integer"},
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
}


DASHBOARD_FILTERS = [
    {
        "name": "service",
        "in": "query",
        "description": "Service ids (repeat the parameter); default: every service the user "
        "manages of the dashboard's kind",
        "schema": {"type": "array", "items": UUID},
        "explode": True,
    },
    {"name": "date_from", "in": "query", "schema": {"type": "string", "format": "date"}},
    {"name": "date_to", "in": "query", "schema": {"type": "string", "format": "date"}},
    {"name": "grouping", "in": "query", "schema": {"enum": ["week", "month"]}},
    {"name": "context", "in": "query", "description": "QUIS only", "schema": {"type": "string"}},
    {"name": "area", "in": "query", "description": "QUIS only", "schema": UUID},
    {
        "name": "visit_type",
        "in": "query",
        "description": "Visits and coverage only",
        "schema": {"enum": ["announced", "unannounced", "responsive"]},
    },
]

DASHBOARD = {
    "type": "object",
    "required": ["dashboard", "as_of", "tables"],
    "properties": {
        "dashboard": {"type": "string"},
        "as_of": {"type": "string", "format": "date-time"},
        "filters": {"type": "object"},
        "headline": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"label": {"type": "string"}, "value": {"type": "string"}},
            },
        },
        "tables": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "key": {"type": "string"},
                    "title": {"type": "string"},
                    "caption": {"type": "string"},
                    "columns": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "key": {"type": "string"},
                                "label": {"type": "string"},
                                "kind": {"enum": ["text", "int", "pct", "num", "date"]},
                            },
                        },
                    },
                    "rows": {"type": "array", "items": {"type": "array"}},
                    "chart": {"type": ["object", "null"]},
                },
            },
        },
    },
}
