"""Addenda to submitted audits, as to visits: the audit's author (its auditor) and the managers
of its service add them on the audit's page (admins: every service); the page shows them, the
audit log records each, the organisation's export carries them, and the submitted audit itself
never changes. Every route for every role and hostile input answer without a 5xx; addenda posted
at the same instant (a real threaded server) are each kept once.

Acme (tests/conftest.py): an admin; Mo Manager, manager of the care home only; Sue Supervisor in
both services, who sends the audits; Stan Staff, a care worker at the care home, who is Carla
Carer's login here so that an audit of Carla's practice is one he reads.
"""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa

from careobs import create_app, migrate
from careobs.audit.models import AuditEvent
from careobs.audits.models import Audit, AuditAnswer
from careobs.capture import addenda
from careobs.capture.addenda import Addendum
from careobs.checklists import service as checklists
from careobs.db import make_engine
from careobs.export import service as exporting
from careobs.quis.models import QuisSession
from careobs.visits.models import MonitoringVisit
from tests.factories import DataBuilder
from tests.support import fixtures
from tests.support.audits import (
    CARE_PLAN,
    INCIDENTS,
    audit_doc,
    person,
    proposed_action,
    staff,
    starter_templates,
    template_info,
    whole_service,
)
from tests.support.database import count, empty_all_tables, stored
from tests.support.export import organisation, read_export
from tests.support.quis import interaction, quis_doc
from tests.support.web import PASSWORD
from tests.sync.census import Ledger, Reply
from tests.sync.devices import Send, SyncClient, at_once

ADDENDUM = {"reason": "Wrong medicine count", "text": "The MAR showed 28 tablets, not 26."}
EVENT = "audit_addendum_added"


@pytest.fixture
def sent(db, org, templates, client_as):
    """Audits Sue sent, by name → document: a submitted care plan audit of R01 (one item Not
    met, with an action) in the care home, one of H01 in homecare, one of the whole care home
    about incidents, and a draft care plan audit of R02."""
    plan = templates[CARE_PLAN]
    documents = {
        "care_home": audit_doc(
            org.care_home,
            plan,
            person("R01"),
            ratings={plan.plain[0]: "not_met"},
            actions=[proposed_action(org.staff_members["Carla Carer"])],
            went_well="Kind, person-centred notes.",
        ),
        "homecare": audit_doc(org.homecare, plan, person("H01")),
        "draft": audit_doc(org.care_home, plan, person("R02"), status="draft", answers=[]),
    }
    results = client_as(org.supervisor)(*documents.values())
    assert [r["status"] for r in results] == ["created"] * 3, results
    return documents


def url(document: dict) -> str:
    return f"/audits/{document['id']}"


def users(org, other) -> dict:
    return {
        "admin": org.admin,
        "manager": org.manager,
        "supervisor": org.supervisor,
        "staff": org.staff,
        "other": other.admin,
    }


def audit_state(db, document: dict) -> tuple[dict, list[tuple]]:
    """Every column of the stored audit, and its answers: what an addendum must never change."""
    audit = stored(db, Audit, document)
    columns = {c.key: getattr(audit, c.key) for c in sa.inspect(Audit).column_attrs}
    answers = db.execute(
        sa.select(AuditAnswer.item_id, AuditAnswer.rating, AuditAnswer.comment)
        .where(AuditAnswer.audit_id == audit.id)
        .order_by(AuditAnswer.id)
    ).all()
    return columns, answers


def events(db) -> list[AuditEvent]:
    db.expire_all()
    return list(
        db.scalars(sa.select(AuditEvent).where(AuditEvent.action == EVENT).order_by(AuditEvent.id))
    )


# --- who may add, on which audit ---------------------------------------------------------------

ROLES = ("admin", "manager", "supervisor", "staff", "other")

