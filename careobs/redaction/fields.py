"""The one table of the free text careobs keeps in submitted records that may hold personal data:
for each kind of record, its text fields, how to read and write them, where each sits in the
document a device sent (so a quarantined or late copy can be kept in step), and which of its
texts hold words copied to or from the other records of its group (feedback drafted from a
visit, actions raised from it: careobs.redaction.links says which records those are).

Not here: a repeat draw's reason (a draw holds no free text about practice; the audit log no
longer copies it, nor an addendum's reason); names of services, areas, staff and checklists,
which are set up by admins, not typed about people.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import Session, object_session

from careobs.actions.models import Action
from careobs.audits.models import Audit
from careobs.capture.addenda import Addendum
from careobs.compliments.models import Compliment
from careobs.feedback.models import Feedback
from careobs.permissions import (
    get_feedback_roles,
    get_visible_action,
    get_visible_audit,
    get_visible_compliment,
    get_visible_conversation,
    get_visible_quis_session,
    get_visible_self_assessment,
    get_visible_visit,
)
from careobs.quis.models import QuisSession
from careobs.selfassess.models import SelfAssessment
from careobs.visits.models import MonitoringVisit
from careobs.voice.models import Conversation


@dataclass(frozen=True)
class TextField:
    """One kind of free text on a record: on the record itself (``rows`` None) or on each of
    its rows (an interaction's note, an answer's comment).

    ``document`` is where the text sits in the record's document: ``("went_well",)`` for a
    field of the data, ``("interactions", "id", "note")`` for a field of the list item whose
    ``id`` equals ``match(row)``. ``flagged`` texts are what the record's privacy flags are
    worked out from (as when it was stored); a field not ``listed`` is kept in step with the
    document but redacted on its own record's page (QUIS feedback drafts: the feedback).
    """

    key: str
    label: str
    attr: str
    rows: Callable[[object], Iterable] | None = None
    row_label: Callable[[object, int], str] | None = None
    document: tuple = ()
    match: Callable[[object], str] | None = None
    flagged: bool = True
    listed: bool = True


@dataclass(frozen=True)
class Place:
    """One text of one record: ``ref`` names it in the page's form."""

    ref: str
    label: str
    holder: object
    field: TextField

    @property
    def text(self) -> str:
        return getattr(self.holder, self.field.attr) or ""


@dataclass(frozen=True)
class RecordKind:
    """A kind of record whose text may be redacted: ``slug`` in its URL, ``find`` the record
    if the user may read it, ``copies`` the keys of its texts that hold words copied to or
    from the other records of its group (careobs.redaction.links): a redaction anywhere in
    the group reaches those texts of this record, and only those."""

    slug: str
    label: str
    model: type
    find: Callable[[Session, object, uuid.UUID], object | None]
    fields: tuple[TextField, ...]
    page: tuple[str, str]  # the record's own page: (endpoint, its id argument)
    copies: frozenset[str] = frozenset()
    document_kind: str | None = None  # the sync's kind: its quarantined copies are redacted

    def page_url(self, record) -> str:
        endpoint, argument = self.page
        return url_for(endpoint, **{argument: record.uuid})


def _numbered(word: str) -> Callable[[object, int], str]:
    return lambda row, n: f"{word} {n}"


# The addenda of each kind that takes them (careobs.capture.addenda): the column naming it.
_ADDENDUM_COLUMN = {
    QuisSession: Addendum.quis_session_id,
    MonitoringVisit: Addendum.visit_id,
    Audit: Addendum.audit_id,
}


def _addenda(record) -> list:
    column = _ADDENDUM_COLUMN[type(record)]
    stmt = sa.select(Addendum).where(column == record.id).order_by(Addendum.created_at, Addendum.id)
    return list(object_session(record).scalars(stmt))


def _quis_feedback(session: QuisSession) -> list:
    stmt = sa.select(Feedback).where(Feedback.quis_session_id == session.id).order_by(Feedback.id)
    return list(object_session(session).scalars(stmt))


ADDENDA = TextField("addendum", "Addendum", "text", _addenda, _numbered("Addendum"), flagged=False)
ADDENDUM_REASONS = TextField(
    "addendum_reason",
    "Addendum reason",
    "reason",
    _addenda,
    _numbered("Reason for addendum"),
    flagged=False,
)


def _answer_label(row, n: int) -> str:
    return f"Comment on “{row.item.text}”"


def _answers_with_comments(record) -> list:
    return sorted(record.answers, key=lambda a: a.id)


def _action_rows(record) -> list:
    return list(record.actions)


def _find_feedback(db: Session, user, feedback_id: uuid.UUID):
    return get_feedback_roles(db, user, feedback_id)[0]


def _uuid_text(row) -> str:
    return str(row.uuid)


def _item_uuid(row) -> str:
    return str(row.item.uuid)


WENT_WELL = TextField("went_well", "What went well", "went_well", document=("went_well",))
TO_DEVELOP = TextField("to_develop", "To develop", "to_develop", document=("to_develop",))
ANSWER_COMMENTS = TextField(
    "answer",
    "Comment on an item",
    "comment",
    _answers_with_comments,
    _answer_label,
    ("answers", "item_id", "comment"),
    _item_uuid,
)
PROPOSED_ACTIONS = TextField(
    "proposed_action",
    "Agreed action",
    "description",
    _action_rows,
    _numbered("Agreed action"),
    ("actions", "id", "description"),
    _uuid_text,
)

