"""POST /api/v1/sync with ``audit`` documents: stored once with their answers and outcome, the
revision rules of the other kinds, proposed actions raised once, and every malformed or hostile
audit answered ``invalid`` (or ``forbidden``) on its own, with nothing of it written."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from careobs.actions.models import Action
from careobs.audits.documents import ALL_NA
from careobs.audits.models import Audit, AuditAction, AuditAnswer
from careobs.checklists import service as checklists
from careobs.checklists.models import Checklist
from careobs.db import utcnow
from careobs.sync.models import QuarantinedDocument
from tests.support import fixtures
from tests.support.audits import (
    CARE_PLAN,
    INCIDENTS,
    IPC,
    MAR,
    STARTED,
    TemplateInfo,
    area,
    audit_doc,
    person,
    proposed_action,
    staff,
    template_info,
    whole_service,
)
from tests.support.database import count
from tests.support.sync import SYNC_URL, iso, new_id, revise

# A visit checklist, for the tests that name one where an audit template belongs.
checklist = fixtures.checklist


def stored(db, document) -> Audit | None:
    db.expire_all()
    return db.scalar(sa.select(Audit).where(Audit.uuid == uuid.UUID(document["id"])))


def nothing_written(db) -> bool:
    db.expire_all()
    return (count(db, Audit), count(db, AuditAnswer), count(db, AuditAction)) == (0, 0, 0)


@pytest.fixture
def supervisor(org, client_as):
    """Acme's supervisor (both services), syncing."""
    return client_as(org.supervisor)


@pytest.fixture
def staff_template(app, db, org) -> TemplateInfo:
    """A small published audit template about a care worker (no starter template is one)."""
    with app.app_context():
        draft = checklists.create_audit_template(
            db,
            org.org.id,
            org.admin,
            name="Supervision records audit",
            subject_type="staff",
            description="",
            frequency_days=90,
            cqc_statements=["S6"],
            green_from=90,
            amber_from=75,
        )
        checklists.fill(
            draft,
            [
                ("Records", [("Supervision held on time", False, ""), ("Notes signed", False, "")]),
                ("Training", [("Mandatory training in date", True, "")]),
            ],
        )
        checklists.publish(db, draft, org.admin)
        db.commit()
    return template_info(db, "Supervision records audit", org.org.id)


def subjects(org, kind: str) -> tuple[object, dict, tuple[str, int]]:
    """(service, subject, (the Audit column that names it, its id)) for each subject type."""
    if kind == "person":
        return org.care_home, person("R01"), ("person_id", org.people["R01"].id)
    if kind == "staff":
        carla = org.staff_members["Carla Carer"]
        return org.care_home, staff(carla), ("staff_id", carla.id)
    if kind == "area":
        lounge = org.areas["Lounge"]
        return org.care_home, area(lounge), ("area_id", lounge.id)
    return org.care_home, whole_service(), ("person_id", None)


@pytest.mark.parametrize(
    ("template_name", "kind"),
    [
        (CARE_PLAN, "person"),
        (MAR, "person"),
        (None, "staff"),
        (IPC, "area"),
        (INCIDENTS, "service"),
    ],
)
def test_a_valid_audit_of_each_subject_type_is_stored_once_with_its_answers(
    db, org, templates, staff_template, supervisor, template_name, kind
):
    template = templates[template_name] if template_name else staff_template
    service, subject, (column, subject_id) = subjects(org, kind)
    document = audit_doc(service, template, subject, ratings={template.plain[0]: "partly"})

    assert [r["status"] for r in supervisor(document)] == ["created"]
    assert [r["status"] for r in supervisor(document)] == ["unchanged"]

    audit = stored(db, document)
    assert count(db, Audit) == 1
    assert (audit.subject_type, getattr(audit, column)) == (kind, subject_id)
    assert (audit.status, audit.auditor_id, audit.service_id) == (
        "submitted",
        org.supervisor.id,
        service.id,
    )
    assert len(audit.answers) == len(template.items)
    assert {a.item.key for a in audit.answers} == {i.key for i in template.items}
    # Every item Met but one Partly: (2n - 1) of 2n points.
    n = len(template.items)
    assert (audit.points, audit.possible) == (2 * n - 1, 2 * n)
    assert audit.band == ("green" if (2 * n - 1) * 100 >= 90 * 2 * n else "amber")
    assert (audit.n_met, audit.n_partly, audit.critical_fail) == (n - 1, 1, False)
    assert audit.submitted_at is not None


