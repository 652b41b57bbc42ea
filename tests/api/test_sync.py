"""POST /api/v1/sync happy paths: storing QUIS sessions and the revision rules of design §3.1."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from careobs.audit.models import AuditEvent
from careobs.quis.models import QuisInteraction, QuisSession
from careobs.sync.models import QuarantinedDocument
from tests.support.database import count, stored
from tests.support.quis import START, interaction, quis_doc
from tests.support.sync import iso, revise


def interactions_of(db, session: QuisSession) -> list[QuisInteraction]:
    return list(
        db.scalars(
            sa.select(QuisInteraction)
            .where(QuisInteraction.session_id == session.id)
            .order_by(QuisInteraction.position)
        )
    )


def audit_actions(db, document: dict) -> list[str]:
    db.expire_all()
    return list(
        db.scalars(
            sa.select(AuditEvent.action)
            .where(AuditEvent.entity_id == document["id"])
            .order_by(AuditEvent.id)
        )
    )


def snapshot(db, document: dict) -> dict:
    """Everything about a stored session that a rejected change must leave as it was."""
    session = stored(db, QuisSession, document)
    columns = {c.key: getattr(session, c.key) for c in sa.inspect(QuisSession).column_attrs}
    columns["interactions"] = [
        (i.uuid, i.position, i.category, tuple(i.people)) for i in interactions_of(db, session)
    ]
    return columns


# --- created ---------------------------------------------------------------------------------


def test_created_stores_the_session_with_computed_aggregates(sync, auth, db, org):
    carla = org.staff_members["Carla Carer"]
    coded = [
        interaction("PS", ["R01"], staff=carla, minute=1),
        interaction("PC", ["R02"], minute=2, initiated_by="person", communication="one_way"),
        interaction("N", ["R01", "R02"], minute=3, initiated_by=None, communication=None),
        interaction("NP", ["R01"], staff=carla, minute=4, negative_reason="task_focused"),
        interaction(
            "NR", ["R01"], minute=5, negative_reason="stopped_without_explanation", note="At door"
        ),
        interaction("PS", ["R02"], at="2026-11-27T13:10:00+01:00"),  # 12:10 UTC
    ]
    document = quis_doc(
        org.care_home, area=org.areas["Dining room"], interactions=coded, staff_on_duty=4
    )
    auth.login(org.supervisor)

    results = sync(document)

    assert results == [{"id": document["id"], "status": "created", "revision": 1}]
    session = stored(db, QuisSession, document)
    assert session.organisation_id == org.org.id
    assert session.service_id == org.care_home.id
    assert session.area_id == org.areas["Dining room"].id
    assert session.observer_id == org.supervisor.id
    assert session.context == "mealtime"
    assert session.started_at == START
    assert session.ended_at == START + timedelta(minutes=30)
    assert (session.planned_minutes, session.frame_minutes) == (30, 5)
    assert session.people == ["R01", "R02"]
    assert session.staff_on_duty == 4
    assert session.status == "draft"
    assert session.submitted_at is None
    assert session.revision == 1
    assert session.notes == "Lunch in the dining room."
    # Aggregates computed from the interactions.
    counts = (session.n_ps, session.n_pc, session.n_n, session.n_np, session.n_nr)
    assert counts == (2, 1, 1, 1, 1)
    assert session.people_count == 2
    assert session.observed_minutes == 30
    assert session.person_minutes == 60
    assert session.people_with_negative == 1  # only R01 met a negative interaction

    rows = interactions_of(db, session)
    assert [r.uuid for r in rows] == [uuid.UUID(i["id"]) for i in coded]
    assert [r.position for r in rows] == list(range(6))
    assert [r.category for r in rows] == ["PS", "PC", "N", "NP", "NR", "PS"]
    assert [r.staff_id for r in rows] == [carla.id, None, None, carla.id, None, None]
    assert rows[0].staff.name == "Carla Carer"
    assert rows[2].people == ["R01", "R02"]
    assert rows[1].initiated_by == "person"
    assert rows[1].communication == "one_way"
    assert rows[2].initiated_by is None
    assert rows[3].negative_reason == "task_focused"
    assert rows[4].negative_reason == "stopped_without_explanation"
    assert rows[4].note == "At door"
    assert rows[0].at == START + timedelta(minutes=1)
    assert rows[5].at == datetime(2026, 11, 27, 12, 10, tzinfo=UTC)


def test_people_with_negative_counts_each_person_once(sync, auth, db, org):
    coded = [
        interaction("NR", ["R01", "R02"], negative_reason="talked_over"),
        interaction("NP", ["R01"]),
        interaction("PS", ["R01", "R02"]),
    ]
    document = quis_doc(org.care_home, interactions=coded, ended_at=iso(START + timedelta(hours=1)))
    auth.login(org.supervisor)

    assert sync(document)[0]["status"] == "created"

    session = stored(db, QuisSession, document)
    assert session.people_with_negative == 2
    assert (session.n_np, session.n_nr, session.n_ps) == (1, 1, 1)
    assert session.observed_minutes == 60
    assert session.person_minutes == 120


def test_a_draft_without_end_or_interactions(sync, auth, db, org):
    document = quis_doc(org.homecare, ended_at=None, interactions=[], area=None)
    auth.login(org.supervisor)

    assert sync(document) == [{"id": document["id"], "status": "created", "revision": 1}]

    session = stored(db, QuisSession, document)
    assert session.service_id == org.homecare.id
    assert session.area_id is None
    assert session.ended_at is None
    assert session.interaction_count == 0
    assert session.observed_minutes == 0
    assert session.person_minutes == 0
    assert session.people == ["H01"]


def test_admin_and_manager_may_record(sync, auth, db, org):
    auth.login(org.manager)
    by_manager = quis_doc(org.care_home)
    assert sync(by_manager)[0]["status"] == "created"
    auth.logout()
    auth.login(org.admin)
    by_admin = quis_doc(org.homecare)
    assert sync(by_admin)[0]["status"] == "created"

    assert stored(db, QuisSession, by_manager).observer_id == org.manager.id
    assert stored(db, QuisSession, by_admin).observer_id == org.admin.id


def test_created_writes_an_audit_event(sync, auth, db, org):
    document = quis_doc(org.care_home, interactions=[interaction("PS"), interaction("N")])
    auth.login(org.supervisor)

    sync(document)

    event = db.scalar(sa.select(AuditEvent).where(AuditEvent.entity_id == document["id"]))
    assert event.action == "quis_session_saved"
    assert event.actor_id == org.supervisor.id
    assert event.organisation_id == org.org.id
    assert event.entity_type == "QuisSession"
    assert event.summary == "Acme Care House: 2 interactions"


def test_several_documents_in_one_batch_are_answered_in_order(sync, auth, db, org):
    documents = [quis_doc(org.care_home), quis_doc(org.homecare), quis_doc(org.care_home)]
    auth.login(org.supervisor)

    results = sync(*documents)

    assert [r["id"] for r in results] == [d["id"] for d in documents]
    assert {r["status"] for r in results} == {"created"}
    assert count(db, QuisSession) == 3


# --- unchanged (idempotent) ------------------------------------------------------------------


def test_sending_the_same_document_again_is_unchanged(sync, auth, db, org):
    document = quis_doc(org.care_home, interactions=[interaction("PS"), interaction("NP")])
    auth.login(org.supervisor)
    assert sync(document)[0]["status"] == "created"
    before = snapshot(db, document)

    results = sync(document)

    assert results == [{"id": document["id"], "status": "unchanged", "revision": 1}]
    assert count(db, QuisSession) == 1
    assert count(db, QuisInteraction) == 2
    assert snapshot(db, document) == before
    assert audit_actions(db, document) == ["quis_session_saved"]


def test_the_same_document_twice_in_one_batch(sync, auth, db, org):
    document = quis_doc(org.care_home, interactions=[interaction("PC")])
    auth.login(org.supervisor)

    results = sync(document, document)

    assert [r["status"] for r in results] == ["created", "unchanged"]
    assert count(db, QuisSession) == 1
    assert count(db, QuisInteraction) == 1


def test_a_draft_and_its_next_revision_in_one_batch(sync, auth, db, org):
    draft = quis_doc(org.care_home, interactions=[interaction("PC")])
    newer = revise(draft, 2, interactions=[interaction("PS"), interaction("NP", minute=2)])
    auth.login(org.supervisor)

    results = sync(draft, newer)

    assert [r["status"] for r in results] == ["created", "updated"]
    session = stored(db, QuisSession, draft)
    assert session.revision == 2
    assert [i.category for i in interactions_of(db, session)] == ["PS", "NP"]
    assert (session.n_ps, session.n_pc, session.n_np) == (1, 0, 1)


def test_a_submitted_document_sent_again_is_unchanged(sync, auth, db, org):
    document = quis_doc(org.care_home, status="submitted", interactions=[interaction("PS")])
    auth.login(org.supervisor)
    sync(document)
    before = snapshot(db, document)

    assert sync(document)[0]["status"] == "unchanged"
    assert snapshot(db, document) == before
    assert count(db, QuarantinedDocument) == 0


def test_a_resend_with_a_higher_revision_but_same_content_is_unchanged(sync, auth, db, org):
    document = quis_doc(org.care_home)
    auth.login(org.supervisor)
    sync(document)

    results = sync(revise(document, 2))

    assert results == [{"id": document["id"], "status": "unchanged", "revision": 1}]
    assert stored(db, QuisSession, document).revision == 1


# --- updated ---------------------------------------------------------------------------------


def test_a_draft_updated_with_a_higher_revision_replaces_interactions(sync, auth, db, org):
    kept = interaction("PS", ["R01"], minute=1)
    first = quis_doc(
        org.care_home,
        ended_at=None,
        interactions=[kept, interaction("NR", ["R02"], minute=2), interaction("N", minute=3)],
    )
    auth.login(org.supervisor)
    sync(first)
    session_id = stored(db, QuisSession, first).id

    added = interaction("PC", ["R02"], minute=4, staff=org.staff_members["Carla Carer"])
    second = revise(
        first,
        2,
        interactions=[kept, added],
        notes="Second look.",
        area_id=str(org.areas["Lounge"].uuid),
        ended_at=iso(START + timedelta(minutes=20)),
    )
    results = sync(second)

    assert results == [{"id": first["id"], "status": "updated", "revision": 2}]
    session = stored(db, QuisSession, first)
    assert session.id == session_id
    assert session.revision == 2
    assert session.notes == "Second look."
    assert session.area_id == org.areas["Lounge"].id
    assert session.ended_at == START + timedelta(minutes=20)
    assert (session.n_ps, session.n_pc, session.n_n, session.n_np, session.n_nr) == (
        1,
        1,
        0,
        0,
        0,
    )
    assert session.people_with_negative == 0
    assert session.observed_minutes == 20
    assert session.status == "draft"
    assert session.submitted_at is None
    rows = interactions_of(db, session)
    assert [r.uuid for r in rows] == [uuid.UUID(kept["id"]), uuid.UUID(added["id"])]
    assert [r.position for r in rows] == [0, 1]
    assert rows[1].staff_id == org.staff_members["Carla Carer"].id
    assert count(db, QuisInteraction) == 2
    assert count(db, QuisSession) == 1
    assert audit_actions(db, first) == ["quis_session_saved", "quis_session_updated"]


def test_revisions_may_skip_numbers(sync, auth, db, org):
    document = quis_doc(org.care_home)
    auth.login(org.supervisor)
    sync(document)

    assert sync(revise(document, 7, notes="Later."))[0] == {
        "id": document["id"],
        "status": "updated",
        "revision": 7,
    }
    assert stored(db, QuisSession, document).revision == 7


def test_draft_to_submitted_sets_submitted_at(sync, auth, db, org):
    draft = quis_doc(org.care_home, ended_at=None, interactions=[interaction("PS")])
    auth.login(org.supervisor)
    sync(draft)
    assert stored(db, QuisSession, draft).submitted_at is None

    before = datetime.now(UTC)
    submitted = revise(
        draft,
        2,
        status="submitted",
        ended_at=iso(START + timedelta(minutes=45)),
        went_well="Staff sat with people.",
    )
    assert sync(submitted)[0]["status"] == "updated"

    session = stored(db, QuisSession, draft)
    assert session.status == "submitted"
    assert session.submitted_at is not None
    assert before - timedelta(seconds=5) <= session.submitted_at <= datetime.now(UTC)
    assert session.went_well == "Staff sat with people."
    assert session.observed_minutes == 45
    assert audit_actions(db, draft) == ["quis_session_saved", "quis_session_submitted"]


def test_created_as_submitted_sets_submitted_at(sync, auth, db, org):
    document = quis_doc(org.care_home, status="submitted")
    auth.login(org.supervisor)

    sync(document)

    session = stored(db, QuisSession, document)
    assert session.status == "submitted"
    assert session.submitted_at is not None
    assert audit_actions(db, document) == ["quis_session_submitted"]


# --- stale -----------------------------------------------------------------------------------


def test_a_lower_revision_is_stale_and_changes_nothing(sync, auth, db, org):
    document = quis_doc(org.care_home, revision=3, interactions=[interaction("PS")])
    auth.login(org.supervisor)
    sync(document)
    before = snapshot(db, document)

    older = revise(document, 2, notes="An older copy.", interactions=[interaction("NR")])
    results = sync(older)

    assert results == [{"id": document["id"], "status": "stale", "revision": 3}]
    assert snapshot(db, document) == before
    assert count(db, QuisInteraction) == 1
    assert count(db, QuarantinedDocument) == 0
    assert audit_actions(db, document) == ["quis_session_saved"]


# --- conflict --------------------------------------------------------------------------------


def test_same_revision_with_different_content_is_stale(sync, auth, db, org):
    """Issue 11's contract: a lower or equal revision is stale, never applied."""
    document = quis_doc(org.care_home, revision=2, interactions=[interaction("PS")])
    auth.login(org.supervisor)
    sync(document)
    before = snapshot(db, document)

    rival = revise(document, notes="Another device's copy.")
    results = sync(rival)

    assert results == [{"id": document["id"], "status": "stale", "revision": 2}]
    assert snapshot(db, document) == before
    assert count(db, QuarantinedDocument) == 0


