"""POST /api/v1/sync with co-audits (issue 16): an ``audit`` document with ``co_audit`` and
``easy_read``, completed with a person supported (who agreed) or by a quality checker on the staff
audit assigned to them. Stored with its fields, never a subject's latest audit; every malformed
shape ``invalid`` with the reason, every co-audit the sender may not send ``forbidden`` with a
sentence for them, each document answered on its own."""

from __future__ import annotations

import threading
import uuid

import pytest
import sqlalchemy as sa

from careobs import create_app
from careobs.audit.models import AuditEvent
from careobs.audits import service as audits_service
from careobs.audits.documents import ALL_NA
from careobs.audits.models import Audit, AuditAnswer, AuditLatest
from careobs.checkers.models import CheckerAssignment
from careobs.checklists import service as checklists
from tests.factories import DataBuilder
from tests.support.audits import (
    CARE_PLAN,
    INCIDENTS,
    IPC,
    area,
    audit_doc,
    person,
    staff,
    starter_templates,
    template_info,
    whole_service,
)
from tests.support.database import count, empty_all_tables
from tests.support.sync import new_id, revise
from tests.support.web import PASSWORD
from tests.sync.census import Ledger
from tests.sync.devices import Send, SyncClient, assert_ok, at_once

NOT_SURE = "na"


def stored(db, document) -> Audit | None:
    db.expire_all()
    return db.scalar(sa.select(Audit).where(Audit.uuid == uuid.UUID(document["id"])))


def co_audit(
    service, template, subject, staff_audit, *, by="person", code="R01", consent=True, **fields
):
    """A submitted easy-read co-audit compared with ``staff_audit`` (a document or an id)."""
    compare_with = staff_audit["id"] if isinstance(staff_audit, dict) else staff_audit
    block = {
        "with": by,
        "person_code": code if by == "person" else None,
        "compare_with": compare_with,
    }
    if by == "person":
        block["consent"] = consent
    fields.setdefault("co_audit", block)
    fields.setdefault("easy_read", True)
    return audit_doc(service, template, subject, **fields)


@pytest.fixture
def supervisor(org, client_as):
    return client_as(org.supervisor)


@pytest.fixture
def care_plan(templates):
    return templates[CARE_PLAN]


@pytest.fixture
def staff_audit(org, care_plan, supervisor):
    """Sue Supervisor's submitted care plan audit of R01, stored."""
    document = audit_doc(org.care_home, care_plan, person("R01"))
    assert [r["status"] for r in supervisor(document)] == ["created"]
    return document


@pytest.fixture
def checker(data, org):
    """Quinn, a quality checker of the care home."""
    user = data.user(
        org.org, "quinn@acme.test", "Quinn Checker", roles={org.care_home: "quality_checker"}
    )
    data.session.commit()
    return user


def assign(db, org, checker, document) -> CheckerAssignment:
    """A manager gives ``checker`` the co-audit of the stored staff audit ``document``."""
    audit = stored(db, document)
    assignment = CheckerAssignment(
        organisation_id=org.org.id,
        service_id=audit.service_id,
        user_id=checker.id,
        kind="co_audit",
        audit_id=audit.id,
        created_by_id=org.manager.id,
    )
    db.add(assignment)
    db.commit()
    return assignment


def worker_template(app, db, org):
    """A published audit template about a care worker (no starter template is one)."""
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
        checklists.fill(draft, [("Records", [("Supervision held on time", False, "")])])
        checklists.publish(db, draft, org.admin)
        db.commit()
    return template_info(db, "Supervision records audit", org.org.id)


# --- stored ---------------------------------------------------------------------------------------


