"""GET /api/v1/bootstrap's ``audit_templates``: exactly the device contract of issue 15 (with
issue 16's ``easy_read_text`` on each item), only for users who may audit somewhere;
``checklists`` stays visit checklists only."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from careobs.checklists import service as checklists
from careobs.checklists.models import Checklist
from tests.support.audits import CARE_PLAN, starter_templates
from tests.support.visits import default_checklist

URL = "/api/v1/bootstrap"


@pytest.fixture
def templates(app, db, org):
    return starter_templates(app, db, org.org.id)


def bootstrap(client) -> dict:
    response = client.get(URL)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_json()


def test_the_audit_templates_have_exactly_the_contracts_shape(
    app, db, org, templates, client, auth
):
    visit = default_checklist(app, db, org.org.id)
    auth.login(org.supervisor)

    body = bootstrap(client)

    by_name = {t["name"]: t for t in body["audit_templates"]}
    assert list(by_name) == sorted(by_name)  # by name
    assert set(by_name) == set(templates)
    care_plan = by_name[CARE_PLAN]
    assert set(care_plan) == {
        "id",
        "version",
        "name",
        "subject_type",
        "frequency_days",
        "cqc_statements",
        "domains",
    }
    row = db.scalar(sa.select(Checklist).where(Checklist.name == CARE_PLAN))
    assert care_plan["id"] == str(row.uuid)
    assert (care_plan["version"], care_plan["subject_type"], care_plan["frequency_days"]) == (
        1,
        "person",
        30,
    )
    assert care_plan["cqc_statements"] == ["E1", "R1", "C2", "S4", "E6"]
    version = row.versions[0]
    assert care_plan["domains"] == [
        {
            "name": d.name,
            "items": [
                {
                    "id": str(i.uuid),
                    "text": i.text,
                    "critical": i.critical,
                    "easy_read_text": i.easy_read_text,
                }
                for i in d.items
            ],
        }
        for d in version.domains
    ]
    # Visit checklists stay in "checklists", and only they do.
    assert [c["id"] for c in body["checklists"]] == [visit.id]


@pytest.mark.parametrize("who", ["admin", "supervisor"])
def test_those_who_may_audit_get_every_published_template(org, templates, client, auth, who):
    auth.login(getattr(org, who))
    assert len(bootstrap(client)["audit_templates"]) == 4


@pytest.mark.parametrize("who", ["staff", "outsider"])
def test_a_care_worker_and_someone_with_no_service_get_no_audit_templates(
    org, templates, client, auth, who
):
    auth.login(getattr(org, who))
    assert bootstrap(client)["audit_templates"] == []


def test_a_draft_template_is_not_sent(app, db, org, templates, client, auth):
    from careobs.checklists import service as checklists

    with app.app_context():
        checklists.create_audit_template(
            db,
            org.org.id,
            org.admin,
            name="Mealtime audit",
            subject_type="area",
            description="",
            frequency_days=30,
            cqc_statements=[],
            green_from=90,
            amber_from=75,
        )
        db.commit()
    auth.login(org.supervisor)
    names = [t["name"] for t in bootstrap(client)["audit_templates"]]
    assert "Mealtime audit" not in names and len(names) == 4


def test_each_templates_bands_come_beside_the_templates(app, db, org, templates, login_as):
    """The template objects keep the contract's fields; their bands are in settings."""
    with app.app_context():
        template = db.scalar(sa.select(Checklist).where(Checklist.name == CARE_PLAN))
        template.green_from, template.amber_from = 95, 80
        db.commit()
        care_plan_id = str(template.uuid)
    body = bootstrap(login_as(org.supervisor))
    bands = body["settings"]["audits"]["bands"]
    assert set(bands) == {t["id"] for t in body["audit_templates"]}
    assert bands[care_plan_id] == {"green_from": 95, "amber_from": 80}
    assert bootstrap(login_as(org.staff))["settings"]["audits"]["bands"] == {}


def test_each_item_carries_its_easy_read_wording_or_none(app, db, org, templates, client, auth):
    """Issue 16: ``easy_read_text`` on every item, "" where none is written (the device then
    shows ``text``); a new published version's wording reaches the device with a new ETag."""
    auth.login(org.supervisor)
    first = client.get(URL)
    items = [
        i
        for t in first.get_json()["audit_templates"]
        if t["name"] == CARE_PLAN
        for d in t["domains"]
        for i in d["items"]
    ]
    assert items[0]["easy_read_text"] == "Does your care plan say what is important to you?"
    assert all(set(i) == {"id", "text", "critical", "easy_read_text"} for i in items)

    with app.app_context():
        care_plan = db.scalar(sa.select(Checklist).where(Checklist.name == CARE_PLAN))
        draft = checklists.start_draft(db, care_plan, org.admin)
        draft.items[0].easy_read_text = ""
        checklists.publish(db, draft, org.admin)
        db.commit()
    second = client.get(URL, headers={"If-None-Match": first.headers["ETag"]})

    assert second.status_code == 200
    [template] = [t for t in second.get_json()["audit_templates"] if t["name"] == CARE_PLAN]
    assert template["version"] == 2
    sent = template["domains"][0]["items"]
    assert [i["easy_read_text"] for i in sent[:2]] == [
        "",
        "Did you, or someone you chose, help to write your care plan?",
    ]