# The POST's answer: added (302) by the author, the service's managers and admins once the audit
# is submitted; refused (403) to a reader who may not add, or on a draft; 404 to whoever may not
# read the audit at all (the manager has the care home only; Stan reads no care plan audit).
POST = {
    "care_home": {"admin": 302, "manager": 302, "supervisor": 302, "staff": 404, "other": 404},
    "homecare": {"admin": 302, "manager": 404, "supervisor": 302, "staff": 404, "other": 404},
    "draft": {"admin": 403, "manager": 403, "supervisor": 403, "staff": 404, "other": 404},
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("audit", list(POST))
def test_who_may_add_an_addendum_to_which_audit(db, org, other, sent, login_as, role, audit):
    user = users(org, other)[role]
    client = login_as(user)
    before = audit_state(db, sent[audit])

    page = client.get(url(sent[audit]))
    response = client.post(url(sent[audit]), data=ADDENDUM)

    expected = POST[audit][role]
    assert response.status_code == expected
    if page.status_code == 200:
        # The form is offered to exactly those whose addendum is taken.
        assert ("Add addendum" in page.get_data(as_text=True)) is (expected == 302)
    else:
        assert page.status_code == 404 == expected
    assert audit_state(db, sent[audit]) == before
    if expected == 302:
        assert response.headers["Location"].endswith(url(sent[audit]))
        [addendum] = db.scalars(sa.select(Addendum)).all()
        assert addendum.audit_id == before[0]["id"]
        assert (addendum.record_kind, addendum.quis_session_id, addendum.visit_id) == (
            "audit",
            None,
            None,
        )
        assert (addendum.organisation_id, addendum.author_id) == (org.org.id, user.id)
        assert [(e.actor_id, e.entity_type, e.entity_id, e.summary) for e in events(db)] == [
            (user.id, "Audit", sent[audit]["id"], f"addendum {addendum.id}")
        ]
    else:
        assert count(db, Addendum) == 0
        assert events(db) == []


def test_the_worker_an_audit_is_about_reads_it_but_may_not_add(db, org, login_as, client_as):
    """Stan reads the audit of his own practice (Carla's login is his here), yet only its
    author and the managers add to it: refused (403), not hidden (404)."""
    carla = org.staff_members["Carla Carer"]
    carla.user_id = org.staff.id
    db.commit()
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
    checklists.fill(draft, [("Records", [("Supervision held on time", True, "")])])
    checklists.publish(db, draft, org.admin)
    db.commit()
    template = template_info(db, "Supervision records audit", org.org.id)
    document = audit_doc(org.care_home, template, staff(carla))
    assert [r["status"] for r in client_as(org.supervisor)(document)] == ["created"]
    stan = login_as(org.staff)

    page = stan.get(url(document))
    response = stan.post(url(document), data=ADDENDUM)

    assert page.status_code == 200
    assert "Supervision records audit: Carla Carer" in page.get_data(as_text=True)
    assert "Add addendum" not in page.get_data(as_text=True)
    assert response.status_code == 403
    assert count(db, Addendum) == 0
    assert login_as(org.supervisor).post(url(document), data=ADDENDUM).status_code == 302


@pytest.mark.parametrize("audit", ["care_home", "draft"])
def test_nobody_logged_in_is_sent_to_log_in_and_nothing_is_added(db, client, sent, audit):
    response = client.post(url(sent[audit]), data=ADDENDUM)

    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert count(db, Addendum) == 0


# --- what the page shows ---------------------------------------------------------------------


def test_the_page_shows_each_addendum_oldest_first_beside_the_unchanged_record(
    db, org, sent, login_as
):
    sue, mo = login_as(org.supervisor), login_as(org.manager)
    assert sue.post(url(sent["care_home"]), data=ADDENDUM).status_code == 302
    second = {"reason": "Family view", "text": "<b>Her daughter</b> agreed the plan.\nBy phone."}
    assert mo.post(url(sent["care_home"]), data=second).status_code == 302

    page = mo.get(url(sent["care_home"])).get_data(as_text=True)

    first_at, second_at = page.index(ADDENDUM["reason"]), page.index("Family view")
    assert first_at < second_at
    assert ADDENDUM["text"] in page and "Sue Supervisor" in page and "Mo Manager" in page
    assert "&lt;b&gt;Her daughter&lt;/b&gt; agreed the plan.\nBy phone." in page  # as text
    assert "<b>Her daughter</b>" not in page
    assert "Kind, person-centred notes." in page  # the original text is still there
    assert (
        addenda.of(db, addenda.AUDIT, stored(db, Audit, sent["care_home"]))[0].reason
        == (ADDENDUM["reason"])
    )


def test_an_audit_without_addenda_says_so(org, sent, login_as):
    page = login_as(org.supervisor).get(url(sent["homecare"])).get_data(as_text=True)
    assert "No addenda." in page
    assert "Add addendum" in page


def test_each_audit_lists_only_its_own_addenda(db, org, sent, login_as):
    sue = login_as(org.supervisor)
    assert sue.post(url(sent["care_home"]), data=ADDENDUM).status_code == 302

    page = sue.get(url(sent["homecare"])).get_data(as_text=True)

    assert ADDENDUM["reason"] not in page
    assert addenda.of(db, addenda.AUDIT, stored(db, Audit, sent["homecare"])) == []


@pytest.mark.parametrize("status", ["submitted", "draft"])
def test_flagged_text_points_to_an_addendum_only_where_one_may_be_added(
    db, org, templates, client_as, login_as, status
):
    plan = templates[CARE_PLAN]
    fields = {"status": status, "went_well": "Mr Jones was greeted warmly."}
    if status == "draft":
        fields["answers"] = []
    document = audit_doc(org.care_home, plan, person("R01"), **fields)
    assert [r["status"] for r in client_as(org.supervisor)(document)] == ["created"]
    assert stored(db, Audit, document).privacy_flags

    page = login_as(org.supervisor).get(url(document)).get_data(as_text=True)

    assert "Possible personal information" in page
    hint = "add an addendum if something must be corrected"
    assert (hint in page) is (status == "submitted")


# --- hostile input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"reason": "", "text": "t"}, "reason", "This field is required."),
        ({"reason": "   ", "text": "t"}, "reason", "This field is required."),
        ({"text": "t"}, "reason", "This field is required."),
        ({"reason": "r", "text": " \n\t "}, "text", "This field is required."),
        ({"reason": "r"}, "text", "This field is required."),
        ({"reason": "r" * 201, "text": "t"}, "reason", "longer than 200"),
        ({"reason": "r", "text": "t" * 100_000}, "text", "longer than 5000"),
        ({"reason": "a\x00b", "text": "t"}, "reason", "control characters"),
        ({"reason": "r", "text": "NUL \x00 here"}, "text", "control characters"),
        ({"reason": "r", "text": "escape \x1b[2J"}, "text", "control characters"),
    ],
)
def test_a_refused_addendum_is_a_form_error_on_the_audit_page_and_stores_nothing(
    db, org, sent, login_as, form, field, message
):
    before = audit_state(db, sent["care_home"])

    response = login_as(org.supervisor).post(url(sent["care_home"]), data=form)

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'id="{field}-error"' in page
    assert message in page
    assert "Care plan audit: R01" in page  # the audit's own page, drawn again
    assert count(db, Addendum) == 0
    assert events(db) == []
    assert audit_state(db, sent["care_home"]) == before


