"""The checklist editor under /admin/checklists/: drafts, items and sections, publishing new
versions (old visits keep theirs), export and import, and who may use it."""

from __future__ import annotations

import io
import json

import pytest
import sqlalchemy as sa

from careobs.audit.models import AuditEvent
from careobs.checklists import service as checklists
from careobs.checklists.models import (
    Checklist,
    ChecklistDomain,
    ChecklistItem,
    ChecklistVersion,
)
from careobs.visits.models import MonitoringVisit
from tests.support.checklists import BASE, events, page_text, shape, start, texts, upload, version
from tests.support.database import count, stored
from tests.support.sync import SyncApi
from tests.support.visits import checklist_info, spot_check
from tests.support.web import Auth

# --- listing ---------------------------------------------------------------------------------


def test_index_lists_the_checklist_with_its_current_version(client, auth, checklist, org):
    auth.login(org.admin)

    page = page_text(client.get(f"{BASE}/"))

    assert "Homecare monitoring visit" in page
    assert "Version 1, 29 items" in page


def test_detail_shows_the_current_version(client, auth, checklist, org):
    auth.login(org.admin)

    response = client.get(f"{BASE}/{checklist.uuid}")

    assert response.status_code == 200
    page = page_text(response)
    assert "Current version: 1" in page
    assert "29 items, 6 critical" in page
    assert "Hand hygiene before contact" in page
    assert "Edit: start a new draft version" in page


def test_another_organisations_checklist_is_404(client, auth, data, db, checklist, org):
    other = data.organisation("Other Org", prefix="other")
    auth.login(other.admin)

    assert client.get(f"{BASE}/{checklist.uuid}").status_code == 404
    assert client.post(f"{BASE}/{checklist.uuid}/draft").status_code == 404
    v1 = checklist.versions[0]
    assert client.get(f"{BASE}/versions/{v1.uuid}/export").status_code == 404
    assert client.post(f"{BASE}/items/{v1.items[0].uuid}/retire").status_code == 404
    assert count(db, ChecklistVersion) == 1


# --- drafts ----------------------------------------------------------------------------------


def test_start_draft_copies_every_item_with_the_same_keys(client, auth, db, checklist, org):
    auth.login(org.admin)

    start(client, checklist)

    v1, v2 = version(db, checklist, 1), version(db, checklist, 2)
    assert v2.is_draft
    assert v2.organisation_id == org.org.id
    assert shape(v2) == shape(v1)
    assert {i.uuid for i in v2.items}.isdisjoint({i.uuid for i in v1.items})
    assert {d.uuid for d in v2.domains}.isdisjoint({d.uuid for d in v1.domains})
    assert v1.published_at is not None and v1.retired_at is None
    assert [e.summary for e in events(db, "checklist_draft_started")] == [
        "Homecare monitoring visit v2"
    ]
    page = page_text(client.get(f"{BASE}/{checklist.uuid}"))
    assert "Draft version 2" in page
    assert "Publish version 2" in page


def test_starting_a_draft_twice_keeps_the_one_draft(client, auth, db, checklist, org):
    auth.login(org.admin)
    start(client, checklist)

    start(client, checklist)

    assert count(db, ChecklistVersion) == 2


def test_add_an_item_to_a_section_of_the_draft(client, auth, db, checklist, org):
    auth.login(org.admin)
    start(client, checklist)
    medicines = version(db, checklist, 2).domains[9]
    assert medicines.name == "Medicines"

    response = client.post(
        f"{BASE}/domains/{medicines.uuid}/items",
        data={
            "text": "  Stored medicines safely  ",
            "guidance": "Locked away where the plan says.",
            "critical": "y",
        },
    )

    assert response.status_code == 302
    db.expire_all()
    medicines = version(db, checklist, 2).domains[9]
    added = medicines.items[-1]
    assert (added.text, added.guidance, added.critical) == (
        "Stored medicines safely",
        "Locked away where the plan says.",
        True,
    )
    assert added.position == 3
    assert added.key not in {i.key for i in version(db, checklist, 1).items}
    assert len(version(db, checklist, 1).items) == 29  # the published version is untouched
    assert [e.summary for e in events(db, "checklist_item_added")] == ["Stored medicines safely"]


