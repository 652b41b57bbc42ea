"""Pages that list records of any kind ask the registry what a kind is called and where its
stored record is, instead of knowing the kinds: the conflicting copies of a QUIS observation and
of a monitoring visit are named so and link to the stored record; a kind nobody registered is
shown by its name, with no link."""

from __future__ import annotations

import re
import uuid

import pytest

from careobs.sync.models import QuarantinedDocument
from tests.support.web import Auth


@pytest.fixture
def held(app, db, org):
    """One conflicting copy of each kind, held in Acme's homecare service."""
    items = {}
    for kind in ("quis_session", "spot_check", "audit_of_something"):
        item = QuarantinedDocument(
            organisation_id=org.org.id,
            service_id=org.homecare.id,
            kind=kind,
            document_id=uuid.uuid4(),
            author_id=org.supervisor.id,
            revision=2,
            reason="Revision already stored with different content",
            data={"notes": "Edited twice"},
            content_hash="0" * 64,
        )
        db.add(item)
        items[kind] = item
    db.commit()
    return items


def test_the_list_names_each_kind_as_people_call_it(client, org, held):
    Auth(client).login(org.admin)
    page = client.get("/sync/quarantine/").get_data(as_text=True)

    kinds = re.findall(r"<td>([^<]*)</td>\s*<td>Acme Care Homecare</td>", page)
    assert sorted(kinds) == ["QUIS observation", "audit of something", "monitoring visit"]


@pytest.mark.parametrize(
    ("kind", "heading", "article", "link"),
    [
        ("quis_session", "QUIS observation", "a", "/quis/sessions/{}"),
        ("spot_check", "monitoring visit", "a", "/visits/{}"),
        ("audit_of_something", "audit of something", "an", None),
    ],
)
def test_a_copy_names_its_kind_and_links_to_the_stored_record(
    client, org, held, kind, heading, article, link
):
    Auth(client).login(org.admin)
    item = held[kind]
    page = client.get(f"/sync/quarantine/{item.id}").get_data(as_text=True)

    assert f"<h1>Conflicting copy of {article} {heading}</h1>" in page
    if link:
        assert f'<a href="{link.format(item.document_id)}">the stored {heading}</a>' in page
    else:
        assert "the stored" not in page