def test_broken_characters_never_reach_the_database(db, org, sent, login_as):
    raw = b"reason=%ED%A0%80&text=\xed\xa0\x80\xff"  # a lone surrogate, encoded, and bad bytes

    response = login_as(org.supervisor).post(
        url(sent["care_home"]), data=raw, content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code in (302, 400)
    for addendum in db.scalars(sa.select(Addendum)):
        addendum.reason.encode()
        addendum.text.encode()


def test_an_addendum_without_the_csrf_token_is_refused(db, org, sent, login_as):
    response = login_as(org.supervisor).post(url(sent["care_home"]), data=ADDENDUM, csrf=False)

    assert response.status_code == 400
    assert count(db, Addendum) == 0


@pytest.mark.parametrize(
    "body",
    [
        {"reason": "r", "text": "t"},  # two texts, but not the page's form
        {"reason": ["Wrong", "count"], "text": "t"},
        {"reason": "r", "text": {"x": 1}},
        {"reason": 7, "text": None},
        ["reason", "text"],
        "reason=r&text=t",
    ],
)
def test_a_json_body_is_not_the_form_and_never_a_5xx(db, org, sent, login_as, body):
    """Flask-WTF would read a JSON body as the form; the addendum takes only the form's fields."""
    response = login_as(org.supervisor).post(url(sent["care_home"]), json=body)

    assert response.status_code == 400
    assert count(db, Addendum) == 0


@pytest.mark.parametrize(
    "path",
    [
        f"/audits/{uuid.uuid5(uuid.NAMESPACE_URL, 'unknown')}",  # unknown
        "/audits/not-a-uuid",
        "/audits/12345678-1234-1234-1234-12345678901",  # one digit short
        "/audits/%00",
    ],
)
@pytest.mark.parametrize("role", ROLES)
def test_an_addendum_to_no_audit_is_not_found(db, org, other, sent, login_as, role, path):
    response = login_as(users(org, other)[role]).post(path, data=ADDENDUM)

    assert response.status_code == 404
    assert count(db, Addendum) == 0


@pytest.mark.parametrize("path", ["/audits/", "/audits/record"])
def test_the_other_audit_pages_take_no_post(db, org, sent, login_as, path):
    assert login_as(org.supervisor).post(path, data=ADDENDUM).status_code == 405
    assert count(db, Addendum) == 0


def test_another_organisations_audit_is_not_found_even_to_its_admin(db, org, other, sent, login_as):
    """Other Org's admin, who manages every service of Other Org, cannot add to Acme's audit
    by its address."""
    response = login_as(other.admin).post(url(sent["care_home"]), data=ADDENDUM)

    assert response.status_code == 404
    assert count(db, Addendum) == 0


# --- the export --------------------------------------------------------------------------------


def test_the_export_carries_the_addenda_to_audits_and_only_its_own(
    app, db, org, other, sent, login_as, tmp_path
):
    assert login_as(org.manager).post(url(sent["care_home"]), data=ADDENDUM).status_code == 302
    hostile = {"reason": "-2+3", "text": "=1+1"}
    assert login_as(org.supervisor).post(url(sent["homecare"]), data=hostile).status_code == 302
    engine = app.extensions["careobs.engine"]

    exporting.export_to_directory(engine, organisation(db, org), "json", tmp_path / "json")
    exporting.export_to_directory(engine, organisation(db, org), "csv", tmp_path / "csv")
    exporting.export_to_directory(engine, organisation(db, other), "json", tmp_path / "other")

    rows = read_export(tmp_path / "json")["audit_addenda"]
    assert [
        (r["audit_uuid"], r["author_uuid"], r["reason"], r["text"], bool(r["created_at"]))
        for r in rows
    ] == [
        (sent["care_home"]["id"], str(org.manager.uuid), ADDENDUM["reason"], ADDENDUM["text"], 1),
        (sent["homecare"]["id"], str(org.supervisor.uuid), "-2+3", "=1+1", 1),
    ]
    # A spreadsheet never runs what someone typed into an addendum.
    csv_rows = read_export(tmp_path / "csv")["audit_addenda"]
    assert [(r["reason"], r["text"]) for r in csv_rows][1] == ("'-2+3", "'=1+1")
    assert read_export(tmp_path / "other")["audit_addenda"] == []
    # Each export is itself in the audit log, and so is each addendum it carries.
    assert [e.entity_id for e in events(db)] == [sent["care_home"]["id"], sent["homecare"]["id"]]


# --- the database's rule and migration 0017 -----------------------------------------------------

BEFORE = "0016_audit_schedules"
checklist = fixtures.checklist
visit_doc = fixtures.visit_doc


@pytest.fixture
def three_kinds(app, db, org, sent, visit_doc, client_as, login_as) -> dict[str, int]:
    """A submitted QUIS session, visit and audit of Acme, each with one addendum by Sue: the
    record's id by kind."""
    quis = quis_doc(
        org.care_home,
        status="submitted",
        interactions=[interaction("PS", staff=org.staff_members["Carla Carer"])],
    )
    visit = visit_doc()
    assert [r["status"] for r in client_as(org.supervisor)(quis, visit)] == ["created"] * 2
    sue = login_as(org.supervisor)
    for n, path in enumerate(
        (f"/quis/sessions/{quis['id']}", f"/visits/{visit['id']}", url(sent["care_home"]))
    ):
        form = {"reason": f"R{n}", "text": ("café", "two\nlines", "=1+1")[n]}
        assert sue.post(path, data=form).status_code == 302
    return {
        "quis_session": stored(db, QuisSession, quis).id,
        "monitoring_visit": stored(db, MonitoringVisit, visit).id,
        "audit": stored(db, Audit, sent["care_home"]).id,
    }


COLUMN = {"quis_session": "quis_session_id", "monitoring_visit": "visit_id", "audit": "audit_id"}


def _addendum(org, **values) -> dict:
    """An addendum row's values by Sue of ``org`` (an OrgData, or its (org id, Sue's id))."""
    org_id, author_id = org if isinstance(org, tuple) else (org.org.id, org.supervisor.id)
    return {
        "organisation_id": org_id,
        "author_id": author_id,
        "reason": "r",
        "text": "t",
        "created_at": datetime(2026, 12, 1, 9, tzinfo=UTC),
        **values,
    }


@pytest.mark.parametrize(
    "links",
    [
        ("audit", ()),  # no record
        ("audit", ("monitoring_visit",)),  # the other kind's key
        ("quis_session", ("audit",)),
        ("monitoring_visit", ("audit",)),
        ("audit", ("audit", "quis_session")),  # two records
        ("audit", ("audit", "monitoring_visit")),
    ],
)
def test_the_database_refuses_an_audit_addendum_without_exactly_its_one_audit(
    db, org, three_kinds, links
):
    kind, keys = links
    columns = {
        "quis_session": "quis_session_id",
        "monitoring_visit": "visit_id",
        "audit": "audit_id",
    }
    values = {columns[k]: three_kinds[k] for k in keys}

    with pytest.raises(sa.exc.IntegrityError):
        db.execute(sa.insert(Addendum).values(_addendum(org, record_kind=kind, **values)))
        db.commit()
    db.rollback()


def test_the_database_refuses_an_addendum_to_an_audit_that_does_not_exist(db, org, sent):
    with pytest.raises(sa.exc.IntegrityError):
        db.execute(sa.insert(Addendum).values(_addendum(org, record_kind="audit", audit_id=10**6)))
        db.commit()
    db.rollback()


def test_migration_0017_keeps_every_addendum_and_going_back_drops_only_the_audits(
    db, org, three_kinds
):
    url_ = db.get_bind().url.render_as_string(hide_password=False)
    table = Addendum.__table__
    old_columns = [c for c in table.c if c.name != "audit_id"]
    with db.get_bind().connect() as conn:
        before = conn.execute(sa.select(*old_columns).order_by(table.c.id)).all()
        with_audit = conn.execute(sa.select(table).order_by(table.c.id)).all()
    assert [r.record_kind for r in before] == ["quis_session", "monitoring_visit", "audit"]
    sue = (org.org.id, org.supervisor.id)
    db.close()
    engine = make_engine(url_)
    try:
        migrate.downgrade(engine, BEFORE)
        columns = {c["name"] for c in sa.inspect(engine).get_columns("record_addenda")}
        with engine.connect() as conn:
            back = conn.execute(sa.select(*old_columns).order_by(table.c.id)).all()
        assert "audit_id" not in columns
        assert back == before[:2]  # QUIS and visit addenda as they were; the audit's is gone
        # The narrower rule again: no addendum of kind "audit" at this revision.
        old = sa.table("record_addenda", *(sa.column(c.name) for c in old_columns))
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
            values = _addendum(sue, record_kind="audit", quis_session_id=None, visit_id=None)
            conn.execute(old.insert().values(**{k: v for k, v in values.items()}))

        migrate.upgrade(engine)
        with engine.connect() as conn:
            again = conn.execute(sa.select(*old_columns).order_by(table.c.id)).all()
            links = conn.scalars(sa.select(table.c.audit_id)).all()
        assert again == back
        assert links == [None, None]
        # The audit takes addenda again, numbered after the ones kept.
        with engine.begin() as conn:
            new_id = conn.execute(
                sa.insert(Addendum)
                .values(_addendum(sue, record_kind="audit", audit_id=three_kinds["audit"]))
                .returning(Addendum.id)
            ).scalar_one()
        assert new_id > max(r.id for r in with_audit[:2])
    finally:
        migrate.upgrade(engine)
        engine.dispose()
    assert with_audit[2].audit_id == three_kinds["audit"]


# --- at the same instant -----------------------------------------------------------------------


@pytest.fixture
def race_app(database_url, tmp_path, monkeypatch):
    """careobs on the test database with CSRF on, served without SERVER_NAME so a real
    server on 127.0.0.1 answers; the tables are emptied before and after."""
    monkeypatch.setenv("CAREOBS_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "audit-addenda-race-secret-key-long-enough-0123456",
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "PUSH_DELIVERY_THREAD": False,
        }
    )
    engine = app.extensions["careobs.engine"]
    empty_all_tables(engine)
    yield app
    empty_all_tables(engine)
    engine.dispose()


