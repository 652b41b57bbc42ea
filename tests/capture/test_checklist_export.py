"""The export files every checklist kind shares (careobs.capture.checklist_export): each kind's
answers and proposed actions, with the same columns in the same order, and their values."""

from __future__ import annotations

import pytest

from careobs.audits import export as audit_files
from careobs.export import service as exporting
from careobs.export.improvement import actions
from careobs.visits import export as visit_files
from tests.support import fixtures
from tests.support.audits import CARE_PLAN, audit_doc, person, proposed_action, starter_templates
from tests.support.export import organisation, read_export

org = fixtures.org

ANSWERS = ["item_uuid", "rating", "comment"]
ACTIONS = ["uuid", "{}", "position", "description", "owner_staff_uuid", "owner_user_uuid", "due_on"]


def columns(files, name: str) -> list[str]:
    return next(t for t in files.TABLES if t.name == name).columns()


@pytest.mark.parametrize("files,kind", [(audit_files, "audit"), (visit_files, "visit")])
def test_each_kind_exports_its_answers_and_actions_with_the_same_columns(files, kind):
    assert columns(files, f"{kind}_answers") == [f"{kind}_uuid", *ANSWERS]
    assert columns(files, f"{kind}_actions") == [c.format(f"{kind}_uuid") for c in ACTIONS]


def test_an_improvement_action_names_its_owner_as_a_proposed_one_does():
    names = list(actions(0).selected_columns.keys())
    at = names.index("owner_staff_uuid")
    assert names[at : at + 2] == ["owner_staff_uuid", "owner_user_uuid"]


def test_an_audits_answers_and_proposed_actions_are_exported_as_they_were_sent(
    app, db, org, client_as, tmp_path
):
    template = starter_templates(app, db, org.org.id)[CARE_PLAN]
    plain = template.plain[0]
    carla = org.staff_members["Carla Carer"]
    to_carla = proposed_action(carla, description="Sign the plan.", due_on="2026-12-24")
    to_sue = proposed_action(org.supervisor, description="Check again.", due_on=None)
    document = audit_doc(
        org.care_home,
        template,
        person("R01"),
        ratings={plain: "partly"},
        actions=[to_carla, to_sue],
    )
    document["data"]["answers"][plain]["comment"] = "Not signed by the family"
    assert [r["status"] for r in client_as(org.supervisor)(document)] == ["created"]

    out = tmp_path / "export"
    exporting.export_to_directory(
        app.extensions["careobs.engine"], organisation(db, org), "json", out
    )
    t = read_export(out)
    answers = {a["item_uuid"]: a for a in t["audit_answers"]}
    assert len(answers) == 14
    assert answers[template.items[plain].id] == {
        "audit_uuid": document["id"],
        "item_uuid": template.items[plain].id,
        "rating": "partly",
        "comment": "Not signed by the family",
    }
    assert sorted(a["rating"] for a in answers.values()) == ["met"] * 13 + ["partly"]
    assert t["audit_actions"] == [
        {
            "uuid": to_carla["id"],
            "audit_uuid": document["id"],
            "position": 0,
            "description": "Sign the plan.",
            "owner_staff_uuid": str(carla.uuid),
            "owner_user_uuid": None,
            "due_on": "2026-12-24",
        },
        {
            "uuid": to_sue["id"],
            "audit_uuid": document["id"],
            "position": 1,
            "description": "Check again.",
            "owner_staff_uuid": None,
            "owner_user_uuid": str(org.supervisor.uuid),
            "due_on": None,
        },
    ]
