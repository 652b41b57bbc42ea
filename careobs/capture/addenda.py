"""Addenda: corrections and additions to a submitted record, which itself never changes.

One table, one form, one POST view and one way of writing the audit event serve every kind of
record captured offline. A kind's detail page takes addenda by calling ``register`` once.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship, selectinload
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from careobs.audit.service import record_about
from careobs.db import Base, UTCDateTime, get_session, utcnow
from careobs.permissions import may_add_addendum

if TYPE_CHECKING:
    from careobs.accounts.models import User

REASON_MAX = 200
TEXT_MAX = 5000


@dataclass(frozen=True)
class AddendumKind:
    """How addenda attach to one kind of record.

    ``audit_action`` stays the name each kind's events were stored under before addenda were
    shared (the audit log and its export are read by name), so a record's history keeps one name.
    """

    name: str  # stored in record_addenda.record_kind
    column: str  # the addendum's foreign key to the record
    audit_action: str
    reason_hint: str = ""


QUIS_SESSION = AddendumKind(
    "quis_session",
    "quis_session_id",
    "quis_addendum_added",
    "For example: corrected the area, or a later observation.",
)
MONITORING_VISIT = AddendumKind("monitoring_visit", "visit_id", "visit_addendum_added")
AUDIT = AddendumKind("audit", "audit_id", "audit_addendum_added")

# Exactly one record, of the kind ``record_kind`` names (revision 0017 writes the same text).
ONE_RECORD = (
    "(record_kind = 'quis_session' AND quis_session_id IS NOT NULL AND visit_id IS NULL"
    " AND audit_id IS NULL)"
    " OR (record_kind = 'monitoring_visit' AND visit_id IS NOT NULL"
    " AND quis_session_id IS NULL AND audit_id IS NULL)"
    " OR (record_kind = 'audit' AND audit_id IS NOT NULL AND quis_session_id IS NULL"
    " AND visit_id IS NULL)"
)


class Addendum(Base):
    """A correction or addition to a submitted record of any kind: the original is never changed.

    A foreign key per kind (exactly one set, as ``record_kind`` says) rather than one untyped
    record id, so the database itself refuses an addendum to a record that does not exist.
    """

    __tablename__ = "record_addenda"
    __table_args__ = (sa.CheckConstraint(ONE_RECORD, name="one_record"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    record_kind: Mapped[str] = mapped_column(sa.String(20))
    quis_session_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("quis_sessions.id"), index=True
    )
    visit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("monitoring_visits.id"), index=True)
    audit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("audits.id"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(sa.String(REASON_MAX))
    text: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User] = relationship()


def _stripped(value):
    return value.strip() if isinstance(value, str) else value


def storable_text(form, field) -> None:
    """Refuse what no database can store or nobody can see: NUL and other control characters
    (new lines and tabs are fine) and broken characters (unpaired surrogates)."""
    if not field.data:
        return
    if any(ord(ch) < 32 and ch not in "\n\r\t" for ch in field.data):
        raise ValidationError("Remove the invisible control characters from the text.")
    try:
        field.data.encode()
    except UnicodeEncodeError as exc:
        raise ValidationError("Remove the broken characters from the text.") from exc


class AddendumForm(FlaskForm):
    """The same rules for every kind: both texts required after trimming, storable, and at most
    200 and 5,000 characters (the reason's column holds 200)."""

    reason = StringField(
        "Reason for the addendum",
        filters=[_stripped],
        validators=[DataRequired(), storable_text, Length(max=REASON_MAX)],
    )
    text = TextAreaField(
        "Addendum",
        filters=[_stripped],
        validators=[DataRequired(), storable_text, Length(max=TEXT_MAX)],
    )

    def __init__(self, *args, hint: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.reason.description = hint


def form_for(kind: AddendumKind) -> AddendumForm:
    """An addendum form for a record of ``kind``, bound to the posted form's fields if any.

    Only the form's fields: left to itself Flask-WTF reads a JSON body as the form, and a list,
    a number or an object there is no text (the checks would fail with a 500, not an error)."""
    formdata = request.form if request.method == "POST" else None
    return AddendumForm(formdata=formdata, hint=kind.reason_hint)


def may_add(user: User, record) -> bool:
    """Whoever wrote a submitted record, and the managers of its service, may add to it
    (careobs.permissions.addenda)."""
    return may_add_addendum(user, record)


def of(db: Session, kind: AddendumKind, record) -> list[Addendum]:
    """The addenda to ``record``, oldest first, with their authors (for a kind whose model has
    no ``addenda`` relationship of its own)."""
    return list(
        db.scalars(
            sa.select(Addendum)
            .where(Addendum.record_kind == kind.name, getattr(Addendum, kind.column) == record.id)
            .order_by(Addendum.created_at, Addendum.id)
            .options(selectinload(Addendum.author))
        )
    )


def add(db: Session, kind: AddendumKind, record, author: User, reason: str, text: str) -> Addendum:
    """Add an addendum to ``record`` and write it to the audit log (the caller commits)."""
    addendum = Addendum(
        organisation_id=record.organisation_id,
        record_kind=kind.name,
        author_id=author.id,
        reason=reason,
        text=text,
        **{kind.column: record.id},
    )
    db.add(addendum)
    db.flush()
    # Its number, not its reason: the log is never changed, so free text copied into it could
    # never be redacted; the reason stays with the addendum, where it can be.
    record_about(db, kind.audit_action, record, actor=author, summary=f"addendum {addendum.id}")
    return addendum


def add_addendum(kind: AddendumKind, find: Callable, page: Callable, **url_args):
    """The one POST view for addenda to any kind of record, at the record's own page.

    ``find(db, user, uuid)`` is the record if the user may see it; ``page(**url_args, form=)``
    draws the record's page again with the refused form and its errors (status 400).
    """
    db = get_session()
    ((name, record_id),) = url_args.items()
    record = find(db, current_user, record_id)
    if record is None:
        abort(404)
    if not may_add(current_user, record):
        abort(403)
    form = form_for(kind)
    if not form.validate_on_submit():
        return page(**url_args, form=form)
    add(db, kind, record, current_user, form.reason.data, form.text.data)
    db.commit()
    flash("Addendum added. The original record is unchanged.", "success")
    return redirect(url_for(f".{page.__name__}", **{name: record.uuid}))


def register(
    bp: Blueprint,
    rule: str,
    kind: AddendumKind,
    *,
    find: Callable[[Session, User, uuid.UUID], object | None],
    page: Callable,
    guard: Callable[[Callable], Callable],
) -> None:
    """Take addenda to records of ``kind`` by POST to ``rule``, the URL of their ``page``.

    ``guard`` is the page's own login or role check, so both methods admit the same people.
    """

    def view(**url_args):
        return add_addendum(kind, find, page, **url_args)

    bp.add_url_rule(rule, "add_addendum", guard(view), methods=["POST"])
