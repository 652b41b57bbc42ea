"""What the export holds: every record type of one organisation, with public ids only, people as
codes, no secrets, and nothing of any other organisation."""

from __future__ import annotations

import json
import re

import pytest

from careobs.export import service as exporting
from careobs.export.tables import RECORD_TYPES
from careobs.org.models import Service
from tests.support.export import OTHER_NOTES, organisation, read_export

ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$")


def export(app, db, org_data, tmp_path, fmt="json"):
    out = tmp_path / f"export-{fmt}"
    engine = app.extensions["careobs.engine"]
    manifest = exporting.export_to_directory(engine, organisation(db, org_data), fmt, out)
    return manifest, read_export(out), out


def by(rows, key, value):
    return [r for r in rows if r[key] == value]


def test_each_record_type_holds_the_organisations_rows(app, db, scene, tmp_path):
    acme = scene.acme
    _manifest, t, _out = export(app, db, acme, tmp_path)

    assert {r["name"] for r in t["services"]} == {"Acme Care House", "Acme Care Homecare"}
    assert {r["name"] for r in t["areas"]} == {"Lounge", "Dining room"}
    assert sorted(r["code"] for r in t["people"]) == ["H01", "H02", "R01", "R02"]
    assert by(t["people"], "code", "R01")[0]["initials"] == "AB"
    assert by(t["people"], "code", "H01")[0]["consent"] == "yes"
    assert {r["name"] for r in t["staff"]} == {"Carla Carer", "Hal Homecare"}
    assert len(t["users"]) == 5
    assert {(r["user_uuid"], r["service_uuid"], r["role"]) for r in t["memberships"]} == {
        (str(acme.manager.uuid), str(acme.care_home.uuid), "manager"),
        (str(acme.supervisor.uuid), str(acme.care_home.uuid), "supervisor"),
        (str(acme.supervisor.uuid), str(acme.homecare.uuid), "supervisor"),
        (str(acme.staff.uuid), str(acme.care_home.uuid), "staff"),
    }

    [session] = t["quis_sessions"]
    assert session["uuid"] == scene.quis["id"]
    assert session["service_uuid"] == str(acme.care_home.uuid)
    assert session["area_uuid"] == str(acme.areas["Lounge"].uuid)
    assert session["observer_uuid"] == str(acme.supervisor.uuid)
    assert session["people_codes"] == ["R01", "R02"]
    assert (session["n_ps"], session["n_pc"], session["n_nr"]) == (1, 1, 1)
    assert session["status"] == "submitted"
    assert (session["pair_uuid"], session["pair_role"]) == (None, None)  # observed alone
    interactions = t["quis_interactions"]
    sent = scene.quis["data"]["interactions"]
    assert [i["uuid"] for i in interactions] == [i["id"] for i in sent]
    assert {i["session_uuid"] for i in interactions} == {scene.quis["id"]}
    assert interactions[1]["people_codes"] == ["R01", "R02"]
    assert interactions[0]["staff_uuid"] == str(acme.staff_members["Carla Carer"].uuid)
    assert interactions[2]["staff_uuid"] is None
    [quis_addendum] = t["quis_addenda"]
    assert quis_addendum["session_uuid"] == scene.quis["id"]
    assert quis_addendum["reason"] == "Late entry"

    [visit] = t["visits"]
    assert visit["uuid"] == scene.visit["id"]
    assert visit["person_code"] == "H01"
    assert visit["staff_uuid"] == str(acme.staff_members["Hal Homecare"].uuid)
    assert visit["n_not_met"] == 1 and visit["band"] and visit["score"] is not None
    assert len(t["visit_answers"]) == len(scene.visit["data"]["answers"])
    item_uuids = {i["uuid"] for i in t["checklist_items"]}
    assert {a["item_uuid"] for a in t["visit_answers"]} <= item_uuids
    [visit_action] = t["visit_actions"]
    assert visit_action["uuid"] == scene.visit["data"]["actions"][0]["id"]
    assert visit_action["owner_staff_uuid"] == str(acme.staff_members["Hal Homecare"].uuid)
    assert visit_action["due_on"] == "2026-12-31"
    assert [a["visit_uuid"] for a in t["visit_addenda"]] == [scene.visit["id"]]
    # Submitting the visit turned its agreed action into an improvement action.
    [action] = t["actions"]
    assert (action["visit_uuid"], action["visit_action_uuid"]) == (
        scene.visit["id"],
        visit_action["uuid"],
    )
    assert (action["source"], action["status"], action["due_on"]) == ("visit", "open", "2026-12-31")
    assert t["action_notes"] == [] and t["rechecks"] == [] and t["selection_draws"] == []

    released = [f for f in t["feedback"] if f["quis_session_uuid"] == scene.quis["id"]]
    assert [(f["status"], f["went_well"]) for f in released] == [("released", "A kind lunch.")]
    assert ISO_WITH_OFFSET.match(released[0]["released_at"])

    [checklist] = t["checklists"]
    assert [v["checklist_uuid"] for v in t["checklist_versions"]] == [checklist["uuid"]]
    assert len(t["checklist_domains"]) >= 1 and len(t["checklist_items"]) >= 1
    # A visit checklist's items: no easy-read wording (issue 16), exported as such.
    assert {i["easy_read_text"] for i in t["checklist_items"]} == {""}

    [settings] = t["organisation_settings"]
    assert settings["organisation_uuid"] == str(acme.org.uuid)
    assert (settings["green_from"], settings["amber_from"]) == (90, 75)
    actions = {e["action"] for e in t["audit_events"]}
    assert {"quis_addendum_added", "visit_addendum_added"} <= actions