@pytest.fixture
def race(race_app):
    """Acme with its starter templates, served by werkzeug's threaded server; yields
    (organisation, a session, templates by name, connect) where ``connect(user)`` is a client
    logged in as that user on its own connection."""
    from werkzeug.serving import make_server

    db = race_app.extensions["careobs.sessionmaker"]()
    acme = DataBuilder(race_app, db, PASSWORD).organisation()
    db.commit()
    templates = starter_templates(race_app, db, acme.org.id)
    httpd = make_server("127.0.0.1", 0, race_app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, name="addenda-race", daemon=True)
    thread.start()
    clients: list[SyncClient] = []

    def connect(user) -> SyncClient:
        client = SyncClient(httpd.server_port, ledger=Ledger())
        client.log_in(user.email)
        clients.append(client)
        return client

    try:
        yield acme, db, templates, connect
    finally:
        for client in clients:
            client.close()
        httpd.shutdown()
        thread.join(timeout=10)
        httpd.server_close()
        db.close()


class FormPoster:
    """Posts a form through a logged-in client where ``at_once`` would send a sync batch."""

    def __init__(self, client: SyncClient, path: str):
        self.client, self.path = client, path

    def send(self, documents: list[dict], body: bytes) -> Reply:
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-CSRFToken": self.client.token,
        }
        return self.client.request("POST", self.path, body, headers)


