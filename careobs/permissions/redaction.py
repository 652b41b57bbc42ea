"""Who may remove personal data from the text of a record (careobs.redaction).

The managers of the record's service and the organisation's admins: the people who answer for
what the service keeps about the people it supports (a supervisor who wrote the record, or the
worker it is about, asks them). Only a record that is final: a submitted capture, released
feedback; compliments, concerns and actions have no drafts. A draft is its author's to edit —
they correct it on their device, and its privacy flags are worked out again when it is sent.
"""

from __future__ import annotations

from careobs.capture.records import CapturedRecord
from careobs.feedback.models import Feedback
from careobs.permissions.roles import can_manage_service

DRAFT = (
    "This is still a draft: its author corrects it before it is submitted (or released)."
    " Once it is, a manager can remove personal data from it here."
)


def is_final(record) -> bool:
    """Whether the record is past its draft: what a redaction may change."""
    if isinstance(record, Feedback):
        return record.status == "released"
    if isinstance(record, CapturedRecord):
        return record.status == "submitted"
    return True


def may_manage_redaction(user, record) -> bool:
    """Whether the user answers for the record's service (its managers; admins: all)."""
    return can_manage_service(user, record.service)


def may_redact(user, record) -> bool:
    """Whether the user may remove personal data from this record now (for links and pages)."""
    return is_final(record) and may_manage_redaction(user, record)
