"""Importing an audit template file makes a draft and changes nothing live: the template's own
settings (how often, bands, CQC statements, description) stay until an admin changes them in
its settings form, and the import lists each of the file's that differ, with a link there. A
file under a new name makes a new template with the file's settings, and the audit log names
them. Every bad file is refused whole, for every role, and two imports at once make one draft."""

from __future__ import annotations

import json
import re
import threading
import uuid
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa

from careobs.audit.models import AuditEvent
from careobs.audits import starter
from careobs.checklists import transfer
from careobs.checklists.models import Checklist, ChecklistDomain, ChecklistItem, ChecklistVersion
from tests.support.checklists import BASE, events, page_text, upload, version
from tests.support.database import count

MAR = "Medicines administration records audit"  # every 7 days, 90 / 75, S8, S1, E6


@pytest.fixture
def starters(app, db, org):
    with app.app_context():
        starter.create_starter_templates(db, org.org.id)
        db.commit()


def template_named(db, name: str, organisation_id: int | None = None) -> Checklist | None:
    db.expire_all()
    query = sa.select(Checklist).where(Checklist.name == name)
    if organisation_id is not None:
        query = query.where(Checklist.organisation_id == organisation_id)
    return db.scalar(query)


def live(template: Checklist) -> tuple:
    """What is live of a template: its settings and its versions' numbers and states."""
    return (
        template.purpose,
        template.subject_type,
        template.frequency_days,
        template.green_from,
        template.amber_from,
        list(template.cqc_statements),
        template.description,
        [(v.number, v.is_draft, v.retired_at is None) for v in template.versions],
    )


def mar_file(db, **changes) -> dict:
    return {**transfer.export(template_named(db, MAR).versions[0]), **changes}


def everything(db) -> tuple[int, ...]:
    return tuple(
        count(db, model)
        for model in (Checklist, ChecklistVersion, ChecklistDomain, ChecklistItem, AuditEvent)
    )


def notes(page: str) -> list[str]:
    """The "Note:" flashes of a page, as text."""
    found = re.findall(r'<p class="flash flash-info">(.*?)</p>', page, re.DOTALL)
    return [re.sub(r"<[^>]+>", "", note).replace("Note: ", "", 1).strip() for note in found]


# --- an import into an existing template ------------------------------------------------------


def test_a_draft_import_leaves_the_live_template_as_it_is(client, auth, db, org, starters):
    """The file proposes every setting differently: the draft is made, nothing live changes,
    and each of the five differences is listed in words with a link to the settings form."""
    before = live(template_named(db, MAR))
    auth.login(org.admin)
    changed = mar_file(
        db,
        frequency_days=14,
        green_from=85,
        amber_from=70,
        cqc_statements=["S8"],
        description="Weekly, by the deputy manager.",
    )

    response = upload(client, json.dumps(changed))

    assert response.status_code == 302, page_text(response)[:800]
    template = template_named(db, MAR)
    assert response.headers["Location"].endswith(f"{BASE}/{template.uuid}#draft")
    after = live(template)
    assert (
        after[:7]
        == before[:7]
        == (
            "audit",
            "person",
            7,
            90,
            75,
            ["S8", "S1", "E6"],
            before[6],
        )
    )
    assert after[7] == [(1, False, True), (2, True, True)]  # v1 still current; v2 a draft
    assert not events(db, "audit_template_settings_changed")
    assert [e.summary for e in events(db, "checklist_imported")] == [
        f"{MAR} v2 (draft; 5 settings of the file not applied)"
    ]

    page = page_text(client.get(response.headers["Location"]))
    assert (
        "Imported as draft version 2. Check it, then publish. The template’s settings are "
        "unchanged: an import only makes a draft." in page
    )
    link = "Change it in the template’s settings."
    assert notes(page) == [
        f"The file sets how often to every 14 days; this template’s is every 7 days. {link}",
        f"The file sets the green band from 85%; this template’s is 90%. {link}",
        f"The file sets the amber band from 70%; this template’s is 75%. {link}",
        f"The file names the CQC quality statements S8; this template names S8, S1, E6. {link}",
        f"The file’s description is not this template’s. {link}",
    ]
    # Publishing the draft makes its items current and still leaves the settings alone.
    assert client.post(f"{BASE}/{template.uuid}/publish").status_code == 302
    assert live(template_named(db, MAR))[:7] == before[:7]