KINDS: dict[str, RecordKind] = {
    kind.slug: kind
    for kind in (
        RecordKind(
            "quis",
            "QUIS observation",
            QuisSession,
            get_visible_quis_session,
            (
                TextField("notes", "Session notes", "notes", document=("notes",)),
                WENT_WELL,
                TO_DEVELOP,
                TextField(
                    "interaction",
                    "Note on an interaction",
                    "note",
                    lambda s: list(s.interactions),
                    lambda row, n: f"Note on interaction {n} ({row.category})",
                    ("interactions", "id", "note"),
                    _uuid_text,
                ),
                # The feedback entries of the document became feedback drafts (their own
                # records, redacted on the feedback's page): kept in step with late copies.
                TextField(
                    "feedback_went_well",
                    "Feedback: what went well",
                    "went_well",
                    _quis_feedback,
                    document=("feedback", "staff_id", "went_well"),
                    match=lambda f: str(f.staff.uuid),
                    listed=False,
                ),
                TextField(
                    "feedback_to_develop",
                    "Feedback: to develop",
                    "to_develop",
                    _quis_feedback,
                    document=("feedback", "staff_id", "to_develop"),
                    match=lambda f: str(f.staff.uuid),
                    listed=False,
                ),
                ADDENDA,
                ADDENDUM_REASONS,
            ),
            ("quis.detail", "session_id"),
            copies=frozenset({"went_well", "to_develop", "interaction"}),
            document_kind="quis_session",
        ),
        RecordKind(
            "visit",
            "monitoring visit",
            MonitoringVisit,
            get_visible_visit,
            (
                TextField(
                    "person_comment",
                    "The person's view",
                    "person_comment",
                    document=("person_view", "comment"),
                ),
                WENT_WELL,
                TO_DEVELOP,
                ANSWER_COMMENTS,
                PROPOSED_ACTIONS,
                ADDENDA,
                ADDENDUM_REASONS,
            ),
            ("visits.detail", "visit_id"),
            copies=frozenset({"went_well", "to_develop", "answer", "proposed_action"}),
            document_kind="spot_check",
        ),
        RecordKind(
            "audit",
            "audit",
            Audit,
            get_visible_audit,
            (WENT_WELL, TO_DEVELOP, ANSWER_COMMENTS, PROPOSED_ACTIONS, ADDENDA, ADDENDUM_REASONS),
            ("audits.detail", "audit_id"),
            copies=frozenset({"proposed_action"}),
            document_kind="audit",
        ),
        RecordKind(
            "conversation",
            "conversation",
            Conversation,
            get_visible_conversation,
            (
                TextField("comments", "Comments", "comments", document=("comments",)),
                TextField(
                    "answer",
                    "Comment on a question",
                    "comment",
                    lambda c: list(c.answers),
                    _numbered("Comment on question"),
                    ("answers", "question", "comment"),
                    lambda row: row.question,
                ),
                PROPOSED_ACTIONS,
            ),
            ("voice.detail", "conversation_id"),
            copies=frozenset({"proposed_action"}),
            document_kind="conversation",
        ),
        RecordKind(
            "self-assessment",
            "self-assessment",
            SelfAssessment,
            get_visible_self_assessment,
            (
                TextField(
                    "interview_notes",
                    "Interview notes",
                    "interview_notes",
                    document=("interview_notes",),
                ),
                TextField(
                    "rationale",
                    "Rationale",
                    "rationale",
                    lambda a: list(a.statements),
                    lambda row, n: f"Rationale for {row.code}",
                    ("statements", "code", "rationale"),
                    lambda row: row.code,
                ),
            ),
            ("self_assessments.detail", "assessment_id"),
            copies=frozenset({"rationale"}),
            document_kind="self_assessment",
        ),
        RecordKind(
            "feedback",
            "feedback",
            Feedback,
            _find_feedback,
            (
                TextField("went_well", "What went well", "went_well"),
                TextField("to_develop", "To develop", "to_develop"),
                TextField("actions", "Agreed actions", "actions"),
                TextField("reply", "The worker's reflection", "reply"),
            ),
            ("feedback.detail", "feedback_id"),
            copies=frozenset({"went_well", "to_develop", "actions"}),
        ),
        RecordKind(
            "compliment",
            "compliment or concern",
            Compliment,
            get_visible_compliment,
            (
                TextField("text", "What they said", "text"),
                TextField("response", "The response", "response"),
            ),
            ("compliments.detail", "compliment_id"),
            copies=frozenset({"text", "response"}),
        ),
        RecordKind(
            "action",
            "action",
            Action,
            get_visible_action,
            (
                TextField("description", "Description", "description"),
                TextField(
                    "note",
                    "Progress note",
                    "text",
                    lambda a: list(a.notes),
                    _numbered("Progress note"),
                ),
            ),
            ("actions.detail", "action_id"),
            copies=frozenset({"description"}),
        ),
    )
}
_BY_MODEL = {kind.model: kind for kind in KINDS.values()}


def kind_of(record) -> RecordKind | None:
    """The registered kind of a record (None: careobs redacts nothing in it)."""
    return _BY_MODEL.get(type(record))


def places(record, *, listed_only: bool = False) -> list[Place]:
    """Every text of ``record`` in the registry's order (a row's field once per row)."""
    kind = kind_of(record)
    found = []
    for field in kind.fields:
        if listed_only and not field.listed:
            continue
        if field.rows is None:
            found.append(Place(field.key, field.label, record, field))
            continue
        for n, row in enumerate(field.rows(record), start=1):
            label = field.row_label(row, n) if field.row_label else field.label
            found.append(Place(f"{field.key}:{row.id}", label, row, field))
    return found


def place(record, ref: str) -> Place | None:
    """The text of ``record`` the form's ``ref`` names, if it has one."""
    return next((p for p in places(record, listed_only=True) if p.ref == ref), None)


def flagged_texts(record) -> list[str]:
    """The texts the record's stored privacy flags are worked out from."""
    return [p.text for p in places(record) if p.field.flagged]
