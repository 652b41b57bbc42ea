"""The checklist editor in one line each: its pages, versions, their shape and audit events."""

from __future__ import annotations

import html
import io

import sqlalchemy as sa

from careobs.audit.models import AuditEvent
from careobs.checklists.models import Checklist, ChecklistDomain, ChecklistVersion

BASE = "/admin/checklists"


def version(db, checklist: Checklist, number: int) -> ChecklistVersion:
    db.expire_all()
    return db.scalar(
        sa.select(ChecklistVersion).where(
            ChecklistVersion.checklist_id == checklist.id, ChecklistVersion.number == number
        )
    )


def shape(v: ChecklistVersion) -> list:
    """A version's content, comparable across versions."""
    return [
        (
            d.position,
            d.key,
            d.name,
            [(i.position, i.key, i.text, i.guidance, i.critical) for i in d.items],
        )
        for d in v.domains
    ]


def texts(domain: ChecklistDomain) -> list[str]:
    return [i.text for i in domain.items]


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def start(client, checklist) -> None:
    response = client.post(f"{BASE}/{checklist.uuid}/draft")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert response.headers["Location"].endswith(f"{BASE}/{checklist.uuid}#draft")


def events(db, action: str) -> list[AuditEvent]:
    db.expire_all()
    return list(db.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def upload(client, content: bytes | str, filename: str = "checklist.json"):
    if isinstance(content, str):
        content = content.encode()
    return client.post(
        f"{BASE}/import",
        data={"file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )
