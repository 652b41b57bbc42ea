"""Easy-read wording in the template editor (issue 16): written next to each item's standard
wording on an audit template's draft, shown under each item with those still missing marked,
frozen on publishing, kept by a new draft and by export and import; refused, with why, when it
cannot be stored or is too long; only admins may write it."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from careobs.checklists import service as checklists
from careobs.checklists.forms import ItemForm
from careobs.checklists.models import Checklist, ChecklistItem, ChecklistVersion
from tests.checklists.test_import_keeps_settings import at_once
from tests.support.checklists import BASE, events, page_text, start, upload, version
from tests.support.database import count

HINT = (
    "Plain words for a co-audit with a person supported or a quality checker, e.g. 'Does your "
    "care plan say what you like to be called?'"
)
CALLED = "Does your care plan say what you like to be called?"
UNIFORM = "Is your carer's uniform clean?"


@pytest.fixture
def template(app, db, org) -> Checklist:
    """ "Night checks audit": version 1 published with two items, one with easy-read wording,
    and a draft version 2 copied from it."""
    with app.app_context():
        draft = checklists.create_audit_template(
            db,
            org.org.id,
            org.admin,
            name="Night checks audit",
            subject_type="person",
            frequency_days=7,
            cqc_statements=["S1"],
            green_from=90,
            amber_from=75,
            description="",
        )
        checklists.fill(
            draft,
            [
                (
                    "At night",
                    [
                        ("Preferred name recorded", False, "", CALLED),
                        ("Night checks are logged", True, "Every two hours."),
                    ],
                )
            ],
        )
        db.flush()
        checklists.publish(db, draft, org.admin)
        checklists.start_draft(db, draft.checklist, org.admin)
        db.commit()
        return draft.checklist


def items(db, template: Checklist, number: int) -> list[ChecklistItem]:
    return version(db, template, number).items


def wording(db, template: Checklist, number: int) -> list[tuple[str, str]]:
    return [(i.text, i.easy_read_text) for i in items(db, template, number)]


# --- writing it ------------------------------------------------------------------------------


def test_a_new_draft_keeps_the_easy_read_wording_and_the_keys(db, template):
    v1, v2 = items(db, template, 1), items(db, template, 2)

    assert [(i.easy_read_text, i.key) for i in v2] == [(CALLED, v1[0].key), ("", v1[1].key)]


def test_the_edit_page_has_the_field_with_its_label_and_hint(client, auth, db, template, org):
    auth.login(org.admin)
    item = items(db, template, 2)[0]

    page = page_text(client.get(f"{BASE}/items/{item.uuid}"))

    assert '<label for="easy_read_text">Easy-read wording (optional)</label>' in page
    assert f'<p class="hint" id="easy_read_text-hint">{HINT}</p>' in page
    assert 'aria-describedby="easy_read_text-hint"' in page
    assert f'value="{CALLED}"' in page


def test_write_the_easy_read_wording_of_an_item(client, auth, db, template, org):
    auth.login(org.admin)
    item = items(db, template, 2)[1]
    key = item.key

    response = client.post(
        f"{BASE}/items/{item.uuid}",
        data={
            "text": "Night checks are logged",
            "guidance": "Every two hours.",
            "critical": "y",
            "easy_read_text": "  Do staff check on you in the night?  ",
        },
    )

    assert response.status_code == 302
    edited = items(db, template, 2)[1]
    assert (edited.text, edited.easy_read_text, edited.critical, edited.key) == (
        "Night checks are logged",
        "Do staff check on you in the night?",
        True,
        key,
    )
    # Version 1 is published: it keeps what it had.
    assert wording(db, template, 1)[1] == ("Night checks are logged", "")
    assert [e.summary for e in events(db, "checklist_item_changed")] == ["Night checks are logged"]


def test_clearing_the_easy_read_wording(client, auth, db, template, org):
    auth.login(org.admin)
    item = items(db, template, 2)[0]

    response = client.post(
        f"{BASE}/items/{item.uuid}",
        data={"text": item.text, "guidance": "", "easy_read_text": "   "},
    )

    assert response.status_code == 302
    assert wording(db, template, 2)[0] == ("Preferred name recorded", "")


def test_add_an_item_with_its_easy_read_wording(client, auth, db, template, org):
    auth.login(org.admin)
    domain = version(db, template, 2).domains[0]

    response = client.post(
        f"{BASE}/domains/{domain.uuid}/items",
        data={"text": "Call bell in reach", "easy_read_text": "Can you reach your call bell?"},
    )

    assert response.status_code == 302
    assert wording(db, template, 2)[2] == ("Call bell in reach", "Can you reach your call bell?")
    assert [e.summary for e in events(db, "checklist_item_added")] == ["Call bell in reach"]


def test_the_add_item_form_of_an_audit_template_has_the_field(client, auth, db, template, org):
    auth.login(org.admin)
    domain = version(db, template, 2).domains[0]

    page = page_text(client.get(f"{BASE}/{template.uuid}"))

    field = f'id="easy-read-{domain.uuid.hex}" name="easy_read_text" maxlength="300"'
    assert field in page
    assert f'<label for="easy-read-{domain.uuid.hex}">Easy-read wording (optional)</label>' in page
    assert HINT in page


def test_a_visit_checklist_neither_shows_nor_changes_it(client, auth, db, checklist, org):
    """Co-audits are audits: a monitoring visit checklist's pages have no easy-read field, and
    its edit form leaves what is stored (from an imported file) alone."""
    auth.login(org.admin)
    start(client, checklist)
    item = version(db, checklist, 2).items[0]
    item.easy_read_text = UNIFORM
    db.commit()

    page = page_text(client.get(f"{BASE}/items/{item.uuid}"))
    response = client.post(
        f"{BASE}/items/{item.uuid}",
        data={"text": "Uniform clean", "easy_read_text": "Changed"},
    )

    assert "easy_read_text" not in page
    assert "Easy read" not in page_text(client.get(f"{BASE}/{checklist.uuid}"))
    assert response.status_code == 302
    edited = version(db, checklist, 2).items[0]
    assert (edited.text, edited.easy_read_text) == ("Uniform clean", UNIFORM)


# --- what the page shows ---------------------------------------------------------------------


def test_the_page_shows_the_wording_and_marks_what_is_missing(client, auth, db, template, org):
    auth.login(org.admin)

    page = page_text(client.get(f"{BASE}/{template.uuid}"))

    assert f"<strong>Easy read:</strong> {CALLED}" in page
    assert page.count('<span class="badge">No easy read</span>') == 2  # v1 and the draft
    assert page.count("Easy-read wording: written for 1 of 2 items; 1 without it.") == 2


def test_publishing_is_not_blocked_by_missing_wording(client, auth, db, template, org):
    auth.login(org.admin)

    response = client.post(f"{BASE}/{template.uuid}/publish")

    assert response.status_code == 302
    v2 = version(db, template, 2)
    assert v2.published_at is not None
    assert [i.easy_read_text for i in v2.items] == [CALLED, ""]


def test_when_every_item_has_it_the_page_says_so(client, auth, db, template, org):
    auth.login(org.admin)
    item = items(db, template, 2)[1]
    client.post(
        f"{BASE}/items/{item.uuid}",
        data={"text": item.text, "easy_read_text": "Do staff check on you in the night?"},
    )

    page = page_text(client.get(f"{BASE}/{template.uuid}"))

    assert "Easy-read wording: written for 2 of 2 items." in page
    assert page.count('<span class="badge">No easy read</span>') == 1  # version 1 only


def test_a_published_items_wording_cannot_be_changed(client, auth, db, template, org):
    auth.login(org.admin)
    item = items(db, template, 1)[0]

    response = client.post(
        f"{BASE}/items/{item.uuid}", data={"text": item.text, "easy_read_text": "Changed?"}
    )

    assert response.status_code == 409
    assert wording(db, template, 1)[0] == ("Preferred name recorded", CALLED)


# --- bad input -------------------------------------------------------------------------------

BAD = {
    "NUL": ("Do staff\x00 help?", "Remove the invisible control characters from the text."),
    "control character": ("Do staff\x07 help?", "Remove the invisible control characters"),
    "301 characters": ("x" * 301, "Field cannot be longer than 300 characters."),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_wording_is_refused_on_edit_with_why(client, auth, db, template, org, case):
    value, message = BAD[case]
    auth.login(org.admin)
    item = items(db, template, 2)[0]

    response = client.post(
        f"{BASE}/items/{item.uuid}",
        data={"text": "Renamed", "easy_read_text": value},
    )

    assert response.status_code == 400
    page = page_text(response)
    assert 'id="easy_read_text-error"' in page and message in page
    assert 'aria-invalid="true"' in page
    assert wording(db, template, 2)[0] == ("Preferred name recorded", CALLED)
    assert events(db, "checklist_item_changed") == []


@pytest.mark.parametrize("case", list(BAD))
def test_bad_wording_is_refused_on_add_with_why(client, auth, db, template, org, case):
    value, message = BAD[case]
    auth.login(org.admin)
    domain = version(db, template, 2).domains[0]

    response = client.post(
        f"{BASE}/domains/{domain.uuid}/items",
        data={"text": "Call bell in reach", "easy_read_text": value},
    )

    assert response.status_code == 400
    page = page_text(response)
    assert "Item not added" in page and message in page
    assert 'value="Call bell in reach"' in page  # kept, to fix and send again
    assert len(items(db, template, 2)) == 2
    assert events(db, "checklist_item_added") == []


@pytest.mark.parametrize("field", ["text", "guidance"])
def test_a_nul_in_the_standard_wording_is_refused_too(client, auth, db, template, org, field):
    """The same rule for every text of an item: a NUL would fail in PostgreSQL, so it is
    refused with a message instead."""
    auth.login(org.admin)
    item = items(db, template, 2)[0]
    data = {"text": "Preferred name recorded", "guidance": "", field: "Name\x00"}

    response = client.post(f"{BASE}/items/{item.uuid}", data=data)

    assert response.status_code == 400
    assert f'id="{field}-error"' in page_text(response)
    assert items(db, template, 2)[0].text == "Preferred name recorded"


def test_a_broken_character_is_refused(app):
    """A lone surrogate cannot come through a browser's form (Werkzeug leaves bytes that are not
    UTF-8 as they were sent), but a form given one refuses it with a message."""
    with app.test_request_context(method="POST"):
        form = ItemForm(
            formdata=MultiDict({"text": "Preferred name", "easy_read_text": "Your name\ud800?"}),
            meta={"csrf": False},
        )
        assert not form.validate()
    assert form.errors == {"easy_read_text": ["Remove the broken characters from the text."]}


def test_bytes_that_are_not_utf8_are_no_5xx(client, auth, db, template, org):
    auth.login(org.admin)
    item = items(db, template, 2)[0]

    response = client.post(
        f"{BASE}/items/{item.uuid}",
        data=b"text=Preferred+name+recorded&easy_read_text=%ED%A0%80%FF",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code in (302, 400)
    stored = items(db, template, 2)[0].easy_read_text
    stored.encode()  # whatever was kept can be stored and shown


def test_two_values_for_the_field_take_the_first(client, auth, db, template, org):
    auth.login(org.admin)
    item = items(db, template, 2)[1]
    body = urlencode(
        [("text", item.text), ("easy_read_text", "First?"), ("easy_read_text", "Second?")]
    )

    response = client.post(
        f"{BASE}/items/{item.uuid}", data=body, content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 302
    assert items(db, template, 2)[1].easy_read_text == "First?"


# --- who may write it ------------------------------------------------------------------------


def _routes(db, template) -> list[tuple[str, str, dict | None]]:
    draft = version(db, template, 2)
    item, domain = draft.items[0], draft.domains[0]
    return [
        ("get", f"{BASE}/items/{item.uuid}", None),
        ("post", f"{BASE}/items/{item.uuid}", {"text": "X", "easy_read_text": "Hacked?"}),
        ("post", f"{BASE}/domains/{domain.uuid}/items", {"text": "Y", "easy_read_text": "Y?"}),
    ]


@pytest.mark.parametrize("role", ["manager", "supervisor", "staff", "outsider", "checker"])
def test_only_admins_may_write_it(client, auth, data, db, template, org, role):
    if role == "checker":
        user = data.user(
            org.org, "qc@acme.test", "Quinn Checker", roles={org.care_home: "quality_checker"}
        )
        db.commit()
    else:
        user = getattr(org, role)
    auth.login(user)

    for method, url, form in _routes(db, template):
        response = getattr(client, method)(url, data=form) if form else client.get(url)
        assert response.status_code == 403, (role, method, url)

    assert wording(db, template, 2) == [
        ("Preferred name recorded", CALLED),
        ("Night checks are logged", ""),
    ]


def test_another_organisations_admin_gets_404(client, auth, data, db, template, org):
    other = data.organisation("Other Org", prefix="other")
    auth.login(other.admin)

    for method, url, form in _routes(db, template):
        response = getattr(client, method)(url, data=form) if form else client.get(url)
        assert response.status_code == 404, (method, url)

    assert len(items(db, template, 2)) == 2


def test_logged_out_is_sent_to_login(client, db, template):
    for method, url, form in _routes(db, template):
        response = getattr(client, method)(url, data=form) if form else client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


# --- export and import -----------------------------------------------------------------------


def test_export_has_the_wording_and_round_trips(client, auth, db, template, org):
    auth.login(org.admin)
    v1 = version(db, template, 1)
    client.post(f"{BASE}/{template.uuid}/draft/discard")

    exported = client.get(f"{BASE}/versions/{v1.uuid}/export").data
    body = json.loads(exported)
    response = upload(client, exported)

    assert [i["easy_read_text"] for i in body["domains"][0]["items"]] == [CALLED, ""]
    assert response.status_code == 302
    assert wording(db, template, 2) == wording(db, template, 1)
    assert [i.key for i in items(db, template, 2)] == [i.key for i in items(db, template, 1)]
    again = json.loads(client.get(f"{BASE}/versions/{version(db, template, 2).uuid}/export").data)
    assert again == {**body, "version": 2}


def _file(**item_changes) -> dict:
    return {
        "format": "careobs-checklist",
        "format_version": 1,
        "name": "Mealtime audit",
        "purpose": "audit",
        "subject_type": "service",
        "frequency_days": 30,
        "domains": [
            {"name": "Meals", "items": [{"text": "Menu shown", "critical": False, **item_changes}]}
        ],
    }


def test_a_file_without_the_wording_imports_with_none(client, auth, db, org):
    auth.login(org.admin)

    response = upload(client, json.dumps(_file()))

    assert response.status_code == 302
    template = db.scalar(sa.select(Checklist).where(Checklist.name == "Mealtime audit"))
    assert wording(db, template, 1) == [("Menu shown", "")]


def test_a_files_wording_is_trimmed(client, auth, db, org):
    auth.login(org.admin)

    response = upload(client, json.dumps(_file(easy_read_text="  Can you see the menu?  ")))

    assert response.status_code == 302
    template = db.scalar(sa.select(Checklist).where(Checklist.name == "Mealtime audit"))
    assert wording(db, template, 1) == [("Menu shown", "Can you see the menu?")]


BAD_FILES = {
    "a number": (12, "domains[0].items[0].easy_read_text must be text of at most 300 characters."),
    "null": (None, "domains[0].items[0].easy_read_text must be text of at most 300 characters."),
    "a list": (["a"], "domains[0].items[0].easy_read_text must be text of at most 300 characters."),
    "true": (True, "domains[0].items[0].easy_read_text must be text of at most 300 characters."),
    "301 characters": (
        "x" * 301,
        "domains[0].items[0].easy_read_text must be text of at most 300 characters.",
    ),
    "a NUL": (
        "Menu\x00?",
        "domains[0].items[0].easy_read_text: Contains a NUL character, which cannot be stored.",
    ),
    "a huge number": (10**400, "must be text of at most 300 characters."),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_file_with_bad_wording_is_refused_whole(client, auth, db, org, case):
    value, message = BAD_FILES[case]
    auth.login(org.admin)
    before = (count(db, Checklist), count(db, ChecklistVersion), count(db, ChecklistItem))

    response = upload(client, json.dumps(_file(easy_read_text=value)))

    assert response.status_code == 400
    page = page_text(response)
    assert "The file was not imported" in page and message in page
    assert (count(db, Checklist), count(db, ChecklistVersion), count(db, ChecklistItem)) == before


def test_a_lone_surrogate_in_a_file_is_refused(client, auth, db, org):
    auth.login(org.admin)
    content = json.dumps(_file(easy_read_text="x")).replace('"x"', '"\\ud800"')

    response = upload(client, content)

    assert response.status_code == 400
    assert "easy_read_text: Contains a broken character" in page_text(response)
    assert count(db, Checklist) == 0


# --- two at once -----------------------------------------------------------------------------


def test_two_admins_starting_a_draft_at_once_make_one_with_the_wording(app, db, template, org):
    """Both click "start a new draft" at the same instant on a threaded server: one draft,
    version 2, copied with its easy-read wording; both are sent back to it, never a 5xx."""
    with app.app_context():
        checklists.discard_draft(db, version(db, template, 2), org.admin)
        db.commit()

    def form(token: str) -> tuple[bytes, dict]:
        body = urlencode({"csrf_token": token}).encode()
        return body, {"Content-Type": "application/x-www-form-urlencoded", "X-CSRFToken": token}

    replies = at_once(app, org, f"{BASE}/{template.uuid}/draft", form)

    assert [r.status for r in replies] == [302, 302], replies
    db.expire_all()
    assert count(db, ChecklistVersion, ChecklistVersion.checklist_id == template.id) == 2
    assert wording(db, template, 2) == wording(db, template, 1)
    assert len(events(db, "checklist_draft_started")) == 2  # the fixture's, and one now
