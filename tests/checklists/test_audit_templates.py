"""Audit templates in the checklist editor: an admin creates one (what each audit is about,
frequency, CQC statements, RAG bands), changes its settings, tells visit checklists and audit
templates apart, and moves templates between organisations as JSON (older files stay visit
checklists)."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from careobs.audits import starter
from careobs.checklists import transfer
from careobs.checklists.models import Checklist
from tests.support.checklists import BASE, events, page_text, upload, version


def create_form(**fields) -> dict:
    form = {
        "name": "Mealtime experience audit",
        "subject_type": "area",
        "frequency_days": "30",
        "cqc_statements": ["C1", "R1"],
        "green_from": "85",
        "amber_from": "70",
        "description": "Monthly, in each dining area.",
    }
    form.update(fields)
    return form


def template_named(db, name: str) -> Checklist | None:
    db.expire_all()
    return db.scalar(sa.select(Checklist).where(Checklist.name == name))


@pytest.fixture
def starters(app, db, org):
    with app.app_context():
        starter.create_starter_templates(db, org.org.id)
        db.commit()


def test_an_admin_creates_an_audit_template_with_an_empty_draft(client, auth, db, org):
    auth.login(org.admin)
    response = client.post(f"{BASE}/audit-templates", data=create_form())
    assert response.status_code == 302, page_text(response)[:500]

    template = template_named(db, "Mealtime experience audit")
    assert (template.purpose, template.subject_type, template.frequency_days) == (
        "audit",
        "area",
        30,
    )
    assert (template.cqc_statements, template.green_from, template.amber_from) == (
        ["C1", "R1"],
        85,
        70,
    )
    assert template.description == "Monthly, in each dining area."
    draft = version(db, template, 1)
    assert draft.is_draft and draft.domains == []
    assert response.headers["Location"].endswith(f"{BASE}/{template.uuid}#draft")
    [event] = events(db, "audit_template_created")
    assert (event.actor_id, event.summary) == (
        org.admin.id,
        "Mealtime experience audit (area): every 30 days, green from 85%, amber from 70%, "
        "CQC statements C1, R1",
    )

    # The admin then adds sections and items to the draft as for any checklist.
    added = client.post(f"{BASE}/{template.uuid}/domains", data={"name": "Before the meal"})
    assert added.status_code == 302
    page = page_text(client.get(f"{BASE}/{template.uuid}"))
    assert "Audit template · An area or room · every 30 days" in page
    assert "Critical: Not met makes the audit red" in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"amber_from": "95"}, "Amber must start at or below green."),
        ({"subject_type": "room"}, "Not a valid choice"),
        ({"frequency_days": "0"}, "Number must be between 1 and 366."),
        ({"green_from": "101"}, "Number must be between 0 and 100."),
        ({"name": "   "}, "This cannot be blank."),
    ],
)
def test_a_template_that_cannot_be_right_is_not_created(client, auth, db, org, fields, message):
    auth.login(org.admin)
    response = client.post(f"{BASE}/audit-templates", data=create_form(**fields))
    assert response.status_code == 400
    assert message in page_text(response)
    assert db.scalar(sa.select(sa.func.count(Checklist.id))) == 0


def test_a_name_already_used_is_refused(client, auth, db, org, checklist):
    auth.login(org.admin)
    response = client.post(f"{BASE}/audit-templates", data=create_form(name=checklist.name))
    assert response.status_code == 400
    assert "There is already a checklist or audit template with this name." in page_text(response)


def test_only_an_admin_creates_templates(client, auth, db, org):
    auth.login(org.manager)
    response = client.post(f"{BASE}/audit-templates", data=create_form())
    assert response.status_code in (403, 404)
    assert template_named(db, "Mealtime experience audit") is None


def test_the_index_shows_visit_checklists_and_audit_templates_apart(
    client, auth, org, checklist, starters
):
    auth.login(org.admin)
    page = page_text(client.get(f"{BASE}/"))
    visits, audits = page.split("Monitoring visit checklists", 1)[1].split("Audit templates", 1)
    assert "Homecare monitoring visit" in visits and "Care plan audit" not in visits
    assert "Care plan audit" in audits and "Homecare monitoring visit" not in audits
    assert "Audit template · A person supported (by code) · every 7 days" in audits


def test_an_admin_changes_a_templates_settings(client, auth, db, org, starters):
    template = template_named(db, "Care plan audit")
    auth.login(org.admin)
    response = client.post(
        f"{BASE}/{template.uuid}/audit-settings",
        data=create_form(frequency_days="28", green_from="95", amber_from="80"),
    )
    assert response.status_code == 302, page_text(response)[:500]
    template = template_named(db, "Care plan audit")
    assert (template.frequency_days, template.green_from, template.amber_from) == (28, 95, 80)
    assert template.subject_type == "person"  # never changes
    # The care plan audit starts every 30 days, 90/75, evidencing E1, R1, C2, S4 and E6.
    assert [e.summary for e in events(db, "audit_template_settings_changed")] == [
        "every 30 days to every 28 days; green from 90% to 95%; amber from 75% to 80%; "
        "CQC statements E1, R1, C2, S4, E6 to C1, R1; description changed"
    ]

    # The same settings again change nothing, and nothing is logged.
    again = client.post(
        f"{BASE}/{template.uuid}/audit-settings",
        data=create_form(frequency_days="28", green_from="95", amber_from="80"),
        follow_redirects=True,
    )
    assert "No audit setting was changed." in page_text(again)
    assert len(events(db, "audit_template_settings_changed")) == 1

    refused = client.post(
        f"{BASE}/{template.uuid}/audit-settings", data=create_form(amber_from="99")
    )
    assert refused.status_code == 400
    assert template_named(db, "Care plan audit").amber_from == 80


def test_a_visit_checklist_has_no_audit_settings(client, auth, org, checklist):
    auth.login(org.admin)
    response = client.post(f"{BASE}/{checklist.uuid}/audit-settings", data=create_form())
    assert response.status_code == 404
    assert "Audit settings" not in page_text(client.get(f"{BASE}/{checklist.uuid}"))


def test_an_audit_template_round_trips_through_json(client, auth, db, org, starters):
    template = template_named(db, "Medicines administration records audit")
    v1 = template.versions[0]
    auth.login(org.admin)
    exported = client.get(f"{BASE}/versions/{v1.uuid}/export")
    data = json.loads(exported.get_data(as_text=True))
    assert (data["purpose"], data["subject_type"], data["frequency_days"]) == ("audit", "person", 7)
    assert data["cqc_statements"] == ["S8", "S1", "E6"]
    assert (data["green_from"], data["amber_from"]) == (90, 75)

    # Under a new name: a new audit template with the same settings and items.
    response = upload(client, json.dumps({**data, "name": "MAR audit (copy)"}))
    assert response.status_code == 302, page_text(response)[:800]
    copy = template_named(db, "MAR audit (copy)")
    assert (copy.purpose, copy.subject_type, copy.frequency_days) == ("audit", "person", 7)
    assert (copy.cqc_statements, copy.description) == (
        template.cqc_statements,
        template.description,
    )
    draft = version(db, copy, 1)
    assert [(i.text, i.critical, i.guidance) for i in draft.items] == [
        (i.text, i.critical, i.guidance) for i in v1.items
    ]

    # Under its own name: draft version 2 of the same template, items keeping their keys; the
    # file's other frequency is only reported (an import makes a draft, nothing live changes).
    response = upload(client, json.dumps({**data, "frequency_days": 14}))
    assert response.status_code == 302
    template = template_named(db, "Medicines administration records audit")
    assert template.frequency_days == 7
    assert [i.key for i in version(db, template, 2).items] == [i.key for i in v1.items]


def test_a_file_without_a_purpose_imports_as_a_visit_checklist(client, auth, db, org, starters):
    template = template_named(db, "Care plan audit")
    data = transfer.export(template.versions[0])
    old = {k: v for k, v in data.items() if k not in transfer.parse_settings(data)[0]}
    old = {k: v for k, v in old.items() if k not in ("subject_type", "frequency_days")}
    old |= {"name": "An old checklist file"}
    assert "purpose" not in old
    auth.login(org.admin)
    response = upload(client, json.dumps(old))
    assert response.status_code == 302, page_text(response)[:800]
    imported = template_named(db, "An old checklist file")
    assert (imported.purpose, imported.subject_type, imported.frequency_days) == (
        "visit",
        None,
        None,
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"purpose": "visit"}, "already exists as an audit template"),
        ({"subject_type": "area"}, "already exists as an audit template of a person supported"),
        ({"cqc_statements": ["X9"]}, '"cqc_statements" must be a list'),
        ({"green_from": True}, '"green_from" must be a whole number from 0 to 100.'),
        ({"amber_from": 95}, '"amber_from" must be at most "green_from".'),
        ({"purpose": "inspection"}, '"purpose" must be one of: visit, audit.'),
        ({"subject_type": None}, '"subject_type" must be one of'),
        ({"purpose": ["audit"]}, '"purpose" must be one of: visit, audit.'),
        ({"subject_type": {"person": 1}}, '"subject_type" must be one of'),
    ],
)
def test_an_import_that_does_not_fit_is_refused(client, auth, db, org, starters, change, message):
    template = template_named(db, "Care plan audit")
    data = transfer.export(template.versions[0])
    auth.login(org.admin)
    response = upload(client, json.dumps({**data, **change}))
    assert response.status_code == 400
    assert message in page_text(response)
    assert len(template_named(db, "Care plan audit").versions) == 1
