"""The OpenAPI description of the device API, served at /api/v1/openapi.json."""

from careobs.quis.models import CONTEXTS
from careobs.quis.scoring import CATEGORIES, NEGATIVE_REASONS
from careobs.spotchecks.models import VISIT_TYPES
from careobs.spotchecks.scoring import RATINGS

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


def _document(kind: str, data_schema: str) -> dict:
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
    ],
    "discriminator": {
        "propertyName": "kind",
        "mapping": {
            "quis_session": "#/components/schemas/QuisSessionDocument",
            "spot_check": "#/components/schemas/SpotCheckDocument",
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


def _error(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


OPENAPI = {
    "openapi": "3.1.0",
    "info": {
        "title": "careobs device API",
        "version": "1",
        "description": "Offline capture and sync for careobs. Authenticate with the session "
        "cookie; send the X-CSRFToken header (from GET /api/v1/csrf) on every POST.",
    },
    "paths": {
        "/api/v1/csrf": {
            "get": {
                "summary": "A fresh CSRF token for the next POST",
                "responses": {
                    "200": _json(
                        {"type": "object", "properties": {"csrf_token": {"type": "string"}}},
                        "Token",
                    ),
                    "401": _error("Not logged in"),
                },
            }
        },
        "/api/v1/bootstrap": {
            "get": {
                "summary": "What the device needs to capture offline",
                "parameters": [
                    {"name": "If-None-Match", "in": "header", "schema": {"type": "string"}}
                ],
                "responses": {
                    "200": _json(
                        {"$ref": "#/components/schemas/Bootstrap"},
                        "Services, rosters and settings, with an ETag",
                    ),
                    "304": {"description": "Unchanged since the ETag given"},
                    "401": _error("Not logged in"),
                },
            }
        },
        "/api/v1/sync": {
            "post": {
                "summary": "Apply a batch of documents; each is answered on its own",
                "description": (
                    "For each document id the server holds exactly the highest revision ever "
                    "acknowledged (created, updated or unchanged), whole. A lower or equal "
                    "revision is stale; a later revision of a submitted document with other "
                    "content is a conflict (the copy is kept once for review). A document "
                    "that cannot be stored (NUL or unpaired surrogate characters, non-finite "
                    "numbers, nesting deeper than 16 levels, times before 2000 or more than a "
                    "day ahead of the server's clock, repeated ids) is invalid, with field "
                    "paths, and never blocks the others."
                ),
                "parameters": [
                    {
                        "name": "X-CSRFToken",
                        "in": "header",
                        "required": True,
                        "schema": {"type": "string"},
                    }
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["documents"],
                                "properties": {
                                    "documents": {
                                        "type": "array",
                                        "maxItems": 100,
                                        "items": {"$ref": "#/components/schemas/Document"},
                                    }
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "properties": {
                                "results": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/Result"},
                                }
                            },
                        },
                        "One result per document, in order",
                    ),
                    "400": _error("Malformed JSON or CSRF token missing"),
                    "401": _error("Not logged in"),
                    "413": _error("Too many documents or body too large"),
                    "415": _error("Not JSON"),
                    "503": _error(
                        "The database stayed locked through every retry; nothing from this "
                        "batch was written. Send it again after Retry-After seconds"
                    ),
                },
            }
        },
        "/api/v1/dashboards/{name}": {
            "get": {
                "summary": "A dashboard's tables for the filters given (managers and admins)",
                "parameters": [
                    {
                        "name": "name",
                        "in": "path",
                        "required": True,
                        "schema": {"enum": ["quis", "visits", "coverage"]},
                    },
                    *DASHBOARD_FILTERS,
                ],
                "responses": {
                    "200": _json(
                        {"$ref": "#/components/schemas/Dashboard"},
                        "Headline figures and tables; each chart is drawn from its table",
                    ),
                    "400": _error("Invalid filters (code invalid_filters)"),
                    "401": _error("Not logged in"),
                    "403": _error("Not a manager or admin"),
                },
            }
        },
        "/api/v1/dashboards/workers/{staff_id}": {
            "get": {
                "summary": "A care worker's visit scores and feedback history",
                "parameters": [
                    {"name": "staff_id", "in": "path", "required": True, "schema": UUID}
                ],
                "responses": {
                    "200": _json(
                        {"$ref": "#/components/schemas/Dashboard"}, "The worker's own tables"
                    ),
                    "401": _error("Not logged in"),
                    "404": _error("No such worker, or not the user's own page or service"),
                },
            }
        },
    },
    "components": {
        "schemas": {
            "Error": ERROR,
            "Dashboard": DASHBOARD,
            "Document": DOCUMENT,
            "QuisSession": QUIS_SESSION,
            "SpotCheck": SPOT_CHECK,
            "QuisSessionDocument": _document("quis_session", "QuisSession"),
            "SpotCheckDocument": _document("spot_check", "SpotCheck"),
            "Interaction": INTERACTION,
            "Result": RESULT,
            "Bootstrap": {
                "type": "object",
                "required": ["user", "services", "checklists", "settings"],
                "properties": {
                    "user": {"type": "object"},
                    "services": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "id": UUID,
                                "name": {"type": "string"},
                                "kind": {"enum": ["care_home", "homecare"]},
                                "areas": {"type": "array"},
                                "staff": {"type": "array"},
                                "people": {"type": "array"},
                            },
                        },
                    },
                    "checklists": {"type": "array"},
                    "settings": {
                        "type": "object",
                        "properties": {
                            "timezone": {
                                "type": "string",
                                "description": "The organisation's time zone (IANA name, e.g. "
                                "Europe/London): devices show times, and draft feedback, in it",
                            },
                            "visits": {"type": "object"},
                            "quis": {"type": "object"},
                        },
                    },
                },
            },
        }
    },
}
