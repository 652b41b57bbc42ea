"""What every kind of captured record shares: its common columns, and a checklist kind's rows.

A captured record (a QUIS session, a monitoring visit) is a document written offline on a
device: the sync stores it under the device's id, keeps its revision and content hash to tell a
newer version from a repeat, and a draft becomes submitted once, after which subscribers react.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, declared_attr, mapped_column, relationship

from careobs.db import UTCDateTime, utcnow
from careobs.org.models import owner_name

if TYPE_CHECKING:
    from careobs.accounts.models import User
    from careobs.checklists.models import ChecklistItem
    from careobs.checklists.scoring import Score
    from careobs.org.models import Service, StaffMember


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


class RatingCounts:
    """How many checklist items were rated Met, Partly met, Not met and N/A: kept for a visit
    or an audit, and per domain for a visit and for a period."""

    n_met: Mapped[int] = mapped_column(default=0)
    n_partly: Mapped[int] = mapped_column(default=0)
    n_not_met: Mapped[int] = mapped_column(default=0)
    n_na: Mapped[int] = mapped_column(default=0)


def store_score(record, result: Score, answers) -> None:
    """Keep a checklist record's outcome on it: the score, band, points and critical failures of
    ``result`` (careobs.checklists.scoring) and how many ``answers`` had each rating."""
    record.score, record.band = result.score, result.band
    record.points, record.possible = result.points, result.possible
    record.critical_failures = result.critical_failures
    ratings = [a.rating for a in answers]
    record.n_met, record.n_partly = ratings.count("met"), ratings.count("partly")
    record.n_not_met, record.n_na = ratings.count("not_met"), ratings.count("na")


def score_text(record) -> str:
    """A scored record's outcome as its audit events say it: "92.0% green", or "no score"."""
    return "no score" if record.score is None else f"{record.score:.1f}% {record.band}"


class ItemRating:
    """One checklist item's rating on a record scored against a checklist (a visit's answers, an
    audit's); each kind adds the column naming its record, and its table's constraints."""

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("checklist_items.id"), index=True)
    rating: Mapped[str] = mapped_column(sa.String(8))  # met, partly, not_met or na
    comment: Mapped[str] = mapped_column(sa.Text, default="")

    @declared_attr
    def item(cls) -> Mapped[ChecklistItem]:
        return relationship()


class ProposedAction:
    """An action agreed on a captured record: what, who owns it, by when. On submission it
    becomes an improvement action (careobs.actions), once. Each kind adds the column naming
    its record."""

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[uuid.UUID] = mapped_column(sa.Uuid)  # made by the device
    position: Mapped[int]
    description: Mapped[str] = mapped_column(sa.Text)
    owner_staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_members.id"))
    owner_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    due_on: Mapped[date | None] = mapped_column(sa.Date)

    @declared_attr
    def owner_staff(cls) -> Mapped[StaffMember | None]:
        return relationship()

    @declared_attr
    def owner_user(cls) -> Mapped[User | None]:
        return relationship()

    @property
    def owner_name(self) -> str:
        return owner_name(self.owner_staff, self.owner_user)


def insert_ratings_and_actions(db: Session, parent: str, parent_id: int, clean, answers, actions):
    """The answers and proposed actions of a cleaned document, in one statement each:
    ``answers`` and ``actions`` are the kind's tables, ``parent`` their column naming the record."""
    if clean.answers:
        db.connection().execute(
            answers.__table__.insert(),
            [
                {parent: parent_id, "item_id": a.item_id, "rating": a.rating, "comment": a.comment}
                for a in clean.answers
            ],
        )
    if clean.actions:
        db.connection().execute(
            actions.__table__.insert(),
            [
                {
                    parent: parent_id,
                    "uuid": a.uuid,
                    "position": position,
                    "description": a.description,
                    "owner_staff_id": a.owner_staff_id,
                    "owner_user_id": a.owner_user_id,
                    "due_on": a.due_on,
                }
                for position, a in enumerate(clean.actions)
            ],
        )