def test_a_submitted_document_with_different_content_is_a_conflict(sync, auth, db, org):
    document = quis_doc(
        org.care_home, revision=2, status="submitted", interactions=[interaction("PS")]
    )
    auth.login(org.supervisor)
    sync(document)
    before = snapshot(db, document)

    changes = [
        revise(document, 3, notes="Changed after submitting."),
        revise(document, 4, interactions=[interaction("NR")]),
        revise(document, 5, status="draft"),
    ]
    results = sync(*changes)

    assert [r["status"] for r in results] == ["conflict", "conflict", "conflict"]
    assert {r["revision"] for r in results} == {2}
    assert all("kept for a manager to review" in r["errors"]["id"][0] for r in results)
    assert snapshot(db, document) == before
    assert count(db, QuisInteraction) == 1

    db.expire_all()
    kept = list(db.scalars(sa.select(QuarantinedDocument).order_by(QuarantinedDocument.id)))
    assert [k.revision for k in kept] == [3, 4, 5]
    assert [k.data for k in kept] == [c["data"] for c in changes]
    for k in kept:
        assert k.kind == "quis_session"
        assert k.document_id == uuid.UUID(document["id"])
        assert k.author_id == org.supervisor.id
        assert k.author.display_name == "Sue Supervisor"
        assert k.organisation_id == org.org.id
        assert k.service_id == org.care_home.id
        assert k.reason == "The document was already submitted with different content."
        assert k.resolved_at is None
        assert k.received_at is not None
    events = list(db.scalars(sa.select(AuditEvent).where(AuditEvent.action == "sync_conflict")))
    assert len(events) == 3
    assert {e.actor_id for e in events} == {org.supervisor.id}
    assert {e.entity_type for e in events} == {"QuarantinedDocument"}