def test_a_co_audit_with_a_person_is_stored_with_its_fields_and_never_as_the_latest(
    db, org, care_plan, supervisor, staff_audit
):
    # Yes, Partly, No, Not sure, then Yes for the rest: (n - 3) Met, 1 Partly, 1 Not met, 1 N/A.
    ratings = {
        care_plan.plain[0]: "partly",
        care_plan.plain[1]: "not_met",
        care_plan.plain[2]: NOT_SURE,
    }
    document = co_audit(org.care_home, care_plan, person("R01"), staff_audit, ratings=ratings)

    assert [r["status"] for r in supervisor(document)] == ["created"]
    assert [r["status"] for r in supervisor(document)] == ["unchanged"]

    audit = stored(db, document)
    assert (audit.co_audit_with, audit.co_audit_person_id) == ("person", org.people["R01"].id)
    assert audit.compare_with == uuid.UUID(staff_audit["id"])
    assert (audit.easy_read, audit.consent_given, audit.status) == (True, True, "submitted")
    n = len(care_plan.items)
    assert (audit.n_met, audit.n_partly, audit.n_not_met, audit.n_na) == (n - 3, 1, 1, 1)
    # (n - 3) × 2 + 1 points of (n - 1) × 2 possible
    assert (audit.points, audit.possible) == (2 * (n - 3) + 1, 2 * (n - 1))
    assert count(db, AuditAnswer) == 2 * n
    # The subject's latest audit is still the staff audit: due dates never see a co-audit.
    [latest] = db.scalars(sa.select(AuditLatest)).all()
    assert latest.audit_id == stored(db, staff_audit).id
    summaries = db.scalars(
        sa.select(AuditEvent.summary)
        .where(AuditEvent.action == "audit_submitted")
        .order_by(AuditEvent.id)
    ).all()
    assert len(summaries) == 2
    summary = summaries[1]
    assert summary.startswith(f"{CARE_PLAN} of R01, co-audit with R01: ")


def test_a_co_audit_may_be_all_not_sure_where_a_staff_audit_may_not(
    db, org, care_plan, supervisor, staff_audit
):
    all_not_sure = co_audit(org.care_home, care_plan, person("R01"), staff_audit, rating=NOT_SURE)
    staff_all_na = audit_doc(org.care_home, care_plan, person("R02"), rating="na")

    first, second = supervisor(all_not_sure, staff_all_na)

    assert first["status"] == "created"
    assert (second["status"], second["errors"]["answers"]) == ("invalid", [ALL_NA])
    audit = stored(db, all_not_sure)
    assert (audit.n_na, audit.score, audit.band) == (len(care_plan.items), None, None)


def test_a_co_audit_arriving_before_its_staff_audit_is_kept_and_the_staff_audit_after_it(
    db, org, care_plan, supervisor
):
    staff_id = new_id()
    first = co_audit(org.care_home, care_plan, person("R01"), staff_id)

    assert [r["status"] for r in supervisor(first)] == ["created"]
    assert stored(db, first).compare_with == uuid.UUID(staff_id)
    assert count(db, AuditLatest) == 0  # a co-audit alone closes nothing

    later = audit_doc(org.care_home, care_plan, person("R01"), id=staff_id)
    assert [r["status"] for r in supervisor(later)] == ["created"]
    [latest] = db.scalars(sa.select(AuditLatest)).all()
    assert latest.audit_id == stored(db, later).id

    # Recomputing the latest audits (after a bulk load) skips co-audits as well.
    audits_service.rebuild_latest(db, org.org.id)
    db.commit()
    [latest] = db.scalars(sa.select(AuditLatest)).all()
    assert latest.audit_id == stored(db, later).id


def test_a_draft_may_lack_consent_but_its_submission_may_not(
    db, org, care_plan, supervisor, staff_audit
):
    draft = co_audit(
        org.care_home, care_plan, person("R01"), staff_audit, consent=None, status="draft"
    )
    assert [r["status"] for r in supervisor(draft)] == ["created"]
    assert stored(db, draft).consent_given is False

    block = dict(draft["data"]["co_audit"])
    unconsented = revise(draft, 2, status="submitted")
    [answer] = supervisor(unconsented)
    assert answer["status"] == "invalid"
    assert "agreed to take part" in answer["errors"]["co_audit.consent"][0]

    consented = revise(draft, 3, status="submitted", co_audit={**block, "consent": True})
    assert [r["status"] for r in supervisor(consented)] == ["updated"]
    assert (stored(db, draft).consent_given, stored(db, draft).status) == (True, "submitted")


def test_a_checker_sends_the_co_audit_assigned_to_them(
    db, org, care_plan, staff_audit, checker, client_as
):
    assign(db, org, checker, staff_audit)
    document = co_audit(org.care_home, care_plan, person("R01"), staff_audit, by="quality_checker")

    assert [r["status"] for r in client_as(checker)(document)] == ["created"]

    audit = stored(db, document)
    assert (audit.co_audit_with, audit.co_audit_person_id, audit.consent_given) == (
        "quality_checker",
        None,
        False,
    )
    assert audit.auditor_id == checker.id
    summaries = db.scalars(
        sa.select(AuditEvent.summary).where(AuditEvent.action == "audit_submitted")
    ).all()
    assert any("co-audit by a quality checker" in s for s in summaries)


