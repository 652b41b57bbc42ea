"""Sections of a draft (rename, remove when empty), discarding a draft, and refusing to publish
a draft with an empty section."""

from __future__ import annotations

import json

import sqlalchemy as sa

from careobs.checklists import service as checklists
from careobs.checklists.models import Checklist, ChecklistDomain, ChecklistItem, ChecklistVersion
from tests.support.checklists import BASE, events, page_text, shape, start, upload, version
from tests.support.database import count

# --- renaming --------------------------------------------------------------------------------


def test_rename_a_section_of_the_draft_keeps_its_key(client, auth, db, checklist, org):
    auth.login(org.admin)
    start(client, checklist)
    meals = version(db, checklist, 2).domains[8]
    assert meals.name == "Meals and drinks"
    key = meals.key

    form = client.get(f"{BASE}/domains/{meals.uuid}")
    response = client.post(f"{BASE}/domains/{meals.uuid}", data={"name": " Food and drink "})

    assert form.status_code == 200
    assert 'value="Meals and drinks"' in page_text(form)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{BASE}/{checklist.uuid}#draft")
    renamed = version(db, checklist, 2).domains[8]
    assert (renamed.name, renamed.key, len(renamed.items)) == ("Food and drink", key, 2)
    assert version(db, checklist, 1).domains[8].name == "Meals and drinks"
    assert [e.summary for e in events(db, "checklist_section_renamed")] == [
        "Meals and drinks → Food and drink"
    ]


def test_a_section_name_cannot_be_blank_or_repeat_another(client, auth, db, checklist, org):
    auth.login(org.admin)
    start(client, checklist)
    meals = version(db, checklist, 2).domains[8]

    blank = client.post(f"{BASE}/domains/{meals.uuid}", data={"name": "  "})
    repeat = client.post(f"{BASE}/domains/{meals.uuid}", data={"name": "MEDICINES"})
    own = client.post(f"{BASE}/domains/{meals.uuid}", data={"name": "meals and drinks"})

    assert blank.status_code == 400
    assert 'id="name-error"' in page_text(blank)
    assert "This cannot be blank." in page_text(blank)
    assert repeat.status_code == 400
    assert 'id="name-error"' in page_text(repeat)
    assert "There is already a section with this name." in page_text(repeat)
    assert own.status_code == 302  # a change of case of its own name is fine
    assert version(db, checklist, 2).domains[8].name == "meals and drinks"


# --- removing --------------------------------------------------------------------------------


def test_remove_an_empty_section(client, auth, db, checklist, org):
    auth.login(org.admin)
    start(client, checklist)
    client.post(f"{BASE}/{checklist.uuid}/domains", data={"name": "Pets"})
    pets = version(db, checklist, 2).domains[-1]
    client.post(f"{BASE}/domains/{pets.uuid}/move/up")
    assert [d.name for d in version(db, checklist, 2).domains][-2] == "Pets"
    assert "Remove section “Pets”" in page_text(client.get(f"{BASE}/{checklist.uuid}"))

    response = client.post(f"{BASE}/domains/{pets.uuid}/remove")

    assert response.status_code == 302
    draft = version(db, checklist, 2)
    assert shape(draft) == shape(version(db, checklist, 1))
    assert [d.position for d in draft.domains] == list(range(13))
    assert [e.summary for e in events(db, "checklist_section_removed")] == ["Pets"]
    assert "Section “Pets” removed from the draft." in page_text(
        client.get(f"{BASE}/{checklist.uuid}")
    )


def test_a_section_with_items_is_not_removed(client, auth, db, checklist, org):
    auth.login(org.admin)
    start(client, checklist)
    meals = version(db, checklist, 2).domains[8]
    page = page_text(client.get(f"{BASE}/{checklist.uuid}"))
    assert "Remove section “Meals and drinks”" not in page

    response = client.post(f"{BASE}/domains/{meals.uuid}/remove")

    assert response.status_code == 302
    draft = version(db, checklist, 2)
    assert len(draft.domains) == 13
    assert len(draft.domains[8].items) == 2
    assert events(db, "checklist_section_removed") == []
    assert (
        "Section not removed: “Meals and drinks” still has 2 items; retire them first, then "
        "remove the section."
    ) in page_text(client.get(f"{BASE}/{checklist.uuid}"))