def test_the_notes_link_to_the_settings_form(client, auth, db, org, starters):
    auth.login(org.admin)
    response = upload(client, json.dumps(mar_file(db, green_from=95)), "mar.json")
    template = template_named(db, MAR)

    html = client.get(response.headers["Location"]).get_data(as_text=True)

    settings = f"{BASE}/{template.uuid}#audit-settings"
    assert html.count(f'<a href="{settings}">') == 1
    assert 'id="audit-settings"' in html


def test_an_import_with_the_same_settings_notes_nothing(client, auth, db, org, starters):
    auth.login(org.admin)

    response = upload(client, json.dumps(mar_file(db)), "mar.json")

    page = page_text(client.get(response.headers["Location"]))
    assert "Imported as draft version 2. Check it, then publish." in page
    assert notes(page) == []
    assert [e.summary for e in events(db, "checklist_imported")] == [f"{MAR} v2 (draft)"]


def test_a_visit_checklists_description_is_kept(client, auth, db, org, checklist):
    auth.login(org.admin)
    data = transfer.export(checklist.versions[0]) | {"description": "For night visits."}

    response = upload(client, json.dumps(data))

    assert response.status_code == 302
    assert template_named(db, checklist.name).description == ""
    page = page_text(client.get(response.headers["Location"]))
    assert notes(page) == ["The file’s description differs from this checklist’s, which is kept."]


# --- a file under a new name --------------------------------------------------------------------


def test_a_new_template_takes_the_files_settings_and_the_log_names_them(
    client, auth, db, org, starters
):
    auth.login(org.admin)
    data = mar_file(db, name="MAR audit (nights)", frequency_days=14, cqc_statements=["S8"])

    response = upload(client, json.dumps(data))

    assert response.status_code == 302, page_text(response)[:800]
    template = template_named(db, "MAR audit (nights)")
    assert live(template)[:6] == ("audit", "person", 14, 90, 75, ["S8"])
    assert [(e.summary, e.actor_id, e.entity_id) for e in events(db, "audit_template_created")] == [
        (
            "MAR audit (nights) (person): every 14 days, green from 90%, amber from 75%, "
            "CQC statements S8; from an imported file",
            org.admin.id,
            str(template.uuid),
        )
    ]
    assert [e.summary for e in events(db, "checklist_imported")] == [
        "MAR audit (nights) v1 (draft of a new checklist)"
    ]
    assert notes(page_text(client.get(response.headers["Location"]))) == []


# --- who may import -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["manager", "supervisor", "staff", "outsider"])
def test_only_an_admin_imports(client, auth, db, org, starters, role):
    auth.login(getattr(org, role))  # (logging in is an audit event)
    before, rows = live(template_named(db, MAR)), everything(db)

    response = upload(client, json.dumps(mar_file(db, green_from=50, amber_from=40)))

    assert response.status_code == 403
    assert live(template_named(db, MAR)) == before
    assert everything(db) == rows


def test_a_logged_out_import_is_sent_to_log_in(client, db, org, starters):
    rows = everything(db)

    response = upload(client, json.dumps(mar_file(db, green_from=50, amber_from=40)))

    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert everything(db) == rows


def test_another_organisations_import_of_the_same_name_is_its_own(
    client, auth, db, org, other, starters
):
    """Other Org's admin imports Acme's MAR file: Other Org gets a new template; Acme's stays."""
    before = live(template_named(db, MAR, org.org.id))
    auth.login(other.admin)

    response = upload(client, json.dumps(mar_file(db, green_from=50, amber_from=40)))

    assert response.status_code == 302
    assert live(template_named(db, MAR, org.org.id)) == before
    theirs = template_named(db, MAR, other.org.id)
    assert (theirs.green_from, theirs.amber_from, len(theirs.versions)) == (50, 40, 1)


# --- bad files -----------------------------------------------------------------------------------


def _nested(depth: int) -> str:
    return '{"format": "careobs-checklist", "domains": ' + "[" * depth + "]" * depth + "}"


def _with_text(db, path: str, value: str) -> str:
    data = mar_file(db)
    if path == "name":
        data["name"] = value
    elif path == "description":
        data["description"] = value
    elif path == "section":
        data["domains"][0]["name"] = value
    else:
        data["domains"][0]["items"][0][path] = value
    return json.dumps(data)


