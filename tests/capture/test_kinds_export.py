"""The export writes the files each registered kind carries, and imports no kind to find them."""

from __future__ import annotations

import sqlalchemy as sa

from careobs.capture import kinds
from careobs.export import service as exporting
from careobs.export.records import RecordType
from careobs.org.models import Service
from tests.capture.test_layers import MODULES, import_graph
from tests.support.export import organisation, read_export


def _services_again(org_id: int) -> sa.Select:
    return (
        sa.select(Service.uuid.label("service_uuid"), Service.name)
        .where(Service.organisation_id == org_id)
        .order_by(Service.id)
    )


# A kind that exists only in this test; its one file lists the organisation's services again.
FAKE_TABLE = RecordType("fake_records", "fakes", _services_again)
FAKE_KIND = kinds.DocumentKind("fake_kind", Service, len, len, len, export_tables=(FAKE_TABLE,))


def test_quis_visits_and_audits_bring_their_files_through_the_registry(app):
    captured = [t.name for kind in kinds.registered().values() for t in kind.export_tables]
    assert captured == [
        "quis_sessions",
        "quis_interactions",
        "quis_addenda",
        "visits",
        "visit_answers",
        "visit_actions",
        "visit_addenda",
        "audits",
        "audit_answers",
        "audit_actions",
        "audit_addenda",
        "conversations",
        "conversation_answers",
        "conversation_actions",
        "self_assessments",
        "self_assessment_statements",
    ]


def test_a_registered_kinds_files_are_exported_after_the_kinds_before_it(
    app, db, data, tmp_path, monkeypatch
):
    monkeypatch.setattr(kinds, "_KINDS", dict(kinds._KINDS))  # forgotten after this test
    kinds.register(FAKE_KIND)
    acme = data.organisation()
    out = tmp_path / "export"

    manifest = exporting.export_to_directory(
        app.extensions["careobs.engine"], organisation(db, acme), "csv", out
    )

    names = [entry["record_type"] for entry in manifest.files]
    # After the last registered kind's files (self-assessments'), before what followed them.
    after = names.index("self_assessment_statements") + 1
    assert names[after : names.index("feedback")] == ["fake_records"]
    # The summary line names the first files only (it grew past the fakes with conversations).
    assert {e["record_type"]: e["rows"] for e in manifest.files}["fake_records"] == 2
    rows = read_export(out)["fake_records"]
    assert rows == [
        {"service_uuid": str(s.uuid), "name": s.name} for s in (acme.care_home, acme.homecare)
    ]


def test_the_export_imports_no_kinds_files():
    """Feedback and actions name the sessions and visits they came from (their models), but
    the kinds' own files reach the export only through the registry."""
    graph = import_graph()
    exporting_modules = [m for m in MODULES if m.startswith("careobs.export")]
    kind_modules = {
        target
        for module in exporting_modules
        for target in graph[module]
        if target.startswith(("careobs.quis", "careobs.visits"))
    }
    assert kind_modules == {"careobs.quis.models", "careobs.visits.models"}
