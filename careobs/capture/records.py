"""What every kind of captured record shares: its common columns and what follows its writing.

A captured record (a QUIS session, a monitoring visit) is a document written offline on a
device: the sync stores it under the device's id, keeps its revision and content hash to tell a
newer version from a repeat, and a draft becomes submitted once, after which subscribers react.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, declared_attr, mapped_column, relationship

from careobs.audit.service import record as audit
from careobs.capture import events
from careobs.db import UTCDateTime, utcnow

if TYPE_CHECKING:
    from careobs.org.models import Service


class CapturedRecord:
    """The columns the sync's revision rules and the record pages read on every kind
    (see :class:`careobs.capture.kinds.DocumentKind`); each kind adds its author's column,
    its own fields and its stored aggregates."""

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[uuid.UUID] = mapped_column(sa.Uuid, unique=True)  # made by the device
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    service_id: Mapped[int] = mapped_column(sa.ForeignKey("services.id"))
    status: Mapped[str] = mapped_column(sa.String(12))  # draft or submitted
    revision: Mapped[int]
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    went_well: Mapped[str] = mapped_column(sa.Text, default="")
    to_develop: Mapped[str] = mapped_column(sa.Text, default="")
    privacy_flags: Mapped[list] = mapped_column(sa.JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @declared_attr
    def service(cls) -> Mapped[Service]:
        return relationship()


def after_writing(
    db: Session,
    user,
    written: CapturedRecord,
    clean,
    *,
    kind: str,
    audit_prefix: str,
    summary: str,
    previous_status: str | None,
) -> None:
    """Log a stored document in the audit trail and, when it is submitted, send
    ``record_submitted`` so its subscribers (feedback, actions, alerts) act in the same
    transaction.

    ``previous_status`` is the stored status before this write (None: a new document). The
    audit action is ``<audit_prefix>_submitted`` the first time the document arrives submitted,
    otherwise ``_saved`` for a new document and ``_updated`` for a new revision.
    """
    submitted = clean.status == "submitted"
    if submitted and previous_status != "submitted":
        action = "submitted"
    else:
        action = "saved" if previous_status is None else "updated"
    audit(
        db,
        f"{audit_prefix}_{action}",
        organisation_id=user.organisation_id,
        actor=user,
        entity=written,
        summary=summary,
    )
    if submitted:
        events.submitted(kind, db, user, written, clean)
