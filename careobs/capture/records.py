"""What every kind of captured record shares: its common columns and what follows its writing.

A captured record (a QUIS session, a monitoring visit) is a document written offline on a
device: the sync stores it under the device's id, keeps its revision and content hash to tell a
newer version from a repeat, and a draft becomes submitted once, after which subscribers react.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from careobs.audit.service import record as audit
from careobs.capture import events


def after_writing(
    db: Session,
    user,
    written,
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
