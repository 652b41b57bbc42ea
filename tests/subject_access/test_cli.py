"""``careobs subject-access``: the complete copy written to a file only its owner can read,
audited as done from the command line; clear errors for a wrong address, id or file."""

from __future__ import annotations

import stat

import sqlalchemy as sa

from careobs.audit.models import AuditEvent
from careobs.subject_access.service import AUDIT_ACTION
from tests.subject_access.archive_reader import read
from tests.subject_access.records import EXPECTED


def test_writes_the_complete_copy_for_a_login(runner, db, hal, records, tmp_path):
    out = tmp_path / "hal.zip"
    result = runner.invoke(args=["subject-access", "--email", "HAL@acme.test", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"Wrote {out}" in result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    copy = read(out.read_bytes())
    assert len(copy.csv["feedback"]) == EXPECTED["feedback"][0]
    event = db.scalar(sa.select(AuditEvent).where(AuditEvent.action == AUDIT_ACTION))
    assert event.actor_id is None and event.entity_id == str(hal.uuid)
    assert "the command line" in event.summary


def test_a_staff_record_without_a_login(runner, org, tmp_path):
    member = org.staff_members["Carla Carer"]
    out = tmp_path / "carla.zip"
    result = runner.invoke(args=["subject-access", "--staff", str(member.uuid), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert read(out.read_bytes()).ids("staff_record") == {str(member.uuid)}


def test_refuses_what_it_cannot_do(runner, db, org, tmp_path):
    existing = tmp_path / "there.zip"
    existing.write_bytes(b"keep me")
    cases = {
        ("--email", "nobody@acme.test"): "No user has that email address",
        ("--staff", "not-a-uuid"): "not a staff record's id",
        ("--staff", "00000000-0000-0000-0000-000000000000"): "No staff record has that id",
        (): "Give either --email",
        ("--email", "staff@acme.test", "--staff", str(org.staff_members["Carla Carer"].uuid)): (
            "Give either --email"
        ),
    }
    for options, message in cases.items():
        result = runner.invoke(args=["subject-access", *options, "--out", str(tmp_path / "x.zip")])
        assert result.exit_code != 0 and message in result.output, (options, result.output)
    result = runner.invoke(
        args=["subject-access", "--email", "staff@acme.test", "--out", str(existing)]
    )
    assert result.exit_code != 0 and "--force" in result.output
    assert existing.read_bytes() == b"keep me"
    assert not (tmp_path / "x.zip").exists()
    assert db.scalar(sa.select(AuditEvent).where(AuditEvent.action == AUDIT_ACTION)) is None
    forced = runner.invoke(
        args=["subject-access", "--email", "staff@acme.test", "--out", str(existing), "--force"]
    )
    assert forced.exit_code == 0 and existing.read_bytes()[:2] == b"PK"