def test_a_critical_item_not_met_stores_a_red_audit(db, org, templates, supervisor):
    template = templates[MAR]
    document = audit_doc(
        org.care_home, template, person("R02"), ratings={template.critical[0]: "not_met"}
    )
    assert [r["status"] for r in supervisor(document)] == ["created"]
    audit = stored(db, document)
    assert (audit.band, audit.critical_fail, audit.critical_failures) == ("red", True, 1)
    assert audit.score == round(100 * (2 * len(template.items) - 2) / (2 * len(template.items)), 1)


def test_the_templates_own_bands_decide_the_band(app, db, org, templates, supervisor):
    template = templates[IPC]
    with app.app_context():
        row = db.scalar(sa.select(Checklist).where(Checklist.uuid == uuid.UUID(template.id)))
        checklists.update_audit_settings(
            db,
            row,
            org.admin,
            description="",
            frequency_days=30,
            cqc_statements=["S7"],
            green_from=50,
            amber_from=40,
        )
        db.commit()
    # Half the items Not met (none critical), the rest Met: 50% is green under these bands.
    plain = template.plain
    half = {i: "not_met" for i in plain[: len(template.items) // 2]}
    met = len(template.items) - len(half)
    document = audit_doc(org.care_home, template, area(org.areas["Lounge"]), ratings=half)
    assert [r["status"] for r in supervisor(document)] == ["created"]
    audit = stored(db, document)
    assert (audit.points, audit.possible) == (2 * met, 2 * len(template.items))
    assert audit.band == ("green" if met * 2 >= len(template.items) else "amber")


def test_drafts_are_updated_by_higher_revisions_and_stale_below(db, org, templates, supervisor):
    template = templates[CARE_PLAN]
    draft = audit_doc(org.care_home, template, person("R01"), status="draft", answers=[])
    assert [r["status"] for r in supervisor(draft)] == ["created"]
    assert stored(db, draft).answers == []

    second = revise(audit_doc(org.care_home, template, person("R01"), status="draft"), 2)
    second["id"] = draft["id"]
    assert [r["status"] for r in supervisor(second)] == ["updated"]
    assert len(stored(db, draft).answers) == len(template.items)

    assert [r["status"] for r in supervisor(draft)] == ["stale"]
    assert (stored(db, draft).revision, count(db, Audit)) == (2, 1)


def test_proposed_actions_become_actions_on_submission_exactly_once(db, org, templates, supervisor):
    template = templates[CARE_PLAN]
    carla = org.staff_members["Carla Carer"]
    proposal = proposed_action(carla)
    draft = audit_doc(
        org.care_home,
        template,
        person("R01"),
        ratings={template.plain[0]: "not_met"},
        actions=[proposal],
        status="draft",
    )
    assert [r["status"] for r in supervisor(draft)] == ["created"]
    assert count(db, Action) == 0  # a draft proposes; nothing is raised yet

    submitted = {**draft, "revision": 2, "data": {**draft["data"], "status": "submitted"}}
    assert [r["status"] for r in supervisor(submitted)] == ["updated"]
    assert [r["status"] for r in supervisor(submitted)] == ["unchanged"]

    db.expire_all()
    [action] = db.scalars(sa.select(Action)).all()
    audit = stored(db, draft)
    assert (action.source, action.audit_id, action.owner_staff_id) == ("audit", audit.id, carla.id)
    assert action.audit_action.uuid == uuid.UUID(proposal["id"])
    assert (action.description, action.due_on.isoformat()) == (
        proposal["description"],
        "2026-12-31",
    )
    # What the template evidences, and learning and improvement.
    assert action.cqc_tags == ["E1", "R1", "C2", "S4", "E6", "W7"]


def test_an_all_na_submission_is_invalid_but_a_draft_may_be_all_na(db, org, templates, supervisor):
    template = templates[IPC]
    lounge = area(org.areas["Lounge"])
    submitted = audit_doc(org.care_home, template, lounge, rating="na")
    [result] = supervisor(submitted)
    assert (result["status"], result["errors"]) == ("invalid", {"answers": [ALL_NA]})
    assert nothing_written(db)

    draft = audit_doc(org.care_home, template, lounge, rating="na", status="draft")
    assert [r["status"] for r in supervisor(draft)] == ["created"]
    audit = stored(db, draft)
    assert (audit.score, audit.band, audit.n_na) == (None, None, len(template.items))


def test_a_submission_must_answer_every_item(db, org, templates, supervisor):
    template = templates[CARE_PLAN]
    document = audit_doc(org.care_home, template, person("R01"))
    document["data"]["answers"].pop()
    [result] = supervisor(document)
    assert result["status"] == "invalid"
    assert "Answer every item before submitting (1 missing" in result["errors"]["answers"][0]
    assert nothing_written(db)


# --- invalid documents ---------------------------------------------------------------------------


def _invalid_cases(org, templates, staff_template, visit_checklist) -> dict[str, tuple[dict, str]]:
    """Each malformed audit with the field its error is reported under."""
    care_plan, ipc, incidents = templates[CARE_PLAN], templates[IPC], templates[INCIDENTS]
    home, homecare = org.care_home, org.homecare
    items = care_plan.items

    def doc(template=care_plan, service=home, subject=None, **fields):
        return audit_doc(service, template, subject or person("R01"), **fields)

    answers = doc()["data"]["answers"]
    return {
        "an area of another service": (
            doc(ipc, homecare, area(org.areas["Lounge"])),
            "subject.id",
        ),
        "a person code of another service": (doc(service=homecare), "subject.code"),
        "an unknown person code": (doc(subject=person("Z99")), "subject.code"),
        "a care worker of another service": (
            doc(staff_template, home, staff(org.staff_members["Hal Homecare"])),
            "subject.id",
        ),
        "a subject of the wrong type": (doc(subject=area(org.areas["Lounge"])), "subject.type"),
        "a person named by id": (
            doc(subject={"type": "person", "id": str(org.people["R01"].uuid), "code": "R01"}),
            "subject.id",
        ),
        "a whole-service audit naming an id": (
            doc(incidents, subject={"type": "service", "id": new_id(), "code": None}),
            "subject.id",
        ),
        "a subject that is not an object": (doc(subject="R01"), "subject"),
        "an unknown subject type": (
            doc(subject={"type": "room", "id": None, "code": None}),
            "subject.type",
        ),
        "an unknown template": (doc(template_id=new_id()), "template_version"),
        "a visit checklist as the template": (
            doc(template_id=visit_checklist.id, template_version=visit_checklist.version),
            "template_version",
        ),
        "an unknown version": (doc(template_version=2), "template_version"),
        "a huge version number": (doc(template_version=10**30), "template_version"),
        "a version that is not a number": (doc(template_version="1"), "template_version"),
        "an unknown item": (
            doc(answers=[*answers[1:], {"item_id": new_id(), "rating": "met"}]),
            f"answers[{len(items) - 1}].item_id",
        ),
        "an item of another template": (
            doc(answers=[*answers[1:], {"item_id": ipc.items[0].id, "rating": "met"}]),
            f"answers[{len(items) - 1}].item_id",
        ),
        "an item answered twice": (
            doc(answers=[*answers, answers[0]]),
            f"answers[{len(items)}].item_id",
        ),
        "an unknown rating": (
            doc(answers=[{**answers[0], "rating": "good"}, *answers[1:]]),
            "answers[0].rating",
        ),
        "a NUL character in a comment": (
            doc(answers=[{**answers[0], "comment": "a\u0000b"}, *answers[1:]]),
            "answers[0].comment",
        ),
        "a start in the year 1": (doc(started_at="0001-01-01T00:00:00+00:00"), "started_at"),
        "an end in the year 9999": (doc(ended_at="9999-12-31T23:59:59-14:00"), "ended_at"),
        "a naive start": (doc(started_at="2026-11-20T09:00:00"), "started_at"),
        "an end before the start": (doc(ended_at=iso(STARTED - timedelta(minutes=1))), "ended_at"),
        "an infinite number": (doc(template_version=float("inf")), "template_version"),
        "an unknown status": (doc(status="done"), "status"),
        "actions with one id twice": (
            doc(actions=[proposed_action(id="0" * 8 + "-0000-4000-8000-" + "0" * 12)] * 2),
            "actions[1].id",
        ),
        "an action owner from another organisation": (
            doc(actions=[proposed_action(owner=new_id())]),
            "actions[0].owner_id",
        ),
        "an action due in the year 9999": (
            doc(actions=[proposed_action(due_on="9999-12-31")]),
            "actions[0].due_on",
        ),
        "data that is not an object": (
            {"kind": "audit", "id": new_id(), "revision": 1, "data": ["audit"]},
            "data",
        ),
    }


CASES = [
    "an area of another service",
    "a person code of another service",
    "an unknown person code",
    "a care worker of another service",
    "a subject of the wrong type",
    "a person named by id",
    "a whole-service audit naming an id",
    "a subject that is not an object",
    "an unknown subject type",
    "an unknown template",
    "a visit checklist as the template",
    "an unknown version",
    "a huge version number",
    "a version that is not a number",
    "an unknown item",
    "an item of another template",
    "an item answered twice",
    "an unknown rating",
    "a NUL character in a comment",
    "a start in the year 1",
    "an end in the year 9999",
    "a naive start",
    "an end before the start",
    "an infinite number",
    "an unknown status",
    "actions with one id twice",
    "an action owner from another organisation",
    "an action due in the year 9999",
    "data that is not an object",
]


@pytest.mark.parametrize("case", CASES)
def test_a_malformed_audit_is_invalid_with_its_field_and_writes_nothing(
    db, org, templates, staff_template, checklist, supervisor, case
):
    cases = _invalid_cases(org, templates, staff_template, checklist)
    assert set(cases) == set(CASES)
    document, field = cases[case]
    response = supervisor.post(document)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    [result] = response.get_json()["results"]
    assert result["status"] == "invalid", result
    assert field in result["errors"], result["errors"]
    assert nothing_written(db)


def test_a_lone_surrogate_is_invalid_and_the_rest_of_the_batch_is_stored(
    client, auth, db, org, templates
):
    auth.login(org.supervisor)
    template = templates[CARE_PLAN]
    poison = audit_doc(org.care_home, template, person("R01"), went_well="SURROGATE")
    good = audit_doc(org.care_home, template, person("R02"))
    body = json.dumps({"documents": [poison, good]}).replace("SURROGATE", "\\ud800")
    response = client.post(SYNC_URL, data=body.encode(), content_type="application/json")
    assert response.status_code == 200
    statuses = [(r["status"], sorted(r.get("errors", {}))) for r in response.get_json()["results"]]
    assert statuses == [("invalid", ["went_well"]), ("created", [])]
    db.expire_all()
    assert [str(u) for u in db.scalars(sa.select(Audit.uuid))] == [good["id"]]


def test_one_bad_audit_does_not_block_the_good_ones(db, org, templates, supervisor):
    template = templates[CARE_PLAN]
    first = audit_doc(org.care_home, template, person("R01"))
    bad = audit_doc(org.homecare, template, person("R02"))  # R02 is the care home's
    last = audit_doc(org.care_home, template, person("R02"))
    results = supervisor(first, bad, last)
    assert [r["status"] for r in results] == ["created", "invalid", "created"]
    db.expire_all()
    assert {str(u) for u in db.scalars(sa.select(Audit.uuid))} == {first["id"], last["id"]}
    assert count(db, AuditAnswer) == 2 * len(template.items)


def test_an_audit_begun_on_a_replaced_version_is_kept_and_a_new_one_refused(
    app, db, org, templates, supervisor
):
    v1 = templates[CARE_PLAN]
    with app.app_context():
        row = db.scalar(sa.select(Checklist).where(Checklist.uuid == uuid.UUID(v1.id)))
        checklists.publish(db, checklists.start_draft(db, row, org.admin), org.admin)
        db.commit()
    # Begun (offline) before version 2 was published: still accepted on version 1.
    begun = audit_doc(org.care_home, v1, person("R01"))
    assert [r["status"] for r in supervisor(begun)] == ["created"]
    # Begun after (a few minutes from now, within the clock's allowance): the current version.
    late = audit_doc(
        org.care_home,
        v1,
        person("R02"),
        started_at=iso(utcnow() + timedelta(minutes=5)),
        ended_at=None,
    )
    [result] = supervisor(late)
    assert result["status"] == "invalid"
    assert "replaced before the audit started" in result["errors"]["template_version"][0]


# --- who may send audits -------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["staff", "manager_elsewhere", "other_org"])
def test_an_audit_where_the_user_may_not_audit_is_forbidden(
    db, org, other, templates, client_as, who
):
    template = templates[CARE_PLAN]
    if who == "staff":  # a care worker of the care home
        user, service, subject = org.staff, org.care_home, person("R01")
    elif who == "manager_elsewhere":  # Acme's manager manages the care home only
        user, service, subject = org.manager, org.homecare, person("H01")
    else:  # another organisation's admin, naming Acme's service: unknown to them
        user, service, subject = other.admin, org.care_home, person("R01")
    [result] = client_as(user)(audit_doc(service, template, subject))
    expected = "invalid" if who == "other_org" else "forbidden"
    assert result["status"] == expected, result
    assert nothing_written(db)


def test_a_visit_cannot_be_scored_on_an_audit_template(db, org, templates, supervisor, checklist):
    from tests.support.visits import spot_check

    care_plan = templates[CARE_PLAN]
    visit = spot_check(org.homecare, org.staff_members["Hal Homecare"], checklist)
    visit["data"]["checklist_id"] = care_plan.id
    visit["data"]["checklist_version"] = care_plan.version
    [result] = supervisor(visit)
    assert result["status"] == "invalid"
    assert "checklist_version" in result["errors"]


def test_a_changed_copy_of_a_submitted_audit_is_kept_for_review(db, org, templates, supervisor):
    template = templates[CARE_PLAN]
    document = audit_doc(org.care_home, template, person("R01"))
    assert [r["status"] for r in supervisor(document)] == ["created"]
    changed = revise(document, 2, went_well="Added later.")
    [result] = supervisor(changed)
    assert (result["status"], result["revision"]) == ("conflict", 1)
    db.expire_all()
    [kept] = db.scalars(sa.select(QuarantinedDocument)).all()
    assert (kept.kind, str(kept.document_id), kept.service_id) == (
        "audit",
        document["id"],
        org.care_home.id,
    )
    assert stored(db, document).went_well == ""


def test_identifiers_in_free_text_are_flagged(db, org, templates, supervisor):
    template = templates[CARE_PLAN]
    answers = audit_doc(org.care_home, template, person("R01"))["data"]["answers"]
    answers[0]["comment"] = "Daughter's number is 07700 900123."
    document = audit_doc(org.care_home, template, person("R01"), answers=answers)
    assert [r["status"] for r in supervisor(document)] == ["created"]
    assert stored(db, document).privacy_flags != []
