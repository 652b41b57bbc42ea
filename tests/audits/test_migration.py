"""Migration 0015 on a database with records: existing checklists become visit checklists with
empty audit settings, and actions (with their notes) survive the rebuild of their table; going
back removes the audits, the actions raised from them and the audit templates, and nothing else."""

from __future__ import annotations

import sqlalchemy as sa

from careobs import migrate
from careobs.actions import service as actions
from careobs.actions.models import Action, ActionNote
from careobs.checklists.models import Checklist
from careobs.db import make_engine
from tests.support import fixtures
from tests.support.audits import CARE_PLAN, audit_doc, person, proposed_action
from tests.support.visits import action

BEFORE = "0014_one_addendum_table"
checklist = fixtures.checklist
visit_doc = fixtures.visit_doc


def test_upgrade_keeps_visit_records_and_downgrade_removes_only_audits(
    app, db, org, checklist, visit_doc, templates, client_as
):
    supervisor = client_as(org.supervisor)
    visit = visit_doc(actions=[action(org.staff_members["Hal Homecare"])])
    audit = audit_doc(
        org.care_home, templates[CARE_PLAN], person("R01"), actions=[proposed_action()]
    )
    assert [r["status"] for r in supervisor(visit, audit)] == ["created", "created"]
    db.expire_all()
    visit_action = db.scalar(sa.select(Action).where(Action.source == "visit"))
    with app.app_context():
        actions.add_progress(db, org.supervisor, visit_action, text="Booked the refresher.")
        db.commit()
    url = db.get_bind().url.render_as_string(hide_password=False)
    db.close()
    engine = make_engine(url)
    try:
        migrate.downgrade(engine, BEFORE)
        with engine.connect() as conn:
            names = conn.scalars(sa.text("SELECT name FROM checklists")).all()
            sources = conn.scalars(sa.text("SELECT source FROM actions")).all()
            notes = conn.scalars(sa.text("SELECT text FROM action_notes")).all()
        assert "audits" not in sa.inspect(engine).get_table_names()
        assert names == ["Homecare monitoring visit"]
        assert sources == ["visit"]
        assert notes == ["Booked the refresher."]

        migrate.upgrade(engine)
        with engine.connect() as conn:
            [row] = conn.execute(sa.select(Checklist.__table__)).all()
            kept = conn.execute(
                sa.select(Action.source, ActionNote.text).join(
                    ActionNote, ActionNote.action_id == Action.id
                )
            ).all()
        assert (row.purpose, row.subject_type, row.frequency_days) == ("visit", None, None)
        assert (row.cqc_statements, row.green_from, row.amber_from) == ([], 90, 75)
        assert kept == [("visit", "Booked the refresher.")]
    finally:
        migrate.upgrade(engine)
        engine.dispose()