@pytest.mark.parametrize("text", ["", "   ", "x" * 301])
def test_an_item_needs_text(client, auth, db, checklist, org, text):
    auth.login(org.admin)
    start(client, checklist)
    domain = version(db, checklist, 2).domains[0]

    response = client.post(f"{BASE}/domains/{domain.uuid}/items", data={"text": text})

    # Refused on the item's own page, with why next to the field and the text kept to fix.
    assert response.status_code == 400
    page = page_text(response)
    assert "Item not added" in page and 'id="text-error"' in page
    assert len(version(db, checklist, 2).domains[0].items) == 3


def test_edit_an_item_of_the_draft(client, auth, db, checklist, org):
    auth.login(org.admin)
    start(client, checklist)
    item = version(db, checklist, 2).domains[0].items[0]
    key = item.key

    form = client.get(f"{BASE}/items/{item.uuid}")
    response = client.post(
        f"{BASE}/items/{item.uuid}",
        data={
            "text": "Uniform clean, complete and as the policy says",
            "guidance": "",
            "critical": "y",
        },
    )

    assert form.status_code == 200
    assert "Uniform clean and complete" in page_text(form)
    assert response.status_code == 302
    db.expire_all()
    edited = version(db, checklist, 2).domains[0].items[0]
    assert (edited.text, edited.guidance, edited.critical) == (
        "Uniform clean, complete and as the policy says",
        "",
        True,
    )
    assert edited.key == key  # reworded, still the same item for reports
    assert version(db, checklist, 1).domains[0].items[0].text == "Uniform clean and complete"
    assert len(events(db, "checklist_item_changed")) == 1


def test_editing_an_item_with_blank_text_is_refused(client, auth, db, checklist, org):
    auth.login(org.admin)
    start(client, checklist)
    item = version(db, checklist, 2).domains[0].items[0]

    response = client.post(f"{BASE}/items/{item.uuid}", data={"text": " ", "guidance": ""})

    assert response.status_code == 400
    assert 'id="text-error"' in response.get_data(as_text=True)
    assert version(db, checklist, 2).domains[0].items[0].text == "Uniform clean and complete"


def test_move_items_up_and_down(client, auth, db, checklist, org):
    auth.login(org.admin)
    start(client, checklist)
    appearance = version(db, checklist, 2).domains[0]
    first, second, third = appearance.items

    assert client.post(f"{BASE}/items/{third.uuid}/move/up").status_code == 302
    assert texts(version(db, checklist, 2).domains[0]) == [first.text, third.text, second.text]

    assert client.post(f"{BASE}/items/{first.uuid}/move/down").status_code == 302
    moved = version(db, checklist, 2).domains[0]
    assert texts(moved) == [third.text, first.text, second.text]
    assert [i.position for i in moved.items] == [0, 1, 2]

    # Moving past either end changes nothing.
    client.post(f"{BASE}/items/{third.uuid}/move/up")
    client.post(f"{BASE}/items/{second.uuid}/move/down")
    assert texts(version(db, checklist, 2).domains[0]) == [third.text, first.text, second.text]
    assert texts(version(db, checklist, 1).domains[0]) == [first.text, second.text, third.text]


def test_retire_an_item_from_the_draft(client, auth, db, checklist, org):
    auth.login(org.admin)
    start(client, checklist)
    badge = version(db, checklist, 2).domains[0].items[1]
    assert badge.text == "ID badge visible"

    response = client.post(f"{BASE}/items/{badge.uuid}/retire")

    assert response.status_code == 302
    draft = version(db, checklist, 2)
    assert texts(draft.domains[0]) == [
        "Uniform clean and complete",
        "Bare below the elbows, nails short, hair tied back, minimal jewellery",
    ]
    assert [i.position for i in draft.domains[0].items] == [0, 1]
    assert len(draft.items) == 28
    assert "ID badge visible" in texts(version(db, checklist, 1).domains[0])
    assert [e.summary for e in events(db, "checklist_item_retired")] == ["ID badge visible"]