def test_retiring_its_items_lets_a_section_be_removed(client, auth, db, checklist, org):
    auth.login(org.admin)
    start(client, checklist)
    meals = version(db, checklist, 2).domains[8]
    for item in meals.items:
        client.post(f"{BASE}/items/{item.uuid}/retire")

    assert client.post(f"{BASE}/domains/{meals.uuid}/remove").status_code == 302

    draft = version(db, checklist, 2)
    assert "Meals and drinks" not in [d.name for d in draft.domains]
    assert len(draft.items) == 27
    assert client.post(f"{BASE}/{checklist.uuid}/publish").status_code == 302
    assert not version(db, checklist, 2).is_draft
    assert len(version(db, checklist, 1).domains) == 13


# --- publishing with an empty section --------------------------------------------------------


def test_a_draft_with_an_empty_section_is_not_published(client, auth, db, checklist, org):
    auth.login(org.admin)
    start(client, checklist)
    client.post(f"{BASE}/{checklist.uuid}/domains", data={"name": "Pets"})
    meals = version(db, checklist, 2).domains[8]
    for item in meals.items:
        client.post(f"{BASE}/items/{item.uuid}/retire")

    response = client.post(f"{BASE}/{checklist.uuid}/publish")

    assert response.status_code == 302
    assert version(db, checklist, 2).is_draft
    assert version(db, checklist, 1).retired_at is None
    assert checklists.current_version(db, checklist).number == 1
    assert (
        "Not published: these sections have no items; add an item or remove the section: "
        "“Meals and drinks”, “Pets”."
    ) in page_text(client.get(f"{BASE}/{checklist.uuid}"))


# --- discarding a draft ----------------------------------------------------------------------


def test_discard_the_draft(client, auth, db, checklist, org):
    auth.login(org.admin)
    before = (count(db, ChecklistDomain), count(db, ChecklistItem))
    v1_shape = shape(version(db, checklist, 1))
    start(client, checklist)
    client.post(f"{BASE}/{checklist.uuid}/domains", data={"name": "Pets"})

    response = client.post(f"{BASE}/{checklist.uuid}/draft/discard")

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{BASE}/{checklist.uuid}")
    assert count(db, ChecklistVersion) == 1
    assert (count(db, ChecklistDomain), count(db, ChecklistItem)) == before
    assert checklists.draft_of(db, checklist) is None
    assert shape(version(db, checklist, 1)) == v1_shape
    assert version(db, checklist, 1).retired_at is None
    assert [e.summary for e in events(db, "checklist_draft_discarded")] == [
        "Homecare monitoring visit v2"
    ]
    page = page_text(client.get(f"{BASE}/{checklist.uuid}"))
    assert "Draft version 2 discarded. The current version is unchanged." in page
    assert "Edit: start a new draft version" in page
    # A new draft after a discard gets the next free number again.
    start(client, checklist)
    assert checklists.draft_of(db, checklist).number == 2


def test_discarding_without_a_draft_is_404(client, auth, db, checklist, org):
    auth.login(org.admin)

    assert client.post(f"{BASE}/{checklist.uuid}/draft/discard").status_code == 404
    assert count(db, ChecklistVersion) == 1


def test_discarding_the_only_version_of_an_imported_checklist_removes_it(
    client, auth, db, checklist, org
):
    auth.login(org.admin)
    v1 = version(db, checklist, 1)
    exported = json.loads(client.get(f"{BASE}/versions/{v1.uuid}/export").data)
    exported["name"] = "Night visit"
    assert upload(client, json.dumps(exported)).status_code == 302
    night = db.scalar(sa.select(Checklist).where(Checklist.name == "Night visit"))

    response = client.post(f"{BASE}/{night.uuid}/draft/discard")

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{BASE}/")
    db.expire_all()
    assert list(db.scalars(sa.select(Checklist.name))) == ["Homecare monitoring visit"]
    assert count(db, ChecklistVersion) == 1
    assert "“Night visit” had no published version, so it is gone too." in page_text(
        client.get(f"{BASE}/")
    )


def test_another_organisation_cannot_discard_or_change_sections(
    client, auth, data, db, checklist, org
):
    auth.login(org.admin)
    start(client, checklist)
    auth.logout()
    other = data.organisation("Other Org", prefix="other")
    auth.login(other.admin)
    domain = version(db, checklist, 2).domains[0]

    assert client.post(f"{BASE}/{checklist.uuid}/draft/discard").status_code == 404
    assert client.get(f"{BASE}/domains/{domain.uuid}").status_code == 404
    assert client.post(f"{BASE}/domains/{domain.uuid}", data={"name": "X"}).status_code == 404
    assert client.post(f"{BASE}/domains/{domain.uuid}/remove").status_code == 404
    assert version(db, checklist, 2).domains[0].name == "Appearance"