def post_form(client: SyncClient, path: str, form: dict) -> Send:
    """One form post in an ``at_once`` round, released with the other requests."""
    return Send(FormPoster(client, path), [], body=urlencode(form).encode())


def stored_now(db, document: dict) -> tuple[dict, list[tuple]]:
    db.rollback()
    return audit_state(db, document)


def test_addenda_posted_at_the_same_instant_are_each_kept_once(race):
    acme, db, templates, connect = race
    author = connect(acme.supervisor)
    document = audit_doc(acme.care_home, templates[INCIDENTS], whole_service())
    assert author.send([document]).statuses == ["created"]
    before = stored_now(db, document)
    posters = [author, connect(acme.manager), connect(acme.admin)]

    replies = at_once(
        *(
            post_form(c, url(document), {"reason": f"Note {n}", "text": f"Text {n}"})
            for n, c in enumerate(posters)
        )
    )

    assert [r.status for r in replies] == [302, 302, 302], [str(r) for r in replies]
    db.rollback()
    kept = db.execute(sa.select(Addendum.author_id, Addendum.reason).order_by(Addendum.id)).all()
    assert sorted(kept) == sorted(
        (user.id, f"Note {n}") for n, user in enumerate((acme.supervisor, acme.manager, acme.admin))
    )
    ids = db.scalars(sa.select(Addendum.id)).all()
    assert sorted(e.summary for e in events(db)) == sorted(f"addendum {i}" for i in ids)
    assert stored_now(db, document) == before


