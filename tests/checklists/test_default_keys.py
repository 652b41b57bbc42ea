"""The default checklist's items have the same keys in every organisation (derived from their
first wording), the devices receive them, and a reworded item keeps its key in the next version."""

from __future__ import annotations

import sqlalchemy as sa

from careobs.checklists import default
from careobs.checklists import service as checklists
from careobs.checklists.models import ChecklistDomain, ChecklistItem, ChecklistVersion
from tests.support.checklists import version


def test_default_items_have_stable_keys_and_devices_get_them(
    app, db, data, org, checklist, login_as
):
    other = data.organisation("Other Org", prefix="other")
    with app.app_context():
        checklists.create_default(db, other.org.id)
        db.commit()
    texts = [text for _domain, items in default.DOMAINS for text, _c, _g in items]
    for organisation in (org.org, other.org):
        keys = dict(
            db.execute(
                sa.select(ChecklistItem.text, ChecklistItem.key)
                .join(ChecklistDomain)
                .join(ChecklistVersion)
                .where(ChecklistVersion.organisation_id == organisation.id)
            ).all()
        )
        assert keys == {text: default.item_key(text) for text in texts}

    bootstrap = login_as(org.supervisor).get("/api/v1/bootstrap").get_json()
    [sent] = [c for c in bootstrap["checklists"] if c["name"] == default.NAME]
    items = [i for d in sent["domains"] for i in d["items"]]
    assert {i["text"]: i["key"] for i in items} == {t: str(default.item_key(t)) for t in texts}


def test_a_reworded_default_item_keeps_its_key(app, db, org, checklist):
    arrival = "Arrived within the agreed tolerance of the planned time"
    with app.app_context():
        draft = checklists.start_draft(db, checklist, org.admin)
        [item] = [i for d in draft.domains for i in d.items if i.text == arrival]
        item.text = "Arrived on time (within the tolerance)"
        checklists.publish(db, draft, org.admin)
        db.commit()

    [timekeeping] = [d for d in version(db, checklist, 2).domains if d.name == "Timekeeping"]
    assert timekeeping.items[0].text == "Arrived on time (within the tolerance)"
    assert timekeeping.items[0].key == default.item_key(arrival)
