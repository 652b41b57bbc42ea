"""The compliments and concerns log of a service: what people said about it, by section.

A concern here is informal feedback, not the formal complaints process. The sender is recorded
only as a category (a person supported by their code, family or friend, a professional, or
anonymous): careobs never stores who said it by name.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from careobs.db import Base, PublicIdMixin, UTCDateTime, utcnow

if TYPE_CHECKING:
    from careobs.accounts.models import User
    from careobs.actions.models import Action
    from careobs.org.models import Person, Service, StaffMember

KINDS = {"compliment": "Compliment", "concern": "Concern"}
SOURCES = {
    "person": "Person supported",
    "family": "Family or friend",
    "professional": "Professional",
    "anonymous": "Anonymous",
}
# The sections an organisation starts with (careobs.compliments.service.sections adds them
# the first time its log is used); each organisation's list is data it may rename or add to.
DEFAULT_SECTIONS = (
    ("care", "Care"),
    ("food", "Food"),
    ("activities", "Activities"),
    ("staff", "Staff"),
    ("communication", "Communication"),
    ("environment", "Environment"),
    ("medicines", "Medicines"),
    ("other", "Other"),
)

compliment_staff = sa.Table(
    "compliment_staff",
    Base.metadata,
    sa.Column("compliment_id", sa.ForeignKey("compliments.id"), primary_key=True),
    sa.Column("staff_id", sa.ForeignKey("staff_members.id"), primary_key=True),
)


class ComplimentSection(Base):
    """A section of the service a compliment or concern can be about (care, food, ...)."""

    __tablename__ = "compliment_sections"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    key: Mapped[str] = mapped_column(sa.String(32))
    label: Mapped[str] = mapped_column(sa.String(80))
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)


class Compliment(PublicIdMixin, Base):
    """One compliment or concern received by a service, as its manager or supervisor logged it.

    The ``uuid`` is made when the form is shown, so a form sent twice stores one entry.
    """

    __tablename__ = "compliments"
    __table_args__ = (
        sa.Index("ix_compliments_service_received", "service_id", "received_on"),
        sa.CheckConstraint("kind IN ('compliment', 'concern')", name="kind_allowed"),
        sa.CheckConstraint(
            "source IN ('person', 'family', 'professional', 'anonymous')", name="source_allowed"
        ),
        sa.CheckConstraint("person_id IS NULL OR source = 'person'", name="person_only_if_person"),
        sa.CheckConstraint(
            "kind = 'concern' OR (response = '' AND action_id IS NULL)", name="response_if_concern"
        ),
    )

    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    service_id: Mapped[int] = mapped_column(sa.ForeignKey("services.id"))
    kind: Mapped[str] = mapped_column(sa.String(10))
    section_id: Mapped[int] = mapped_column(sa.ForeignKey("compliment_sections.id"))
    received_on: Mapped[date] = mapped_column(sa.Date)
    source: Mapped[str] = mapped_column(sa.String(12))
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id"))
    text: Mapped[str] = mapped_column(sa.Text)
    response: Mapped[str] = mapped_column(sa.Text, default="")
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Unique: a concern's action is its own.
    action_id: Mapped[int | None] = mapped_column(sa.ForeignKey("actions.id"), unique=True)
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    service: Mapped[Service] = relationship()
    section: Mapped[ComplimentSection] = relationship()
    person: Mapped[Person | None] = relationship()
    action: Mapped[Action | None] = relationship()
    recorded_by: Mapped[User] = relationship()
    staff: Mapped[list[StaffMember]] = relationship(
        secondary=compliment_staff, order_by="StaffMember.name"
    )

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]

    @property
    def source_label(self) -> str:
        """Who it came from, as a category; a person supported by their code only."""
        if self.source == "person" and self.person is not None:
            return f"{SOURCES['person']} ({self.person.code})"
        return SOURCES[self.source]