BAD_FILES = {
    "not JSON": (lambda db: "{not json", "The file is not valid JSON text."),
    "not UTF-8": (lambda db: b"\xff\xfe\x00{", "The file is not valid JSON text."),
    "a raw NUL byte": (lambda db: b'{"name": "\x00"}', "The file is not valid JSON text."),
    "wrong purpose": (
        lambda db: json.dumps(mar_file(db, purpose="visit")),
        "already exists as an audit template",
    ),
    "unknown purpose": (
        lambda db: json.dumps(mar_file(db, purpose="inspection")),
        '"purpose" must be one of: visit, audit.',
    ),
    "unknown subject type": (
        lambda db: json.dumps(mar_file(db, subject_type="vehicle")),
        '"subject_type" must be one of: person, staff, area, service.',
    ),
    "other subject type": (
        lambda db: json.dumps(mar_file(db, subject_type="area")),
        "already exists as an audit template of a person supported",
    ),
    "huge frequency": (
        lambda db: json.dumps(mar_file(db, frequency_days=10**30)),
        '"frequency_days" must be a whole number from 1 to 366.',
    ),
    "huge green band": (
        lambda db: json.dumps(mar_file(db, green_from=2**63)),
        '"green_from" must be a whole number from 0 to 100.',
    ),
    "infinite band": (
        lambda db: json.dumps(mar_file(db)).replace('"amber_from": 75', '"amber_from": 1e400'),
        "amber_from: Must be a finite number.",
    ),
    "a number too long to read": (
        lambda db: json.dumps(mar_file(db)).replace(
            '"green_from": 90', '"green_from": ' + "9" * 5000
        ),
        "The file is not valid JSON text.",
    ),
    "huge format version": (
        lambda db: json.dumps(mar_file(db, format_version=10**200)),
        '"format_version" is 1000000000000000000000000000000000000000…; this careobs reads',
    ),
    "NUL in the name": (
        lambda db: _with_text(db, "name", "MAR\x00 audit"),
        "name: Contains a NUL character, which cannot be stored.",
    ),
    "NUL in the description": (
        lambda db: _with_text(db, "description", "Weekly\x00"),
        "description: Contains a NUL character, which cannot be stored.",
    ),
    "NUL in a section": (
        lambda db: _with_text(db, "section", "Records\x00"),
        "domains[0].name: Contains a NUL character, which cannot be stored.",
    ),
    "NUL in an item": (
        lambda db: _with_text(db, "text", "\x00"),
        "domains[0].items[0].text: Contains a NUL character, which cannot be stored.",
    ),
    "NUL in guidance": (
        lambda db: _with_text(db, "guidance", "See \x00 policy"),
        "domains[0].items[0].guidance: Contains a NUL character, which cannot be stored.",
    ),
    "a broken character": (
        lambda db: json.dumps(mar_file(db, description="\ud800")),
        "description: Contains a broken character (an unpaired surrogate)",
    ),
    "nested 100,000 deep": (lambda db: _nested(100_000), "Nested more than 16 levels deep."),
    "amber above green": (
        lambda db: json.dumps(mar_file(db, amber_from=95)),
        '"amber_from" must be at most "green_from".',
    ),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_bad_file_is_refused_whole(client, auth, db, org, starters, case):
    make, message = BAD_FILES[case]
    content = make(db)
    auth.login(org.admin)
    before, rows = live(template_named(db, MAR)), everything(db)

    response = upload(client, content)

    assert response.status_code == 400
    page = page_text(response)
    assert "The file was not imported" in page
    assert message in page
    assert live(template_named(db, MAR)) == before
    assert everything(db) == rows


# --- the settings form --------------------------------------------------------------------------


def test_the_settings_form_logs_only_what_changed(client, auth, db, org, starters):
    template = template_named(db, MAR)
    form = {
        "frequency_days": "7",
        "cqc_statements": ["S8", "S1", "E6"],
        "green_from": "95",
        "amber_from": "75",
        "description": template.description,
    }
    auth.login(org.admin)

    response = client.post(f"{BASE}/{template.uuid}/audit-settings", data=form)

    assert response.status_code == 302
    assert template_named(db, MAR).green_from == 95
    [event] = events(db, "audit_template_settings_changed")
    assert (event.summary, event.actor_id, event.entity_id) == (
        "green from 90% to 95%",
        org.admin.id,
        str(template.uuid),
    )


@pytest.mark.parametrize("role", ["manager", "supervisor", "staff", "outsider"])
def test_only_an_admin_changes_settings(client, auth, db, org, starters, role):
    template = template_named(db, MAR)
    before = live(template)
    auth.login(getattr(org, role))

    response = client.post(
        f"{BASE}/{template.uuid}/audit-settings",
        data={"frequency_days": "1", "green_from": "10", "amber_from": "5"},
    )

    assert response.status_code == 403
    assert live(template_named(db, MAR)) == before
    assert not events(db, "audit_template_settings_changed")


@pytest.mark.parametrize(
    "fields",
    [
        {"frequency_days": "99999999999999999999"},
        {"green_from": "1e400"},
        {"frequency_days": "seven"},
        {"cqc_statements": ["X9"]},
        {"description": "x" * 2001},
    ],
)
def test_bad_settings_change_nothing(client, auth, db, org, starters, fields):
    template = template_named(db, MAR)
    before = live(template)
    form = {"frequency_days": "7", "green_from": "90", "amber_from": "75", **fields}
    auth.login(org.admin)

    response = client.post(f"{BASE}/{template.uuid}/audit-settings", data=form)

    assert response.status_code == 400
    assert live(template_named(db, MAR)) == before
    assert not events(db, "audit_template_settings_changed")


def test_settings_of_another_organisations_template_are_not_found(
    client, auth, db, org, other, starters
):
    template = template_named(db, MAR, org.org.id)
    before = live(template)
    auth.login(other.admin)

    response = client.post(
        f"{BASE}/{template.uuid}/audit-settings",
        data={"frequency_days": "1", "green_from": "10", "amber_from": "5"},
    )

    assert response.status_code == 404
    assert live(template_named(db, MAR, org.org.id)) == before


# --- two imports at once -------------------------------------------------------------------------


def _multipart(token: str, content: bytes) -> tuple[bytes, dict]:
    boundary = uuid.uuid4().hex
    body = (
        (
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="csrf_token"\r\n\r\n'
            f"{token}\r\n"
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="file"; filename="audit.json"\r\n'
            "Content-Type: application/json\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}", "X-CSRFToken": token}
    return body, headers


def at_once(app, org, path: str, make_body) -> list:
    """Two admins' browsers post to ``path`` at the same instant on a threaded server;
    ``make_body(token)`` gives each request's (body, headers). Returns both replies."""
    from werkzeug.serving import make_server

    from tests.sync.census import Ledger
    from tests.sync.devices import SyncClient

    app.config["SERVER_NAME"] = None  # served on 127.0.0.1, not careobs.test
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    clients = []
    try:
        for _ in range(2):
            client = SyncClient(httpd.server_port, Ledger())
            client.log_in(org.admin.email)
            clients.append(client)
        barrier = threading.Barrier(len(clients))
        replies: list = [None] * len(clients)

        def post(index: int, client: SyncClient) -> None:
            body, headers = make_body(client.token)
            barrier.wait(30)
            replies[index] = client.request("POST", path, body, headers)

        threads = [threading.Thread(target=post, args=(n, c)) for n, c in enumerate(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    finally:
        for client in clients:
            client.close()
        httpd.shutdown()
        thread.join(10)
        httpd.server_close()
    return replies


@pytest.mark.parametrize("name", ["MAR audit (nights)", MAR])
def test_the_same_file_imported_twice_at_once_makes_one_draft(app, db, org, starters, name):
    """The same file posted twice at once: a new name makes one template and one draft (logged
    as created once); an existing one gets one draft version 2. Both are answered with a
    redirect, never a 5xx."""
    content = json.dumps(mar_file(db, name=name)).encode()
    existing = template_named(db, name) is not None

    replies = at_once(app, org, f"{BASE}/import", lambda token: _multipart(token, content))

    assert [r.status for r in replies] == [302, 302], replies
    assert count(db, Checklist, Checklist.name == name) == 1
    template = template_named(db, name)
    numbers = [(v.number, v.is_draft) for v in template.versions]
    assert numbers == ([(1, False), (2, True)] if existing else [(1, True)])
    draft = version(db, template, numbers[-1][0])
    assert len(draft.items) == len(template_named(db, MAR).versions[0].items)
    assert len(events(db, "audit_template_created")) == (0 if existing else 1)
    assert len(events(db, "checklist_imported")) == 2


def test_the_same_template_created_twice_at_once_is_one(app, db, org):
    """The create form posted twice at once: one template; the other post is told the name is
    taken (400), never a 5xx."""

    def form(token: str) -> tuple[bytes, dict]:
        body = urlencode(
            {
                "csrf_token": token,
                "name": "Night checks audit",
                "subject_type": "service",
                "frequency_days": "7",
                "green_from": "90",
                "amber_from": "75",
            }
        ).encode()
        return body, {"Content-Type": "application/x-www-form-urlencoded", "X-CSRFToken": token}

    replies = at_once(app, org, f"{BASE}/audit-templates", form)

    assert sorted(r.status for r in replies) == [302, 400], replies
    assert count(db, Checklist, Checklist.name == "Night checks audit") == 1
    assert len(events(db, "audit_template_created")) == 1