def test_an_older_copy_of_a_submitted_document_is_stale(sync, auth, db, org):
    document = quis_doc(org.care_home, revision=3, status="submitted")
    auth.login(org.supervisor)
    sync(document)
    before = snapshot(db, document)

    older = [revise(document, 3, notes="A fork."), revise(document, 2, status="draft")]

    assert [r["status"] for r in sync(*older)] == ["stale", "stale"]
    assert snapshot(db, document) == before
    assert count(db, QuarantinedDocument) == 0


def test_another_persons_document_is_kept_as_a_conflict(sync, auth, client_as, db, org):
    document = quis_doc(org.care_home, interactions=[interaction("PS")])
    client_as(org.supervisor)(document)
    before = snapshot(db, document)

    auth.login(org.manager)
    results = sync(revise(document, 2, notes="The manager's version."))

    assert results[0]["status"] == "conflict"
    assert snapshot(db, document) == before
    kept = db.scalar(sa.select(QuarantinedDocument))
    assert kept.author_id == org.manager.id
    assert kept.data["notes"] == "The manager's version."
    assert kept.reason == "Another person's document."


def test_conflict_then_the_original_is_still_unchanged_on_resend(sync, auth, db, org):
    document = quis_doc(org.care_home, status="submitted")
    auth.login(org.supervisor)
    sync(document)
    sync(revise(document, 2, notes="Edited."))

    assert sync(document)[0]["status"] == "unchanged"
    assert count(db, QuarantinedDocument) == 1