def test_an_addendum_while_the_device_sends_a_changed_copy_leaves_the_audit_as_submitted(race):
    """The device's changed copy of a submitted audit is kept aside for a manager ("conflict"),
    whichever request comes first; the addendum is kept; the stored audit never changes."""
    acme, db, templates, connect = race
    device, manager = connect(acme.supervisor), connect(acme.manager)
    plan = templates[CARE_PLAN]
    document = audit_doc(acme.care_home, plan, person("R01"))
    assert device.send([document]).statuses == ["created"]
    before = stored_now(db, document)
    changed = audit_doc(
        acme.care_home, plan, person("R01"), id=document["id"], revision=2, rating="not_met"
    )

    sync_reply, form_reply = at_once(
        Send(device, [changed]), post_form(manager, url(document), ADDENDUM)
    )

    assert (sync_reply.status, sync_reply.statuses) == (200, ["conflict"]), str(sync_reply)
    assert form_reply.status == 302, str(form_reply)
    assert stored_now(db, document) == before
    assert count(db, Addendum, Addendum.record_kind == "audit") == 1


def test_an_addendum_while_the_draft_is_submitted_is_taken_only_once_it_is(race):
    """A draft takes no addendum. Posted at the instant the draft is submitted, the addendum is
    taken (the submission came first) or refused (it came after), never a 5xx; either way the
    answers are the submitted ones."""
    acme, db, templates, connect = race
    device, manager = connect(acme.supervisor), connect(acme.manager)
    plan = templates[CARE_PLAN]
    draft = audit_doc(acme.care_home, plan, person("R02"), status="draft")
    assert device.send([draft]).statuses == ["created"]
    submission = {**draft, "revision": 2, "data": {**draft["data"], "status": "submitted"}}

    sync_reply, form_reply = at_once(
        Send(device, [submission]), post_form(manager, url(draft), ADDENDUM)
    )

    assert (sync_reply.status, sync_reply.statuses) == (200, ["updated"]), str(sync_reply)
    assert form_reply.status in (302, 403), str(form_reply)
    db.rollback()
    assert count(db, Addendum) == (1 if form_reply.status == 302 else 0)
    audit = stored(db, Audit, draft)
    assert (audit.status, audit.revision) == ("submitted", 2)
