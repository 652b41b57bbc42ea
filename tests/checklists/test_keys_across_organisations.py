"""Default and starter checklist items have the same keys in every organisation, so every lookup
of an item's wording by key names the organisation: another organisation's edited wording (which
may name its own residents) must never show in this one's dashboards, actions or evidence."""

from __future__ import annotations

import sqlalchemy as sa

from careobs.actions.queries import item_texts
from careobs.checklists import service as checklists
from careobs.checklists.models import Checklist, ChecklistItem
from careobs.dashboards import visit_queries
from tests.support.visits import default_checklist

SECRET = "OTHER ORG: Mrs Jones at Oak Lodge refused her tablets"


def test_an_items_wording_comes_from_this_organisations_checklist(app, db, org, other):
    default_checklist(app, db, org.org.id)
    default_checklist(app, db, other.org.id)
    with app.app_context():
        theirs = db.scalar(sa.select(Checklist).where(Checklist.organisation_id == other.org.id))
        draft = checklists.start_draft(db, theirs, other.admin)
        item = draft.domains[0].items[0]
        key, original, item_domain = item.key, item.text, draft.domains[0].name
        item.text = SECRET
        checklists.publish(db, draft, other.admin)
        db.commit()
        assert db.scalar(sa.select(sa.func.count()).where(ChecklistItem.key == key)) == 3

        assert item_texts(db, org.org.id, {key}) == {str(key): original}
        assert item_texts(db, other.org.id, {key}) == {str(key): SECRET}
        # The dashboards' "most often missed" name items through the same kind of lookup.
        assert visit_queries.item_wording(db, org.org.id, {key}) == {key: (original, item_domain)}