def test_timestamps_carry_their_utc_offset_and_ids_are_public(app, db, scene, tmp_path):
    _manifest, t, _out = export(app, db, scene.acme, tmp_path)
    assert ISO_WITH_OFFSET.match(t["quis_sessions"][0]["started_at"])
    assert ISO_WITH_OFFSET.match(t["audit_events"][0]["at"])
    assert t["staff"][0]["start_date"] == "2025-01-06"
    for record_type in RECORD_TYPES:
        columns = set(record_type.columns()) - {"entity_id"}  # the audit log's own record id
        assert "id" not in columns and not [c for c in columns if c.endswith("_id")], columns
    assert all(
        not e["entity_id"] or re.fullmatch(r"[0-9a-f-]{32,36}", e["entity_id"])
        for e in t["audit_events"]
    )


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_no_password_hash_or_token_anywhere(app, db, scene, tmp_path, fmt):
    _manifest, t, out = export(app, db, scene.acme, tmp_path, fmt)
    secret_words = ("password", "token", "hash", "secret")
    for name, rows in t.items():
        for column in rows[0] if rows else []:
            assert not any(word in column for word in secret_words), (name, column)
    text = "".join(p.read_text(encoding="utf-8") for p in out.iterdir())
    for user in (scene.acme.admin, scene.acme.supervisor, scene.acme.staff):
        db.refresh(user)
        assert user.password_hash and user.password_hash not in text
        assert user.session_token not in text
    assert "pbkdf2:" not in text and "scrypt:" not in text