def test_an_identical_resend_stays_unchanged_after_the_assignment_is_removed(
    db, org, care_plan, staff_audit, checker, client_as
):
    assignment = assign(db, org, checker, staff_audit)
    document = co_audit(org.care_home, care_plan, person("R01"), staff_audit, by="quality_checker")
    device = client_as(checker)
    assert [r["status"] for r in device(document)] == ["created"]
    db.delete(db.get(CheckerAssignment, assignment.id))
    db.commit()

    assert [r["status"] for r in device(document)] == ["unchanged"]
    changed = revise(document, 2, went_well="More to say.")
    [answer] = device(changed)
    assert answer["status"] == "forbidden"


# --- invalid --------------------------------------------------------------------------------------

HUGE = 10**400


@pytest.mark.parametrize(
    ("change", "field"),
    [
        pytest.param({"co_audit": "person"}, "co_audit", id="not-an-object"),
        pytest.param({"co_audit": []}, "co_audit", id="a-list"),
        pytest.param({"co_audit": {"with": "family"}}, "co_audit.with", id="unknown-with"),
        pytest.param({"co_audit": {"with": 1}}, "co_audit.with", id="with-a-number"),
        pytest.param({"co_audit.compare_with": "not-a-uuid"}, "co_audit.compare_with", id="bad"),
        pytest.param({"co_audit.compare_with": HUGE}, "co_audit.compare_with", id="huge"),
        pytest.param({"co_audit.compare_with": None}, "co_audit.compare_with", id="none"),
        pytest.param({"co_audit.person_code": None}, "co_audit.person_code", id="no-code"),
        pytest.param({"co_audit.person_code": ""}, "co_audit.person_code", id="empty-code"),
        pytest.param({"co_audit.person_code": 7}, "co_audit.person_code", id="code-number"),
        pytest.param({"co_audit.person_code": "R99"}, "co_audit.person_code", id="unknown"),
        pytest.param({"co_audit.person_code": "H01"}, "co_audit.person_code", id="other-svc"),
        pytest.param({"co_audit.person_code": "R" * 5000}, "co_audit.person_code", id="long"),
        pytest.param({"co_audit.consent": None}, "co_audit.consent", id="no-consent"),
        pytest.param({"co_audit.consent": False}, "co_audit.consent", id="consent-false"),
        pytest.param({"co_audit.consent": "yes"}, "co_audit.consent", id="consent-text"),
        pytest.param({"easy_read": "true"}, "easy_read", id="easy-read-text"),
        pytest.param({"easy_read": HUGE}, "easy_read", id="easy-read-huge"),
        pytest.param({"co_audit.person_code": "R\x0001"}, "co_audit.person_code", id="nul"),
        pytest.param({"co_audit.person_code": "R\ud80001"}, "co_audit.person_code", id="surr"),
    ],
)
def test_every_malformed_co_audit_is_invalid_and_writes_nothing(
    db, org, care_plan, supervisor, staff_audit, change, field
):
    document = co_audit(org.care_home, care_plan, person("R01"), staff_audit)
    for key, value in change.items():
        if key.startswith("co_audit."):
            document["data"]["co_audit"][key.split(".", 1)[1]] = value
        else:
            document["data"][key] = value
    before = count(db, Audit)

    [answer] = supervisor(document)

    assert answer["status"] == "invalid", answer
    assert field in answer["errors"], answer["errors"]
    assert count(db, Audit) == before


def test_a_checker_names_no_person(db, org, care_plan, staff_audit, checker, client_as):
    assign(db, org, checker, staff_audit)
    document = co_audit(org.care_home, care_plan, person("R01"), staff_audit, by="quality_checker")
    document["data"]["co_audit"]["person_code"] = "R01"

    [answer] = client_as(checker)(document)

    assert answer["status"] == "invalid"
    assert "names no person" in answer["errors"]["co_audit.person_code"][0]


