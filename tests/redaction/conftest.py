"""Redaction tests: a submitted monitoring visit full of personal data (``visit``), as its
supervisor sent it, with a quarantined later copy; managers of Acme Homecare (``homecare_manager``)
and admins may remove it. Shared fixtures from tests/support/fixtures.py."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from careobs.audit.models import AuditEvent
from careobs.redaction.fields import places
from careobs.sync.models import QuarantinedDocument
from careobs.visits.models import MonitoringVisit
from tests.support import fixtures
from tests.support.sync import revise
from tests.support.visits import action
from tests.support.web import Auth

checklist = fixtures.checklist
org = fixtures.org
visit_doc = fixtures.visit_doc
homecare_manager = fixtures.homecare_manager

# Personal data as it slips into notes: phone numbers (each text its own, to tell them apart).
SPANS = {
    "person_comment": "07700 900101",
    "went_well": "07700 900102",
    "to_develop": "07700 900103",
    "answer": "07700 900104",
    "proposed_action": "07700 900105",
}


@dataclass
class Visit:
    document: dict
    record: MonitoringVisit


@pytest.fixture
def visit(app, db, org, visit_doc, client_as) -> Visit:
    """A submitted visit whose every text holds a phone number, and a later copy of it (a new
    revision from the same device) kept in the quarantine with the same words."""
    document = visit_doc(
        person_view={"satisfaction": 4, "comment": f"Ring her son on {SPANS['person_comment']}."},
        went_well=f"Kind and calm. Left {SPANS['went_well']} on the fridge.",
        to_develop=f"Do not share {SPANS['to_develop']} with visitors.",
        actions=[action(description=f"Update the record: {SPANS['proposed_action']}.")],
    )
    document["data"]["answers"][0]["comment"] = f"Told me {SPANS['answer']} twice."
    device = client_as(org.supervisor)
    assert [r["status"] for r in device(document)] == ["created"]
    later = revise(document, 2, to_develop=document["data"]["to_develop"] + " Also more.")
    assert [r["status"] for r in device(later)] == ["conflict"]
    record = db.scalar(sa.select(MonitoringVisit))
    return Visit(document, record)


def refs(app, db, record) -> dict[str, str]:
    """The form's name for each listed text of ``record``, by field key (the first of each)."""
    db.expire_all()
    with app.app_context():
        found = {}
        for p in places(db.merge(record), listed_only=True):
            found.setdefault(p.field.key, p.ref)
        return found


def url(kind: str, record) -> str:
    return f"/redact/{kind}/{record.uuid}"


def form(place: str, words: str | None = None, reason: str = "contact", **extra) -> dict:
    fields = {"place": place, "reason": reason, "confirm": "y"}
    fields.update({"what": "words", "words": words} if words is not None else {"what": "all"})
    fields.update(extra)
    return fields


def audit_summaries(db, action: str = "text_redacted") -> list[str]:
    db.expire_all()
    return list(db.scalars(sa.select(AuditEvent.summary).where(AuditEvent.action == action)))


def quarantined_text(db) -> str:
    """Every quarantined copy's data, as one text to search."""
    db.expire_all()
    return repr([q.data for q in db.scalars(sa.select(QuarantinedDocument))])


def export_text(app, admin) -> str:
    """The organisation's whole CSV export (its tables and audit log), as one text."""
    client = app.test_client()
    Auth(client).login(admin)
    response = client.post("/admin/export", data={"format": "csv"})
    assert response.status_code == 200, response.status_code
    with zipfile.ZipFile(io.BytesIO(response.get_data())) as archive:
        text = "\n".join(archive.read(n).decode("utf-8") for n in archive.namelist())
    response.close()
    return text
