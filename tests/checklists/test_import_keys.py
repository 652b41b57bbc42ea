"""Item and section keys stay unique within a version: an import with repeated wording is refused
by name, the format version is checked, and keys of an earlier version are handed out at most
once (import and in-browser drafts alike), so a visit can always store one answer per item."""

from __future__ import annotations

import json
import uuid

import pytest
import sqlalchemy as sa

from careobs.audit.models import AuditEvent
from careobs.checklists import service as checklists
from careobs.checklists import transfer
from careobs.checklists.models import (
    Checklist,
    ChecklistDomain,
    ChecklistItem,
    ChecklistVersion,
)
from careobs.db import utcnow
from tests.support.checklists import BASE, page_text, start, upload, version
from tests.support.database import count
from tests.support.sync import SyncApi
from tests.support.visits import checklist_info, spot_check


def body(*domains) -> dict:
    """A valid import file with ``domains`` given as (name, [item text, ...])."""
    return {
        "format": "careobs-checklist",
        "format_version": 1,
        "name": "Night visit",
        "version": 1,
        "domains": [
            {"name": name, "items": [{"text": t, "guidance": "", "critical": False} for t in items]}
            for name, items in domains
        ],
    }


def rows(db) -> tuple[int, ...]:
    return tuple(
        count(db, model)
        for model in (Checklist, ChecklistVersion, ChecklistDomain, ChecklistItem, AuditEvent)
    )


