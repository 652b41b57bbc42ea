"""``careobs evidence-pack``: a valid PDF for a demo service, clear errors for bad input."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from careobs.audit.models import AuditEvent
from careobs.demo import RIVERSIDE, ROSEWOOD
from tests.support.pdf import page_count, pdf_text


def test_writes_the_pdf_and_audits_it(runner, demo, period, tmp_path, db):
    out = tmp_path / "riverside.pdf"
    args = ["evidence-pack", "--service", RIVERSIDE, "--from", str(period[0])]
    result = runner.invoke(args=[*args, "--to", str(period[1]), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"Wrote {out}" in result.output
    body = out.read_bytes()
    assert body.startswith(b"%PDF-") and body.rstrip().endswith(b"%%EOF")
    assert page_count(body) >= 2
    text = pdf_text(body)
    assert "Evidence pack: Riverside Homecare" in text
    assert "E6 Consent to care and treatment" in text
    event = db.scalar(sa.select(AuditEvent).where(AuditEvent.action == "evidence_pack"))
    assert event.entity_id == str(demo[RIVERSIDE].uuid)
    assert "(cli)" in event.summary and event.actor_id is None


def test_names_the_organisation_when_there_are_several(runner, demo, data, period, tmp_path):
    data.organisation("Acme")
    out = tmp_path / "rosewood.pdf"
    base = ["evidence-pack", "--service", ROSEWOOD, "--from", str(period[0]), "--to"]
    args = [*base, str(period[1]), "--out", str(out)]
    result = runner.invoke(args=args)
    assert result.exit_code != 0
    assert "several organisations" in result.output
    result = runner.invoke(args=[*args, "--organisation", "Demo Care Group"])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize(
    ("service", "first", "last", "message"),
    [
        ("Nowhere House", "2026-01-01", "2026-06-30", "No service called 'Nowhere House'"),
        (ROSEWOOD, "2026-02-30", "2026-06-30", "'2026-02-30' is not a date"),
        (ROSEWOOD, "2026-06-30", "2026-01-01", "on or after the start date"),
        (ROSEWOOD, "2020-01-01", "2026-06-30", "at most three years"),
    ],
)
def test_fails_clearly_on_bad_input(runner, demo, tmp_path, db, service, first, last, message):
    out = tmp_path / "pack.pdf"
    args = ["evidence-pack", "--service", service, "--from", first, "--to", last]
    result = runner.invoke(args=[*args, "--out", str(out)])
    assert result.exit_code != 0
    assert message in result.output
    assert not out.exists()
    assert db.scalar(sa.select(AuditEvent).where(AuditEvent.action == "evidence_pack")) is None


def test_is_listed_in_the_help(runner):
    from careobs.cli import main

    assert "careobs evidence-pack --service NAME" in runner.invoke(main, ["--help"]).output
    assert "evidence-pack" in runner.invoke(args=["--help"]).output
