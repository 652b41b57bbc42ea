"""The starter audit templates: written from named guidance, published for every new
organisation (``careobs init``) and the demo, each with critical items and CQC statements, and
created once however often they are asked for."""

from __future__ import annotations

import sqlalchemy as sa

from careobs import demo
from careobs.actions import cqc
from careobs.audit.models import AuditEvent
from careobs.audits import starter
from careobs.checklists.models import Checklist, ChecklistVersion
from careobs.db import get_session
from careobs.org.models import Organisation
from tests.support.database import count
from tests.support.demo import load_demo_once

SOURCES = {
    starter.CARE_PLAN.name: ["NICE NG86"],
    starter.MEDICINES_RECORDS.name: ["NICE SC1", "NICE NG67"],
    starter.INFECTION_CONTROL.name: ["Infection prevention and control: resource for adult"],
    starter.BEHAVIOUR_AND_INCIDENTS.name: ["NICE NG86", "NICE SC1"],
}
EXPECTED = {
    # name: (subject type, frequency in days)
    "Care plan audit": ("person", 30),
    "Medicines administration records audit": ("person", 7),
    "Infection prevention and control and environment audit": ("area", 30),
    "Behaviour and incidents review": ("service", 30),
}


def audit_templates(db, organisation_id: int) -> dict[str, Checklist]:
    db.expire_all()
    rows = db.scalars(
        sa.select(Checklist).where(
            Checklist.organisation_id == organisation_id, Checklist.purpose == "audit"
        )
    )
    return {c.name: c for c in rows}


def assert_starter_templates(db, organisation_id: int) -> None:
    """The four templates, each published once as version 1 and fit to audit with."""
    templates = audit_templates(db, organisation_id)
    assert {name: (c.subject_type, c.frequency_days) for name, c in templates.items()} == EXPECTED
    for name, checklist in templates.items():
        [version] = checklist.versions
        assert (version.number, version.retired_at) == (1, None), name
        assert version.published_at is not None, name
        assert 2 <= len(version.domains) <= 5, name
        assert 8 <= len(version.items) <= 20, name
        assert all(domain.items for domain in version.domains), name
        assert any(item.critical for item in version.items), name
        assert not all(item.critical for item in version.items), name
        assert checklist.cqc_statements, name
        assert set(checklist.cqc_statements) <= set(cqc.STATEMENTS), name
        assert (checklist.green_from, checklist.amber_from) == (90, 75), name
        for source in SOURCES[name]:
            assert source in checklist.description, (name, source)


def test_careobs_init_publishes_the_starter_templates(runner, db):
    result = runner.invoke(
        args=[
            "init",
            "--organisation",
            "Hillside Care",
            "--admin-email",
            "boss@hillside.test",
            "--admin-name",
            "Bea Boss",
            "--admin-password",
            "a long and unusual phrase",
        ]
    )
    assert result.exit_code == 0, result.output
    org = db.scalar(sa.select(Organisation))
    assert_starter_templates(db, org.id)
    published = db.scalars(
        sa.select(AuditEvent.summary).where(AuditEvent.action == "checklist_published")
    ).all()
    assert sorted(published) == sorted(
        ["Homecare monitoring visit v1 (default)"]
        + [f"{name} v1 (starter audit template)" for name in EXPECTED]
    )


def test_the_demo_has_the_starter_templates(app, db):
    with app.app_context():
        load_demo_once(get_session())
    org = db.scalar(sa.select(Organisation).where(Organisation.name == demo.DEMO_ORG))
    assert_starter_templates(db, org.id)


def test_creating_them_twice_changes_nothing(app, db, org):
    with app.app_context():
        first = starter.create_starter_templates(db, org.org.id)
        db.commit()
        before = (count(db, Checklist), count(db, ChecklistVersion), count(db, AuditEvent))
        again = starter.create_starter_templates(db, org.org.id)
        db.commit()
    assert len(first) == 4 and again == []
    assert (count(db, Checklist), count(db, ChecklistVersion), count(db, AuditEvent)) == before
    assert_starter_templates(db, org.org.id)


def test_a_name_already_taken_is_left_alone(app, db, org):
    """An organisation that already has a checklist called "Care plan audit" keeps its own."""
    with app.app_context():
        db.add(Checklist(organisation_id=org.org.id, name="Care plan audit", purpose="visit"))
        db.commit()
        created = starter.create_starter_templates(db, org.org.id)
        db.commit()
    assert [c.name for c in created] == [n for n in EXPECTED if n != "Care plan audit"]


def test_items_keep_the_same_key_in_every_organisation(app, db, org, other):
    with app.app_context():
        starter.create_starter_templates(db, org.org.id)
        starter.create_starter_templates(db, other.org.id)
        db.commit()

    def keys(organisation_id):
        return {
            name: [i.key for i in c.versions[0].items]
            for name, c in audit_templates(db, organisation_id).items()
        }

    acme, other_keys = keys(org.org.id), keys(other.org.id)
    assert acme == other_keys
    assert len({k for ks in acme.values() for k in ks}) == sum(len(ks) for ks in acme.values())