def test_add_and_move_sections(client, auth, db, checklist, org):
    auth.login(org.admin)
    start(client, checklist)

    response = client.post(f"{BASE}/{checklist.uuid}/domains", data={"name": " Pets "})

    assert response.status_code == 302
    draft = version(db, checklist, 2)
    assert [d.name for d in draft.domains][-1] == "Pets"
    pets = draft.domains[-1]
    assert (pets.position, pets.items) == (13, [])

    assert client.post(f"{BASE}/domains/{pets.uuid}/move/up").status_code == 302
    names = [d.name for d in version(db, checklist, 2).domains]
    assert names[-2:] == ["Pets", "The person's view"]
    assert [d.position for d in version(db, checklist, 2).domains] == list(range(14))

    appearance = version(db, checklist, 2).domains[0]
    client.post(f"{BASE}/domains/{appearance.uuid}/move/down")
    assert [d.name for d in version(db, checklist, 2).domains][:2] == [
        "Timekeeping",
        "Appearance",
    ]

    client.post(f"{BASE}/domains/{pets.uuid}/items", data={"text": "Pets kept away during care"})
    assert texts(version(db, checklist, 2).domains[12]) == ["Pets kept away during care"]
    assert len(version(db, checklist, 1).domains) == 13


def test_a_section_needs_a_name(client, auth, db, checklist, org):
    auth.login(org.admin)
    start(client, checklist)

    client.post(f"{BASE}/{checklist.uuid}/domains", data={"name": "  "})

    assert len(version(db, checklist, 2).domains) == 13


def test_adding_a_section_without_a_draft_is_404(client, auth, db, checklist, org):
    auth.login(org.admin)

    assert client.post(f"{BASE}/{checklist.uuid}/domains", data={"name": "Pets"}).status_code == 404
    assert count(db, ChecklistDomain) == 13


# --- publishing ------------------------------------------------------------------------------


def test_publish_makes_the_draft_current_and_retires_the_previous(client, auth, db, checklist, org):
    auth.login(org.admin)
    start(client, checklist)

    response = client.post(f"{BASE}/{checklist.uuid}/publish")

    assert response.status_code == 302
    v1, v2 = version(db, checklist, 1), version(db, checklist, 2)
    assert v2.published_at is not None
    assert v2.published_by_id == org.admin.id
    assert v2.retired_at is None
    assert v1.retired_at == v2.published_at
    assert checklists.current_version(db, checklist).number == 2
    assert checklists.draft_of(db, checklist) is None
    assert [e.summary for e in events(db, "checklist_published")][-1] == (
        "Homecare monitoring visit v2"
    )
    page = page_text(client.get(f"{BASE}/{checklist.uuid}"))
    assert "Current version: 2" in page
    assert "Version 1: published" in page and "replaced" in page

    auth.logout()
    auth.login(org.supervisor)
    [sent] = client.get("/api/v1/bootstrap").get_json()["checklists"]
    assert sent["version"] == 2
    assert [i["id"] for d in sent["domains"] for i in d["items"]] == [str(i.uuid) for i in v2.items]


def test_publish_without_a_draft_is_404(client, auth, db, checklist, org):
    auth.login(org.admin)

    assert client.post(f"{BASE}/{checklist.uuid}/publish").status_code == 404
    assert version(db, checklist, 1).retired_at is None


def test_a_draft_without_items_cannot_be_published(client, auth, db, checklist, org):
    auth.login(org.admin)
    start(client, checklist)
    for item in version(db, checklist, 2).items:
        client.post(f"{BASE}/items/{item.uuid}/retire")

    response = client.post(f"{BASE}/{checklist.uuid}/publish")

    assert response.status_code == 302
    assert version(db, checklist, 2).is_draft
    assert version(db, checklist, 1).retired_at is None
    assert "Add at least one item before publishing." in page_text(
        client.get(f"{BASE}/{checklist.uuid}")
    )


def published_item_routes(v1: ChecklistVersion) -> list[tuple[str, str, dict | None]]:
    item, domain = v1.domains[0].items[1], v1.domains[1]
    return [
        ("get", f"{BASE}/items/{item.uuid}", None),
        ("post", f"{BASE}/items/{item.uuid}", {"text": "Changed", "guidance": ""}),
        ("post", f"{BASE}/items/{item.uuid}/move/up", None),
        ("post", f"{BASE}/items/{item.uuid}/retire", None),
        ("post", f"{BASE}/domains/{domain.uuid}/items", {"text": "Added"}),
        ("post", f"{BASE}/domains/{domain.uuid}/move/up", None),
        ("get", f"{BASE}/domains/{domain.uuid}", None),
        ("post", f"{BASE}/domains/{domain.uuid}", {"name": "Renamed"}),
        ("post", f"{BASE}/domains/{domain.uuid}/remove", None),
    ]


