"""Writing to the audit log: every create, change, release, export and login passes through here."""

from __future__ import annotations

from flask import has_request_context, request
from sqlalchemy.orm import Session

from careobs.audit.models import AuditEvent


def client_ip() -> str | None:
    """The address of the client of the current request, if there is one."""
    return request.remote_addr if has_request_context() else None


def record(
    session: Session,
    action: str,
    *,
    organisation_id: int | None,
    actor=None,
    entity=None,
    summary: str = "",
) -> AuditEvent:
    """Add one audit event to the session (the caller commits with the change it describes)."""
    entity_type = entity_id = None
    if entity is not None:
        entity_type = type(entity).__name__
        entity_id = str(getattr(entity, "uuid", None) or getattr(entity, "id", ""))
    event = AuditEvent(
        organisation_id=organisation_id,
        actor_id=getattr(actor, "id", None),
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        summary=summary[:300],
        ip=client_ip(),
    )
    session.add(event)
    return event
