"""POST /api/v1/sync when things are wrong: invalid and forbidden documents (each answered on
its own, nothing of theirs written), request-level errors (nothing written at all), and the
service and organisation boundaries."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from careobs.audit.models import AuditEvent
from careobs.org.models import Person
from careobs.quis.models import QuisInteraction, QuisSession
from careobs.sync.models import QuarantinedDocument
from tests.support.database import count, stored
from tests.support.quis import START, interaction, quis_doc
from tests.support.sync import SYNC_URL, iso, new_id, revise

# What syncing writes to the audit log (logins and the test data's own events are not counted).
SYNC_EVENT = sa.or_(AuditEvent.action.like("quis_session_%"), AuditEvent.action == "sync_conflict")


def nothing_written(db) -> bool:
    return (
        count(db, QuisSession) == 0
        and count(db, QuisInteraction) == 0
        and count(db, QuarantinedDocument) == 0
        and count(db, AuditEvent, SYNC_EVENT) == 0
    )


def assert_json_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message"}
    assert body["error"]["message"]
    if code:
        assert body["error"]["code"] == code
    return body["error"]


def row_state(db, document: dict) -> tuple:
    session = stored(db, QuisSession, document)
    interactions = db.scalars(
        sa.select(QuisInteraction.uuid).where(QuisInteraction.session_id == session.id)
    ).all()
    return (
        session.organisation_id,
        session.observer_id,
        session.service_id,
        session.revision,
        session.content_hash,
        session.notes,
        session.status,
        session.updated_at,
        sorted(interactions),
    )


# --- a mixed batch ---------------------------------------------------------------------------


def test_mixed_batch_answers_each_document_on_its_own(sync, auth, client_as, db, org, other):
    foreign = quis_doc(other.care_home, notes="Other Org's session.")
    client_as(other.supervisor)(foreign)
    foreign_before = row_state(db, foreign)

    valid = quis_doc(org.care_home, interactions=[interaction("PS"), interaction("NP")])
    unknown_person = quis_doc(org.care_home, people=["R01", "R99"])
    naive_time = quis_doc(
        org.care_home,
        started_at="2026-11-27T12:00:00",
        interactions=[interaction("PS", at="2026-11-27T12:05:00")],
    )
    unknown_staff = quis_doc(
        org.care_home, interactions=[interaction("PC"), interaction("PS", staff=new_id())]
    )
    staff_of_other_service = quis_doc(
        org.care_home, interactions=[interaction("PS", staff=org.staff_members["Hal Homecare"])]
    )
    bad_category = quis_doc(org.care_home, interactions=[interaction("XX")])
    area_of_other_service = quis_doc(org.homecare, area=org.areas["Lounge"])
    other_org_service = quis_doc(other.care_home)
    # Other Org's document id, with valid Acme data, at a higher revision.
    overwrite_foreign = {
        **quis_doc(org.care_home, revision=2, notes="Overwritten by Acme."),
        "id": foreign["id"],
    }
    batch = [
        unknown_person,
        naive_time,
        valid,
        unknown_staff,
        staff_of_other_service,
        bad_category,
        area_of_other_service,
        other_org_service,
        overwrite_foreign,
    ]
    auth.login(org.supervisor)

    results = sync(*batch)

    assert [r["id"] for r in results] == [d["id"] for d in batch]
    statuses = [r["status"] for r in results]
    assert statuses == [
        "invalid",
        "invalid",
        "created",
        "invalid",
        "invalid",
        "invalid",
        "invalid",
        "invalid",
        "forbidden",
    ]
    errors = [r.get("errors") for r in results]
    assert errors[0] == {"people[1]": ["R99 is not a person supported by this service."]}
    assert set(errors[1]) == {"started_at", "interactions[0].at"}
    assert "UTC offset" in errors[1]["started_at"][0]
    assert "errors" not in results[2]
    assert errors[3] == {"interactions[1].staff_id": ["Not a member of staff of this service."]}
    assert errors[4] == {"interactions[0].staff_id": ["Not a member of staff of this service."]}
    assert list(errors[5]) == ["interactions[0].category"]
    assert errors[5]["interactions[0].category"][0].startswith("Must be one of: PS, PC")
    assert errors[6] == {"area_id": ["Not an area of this service."]}
    assert errors[7]["service_id"] == ["Unknown service."]
    assert list(errors[8]) == ["id"]
    for result in results:
        if result["status"] in ("invalid", "forbidden"):
            assert "revision" not in result

    # Only the valid document was stored, and only it was audited.
    db.expire_all()
    assert db.scalars(sa.select(QuisSession.uuid).order_by(QuisSession.id)).all() == [
        uuid.UUID(foreign["id"]),
        uuid.UUID(valid["id"]),
    ]
    assert count(db, QuisInteraction) == 2
    assert count(db, QuarantinedDocument) == 0
    acme_events = db.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.organisation_id == org.org.id, SYNC_EVENT)
    ).all()
    assert acme_events == ["quis_session_saved"]
    assert row_state(db, foreign) == foreign_before


def test_staff_cannot_record_and_others_in_the_batch_are_still_answered(sync, auth, db, org):
    auth.login(org.staff)
    documents = [quis_doc(org.care_home), quis_doc(org.homecare), quis_doc(new_id())]

    results = sync(*documents)

    assert [r["status"] for r in results] == ["forbidden", "forbidden", "invalid"]
    assert results[0]["errors"] == {"service_id": ["You cannot record for this service."]}
    assert results[1]["errors"] == {"service_id": ["You cannot record for this service."]}
    assert results[2]["errors"]["service_id"] == ["Unknown service."]
    assert nothing_written(db)


def test_outsider_cannot_record(sync, auth, db, org):
    auth.login(org.outsider)

    results = sync(quis_doc(org.care_home))

    assert results[0]["status"] == "forbidden"
    assert nothing_written(db)


def test_inactive_service_is_forbidden(sync, auth, db, org):
    org.homecare.active = False
    db.commit()
    auth.login(org.supervisor)

    results = sync(quis_doc(org.homecare), quis_doc(org.care_home))

    assert [r["status"] for r in results] == ["forbidden", "created"]
    assert count(db, QuisSession) == 1


# --- one invalid document at a time ----------------------------------------------------------


def _nine_people(org):
    return {"people": ["R01", "R02", "R03", "R04", "R05", "R06", "R07", "R08", "R09"]}


def _duplicate_interactions(org):
    twice = interaction("PS")
    return {"interactions": [twice, {**twice, "category": "PC"}]}


CASES = {
    "id not a UUID": (lambda org, d: {**d, "id": "not-a-uuid"}, "id"),
    "id missing": (lambda org, d: {k: v for k, v in d.items() if k != "id"}, "id"),
    "unknown kind": (lambda org, d: {**d, "kind": "care_plan"}, "kind"),
    "kind not text": (lambda org, d: {**d, "kind": ["quis_session"]}, "kind"),
    "revision 0": (lambda org, d: {**d, "revision": 0}, "revision"),
    "revision not a number": (lambda org, d: {**d, "revision": "2"}, "revision"),
    "revision true": (lambda org, d: {**d, "revision": True}, "revision"),
    "missing data": (lambda org, d: {k: v for k, v in d.items() if k != "data"}, "data"),
    "data not an object": (lambda org, d: {**d, "data": ["R01"]}, "data"),
    "service_id not a UUID": (lambda org, d: revise(d, service_id="care-home"), "service_id"),
    "unknown context": (lambda org, d: revise(d, context="bathing"), "context"),
    "started_at missing": (lambda org, d: revise(d, started_at=None), "started_at"),
    "started_at not a time": (lambda org, d: revise(d, started_at="noon"), "started_at"),
    "ended_at naive": (lambda org, d: revise(d, ended_at="2026-11-27T12:30:00"), "ended_at"),
    "ended before started": (
        lambda org, d: revise(d, ended_at=iso(START - timedelta(minutes=1))),
        "ended_at",
    ),
    "submitted without ended_at": (
        lambda org, d: revise(d, status="submitted", ended_at=None),
        "ended_at",
    ),
    "unknown status": (lambda org, d: revise(d, status="final"), "status"),
    "planned_minutes 0": (lambda org, d: revise(d, planned_minutes=0), "planned_minutes"),
    "frame_minutes too long": (lambda org, d: revise(d, frame_minutes=61), "frame_minutes"),
    "no people": (lambda org, d: revise(d, people=[]), "people"),
    "a person twice": (lambda org, d: revise(d, people=["R01", "R01"]), "people"),
    "more than 8 people": (lambda org, d: revise(d, **_nine_people(org)), "people"),
    "person code not text": (lambda org, d: revise(d, people=["R01", 2]), "people[1]"),
    "notes not text": (lambda org, d: revise(d, notes=5), "notes"),
    "interactions not a list": (
        lambda org, d: revise(d, interactions={"id": new_id()}),
        "interactions",
    ),
    "interaction not an object": (
        lambda org, d: revise(d, interactions=["PS"]),
        "interactions[0]",
    ),
    "duplicate interaction ids": (
        lambda org, d: revise(d, **_duplicate_interactions(org)),
        "interactions[1].id",
    ),
    "interaction id not a UUID": (
        lambda org, d: revise(d, interactions=[interaction(id="1")]),
        "interactions[0].id",
    ),
    "interaction without people": (
        lambda org, d: revise(d, interactions=[interaction(people=[])]),
        "interactions[0].people",
    ),
    "interaction naming someone not observed": (
        lambda org, d: revise(d, people=["R01"], interactions=[interaction(people=["R02"])]),
        "interactions[0].people",
    ),
    "interaction naive time": (
        lambda org, d: revise(d, interactions=[interaction(at="2026-11-27T12:05:00")]),
        "interactions[0].at",
    ),
    "unknown category": (
        lambda org, d: revise(d, interactions=[interaction("NX")]),
        "interactions[0].category",
    ),
    "negative_reason on a positive interaction": (
        lambda org, d: revise(
            d, interactions=[interaction("PS"), interaction("PC", negative_reason="other")]
        ),
        "interactions[1].negative_reason",
    ),
    "unknown negative_reason": (
        lambda org, d: revise(d, interactions=[interaction("NR", negative_reason="rude")]),
        "interactions[0].negative_reason",
    ),
    "unknown initiated_by": (
        lambda org, d: revise(d, interactions=[interaction(initiated_by="visitor")]),
        "interactions[0].initiated_by",
    ),
    "unknown communication": (
        lambda org, d: revise(d, interactions=[interaction(communication="none")]),
        "interactions[0].communication",
    ),
    "staff_id not a UUID": (
        lambda org, d: revise(d, interactions=[interaction(staff_id=7)]),
        "interactions[0].staff_id",
    ),
    "area not a UUID": (lambda org, d: revise(d, area_id="Lounge"), "area_id"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_an_invalid_document_is_answered_and_does_not_block_the_next(sync, auth, db, org, case):
    for code in ("R03", "R04", "R05", "R06", "R07", "R08", "R09"):
        db.add(Person(organisation_id=org.org.id, service_id=org.care_home.id, code=code))
    db.commit()
    mutate, field = CASES[case]
    bad = mutate(org, quis_doc(org.care_home, interactions=[interaction("PS")]))
    good = quis_doc(org.care_home)
    auth.login(org.supervisor)

    results = sync(bad, good)

    assert results[0]["status"] == "invalid", results[0]
    assert field in results[0]["errors"], results[0]["errors"]
    assert all(
        isinstance(messages, list) and messages and all(isinstance(m, str) for m in messages)
        for messages in results[0]["errors"].values()
    )
    if isinstance(bad.get("id"), str):
        assert results[0]["id"] == bad["id"]
    assert results[1] == {"id": good["id"], "status": "created", "revision": 1}
    db.expire_all()
    assert db.scalars(sa.select(QuisSession.uuid)).all() == [uuid.UUID(good["id"])]
    assert count(db, QuisInteraction) == 0
    assert count(db, QuarantinedDocument) == 0


def test_exactly_eight_people_is_allowed(sync, auth, db, org):
    codes = ["R01", "R02", "R03", "R04", "R05", "R06", "R07", "R08"]
    for code in codes[2:]:
        db.add(Person(organisation_id=org.org.id, service_id=org.care_home.id, code=code))
    db.commit()
    auth.login(org.supervisor)

    results = sync(quis_doc(org.care_home, people=codes))

    assert results[0]["status"] == "created"
    assert db.scalar(sa.select(QuisSession.people_count)) == 8


@pytest.mark.parametrize("document", [None, "a document", 3, ["quis_session"]])
def test_a_document_that_is_not_an_object(sync, auth, db, org, document):
    auth.login(org.supervisor)

    results = sync(document, quis_doc(org.care_home))

    assert results[0] == {
        "id": None,
        "status": "invalid",
        "errors": {"document": ["Each document must be an object."]},
    }
    assert results[1]["status"] == "created"


def test_an_invalid_update_leaves_the_stored_draft(sync, auth, db, org):
    document = quis_doc(org.care_home, interactions=[interaction("PS")])
    auth.login(org.supervisor)
    sync(document)
    before = row_state(db, document)

    results = sync(revise(document, 2, people=["R01", "R77"]))

    assert results[0]["status"] == "invalid"
    assert row_state(db, document) == before


# --- request-level errors --------------------------------------------------------------------


@pytest.fixture
def logged_in(auth, org):
    auth.login(org.supervisor)
    return org


def test_malformed_json(client, db, logged_in):
    response = client.post(SYNC_URL, data='{"documents": [', content_type="application/json")

    assert_json_error(response, 400, "malformed_json")
    assert nothing_written(db)


def test_wrong_content_type(client, db, logged_in):
    body = json.dumps({"documents": [quis_doc(logged_in.care_home)]})

    for content_type in ("text/plain", "application/x-www-form-urlencoded", None):
        response = client.post(SYNC_URL, data=body, content_type=content_type)
        assert_json_error(response, 415, "unsupported_media_type")
    assert nothing_written(db)


@pytest.mark.parametrize(
    "payload",
    [{"documents": "x"}, {"documents": {"id": "x"}}, {}, [], "documents", {"docs": []}],
)
def test_documents_must_be_a_list(client, db, logged_in, payload):
    response = client.post(SYNC_URL, json=payload)

    assert_json_error(response, 400, "malformed_request")
    assert nothing_written(db)


def test_an_empty_batch(sync, logged_in):
    assert sync() == []


def test_more_than_100_documents(sync, db, logged_in):
    documents = [quis_doc(logged_in.care_home) for _ in range(101)]

    response = sync.post(*documents)

    assert_json_error(response, 413, "too_many_documents")
    assert nothing_written(db)


def test_exactly_100_documents(sync, db, logged_in):
    documents = [quis_doc(logged_in.care_home) for _ in range(100)]

    results = sync(*documents)

    assert {r["status"] for r in results} == {"created"}
    assert count(db, QuisSession) == 100


def test_a_body_over_the_size_limit(app, sync, db, logged_in):
    app.config["MAX_CONTENT_LENGTH"] = 4000
    small = quis_doc(logged_in.care_home)
    large = quis_doc(logged_in.care_home, notes="Observed. " * 500)

    response = sync.post(small, large)

    error = assert_json_error(response, 413)
    assert error["code"] == "request_entity_too_large"
    assert nothing_written(db)
    # Under the limit, the same kind of request goes through.
    assert sync(small)[0]["status"] == "created"


def test_missing_csrf_token(sync, db, logged_in):
    response = sync.post(quis_doc(logged_in.care_home), csrf=False)

    assert_json_error(response, 400, "csrf_failed")
    assert nothing_written(db)


def test_a_wrong_csrf_token(sync, db, logged_in):
    response = sync.post(quis_doc(logged_in.care_home), headers={"X-CSRFToken": "forged"})

    assert_json_error(response, 400, "csrf_failed")
    assert nothing_written(db)


def test_logged_out_gets_json_401_not_a_redirect(sync, db, org):
    response = sync.post(quis_doc(org.care_home))

    assert_json_error(response, 401, "unauthorized")
    assert "Location" not in response.headers
    assert nothing_written(db)


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE"])
def test_other_methods_are_not_allowed(client, db, logged_in, method):
    response = client.open(SYNC_URL, method=method, json={"documents": []})

    assert_json_error(response, 405, "method_not_allowed")
    assert "POST" in response.headers["Allow"]


def test_unknown_api_path_is_a_json_404(client, logged_in):
    assert_json_error(client.get("/api/v1/nothing-here"), 404, "not_found")


# --- services and organisations --------------------------------------------------------------


def test_care_home_manager_cannot_sync_a_homecare_session(sync, auth, db, org):
    auth.login(org.manager)
    homecare = quis_doc(org.homecare)
    own = quis_doc(org.care_home)

    results = sync(homecare, own)

    assert results[0] == {
        "id": homecare["id"],
        "status": "forbidden",
        "errors": {"service_id": ["You cannot record for this service."]},
    }
    assert results[1]["status"] == "created"
    db.expire_all()
    assert db.scalars(sa.select(QuisSession.uuid)).all() == [uuid.UUID(own["id"])]


def test_manager_cannot_move_a_document_into_homecare(sync, auth, db, org):
    document = quis_doc(org.care_home)
    auth.login(org.manager)
    sync(document)
    before = row_state(db, document)

    moved = revise(document, 2, service_id=str(org.homecare.uuid), people=["H01"])
    results = sync(moved)

    assert results[0]["status"] == "forbidden"
    assert row_state(db, document) == before


def test_one_organisation_cannot_overwrite_anothers_document(sync, auth, client_as, db, org, other):
    theirs = quis_doc(other.care_home, status="submitted", interactions=[interaction("PS")])
    draft = quis_doc(other.homecare, interactions=[interaction("N", ["H01"])])
    client_as(other.supervisor)(theirs, draft)
    before = [row_state(db, theirs), row_state(db, draft)]

    auth.login(org.admin)
    attempts = [
        # The same id with Acme's own (valid) data, at a higher revision.
        {**quis_doc(org.care_home, revision=5), "id": theirs["id"]},
        {**quis_doc(org.homecare, revision=2), "id": draft["id"]},
        # The same id and identical content: still not theirs to touch or learn about.
        theirs,
    ]
    results = sync(*attempts)

    assert [r["status"] for r in results] == ["forbidden", "forbidden", "forbidden"]
    assert all(r["errors"] == {"id": ["This document belongs to someone else."]} for r in results)
    assert all("revision" not in r for r in results)
    assert [row_state(db, theirs), row_state(db, draft)] == before
    assert count(db, QuisSession) == 2
    assert count(db, QuarantinedDocument) == 0
    assert count(db, AuditEvent, AuditEvent.organisation_id == org.org.id, SYNC_EVENT) == 0


def test_another_organisations_service_id_is_unknown(sync, auth, db, org, other):
    auth.login(org.supervisor)

    results = sync(quis_doc(other.care_home), quis_doc(other.homecare))

    assert [r["status"] for r in results] == ["invalid", "invalid"]
    assert all(r["errors"]["service_id"] == ["Unknown service."] for r in results)
    assert nothing_written(db)


def test_another_organisations_area_and_staff_are_not_accepted(sync, auth, db, org, other):
    auth.login(org.supervisor)
    document = quis_doc(
        org.care_home,
        area=other.areas["Lounge"],
        interactions=[interaction("PS", staff=other.staff_members["Carla Carer"])],
    )

    results = sync(document)

    assert results[0]["status"] == "invalid"
    assert set(results[0]["errors"]) == {"area_id", "interactions[0].staff_id"}
    assert nothing_written(db)