def test_a_checkers_unreadable_compare_with_is_invalid_not_forbidden(
    db, org, care_plan, staff_audit, checker, client_as
):
    assign(db, org, checker, staff_audit)
    document = co_audit(org.care_home, care_plan, person("R01"), "R01", by="quality_checker")

    [answer] = client_as(checker)(document)

    assert (answer["status"], answer["errors"]) == (
        "invalid",
        {"co_audit.compare_with": ["Must be a UUID."]},
    )


def test_an_inactive_person_cannot_take_part(db, org, care_plan, supervisor, staff_audit):
    org.people["R02"].active = False
    db.commit()
    document = co_audit(org.care_home, care_plan, person("R01"), staff_audit, code="R02")

    [answer] = supervisor(document)

    assert answer["status"] == "invalid"
    assert answer["errors"]["co_audit.person_code"] == [
        "R02 is not a person currently supported by this service."
    ]


def test_compare_with_must_name_a_staff_audit_of_the_same_service_template_and_subject(
    db, org, templates, care_plan, supervisor, staff_audit, other, client_as
):
    homecare_audit = audit_doc(org.homecare, care_plan, person("H01"))
    ipc_audit = audit_doc(org.care_home, templates[IPC], area(org.areas["Lounge"]))
    r02_audit = audit_doc(org.care_home, care_plan, person("R02"))
    first_co_audit = co_audit(org.care_home, care_plan, person("R01"), staff_audit)
    assert [r["status"] for r in supervisor(homecare_audit, ipc_audit, r02_audit)] == [
        "created"
    ] * 3
    assert [r["status"] for r in supervisor(first_co_audit)] == ["created"]
    cases = {
        "of another service": homecare_audit,
        "a co-audit": first_co_audit,
        f"another template ({IPC})": ipc_audit,
        "another subject": r02_audit,
    }
    documents = [
        co_audit(org.care_home, care_plan, person("R01"), named) for named in cases.values()
    ]
    # A valid one in the same batch is stored: one bad document never stops the others.
    good = co_audit(org.care_home, care_plan, person("R01"), staff_audit)

    answers = supervisor(*documents, good)

    assert [a["status"] for a in answers] == ["invalid"] * 4 + ["created"]
    for words, answer in zip(cases, answers, strict=False):
        assert words in answer["errors"]["co_audit.compare_with"][0], answer
    assert stored(db, documents[0]) is None
    assert stored(db, good) is not None


def test_compare_with_naming_another_organisations_audit_is_invalid(
    db, org, other, care_plan, supervisor, staff_audit, app
):
    other_templates = starter_templates(app, db, other.org.id)
    theirs = audit_doc(other.care_home, other_templates[CARE_PLAN], person("R01"))
    assert [r["status"] for r in SyncLike(app, other.supervisor)(theirs)] == ["created"]
    document = co_audit(org.care_home, care_plan, person("R01"), theirs)

    [answer] = supervisor(document)

    assert answer["status"] == "invalid"
    assert answer["errors"]["co_audit.compare_with"] == [
        "The staff audit it names is of another service."
    ]


class SyncLike:
    """A SyncApi for a user of the second organisation (client_as is bound to one app)."""

    def __init__(self, app, user):
        from tests.support.sync import SyncApi
        from tests.support.web import Auth

        client = app.test_client()
        Auth(client).login(user, PASSWORD)
        self.api = SyncApi(client)

    def __call__(self, *documents):
        return self.api(*documents)


# --- forbidden ------------------------------------------------------------------------------------


def test_a_checker_without_the_assignment_is_forbidden(
    db, org, care_plan, staff_audit, checker, client_as
):
    document = co_audit(org.care_home, care_plan, person("R01"), staff_audit, by="quality_checker")
    not_on_server = co_audit(
        org.care_home, care_plan, person("R01"), new_id(), by="quality_checker"
    )

    answers = client_as(checker)(document, not_on_server)

    assert [a["status"] for a in answers] == ["forbidden", "forbidden"]
    assert "not assigned to you" in answers[0]["errors"]["co_audit.compare_with"][0]
    assert count(db, Audit) == 1


