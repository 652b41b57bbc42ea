"""``careobs export``: formats, where it may write, which organisation, and the audit log."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from careobs.audit.models import AuditEvent
from careobs.export.tables import RECORD_TYPES
from tests.support.export import read_export


def export_events(db) -> list[AuditEvent]:
    db.expire_all()
    return list(db.scalars(sa.select(AuditEvent).where(AuditEvent.action == "export")))


@pytest.mark.parametrize(("fmt", "suffix"), [("csv", ".csv"), ("json", ".jsonl")])
def test_export_writes_one_file_per_record_type_and_a_manifest(
    runner, db, scene, tmp_path, fmt, suffix
):
    out = tmp_path / "new" / "dir"
    args = ["export", "--format", fmt, "--out", str(out), "--organisation", "Acme Care"]
    result = runner.invoke(args=args)

    assert result.exit_code == 0, result.output
    assert "Exported Acme Care" in result.output
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(["manifest.json", *(t.name + suffix for t in RECORD_TYPES)])
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["format"] == fmt
    assert manifest["organisation"]["name"] == "Acme Care"
    tables = read_export(out)  # checks each file's row count against the manifest
    assert len(tables["quis_interactions"]) == 3

    [event] = export_events(db)
    assert event.organisation_id == scene.acme.org.id
    assert event.entity_type == "Organisation" and event.entity_id == str(scene.acme.org.uuid)
    assert event.actor_id is None  # the command line has no logged-in user
    assert event.summary.startswith(f"{fmt.upper()}, ")
    assert "interactions 3" in event.summary


def test_the_only_organisation_is_the_default(runner, data, tmp_path):
    data.organisation()
    result = runner.invoke(args=["export", "--format", "csv", "--out", str(tmp_path / "x")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "x" / "people.csv").read_text().count("\n") == 5  # header and 4 codes


def test_several_organisations_need_one_named(runner, db, scene, tmp_path):
    out = tmp_path / "x"
    result = runner.invoke(args=["export", "--format", "csv", "--out", str(out)])
    assert result.exit_code != 0
    assert "several organisations" in result.output and "--organisation" in result.output
    assert not out.exists()
    unknown = runner.invoke(
        args=["export", "--format", "csv", "--out", str(out), "--organisation", "Nobody"]
    )
    assert unknown.exit_code != 0 and "No organisation called 'Nobody'" in unknown.output
    assert export_events(db) == []


def test_a_non_empty_directory_is_refused_unless_forced(runner, db, data, tmp_path):
    data.organisation()
    out = tmp_path / "busy"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")

    refused = runner.invoke(args=["export", "--format", "json", "--out", str(out)])
    assert refused.exit_code != 0
    assert "is not empty" in refused.output and "--force" in refused.output
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]
    assert export_events(db) == []

    forced = runner.invoke(args=["export", "--format", "json", "--out", str(out), "--force"])
    assert forced.exit_code == 0, forced.output
    assert (out / "notes.txt").read_text() == "keep me"
    assert (out / "manifest.json").exists() and (out / "services.jsonl").exists()
    assert len(export_events(db)) == 1


def test_an_empty_existing_directory_is_used(runner, data, tmp_path):
    data.organisation()
    result = runner.invoke(args=["export", "--format", "csv", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output


def test_format_is_required_and_checked(runner, data, tmp_path):
    data.organisation()
    missing = runner.invoke(args=["export", "--out", str(tmp_path / "x")])
    assert missing.exit_code != 0 and "--format" in missing.output
    wrong = runner.invoke(args=["export", "--format", "xml", "--out", str(tmp_path / "x")])
    assert wrong.exit_code != 0 and "xml" in wrong.output


def test_help_lists_the_export_command(runner):
    from careobs.cli import main

    assert "careobs export --format csv|json --out DIR" in runner.invoke(main, ["--help"]).output
    export_help = runner.invoke(args=["export", "--help"]).output
    assert "--organisation" in export_help and "--force" in export_help
