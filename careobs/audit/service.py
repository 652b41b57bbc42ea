"""Writing to the audit log: every create, change, release, export and login passes through here."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import has_request_context, request
from sqlalchemy.orm import Session

from careobs.audit.chaining import write
from careobs.audit.models import AuditEvent
from careobs.db import utcnow
from careobs.deferral import collecting

_DEFERRED_EVENTS = "careobs.deferred_audit_events"


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
) -> AuditEvent | None:
    """Add one audit event to the session (the caller commits with the change it describes).

    The event is written at the end of the next flush (careobs.audit.chaining) and returned,
    not attached to the session once written (nothing reads it back); inside
    ``events_deferred`` it is written when the block ends and None is returned (a sync batch
    records an event per document, and building an ORM object for each that nobody reads was
    3 % of the sync's profile, bench/sync_ingest.py).
    """
    entity_type = entity_id = None
    if entity is not None:
        entity_type = type(entity).__name__
        entity_id = str(getattr(entity, "uuid", None) or getattr(entity, "id", ""))
    values = {
        "organisation_id": organisation_id,
        "actor_id": getattr(actor, "id", None),
        "action": action,
        "entity_type": entity_type,
        "entity_id": entity_id,
        "summary": summary[:300],
        "ip": client_ip(),
        # Set here, not by the column's default, so the hash covers the time that is stored.
        "at": utcnow(),
    }
    pending = session.info.get(_DEFERRED_EVENTS)
    if pending is not None:
        pending.append(values)
        return None
    event = AuditEvent(**values)
    session.add(event)
    return event


def record_about(
    session: Session, action: str, entity, *, actor=None, summary: str = ""
) -> AuditEvent | None:
    """:func:`record` an action on one record, in the record's own organisation (a record of
    one organisation is never audited in another's log)."""
    return record(
        session,
        action,
        organisation_id=entity.organisation_id,
        actor=actor,
        entity=entity,
        summary=summary,
    )


@contextmanager
def events_deferred(session: Session) -> Iterator[None]:
    """Write the block's audit events together, with one INSERT, when it ends (chained after
    the head, as the ORM path chains its events: careobs.audit.chaining).

    For a sync batch of up to a hundred documents: the unit of work inserts each event on its
    own (to read back its id), which bench/sync_ingest.py measured as a large part of a batch.
    When the block raises, nothing is written (the caller rolls the batch back). A block
    nested in another adds its events to the outer one's, unless it raises: then they are
    dropped, as its writes are (a sync document rolled back to its savepoint).
    """
    with collecting(session.info, _DEFERRED_EVENTS) as pending:
        yield
    if pending:
        write(session.connection(), pending)
