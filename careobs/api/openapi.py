"""The OpenAPI description of the device API, served at /api/v1/openapi.json."""

from careobs.api.schemas import (
    AUDIT,
    AUDIT_TEMPLATE,
    CONVERSATION,
    DASHBOARD,
    DASHBOARD_FILTERS,
    DOCUMENT,
    ERROR,
    INTERACTION,
    QUIS_SESSION,
    RESULT,
    SPOT_CHECK,
    TIME,
    UUID,
    document,
)
from careobs.coaudits.comparison import OPENAPI_SCHEMA as COMPARISON
from careobs.selfassess import evidence as evidence_kinds
from careobs.selfassess.models import TYPES as ASSESSMENT_TYPES
from careobs.selfassess.ratings import BANDS, KEY_OF, KEY_QUESTIONS, RATINGS, SCORES


def _error(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


# Paired QUIS observations (issue 17): the session document's ``pair`` and the pair's API.
PAIR = {
    "type": "object",
    "required": ["id", "role"],
    "description": "A paired observation: both observers' sessions carry the same id. A second "
    "observer's session carries no feedback",
    "properties": {
        "id": UUID,
        "role": {"enum": ["lead", "second"]},
        "code": {
            "type": "string",
            "description": "The lead's short code the id was derived from (uuid5 of the service "
            "id and the code); when present the server checks the id against it",
        },
    },
}
_KAPPAS = ["unweighted", "a4", "linear", "quadratic"]
_NUMBER_OR_NULL = {"type": ["number", "null"]}
PAIR_RESULT = {
    "type": "object",
    "required": ["status", "matched", "unmatched", "agreement", "kappa", "ci95", "confusion"],
    "description": "Every figure is null while the status is waiting",
    "properties": {
        "id": UUID,
        "status": {"enum": ["waiting", "complete"]},
        "matched": {"type": ["integer", "null"]},
        "unmatched": {
            "type": ["object", "null"],
            "description": "Interactions seen by one observer only; null while waiting",
            "required": ["lead", "second"],
            "properties": {
                "lead": {"type": "integer", "minimum": 0},
                "second": {"type": "integer", "minimum": 0},
            },
        },
        "agreement": {**_NUMBER_OR_NULL, "minimum": 0, "maximum": 1},
        "kappa": {
            "type": ["object", "null"],
            "properties": {name: _NUMBER_OR_NULL for name in _KAPPAS},
        },
        "ci95": {
            "type": ["object", "null"],
            "description": "κ ± 1.96 SE (large-sample variance, Fleiss, Cohen and Everitt 1969)",
            "properties": {
                name: {
                    "type": ["array", "null"],
                    "description": "[low, high]; null when the kappa cannot be computed",
                    "items": {"type": "number", "minimum": -1, "maximum": 1},
                    "minItems": 2,
                    "maxItems": 2,
                }
                for name in _KAPPAS
            },
        },
        "confusion": {
            "type": ["array", "null"],
            "description": "5×5: the lead's category in rows, the second's in columns, in the "
            "order PS, PC, N, NP, NR",
            "minItems": 5,
            "maxItems": 5,
            "items": {
                "type": "array",
                "minItems": 5,
                "maxItems": 5,
                "items": {"type": "integer", "minimum": 0},
            },
        },
        "tolerance_seconds": {"type": "integer"},
    },
}


# Self-assessments and mock inspections (issue 18): the document, its ratings, its evidence.
_CODE = {
    "enum": list(KEY_OF),
    "description": "A CQC quality statement: S1-S8, E1-E6, C1-C5, R1-R7, W1-W8",
}
_EVIDENCE_REF = {
    "type": "object",
    "required": ["kind", "id"],
    "properties": {
        "kind": {"enum": list(evidence_kinds.KINDS)},
        "id": {
            **UUID,
            "description": "The record's document id, of the service assessed (quis_trend: the "
            "service's own id)",
        },
    },
}
SELF_ASSESSMENT = {
    "type": "object",
    "description": "A self-assessment (by the service's managers and supervisors, or an "
    "organisation admin) or a mock inspection (by an admin, or a manager or supervisor of "
    "another service holding no role in this one) of an active service against CQC's quality "
    "statements. A statement with a null score is a note, not assessed: never counted as 0. "
    "Each code at most once; submitting needs at least one score and a rationale for each one "
    "scored. Anyone else's is forbidden, with the reason.",
    "required": ["service_id", "type", "assessed_at", "statements", "status"],
    "properties": {
        "service_id": UUID,
        "type": {"enum": list(ASSESSMENT_TYPES)},
        "assessed_at": TIME,
        "statements": {
            "type": "array",
            "maxItems": len(KEY_OF),
            "items": {
                "type": "object",
                "required": ["code", "score"],
                "properties": {
                    "code": _CODE,
                    "score": {
                        "enum": [*SCORES, None],
                        "description": "; ".join(f"{k} {v.lower()}" for k, v in SCORES.items())
                        + "; null: not assessed",
                    },
                    "rationale": {"type": "string", "maxLength": 20000},
                    "evidence": {
                        "type": "array",
                        "maxItems": evidence_kinds.MAX_PER_STATEMENT,
                        "description": "Records careobs holds for the service, each at most once",
                        "items": _EVIDENCE_REF,
                    },
                },
            },
        },
        "status": {"enum": ["draft", "submitted"]},
        "interview_notes": {
            "type": "string",
            "maxLength": 20000,
            "description": "A mock inspection's interviews (optional)",
        },
    },
}
_BANDS_TEXT = ", ".join(f"{low}-{high}% {RATINGS[name].lower()}" for name, low, high in BANDS)
SELF_ASSESSMENT_RATINGS = {
    "type": "object",
    "required": [
        "id",
        "service_id",
        "type",
        "status",
        "assessed_at",
        "key_questions",
        "statements",
    ],
    "properties": {
        "id": UUID,
        "service_id": UUID,
        "type": {"enum": list(ASSESSMENT_TYPES)},
        "status": {"enum": ["draft", "submitted"]},
        "assessed_at": TIME,
        "key_questions": {
            "type": "array",
            "description": "All five, in CQC's order",
            "minItems": len(KEY_QUESTIONS),
            "maxItems": len(KEY_QUESTIONS),
            "items": {
                "type": "object",
                "required": ["key", "assessed", "score_pct", "rating"],
                "properties": {
                    "key": {"enum": list(KEY_QUESTIONS)},
                    "name": {"type": "string"},
                    "assessed": {
                        "type": "integer",
                        "minimum": 0,
                        "description": "How many of its statements are scored",
                    },
                    "score_pct": {
                        "type": ["integer", "null"],
                        "minimum": 25,
                        "maximum": 100,
                        "description": "The assessed statements' scores as a percentage of 4 "
                        "each, rounded half up; null when none is assessed",
                    },
                    "rating": {
                        "enum": [*RATINGS, None],
                        "description": f"CQC's bands: {_BANDS_TEXT}; null when none is assessed",
                    },
                    "threshold": {
                        "enum": ["upper", "lower", None],
                        "description": "Which half of its band the score is in (careobs splits "
                        "each band at its midpoint: CQC does not publish where)",
                    },
                },
            },
        },
        "statements": {
            "type": "array",
            "description": "All 34, in CQC's order",
            "minItems": len(KEY_OF),
            "maxItems": len(KEY_OF),
            "items": {
                "type": "object",
                "required": ["code", "score"],
                "properties": {
                    "code": _CODE,
                    "score": {"enum": [*SCORES, None], "description": "null: not assessed"},
                },
            },
        },
    },
}
SELF_ASSESSMENT_SUGGESTIONS = {
    "type": "object",
    "required": ["service_id", "generated_at", "statements"],
    "properties": {
        "service_id": UUID,
        "generated_at": TIME,
        "statements": {
            "type": "object",
            "description": "Every quality statement's code, each with the evidence careobs "
            "holds for it in the service, newest first (maybe none)",
            "propertyNames": _CODE,
            "additionalProperties": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["kind", "id", "label", "date", "url"],
                    "properties": {
                        "kind": {"enum": list(evidence_kinds.KINDS)},
                        "id": UUID,
                        "label": {"type": "string"},
                        "date": {"type": ["string", "null"], "format": "date"},
                        "url": {"type": ["string", "null"]},
                    },
                },
            },
        },
    },
}
DOCUMENTS = {
    "oneOf": [*DOCUMENT["oneOf"], {"$ref": "#/components/schemas/SelfAssessmentDocument"}],
    "discriminator": {
        **DOCUMENT["discriminator"],
        "mapping": {
            **DOCUMENT["discriminator"]["mapping"],
            "self_assessment": "#/components/schemas/SelfAssessmentDocument",
        },
    },
}

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
                        "schema": {"enum": ["quis", "visits", "coverage", "audits", "compliments"]},
                    },
                    *DASHBOARD_FILTERS,
                    {
                        "name": "template",
                        "in": "query",
                        "description": "Audits only: one audit template's id (every template "
                        "when left out)",
                        "schema": UUID,
                    },
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
        "/api/v1/audits/{audit_id}/comparison": {
            "get": {
                "summary": "A co-audit compared item by item with the staff audit it names",
                "description": "audit_id is either audit's document id: a co-audit's gives its "
                "comparison; a staff audit's gives its latest submitted co-audit's (started "
                "last). For whoever may read both audits.",
                "parameters": [
                    {"name": "audit_id", "in": "path", "required": True, "schema": UUID}
                ],
                "responses": {
                    "200": _json(
                        {"$ref": "#/components/schemas/Comparison"}, "Both answers per item"
                    ),
                    "401": _error("Not logged in"),
                    "404": _error(
                        "No such audit the user may read, a staff audit with no submitted "
                        "co-audit, or one whose pair the user may not read"
                    ),
                    "409": _error(
                        "The staff audit this co-audit is compared with has not reached the "
                        "server yet (code staff_audit_not_arrived), is still a draft (code "
                        "staff_audit_not_submitted), or the audit the co-audit names is about "
                        "another person, template or service (code staff_audit_mismatch)"
                    ),
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
        "/api/v1/self-assessments/suggestions": {
            "get": {
                "summary": "The evidence careobs suggests for each quality statement of a service",
                "description": "For the offline self-assessment form: QUIS trends, visits, "
                "audits, co-audits, people's voice, actions and feedback acknowledged, each with "
                "its page",
                "parameters": [
                    {"name": "service_id", "in": "query", "required": True, "schema": UUID}
                ],
                "responses": {
                    "200": _json(
                        {"$ref": "#/components/schemas/SelfAssessmentSuggestions"},
                        "Every statement's suggestions",
                    ),
                    "400": _error("A missing service id, or one that is not a UUID"),
                    "401": _error("Not logged in"),
                    "404": _error("No such service the user may assess"),
                },
            }
        },
        "/api/v1/self-assessments/{assessment_id}": {
            "get": {
                "summary": "A self-assessment's or mock inspection's ratings the CQC way",
                "description": "Each key question's score is the sum of its assessed "
                "statements' scores as a percentage of the most they could score (4 each); "
                "statements not assessed are left out, never counted as 0. For its assessor, "
                "the service's managers and the organisation's admins",
                "parameters": [
                    {"name": "assessment_id", "in": "path", "required": True, "schema": UUID}
                ],
                "responses": {
                    "200": _json(
                        {"$ref": "#/components/schemas/SelfAssessmentRatings"},
                        "The key questions and the statements' scores",
                    ),
                    "401": _error("Not logged in"),
                    "404": _error("No such self-assessment the user may read"),
                },
            }
        },
        "/api/v1/quis/pairs/{pair_id}": {
            "get": {
                "summary": "A paired QUIS observation's calibration result",
                "parameters": [{"name": "pair_id", "in": "path", "required": True, "schema": UUID}],
                "responses": {
                    "200": _json({"$ref": "#/components/schemas/QuisPair"}, "The result"),
                    "401": _error("Not logged in"),
                    "404": _error("No such pair, or not one of the user's or their service's"),
                },
            }
        },
        "/api/v1/quis/pairs": {
            "get": {
                "summary": "Open pairs the user may join as the second observer",
                "description": "At the service (and area, or with none) given, opened in the "
                "last 12 hours, with no second observer yet, not opened by the user",
                "parameters": [
                    {"name": "service_id", "in": "query", "required": True, "schema": UUID},
                    {"name": "area_id", "in": "query", "schema": UUID},
                ],
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "properties": {
                                "pairs": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "properties": {
                                            "id": UUID,
                                            "code": {"type": ["string", "null"]},
                                            "service_id": UUID,
                                            "area_id": {"type": ["string", "null"]},
                                            "lead": {"type": "string"},
                                            "opened_at": {"type": "string"},
                                        },
                                    },
                                }
                            },
                        },
                        "The open pairs, newest first",
                    ),
                    "400": _error("A service or area id that is not a UUID"),
                    "401": _error("Not logged in"),
                    "403": _error("The user observes nowhere"),
                },
            },
            "post": {
                "summary": "The lead's device announces a pair while online (idempotent)",
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
                                "required": ["id", "service_id", "code"],
                                "properties": {
                                    "id": UUID,
                                    "service_id": UUID,
                                    "area_id": {"type": ["string", "null"], "format": "uuid"},
                                    "code": {"type": "string"},
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "201": _json({"type": "object"}, "Announced"),
                    "200": _json({"type": "object"}, "Already known"),
                    "400": _error("A field is not valid, or the id is not the code's"),
                    "401": _error("Not logged in"),
                    "403": _error("The user observes nowhere"),
                    "404": _error("No such service where the user observes"),
                    "415": _error("Not JSON"),
                },
            },
        },
    },
    "components": {
        "schemas": {
            "Error": ERROR,
            "Dashboard": DASHBOARD,
            "Comparison": COMPARISON,
            "Document": DOCUMENTS,
            "QuisSession": {
                **QUIS_SESSION,
                "properties": {**QUIS_SESSION["properties"], "pair": PAIR},
            },
            "QuisPair": PAIR_RESULT,
            "SpotCheck": SPOT_CHECK,
            "QuisSessionDocument": document("quis_session", "QuisSession"),
            "SpotCheckDocument": document("spot_check", "SpotCheck"),
            "Audit": AUDIT,
            "AuditDocument": document("audit", "Audit"),
            "AuditTemplate": AUDIT_TEMPLATE,
            "Conversation": CONVERSATION,
            "ConversationDocument": document("conversation", "Conversation"),
            "SelfAssessment": SELF_ASSESSMENT,
            "SelfAssessmentDocument": document("self_assessment", "SelfAssessment"),
            "SelfAssessmentRatings": SELF_ASSESSMENT_RATINGS,
            "SelfAssessmentSuggestions": SELF_ASSESSMENT_SUGGESTIONS,
            "Interaction": INTERACTION,
            "Result": RESULT,
            "Bootstrap": {
                "type": "object",
                "required": ["user", "services", "checklists", "audit_templates", "settings"],
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
                                "may_capture": {
                                    "type": "boolean",
                                    "description": "Whether the user may run QUIS observations "
                                    "and monitoring visits here (false where they are only an "
                                    "audit champion)",
                                },
                                "audit_template_ids": {
                                    "type": "array",
                                    "items": UUID,
                                    "description": "The ids of the audit_templates the user may "
                                    "complete here: every published one where they capture, "
                                    "only their assigned ones where they are an audit champion",
                                },
                            },
                        },
                    },
                    "checklists": {"type": "array", "description": "Visit checklists"},
                    "conversation_tasks": {
                        "type": "array",
                        "description": "The conversations given to the user as a quality "
                        "checker and not yet recorded (empty for anyone else)",
                        "items": {
                            "type": "object",
                            "required": ["draw_id", "person_code", "service_id"],
                            "properties": {
                                "draw_id": UUID,
                                "person_code": {"type": "string"},
                                "service_id": UUID,
                            },
                        },
                    },
                    "audit_templates": {
                        "type": "array",
                        "description": "The audit templates the user may complete somewhere "
                        "(empty for someone who may not audit anywhere); which ones in which "
                        "service is each service's audit_template_ids",
                        "items": {"$ref": "#/components/schemas/AuditTemplate"},
                    },
                    "co_audit_tasks": {
                        "type": "array",
                        "description": "A quality checker's open co-audits (issue 16; empty "
                        "for everyone else): each assigned staff audit not yet co-audited by "
                        "them, on its template's current version. A checker's services carry "
                        "no staff and only these subjects; the staff audit's author and "
                        "answers are never given.",
                        "items": {
                            "type": "object",
                            "properties": {
                                "compare_with": UUID,
                                "service_id": UUID,
                                "template_id": UUID,
                                "template_version": {"type": "integer"},
                                "subject": {
                                    "type": "object",
                                    "properties": {
                                        "type": {"enum": ["person", "area", "service"]},
                                        "id": {"type": ["string", "null"]},
                                        "code": {"type": ["string", "null"]},
                                    },
                                },
                                "with": {"const": "quality_checker"},
                            },
                        },
                    },
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
                            "audits": {
                                "type": "object",
                                "properties": {
                                    "bands": {
                                        "type": "object",
                                        "description": "Each audit template's RAG bands by its "
                                        "id: green from green_from %, amber from amber_from %",
                                        "additionalProperties": {
                                            "type": "object",
                                            "properties": {
                                                "green_from": {"type": "integer"},
                                                "amber_from": {"type": "integer"},
                                            },
                                        },
                                    }
                                },
                            },
                        },
                    },
                },
            },
        }
    },
}