@pytest.mark.parametrize("route", range(9))
def test_published_versions_cannot_be_edited(client, auth, db, checklist, org, route):
    auth.login(org.admin)
    v1 = version(db, checklist, 1)
    before = shape(v1)
    method, url, form = published_item_routes(v1)[route]

    response = getattr(client, method)(url, data=form) if form else getattr(client, method)(url)

    assert response.status_code == 409
    assert "Published versions cannot be changed" in page_text(response)
    assert shape(version(db, checklist, 1)) == before


def test_a_retired_version_cannot_be_edited_either(client, auth, db, checklist, org):
    auth.login(org.admin)
    start(client, checklist)
    client.post(f"{BASE}/{checklist.uuid}/publish")
    v1 = version(db, checklist, 1)
    before = shape(v1)

    for method, url, form in published_item_routes(v1):
        response = getattr(client, method)(url, data=form) if form else getattr(client, method)(url)
        assert response.status_code == 409, url

    assert shape(version(db, checklist, 1)) == before


# --- versions and old visits -----------------------------------------------------------------


def test_a_visit_on_v1_keeps_its_items_and_answers_after_v2(app, client, auth, db, checklist, org):
    v1_info = checklist_info(db, checklist.uuid)
    document = spot_check(
        org.homecare,
        org.staff_members["Hal Homecare"],
        v1_info,
        ratings={0: "partly", 1: "not_met"},
    )
    document["data"]["answers"][1]["comment"] = "Badge left in the car."
    supervisor = app.test_client()
    Auth(supervisor).login(org.supervisor)
    assert SyncApi(supervisor)(document)[0]["status"] == "created"
    visit_before = stored(db, MonitoringVisit, document)
    score_before = (visit_before.score, visit_before.band, visit_before.points)

    # Version 2: "ID badge visible" retired, "Uniform clean and complete" reworded.
    auth.login(org.admin)
    start(client, checklist)
    draft = version(db, checklist, 2)
    uniform, badge = draft.domains[0].items[0], draft.domains[0].items[1]
    client.post(f"{BASE}/items/{badge.uuid}/retire")
    client.post(
        f"{BASE}/items/{uniform.uuid}",
        data={"text": "Uniform as the dress code says", "guidance": ""},
    )
    assert client.post(f"{BASE}/{checklist.uuid}/publish").status_code == 302
    assert texts(version(db, checklist, 2).domains[0])[0] == "Uniform as the dress code says"

    response = supervisor.get(f"/visits/{document['id']}")

    assert response.status_code == 200
    page = page_text(response)
    assert "version 1" in page
    assert "Uniform clean and complete" in page
    assert "Uniform as the dress code says" not in page
    assert "ID badge visible" in page
    assert "Badge left in the car." in page
    assert "Not answered" not in page
    assert page.count("Partly met") >= 1
    visit = stored(db, MonitoringVisit, document)
    assert visit.checklist_version.number == 1
    assert (visit.score, visit.band, visit.points) == score_before
    assert len(visit.answers) == 29
    assert shape(version(db, checklist, 1))[0][3][1][2] == "ID badge visible"


# --- export and import -----------------------------------------------------------------------


def test_export_a_version_as_json(client, auth, db, checklist, org):
    auth.login(org.admin)
    v1 = version(db, checklist, 1)

    response = client.get(f"{BASE}/versions/{v1.uuid}/export")

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == 'attachment; filename="checklist-v1.json"'
    body = json.loads(response.get_data(as_text=True))
    assert body["format"] == "careobs-checklist"
    assert body["format_version"] == 1
    assert (body["name"], body["version"]) == ("Homecare monitoring visit", 1)
    assert len(body["domains"]) == 13
    assert body["domains"][3] == {
        "name": "Infection prevention and control",
        "items": [
            {
                "text": "Hand hygiene before contact",
                "guidance": body["domains"][3]["items"][0]["guidance"],
                "critical": True,
                "easy_read_text": "",
            },
            {
                "text": "Correct PPE used and disposed of",
                "guidance": body["domains"][3]["items"][1]["guidance"],
                "critical": False,
                "easy_read_text": "",
            },
        ],
    }
    assert sum(len(d["items"]) for d in body["domains"]) == 29