def test_people_supported_appear_only_as_code_initials_service_and_consent(
    app, db, scene, tmp_path
):
    _manifest, t, out = export(app, db, scene.acme, tmp_path, "csv")
    assert list(t["people"][0]) == [
        "code",
        "initials",
        "service_uuid",
        "active",
        "consent",
        "consent_on",
        "consent_given_by",
    ]
    person_uuids = [str(p.uuid) for p in scene.acme.people.values()]
    text = "".join(p.read_text(encoding="utf-8") for p in out.iterdir())
    assert not [u for u in person_uuids if u in text]


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_another_organisations_records_never_appear(app, db, scene, tmp_path, fmt):
    _manifest, _t, out = export(app, db, scene.acme, tmp_path, fmt)
    text = "".join(p.read_text(encoding="utf-8") for p in out.iterdir())
    other = scene.other
    leaks = [
        OTHER_NOTES,
        "Other Org",
        scene.other_quis["id"],
        str(other.org.uuid),
        str(other.care_home.uuid),
        str(other.staff_members["Carla Carer"].uuid),
        *(u.email for u in (other.admin, other.manager, other.supervisor, other.staff)),
        *(str(u.uuid) for u in (other.admin, other.manager, other.supervisor, other.staff)),
    ]
    assert [leak for leak in leaks if leak in text] == []

    _manifest, t_other, _out = export(app, db, other, tmp_path / "other", fmt)
    assert [s["uuid"] for s in t_other["quis_sessions"]] == [scene.other_quis["id"]]
    assert len(t_other["quis_interactions"]) == 1
    assert t_other["visits"] == [] and t_other["checklists"] == []


def test_csv_and_json_hold_the_same_rows(app, db, scene, tmp_path):
    manifest_csv, t_csv, _ = export(app, db, scene.acme, tmp_path, "csv")
    manifest_json, t_json, out = export(app, db, scene.acme, tmp_path, "json")
    counts = {f["record_type"]: f["rows"] for f in manifest_csv.files}
    assert counts == {f["record_type"]: f["rows"] for f in manifest_json.files}
    assert list(counts) == [t.name for t in RECORD_TYPES]
    for name, rows in t_json.items():
        assert [list(r) for r in rows] == [list(r) for r in t_csv[name]], name
        assert [r.get("uuid") for r in rows] == [r.get("uuid") for r in t_csv[name]], name
    assert t_csv["quis_sessions"][0]["people_codes"] == json.dumps(["R01", "R02"])
    assert t_csv["people"][0]["active"] == "true"
    assert t_csv["quis_interactions"][2]["staff_uuid"] == ""
    on_disk = json.loads((out / "manifest.json").read_text())
    assert on_disk["organisation"] == {"uuid": str(scene.acme.org.uuid), "name": "Acme Care"}
    assert on_disk["format"] == "json"
    assert ISO_WITH_OFFSET.match(on_disk["generated_at"])
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["manifest.json", *(f"{t.name}.jsonl" for t in RECORD_TYPES)]
    )


def test_the_audit_summary_fits_the_log(app, db, scene, tmp_path):
    manifest, _t, _out = export(app, db, scene.acme, tmp_path)
    assert manifest.summary().startswith("JSON, ")
    assert "interactions 3, QUIS addenda 1, visits 1, answers 29, actions 1" in manifest.summary()
    for entry in manifest.files:
        entry["rows"] = 1_234_567  # as large as a large provider's counts get
    summary = manifest.summary()
    assert len(summary) <= 300
    total = len(manifest.files) * 1_234_567
    assert summary.startswith(f"JSON, {total} rows: settings 1234567, services")
    assert summary.endswith(" …")


def test_every_file_reads_the_same_snapshot(app, db, data):
    """Rows written while an export runs (a device syncing) are in none of its files, so the
    files always agree with each other."""
    acme = data.organisation()
    services = next(t for t in RECORD_TYPES if t.name == "services")
    with exporting.snapshot(app.extensions["careobs.engine"]) as conn:
        before = list(exporting.stream_rows(conn, services, acme.org.id))
        db.add(Service(organisation_id=acme.org.id, name="Opened meanwhile", kind="homecare"))
        db.commit()
        during = list(exporting.stream_rows(conn, services, acme.org.id))
    assert len(before) == len(during) == 2


def test_a_paired_session_names_its_pair_and_part(app, db, scene, tmp_path):
    """Who sums the export's sessions can count a paired observation once (the lead's row)."""
    from tests.support.calibration import make_pair, session_by_doc

    pair = make_pair(db, session_by_doc(db, scene.quis), None)

    _manifest, t, _out = export(app, db, scene.acme, tmp_path)

    [session] = t["quis_sessions"]
    assert (session["pair_uuid"], session["pair_role"]) == (str(pair.uuid), "lead")
