"""The audit log is append-only: the ORM refuses to change or delete an event."""

import pytest
import sqlalchemy as sa

from careobs.audit.models import AuditEvent, AuditLogIsAppendOnly


def test_audit_events_cannot_be_changed_or_deleted(data, db):
    data.organisation()
    event = db.scalars(sa.select(AuditEvent)).first()
    assert event is not None

    event.summary = "rewritten history"
    with pytest.raises(AuditLogIsAppendOnly):
        db.flush()
    db.rollback()

    event = db.scalars(sa.select(AuditEvent)).first()
    db.delete(event)
    with pytest.raises(AuditLogIsAppendOnly):
        db.flush()
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) > 0