def test_export_round_trips_through_import(client, auth, db, checklist, org):
    auth.login(org.admin)
    exported = client.get(f"{BASE}/versions/{version(db, checklist, 1).uuid}/export").data

    response = upload(client, exported)

    assert response.status_code == 302, page_text(response)[:1000]
    assert count(db, Checklist) == 1
    v1, v2 = version(db, checklist, 1), version(db, checklist, 2)
    assert v2.is_draft
    # Same sections and items in the same order, and wording unchanged keeps each key.
    assert shape(v2) == shape(v1)
    again = json.loads(client.get(f"{BASE}/versions/{v2.uuid}/export").data)
    assert again == {**json.loads(exported), "version": 2}
    assert [e.summary for e in events(db, "checklist_imported")] == [
        "Homecare monitoring visit v2 (draft)"
    ]
    assert "Imported as draft version 2" in page_text(client.get(f"{BASE}/{checklist.uuid}"))


def test_import_under_a_new_name_creates_a_checklist(client, auth, db, checklist, org):
    auth.login(org.admin)
    body = json.loads(client.get(f"{BASE}/versions/{version(db, checklist, 1).uuid}/export").data)
    body["name"] = "Night visit"
    body["domains"] = body["domains"][:2]

    response = upload(client, json.dumps(body))

    assert response.status_code == 302
    db.expire_all()
    night = db.scalar(sa.select(Checklist).where(Checklist.name == "Night visit"))
    assert night.organisation_id == org.org.id
    [draft] = night.versions
    assert (draft.number, draft.is_draft, len(draft.items)) == (1, True, 6)
    assert count(db, ChecklistVersion) == 2


def test_import_replaces_the_contents_of_an_existing_draft(client, auth, db, checklist, org):
    auth.login(org.admin)
    start(client, checklist)
    body = {
        "format": "careobs-checklist",
        "format_version": 1,
        "name": "Homecare monitoring visit",
        "domains": [{"name": "Only", "items": [{"text": "One thing", "critical": True}]}],
    }

    assert upload(client, json.dumps(body)).status_code == 302

    assert count(db, ChecklistVersion) == 2
    draft = version(db, checklist, 2)
    assert [(d.name, texts(d)) for d in draft.domains] == [("Only", ["One thing"])]
    assert draft.items[0].critical is True


def _valid() -> dict:
    return {
        "format": "careobs-checklist",
        "format_version": 1,
        "name": "Homecare monitoring visit",
        "version": 1,
        "domains": [
            {"name": "Appearance", "items": [{"text": "Badge", "guidance": "", "critical": False}]}
        ],
    }


def _with(**changes) -> str:
    return json.dumps({**_valid(), **changes})


def _item(**changes) -> str:
    body = _valid()
    body["domains"][0]["items"][0].update(changes)
    return json.dumps(body)


def _item_without_text() -> str:
    body = _valid()
    del body["domains"][0]["items"][0]["text"]
    return json.dumps(body)