def test_a_checker_sending_a_staff_audit_is_forbidden_and_the_batch_goes_on(
    db, org, care_plan, staff_audit, checker, client_as
):
    assign(db, org, checker, staff_audit)
    own_staff_audit = audit_doc(org.care_home, care_plan, person("R02"))
    with_person = co_audit(org.care_home, care_plan, person("R01"), staff_audit)
    assigned = co_audit(org.care_home, care_plan, person("R01"), staff_audit, by="quality_checker")

    answers = client_as(checker)(own_staff_audit, with_person, assigned)

    assert [a["status"] for a in answers] == ["forbidden", "forbidden", "created"]
    assert "As a quality checker at" in answers[0]["errors"]["service_id"][0]
    assert "As a quality checker at" in answers[1]["errors"]["co_audit"][0]
    assert stored(db, own_staff_audit) is None


def test_a_checker_is_never_given_a_template_about_a_care_worker(
    app, db, org, supervisor, checker, client_as
):
    staff_template = worker_template(app, db, org)
    carla = org.staff_members["Carla Carer"]
    of_carla = audit_doc(org.care_home, staff_template, staff(carla))
    assert [r["status"] for r in supervisor(of_carla)] == ["created"]
    assign(db, org, checker, of_carla)
    document = co_audit(org.care_home, staff_template, staff(carla), of_carla, by="quality_checker")

    [answer] = client_as(checker)(document)

    assert answer["status"] == "forbidden"
    assert "about a care worker" in answer["errors"]["template_id"][0]


def test_only_a_checker_sends_a_co_audit_by_a_quality_checker(
    db, org, care_plan, supervisor, staff_audit
):
    document = co_audit(org.care_home, care_plan, person("R01"), staff_audit, by="quality_checker")

    [answer] = supervisor(document)

    assert answer["status"] == "forbidden"
    assert "Only a quality checker" in answer["errors"]["co_audit.with"][0]


def test_who_may_not_complete_the_audit_may_not_co_audit_with_a_person(
    db, org, care_plan, staff_audit, client_as
):
    document = co_audit(org.care_home, care_plan, person("R01"), staff_audit)

    [answer] = client_as(org.staff)(document)

    assert answer["status"] == "forbidden"
    assert stored(db, document) is None


def test_a_co_audit_of_the_whole_service_names_no_person_subject(db, org, templates, supervisor):
    incidents = templates[INCIDENTS]
    staff_audit = audit_doc(org.care_home, incidents, whole_service())
    document = co_audit(org.care_home, incidents, whole_service(), staff_audit, code="R02")

    answers = supervisor(staff_audit, document)

    assert [a["status"] for a in answers] == ["created", "created"]
    audit = stored(db, document)
    assert (audit.subject_type, audit.co_audit_person_id) == ("service", org.people["R02"].id)


# --- the same co-audit from two sessions at once (a real threaded server) ------------------------


@pytest.fixture
def served(database_url, tmp_path, monkeypatch):
    """Acme behind werkzeug's threaded server, with Sue's staff audit of R01 stored and two
    logged-in sessions of hers: (session, templates, staff audit, two devices)."""
    from werkzeug.serving import make_server

    monkeypatch.setenv("CAREOBS_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "co-audit-race-secret-key-long-enough-0123456789",
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "PUSH_DELIVERY_THREAD": False,
        }
    )
    engine = app.extensions["careobs.engine"]
    empty_all_tables(engine)
    db = app.extensions["careobs.sessionmaker"]()
    acme = DataBuilder(app, db, PASSWORD).organisation()
    db.commit()
    templates = starter_templates(app, db, acme.org.id)
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, name="co-audit-race", daemon=True)
    thread.start()
    devices = []
    for _ in range(2):
        device = SyncClient(httpd.server_port, ledger=Ledger())
        device.log_in(acme.supervisor.email)
        devices.append(device)
    staff_audit = audit_doc(acme.care_home, templates[CARE_PLAN], person("R01"))
    assert devices[0].send([staff_audit]).statuses == ["created"]
    try:
        yield acme, db, templates, staff_audit, devices
    finally:
        for device in devices:
            device.close()
        httpd.shutdown()
        thread.join(timeout=10)
        httpd.server_close()
        db.close()
        empty_all_tables(engine)
        engine.dispose()


