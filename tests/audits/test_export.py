"""The organisation's export holds its audits: the audit with its subject (a person by code),
template version and outcome, its answers and proposed actions, and the action raised from it."""

from __future__ import annotations

from careobs.export import service as exporting
from tests.support.audits import CARE_PLAN, audit_doc, person, proposed_action
from tests.support.export import organisation, read_export


def test_an_audit_is_exported_with_its_answers_actions_and_raised_action(
    app, db, org, other, templates, client_as, tmp_path
):
    template = templates[CARE_PLAN]
    proposal = proposed_action(org.staff_members["Carla Carer"])
    document = audit_doc(
        org.care_home,
        template,
        person("R02"),
        ratings={template.critical[0]: "not_met"},
        actions=[proposal],
    )
    assert [r["status"] for r in client_as(org.supervisor)(document)] == ["created"]

    out = tmp_path / "export"
    engine = app.extensions["careobs.engine"]
    exporting.export_to_directory(engine, organisation(db, org), "json", out)
    t = read_export(out)

    [audit] = t["audits"]
    assert (audit["uuid"], audit["subject_type"], audit["person_code"]) == (
        document["id"],
        "person",
        "R02",
    )
    assert (audit["band"], audit["critical_fail"], audit["status"]) == ("red", True, "submitted")
    assert audit["service_uuid"] == str(org.care_home.uuid)
    assert len(t["audit_answers"]) == len(template.items)
    assert {a["audit_uuid"] for a in t["audit_answers"]} == {document["id"]}
    [proposed] = t["audit_actions"]
    assert (proposed["uuid"], proposed["audit_uuid"]) == (proposal["id"], document["id"])
    [raised] = t["actions"]
    assert (raised["source"], raised["audit_uuid"], raised["audit_action_uuid"]) == (
        "audit",
        document["id"],
        proposal["id"],
    )
    templates_out = [c for c in t["checklists"] if c["purpose"] == "audit"]
    assert len(templates_out) == 4

    # Another organisation's export holds none of it.
    other_out = tmp_path / "other"
    exporting.export_to_directory(engine, organisation(db, other), "json", other_out)
    other_t = read_export(other_out)
    assert other_t["audits"] == other_t["audit_answers"] == other_t["audit_actions"] == []