MALFORMED = {
    "not JSON": ("{not json", "The file is not valid JSON"),
    "not UTF-8": (b"\xff\xfe\x00{", "The file is not valid JSON"),
    "a JSON list": ("[1, 2]", "The file must hold a JSON object."),
    "wrong format": (_with(format="something-else"), '"format" must be "careobs-checklist".'),
    "no format": (
        json.dumps({k: v for k, v in _valid().items() if k != "format"}),
        '"format" must be "careobs-checklist".',
    ),
    "no name": (_with(name=""), '"name" must be text of 1 to 120 characters.'),
    "empty domains": (_with(domains=[]), '"domains" must be a non-empty list.'),
    "domains not a list": (_with(domains={"name": "x"}), '"domains" must be a non-empty list.'),
    "domain with no items": (
        _with(domains=[{"name": "Appearance", "items": []}]),
        "domains[0].items must be a non-empty list.",
    ),
    "domain without a name": (
        _with(domains=[{"items": [{"text": "Badge"}]}]),
        "domains[0].name must be text of 1 to 120 characters.",
    ),
    "item text missing": (_item_without_text(), "domains[0].items[0].text must be text"),
    "item text blank": (_item(text="  "), "domains[0].items[0].text must be text"),
    "item text too long": (_item(text="x" * 301), "domains[0].items[0].text must be text"),
    "critical not boolean": (
        _item(critical="yes"),
        "domains[0].items[0].critical must be true or false.",
    ),
    "critical a number": (_item(critical=1), "domains[0].items[0].critical must be true or false."),
    "guidance not text": (_item(guidance=["x"]), "domains[0].items[0].guidance must be text"),
    "item not an object": (
        _with(domains=[{"name": "A", "items": ["Badge"]}]),
        "domains[0].items[0] must be an object.",
    ),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_import_rejects_a_malformed_file_and_writes_nothing(client, auth, db, checklist, org, case):
    content, message = MALFORMED[case]
    auth.login(org.admin)
    before = (
        count(db, Checklist),
        count(db, ChecklistVersion),
        count(db, ChecklistDomain),
        count(db, ChecklistItem),
        count(db, AuditEvent),
    )

    response = upload(client, content)

    assert response.status_code == 400
    page = page_text(response)
    assert "The file was not imported" in page
    assert message in page
    after = (
        count(db, Checklist),
        count(db, ChecklistVersion),
        count(db, ChecklistDomain),
        count(db, ChecklistItem),
        count(db, AuditEvent),
    )
    assert after == before


def test_import_lists_every_problem(client, auth, db, checklist, org):
    body = _valid()
    body["format"] = "x"
    body["domains"].append({"name": "Second", "items": [{"text": "", "critical": "no"}]})
    auth.login(org.admin)

    page = page_text(upload(client, json.dumps(body)))

    assert '"format" must be' in page
    assert "domains[1].items[0].text must be text" in page
    assert "domains[1].items[0].critical must be true or false." in page
    assert count(db, ChecklistVersion) == 1


def test_import_without_a_file(client, auth, db, checklist, org):
    auth.login(org.admin)

    response = client.post(f"{BASE}/import", data={}, content_type="multipart/form-data")

    assert response.status_code == 400
    assert "Choose a file." in page_text(response)
    assert count(db, ChecklistVersion) == 1


# --- who may use the editor ------------------------------------------------------------------


def admin_routes(db, checklist) -> list[tuple[str, str, dict | None]]:
    v1 = version(db, checklist, 1)
    item, domain = v1.items[0], v1.domains[0]
    return [
        ("get", f"{BASE}/", None),
        ("get", f"{BASE}/{checklist.uuid}", None),
        ("post", f"{BASE}/{checklist.uuid}/draft", None),
        ("post", f"{BASE}/{checklist.uuid}/publish", None),
        ("post", f"{BASE}/{checklist.uuid}/draft/discard", None),
        ("get", f"{BASE}/domains/{domain.uuid}", None),
        ("post", f"{BASE}/domains/{domain.uuid}", {"name": "Renamed"}),
        ("post", f"{BASE}/domains/{domain.uuid}/remove", None),
        ("post", f"{BASE}/{checklist.uuid}/domains", {"name": "Pets"}),
        ("post", f"{BASE}/domains/{domain.uuid}/items", {"text": "Added"}),
        ("post", f"{BASE}/domains/{domain.uuid}/move/down", None),
        ("get", f"{BASE}/items/{item.uuid}", None),
        ("post", f"{BASE}/items/{item.uuid}", {"text": "Changed"}),
        ("post", f"{BASE}/items/{item.uuid}/move/down", None),
        ("post", f"{BASE}/items/{item.uuid}/retire", None),
        ("get", f"{BASE}/versions/{v1.uuid}/export", None),
        ("post", f"{BASE}/import", {"file": (io.BytesIO(_with().encode()), "c.json")}),
        ("get", "/admin/settings/", None),
        ("post", "/admin/settings/", {"green_from": "80", "amber_from": "70"}),
    ]


@pytest.mark.parametrize("role", ["manager", "supervisor", "staff", "outsider"])
def test_non_admins_get_403_on_every_checklist_and_settings_route(
    client, auth, db, checklist, org, role
):
    auth.login(getattr(org, role))
    before = shape(version(db, checklist, 1))

    for method, url, form in admin_routes(db, checklist):
        if form and "file" in form:
            response = client.post(url, data=form, content_type="multipart/form-data")
        elif form:
            response = getattr(client, method)(url, data=form)
        else:
            response = getattr(client, method)(url)
        assert response.status_code == 403, (method, url)

    assert count(db, ChecklistVersion) == 1
    assert count(db, Checklist) == 1
    assert shape(version(db, checklist, 1)) == before


def test_logged_out_users_are_sent_to_login(client, db, checklist, org):
    for method, url, _form in admin_routes(db, checklist):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert "/login" in response.headers["Location"]