def test_the_same_co_audit_sent_at_once_from_two_sessions_is_stored_once(served):
    acme, db, templates, staff_audit, (first, second) = served
    document = co_audit(acme.care_home, templates[CARE_PLAN], person("R01"), staff_audit)

    replies = at_once(Send(first, [document]), Send(second, [document]))

    assert_ok(*replies)
    assert sorted(s for r in replies for s in r.statuses) == ["created", "unchanged"]
    db.expire_all()
    rows = db.scalars(sa.select(Audit).where(Audit.uuid == uuid.UUID(document["id"]))).all()
    assert [(a.co_audit_with, a.consent_given) for a in rows] == [("person", True)]
    answers = db.scalar(
        sa.select(sa.func.count(AuditAnswer.id)).where(AuditAnswer.audit_id == rows[0].id)
    )
    assert answers == len(templates[CARE_PLAN].items)
    [latest] = db.scalars(sa.select(AuditLatest)).all()
    assert latest.audit_id != rows[0].id


# --- a quality checker raises no actions ----------------------------------------------------------


@pytest.mark.parametrize(
    "actions",
    [
        "carla",  # a real owner of the service
        "unknown",  # an id that is nobody's: answered the same, so nothing is probed
        [{"nonsense": True}],
        "not a list",
    ],
)
def test_a_checkers_co_audit_carrying_actions_is_invalid_whoever_it_names(
    db, org, care_plan, staff_audit, checker, client_as, actions
):
    from tests.support.audits import proposed_action

    assign(db, org, checker, staff_audit)
    given = (
        {
            "carla": [proposed_action(org.staff_members["Carla Carer"])],
            "unknown": [proposed_action(str(uuid.uuid4()))],
        }.get(actions, actions)
        if isinstance(actions, str)
        else actions
    )
    document = co_audit(
        org.care_home, care_plan, person("R01"), staff_audit, by="quality_checker", actions=given
    )
    [answer] = client_as(checker)(document)
    assert answer["status"] == "invalid"
    assert answer["errors"] == {
        "actions": [
            "A quality checker's co-audit raises no actions: the manager follows up the "
            "differences from the comparison."
        ]
    }
    assert stored(db, document) is None
    # Without actions (null or empty) it is kept.
    document["data"]["actions"] = None
    assert [r["status"] for r in client_as(checker)(document)] == ["created"]


def test_a_co_audit_with_a_person_may_still_raise_actions(
    db, org, care_plan, staff_audit, supervisor
):
    from tests.support.audits import proposed_action

    document = co_audit(
        org.care_home,
        care_plan,
        person("R01"),
        staff_audit,
        actions=[proposed_action(org.staff_members["Carla Carer"])],
    )
    assert [r["status"] for r in supervisor(document)] == ["created"]
    assert len(stored(db, document).actions) == 1


# --- one assignment, one co-audit -----------------------------------------------------------------

ALREADY_SENT = "You have already sent your co-audit of this audit."


def test_two_offline_devices_send_two_co_audits_of_one_assignment_and_one_is_kept(
    db, org, care_plan, staff_audit, checker, client_as
):
    assign(db, org, checker, staff_audit)
    phone, tablet = client_as(checker), client_as(checker)
    first = co_audit(org.care_home, care_plan, person("R01"), staff_audit, by="quality_checker")
    second = co_audit(
        org.care_home, care_plan, person("R01"), staff_audit, by="quality_checker", rating="not_met"
    )
    assert [r["status"] for r in phone(first)] == ["created"]
    [answer] = tablet(second)
    assert answer["status"] == "invalid"
    assert answer["errors"] == {"co_audit.compare_with": [ALREADY_SENT]}
    assert stored(db, second) is None
    # The first one's resend and revision stay allowed while it is a draft or unchanged.
    assert [r["status"] for r in tablet(first)] == ["unchanged"]
    kept = db.scalars(
        sa.select(Audit).where(
            Audit.co_audit_with == "quality_checker", Audit.status == "submitted"
        )
    ).all()
    assert [a.uuid for a in kept] == [uuid.UUID(first["id"])]


def test_a_draft_co_audit_may_be_revised_then_submitted(
    db, org, care_plan, staff_audit, checker, client_as
):
    assign(db, org, checker, staff_audit)
    phone = client_as(checker)
    draft = co_audit(
        org.care_home, care_plan, person("R01"), staff_audit, by="quality_checker", status="draft"
    )
    assert [r["status"] for r in phone(draft)] == ["created"]
    assert [r["status"] for r in phone(revise(draft, 2, status="submitted"))] == ["updated"]