REFUSED = {
    "an item twice in one section": (
        body(("Arrival", ["Knocked", "Greeted", "Knocked"])),
        "domains[0].items[2].text: the item text “Knocked” appears twice (also at "
        "domains[0].items[0].text)",
    ),
    "an item in two sections": (
        body(("Arrival", ["Knocked"]), ("Leaving", ["Said goodbye", "knocked "])),
        "domains[1].items[1].text: the item text “knocked” appears twice (also at "
        "domains[0].items[0].text)",
    ),
    "a section twice": (
        body(("Arrival", ["Knocked"]), ("Arrival", ["Greeted"])),
        "domains[1].name: the section name “Arrival” appears twice (also at domains[0].name)",
    ),
    "format version 2": (
        {**body(("A", ["B"])), "format_version": 2},
        '"format_version" is 2; this careobs reads version 1 only.',
    ),
    "no format version": (
        {k: v for k, v in body(("A", ["B"])).items() if k != "format_version"},
        '"format_version" is missing; this careobs reads version 1 only.',
    ),
    "format version as text": (
        {**body(("A", ["B"])), "format_version": "1"},
        '"format_version" is "1"; this careobs reads version 1 only.',
    ),
    "format version true": (
        {**body(("A", ["B"])), "format_version": True},
        '"format_version" is true; this careobs reads version 1 only.',
    ),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_import_refuses_repeats_and_unknown_format_versions(client, auth, db, checklist, org, case):
    content, message = REFUSED[case]
    auth.login(org.admin)
    before = rows(db)

    response = upload(client, json.dumps(content))

    assert response.status_code == 400
    page = page_text(response)
    assert "The file was not imported" in page
    assert message in page
    assert rows(db) == before


def test_parse_import_names_every_repeat():
    _name, _domains, errors = transfer.parse_import(
        body(("Arrival", ["Knocked", "Knocked"]), ("Arrival", ["Knocked"]))
    )

    assert errors == [
        "domains[1].name: the section name “Arrival” appears twice (also at domains[0].name); "
        "each section name of a checklist must be different.",
        "domains[0].items[1].text: the item text “Knocked” appears twice (also at "
        "domains[0].items[0].text); each item text of a checklist must be different.",
        "domains[1].items[0].text: the item text “Knocked” appears twice (also at "
        "domains[0].items[0].text); each item text of a checklist must be different.",
    ]


def previous_version(*domains) -> ChecklistVersion:
    """An unsaved version whose (name, key, [(text, key)]) rows are given, repeats allowed."""
    v = ChecklistVersion(number=1)
    for position, (name, key, items) in enumerate(domains):
        d = ChecklistDomain(position=position, name=name, key=key)
        d.items = [
            ChecklistItem(position=i, text=text, key=k, critical=False, guidance="")
            for i, (text, k) in enumerate(items)
        ]
        v.domains.append(d)
    return v


def test_fill_hands_out_each_earlier_key_at_most_once():
    k1, k2, d1, d2 = (uuid.uuid4() for _ in range(4))
    earlier = previous_version(("Arrival", d1, [("Knocked", k1), ("Knocked", k2)]), ("X", d2, []))
    new = ChecklistVersion(number=2)

    checklists.fill(
        new,
        [
            ("Arrival", [("Knocked", False, ""), ("Knocked", False, "")]),
            ("Arrival", [("Knocked", False, "")]),
        ],
        earlier,
    )

    assert new.domains[0].key == d1
    assert new.domains[1].key not in {d1, d2}
    keys = [i.key for i in new.items]
    assert keys[:2] == [k1, k2]  # each earlier key once, in order
    assert keys[2] not in {k1, k2}
    assert len(set(keys)) == 3


def test_start_draft_never_copies_a_shared_key(client, auth, db, checklist, org):
    """A version that came in before repeats were refused, with two items sharing one key."""
    shared = uuid.uuid4()
    legacy = Checklist(organisation_id=org.org.id, name="Legacy")
    v1 = ChecklistVersion(
        organisation_id=org.org.id, checklist=legacy, number=1, published_at=utcnow()
    )
    v1.domains = [
        ChecklistDomain(
            position=0,
            name="Arrival",
            items=[
                ChecklistItem(position=0, text="Knocked", key=shared),
                ChecklistItem(position=1, text="Knocked", key=shared),
            ],
        )
    ]
    db.add_all([legacy, v1])
    db.commit()
    auth.login(org.admin)

    start(client, legacy)

    draft = version(db, legacy, 2)
    keys = [i.key for i in draft.items]
    assert keys[0] == shared
    assert keys[1] != shared


def test_an_item_of_the_draft_cannot_repeat_another_items_text(client, auth, db, checklist, org):
    auth.login(org.admin)
    start(client, checklist)
    draft = version(db, checklist, 2)
    medicines = draft.domains[9]

    response = client.post(
        f"{BASE}/domains/{medicines.uuid}/items", data={"text": "id badge visible "}
    )

    assert response.status_code == 400
    assert len(version(db, checklist, 2).items) == 29
    page = page_text(response)
    assert "Item not added" in page
    assert "Another item of this checklist already says this" in page


def test_editing_an_item_to_another_items_text_is_refused_next_to_the_field(
    client, auth, db, checklist, org
):
    auth.login(org.admin)
    start(client, checklist)
    uniform, badge = version(db, checklist, 2).domains[0].items[:2]

    response = client.post(f"{BASE}/items/{badge.uuid}", data={"text": uniform.text})

    page = page_text(response)
    assert 'id="text-error"' in page
    assert "Another item of this checklist already says this" in page
    assert version(db, checklist, 2).domains[0].items[1].text == "ID badge visible"
    # Saving an item under its own wording is not a repeat.
    same = client.post(
        f"{BASE}/items/{badge.uuid}", data={"text": "ID badge visible", "critical": "y"}
    )
    assert same.status_code == 302
    assert version(db, checklist, 2).domains[0].items[1].critical is True


def test_a_section_name_cannot_be_added_twice(client, auth, db, checklist, org):
    auth.login(org.admin)
    start(client, checklist)

    client.post(f"{BASE}/{checklist.uuid}/domains", data={"name": "medicines"})

    assert len(version(db, checklist, 2).domains) == 13
    page = page_text(client.get(f"{BASE}/{checklist.uuid}"))
    assert "Section not added: There is already a section with this name." in page


def test_a_draft_with_repeated_wording_is_not_published(client, auth, db, checklist, org):
    """Rows written before the editor refused repeats are still caught at publishing."""
    auth.login(org.admin)
    start(client, checklist)
    draft = version(db, checklist, 2)
    draft.domains[1].items[0].text = "Uniform clean and complete"
    db.commit()

    response = client.post(f"{BASE}/{checklist.uuid}/publish")

    assert response.status_code == 302
    assert version(db, checklist, 2).is_draft
    assert version(db, checklist, 1).retired_at is None
    assert "The item “Uniform clean and complete” appears twice" in page_text(
        client.get(f"{BASE}/{checklist.uuid}")
    )


def test_a_reimported_version_with_unique_wording_syncs_a_visit(
    app, client, auth, db, checklist, org, login_as
):
    """The bug this guards against: shared keys made the visit's missed-item rows collide."""
    auth.login(org.admin)
    v1 = version(db, checklist, 1)
    exported = json.loads(client.get(f"{BASE}/versions/{v1.uuid}/export").data)
    exported["domains"][0]["items"].append(
        {"text": "Shoes clean", "guidance": "", "critical": False}
    )
    assert upload(client, json.dumps(exported)).status_code == 302
    assert client.post(f"{BASE}/{checklist.uuid}/publish").status_code == 302
    v2 = checklist_info(db, checklist.uuid)
    assert len({i.key for i in v2.items}) == len(v2.items) == 30
    doc = spot_check(
        org.homecare,
        org.staff_members["Hal Homecare"],
        v2,
        ratings=dict.fromkeys(range(30), "not_met"),
    )

    [result] = SyncApi(login_as(org.supervisor))(doc)

    assert result["status"] == "created", result
    assert db.scalar(sa.select(sa.func.count()).select_from(ChecklistItem)) == 29 + 30