@pytest.fixture
def served_checker(database_url, tmp_path, monkeypatch):
    """Acme behind werkzeug's threaded server, with Sue's staff audit of R01 assigned to Quinn
    (a quality checker) and two logged-in devices of Quinn's: (session, templates, staff
    audit, two devices)."""
    from werkzeug.serving import make_server

    monkeypatch.setenv("CAREOBS_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "co-audit-race-secret-key-long-enough-0123456789",
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "PUSH_DELIVERY_THREAD": False,
        }
    )
    engine = app.extensions["careobs.engine"]
    empty_all_tables(engine)
    db = app.extensions["careobs.sessionmaker"]()
    data = DataBuilder(app, db, PASSWORD)
    acme = data.organisation()
    quinn = data.user(
        acme.org, "quinn@acme.test", "Quinn Checker", roles={acme.care_home: "quality_checker"}
    )
    db.commit()
    templates = starter_templates(app, db, acme.org.id)
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, name="co-audit-race", daemon=True)
    thread.start()
    sue = SyncClient(httpd.server_port, ledger=Ledger())
    sue.log_in(acme.supervisor.email)
    staff_audit = audit_doc(acme.care_home, templates[CARE_PLAN], person("R01"))
    assert sue.send([staff_audit]).statuses == ["created"]
    assign(db, acme, quinn, staff_audit)
    devices = []
    for _ in range(2):
        device = SyncClient(httpd.server_port, ledger=Ledger())
        device.log_in(quinn.email)
        devices.append(device)
    try:
        yield acme, db, templates, staff_audit, devices
    finally:
        for device in (sue, *devices):
            device.close()
        httpd.shutdown()
        thread.join(timeout=10)
        httpd.server_close()
        db.close()
        empty_all_tables(engine)
        engine.dispose()


def test_two_co_audits_of_one_assignment_sent_at_once_keep_exactly_one(served_checker):
    acme, db, templates, staff_audit, (phone, tablet) = served_checker
    documents = [
        co_audit(
            acme.care_home, templates[CARE_PLAN], person("R01"), staff_audit, by="quality_checker"
        )
        for _ in range(2)
    ]

    replies = at_once(Send(phone, [documents[0]]), Send(tablet, [documents[1]]))

    assert_ok(*replies)
    assert sorted(s for r in replies for s in r.statuses) == ["created", "invalid"]
    db.expire_all()
    kept = db.scalars(
        sa.select(Audit).where(
            Audit.co_audit_with == "quality_checker", Audit.status == "submitted"
        )
    ).all()
    assert len(kept) == 1
    assert str(kept[0].uuid) in {d["id"] for d in documents}


# --- one co-audit access rule ---------------------------------------------------------------------


def test_the_one_co_audit_rule_covers_a_co_audit_with_a_person(db, org, care_plan, staff_audit):
    """co_audit_refusal (what the sync asks) refuses a care worker's co-audit with a person as
    the sync does, and may_co_audit is that rule's yes or no."""
    from careobs.checklists.models import Checklist
    from careobs.permissions import co_audit_refusal, may_co_audit

    template = db.scalar(sa.select(Checklist).where(Checklist.uuid == uuid.UUID(care_plan.id)))
    staff = stored(db, staff_audit)
    field, sentence = co_audit_refusal(org.staff, org.care_home, template, "person", staff)
    assert field == "template_id"
    assert sentence.startswith(f"You are not an audit champion for {template.name} at ")
    assert not may_co_audit(org.staff, org.care_home, template, "person", staff)
    assert co_audit_refusal(org.supervisor, org.care_home, template, "person", staff) is None
    assert may_co_audit(org.supervisor, org.care_home, template, "person", staff)


def test_a_deactivated_checker_is_no_checker_anywhere(db, org, checker, staff_audit):
    from careobs.org.models import Service
    from careobs.permissions import is_checker_in, services_checked_by

    assign(db, org, checker, staff_audit)
    assert is_checker_in(checker, org.care_home)
    assert db.scalars(services_checked_by(checker)).all() == [org.care_home]
    checker.active = False
    db.commit()
    assert not is_checker_in(checker, org.care_home)
    assert db.scalars(services_checked_by(checker).with_only_columns(Service.id)).all() == []
