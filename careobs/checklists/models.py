"""Checklists as versioned templates: a visit is always scored on the version it names."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from careobs.db import Base, PublicIdMixin, UTCDateTime, utcnow

if TYPE_CHECKING:
    from careobs.accounts.models import User


class Checklist(PublicIdMixin, Base):
    """A named checklist, e.g. "Homecare monitoring visit", with its numbered versions."""

    __tablename__ = "checklists"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "name"),)

    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    versions: Mapped[list[ChecklistVersion]] = relationship(
        back_populates="checklist", order_by="ChecklistVersion.number"
    )


class ChecklistVersion(PublicIdMixin, Base):
    """One version. A draft is edited freely; publishing freezes it and retires the previous one.

    Only the draft (``published_at`` empty) may change; published versions never do.
    """

    __tablename__ = "checklist_versions"
    __table_args__ = (sa.UniqueConstraint("checklist_id", "number"),)

    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    checklist_id: Mapped[int] = mapped_column(sa.ForeignKey("checklists.id"), index=True)
    number: Mapped[int]
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    checklist: Mapped[Checklist] = relationship(back_populates="versions")
    published_by: Mapped[User | None] = relationship()
    domains: Mapped[list[ChecklistDomain]] = relationship(
        back_populates="version",
        order_by="ChecklistDomain.position",
        cascade="all, delete-orphan",
    )

    @property
    def is_draft(self) -> bool:
        return self.published_at is None

    @property
    def items(self) -> list[ChecklistItem]:
        return [item for domain in self.domains for item in domain.items]


class ChecklistDomain(PublicIdMixin, Base):
    """A heading of the checklist, e.g. "Infection prevention and control"."""

    __tablename__ = "checklist_domains"

    version_id: Mapped[int] = mapped_column(sa.ForeignKey("checklist_versions.id"), index=True)
    key: Mapped[uuid.UUID] = mapped_column(sa.Uuid, default=uuid.uuid4)
    position: Mapped[int]
    name: Mapped[str] = mapped_column(sa.String(120))

    version: Mapped[ChecklistVersion] = relationship(back_populates="domains")
    items: Mapped[list[ChecklistItem]] = relationship(
        back_populates="domain", order_by="ChecklistItem.position", cascade="all, delete-orphan"
    )


class ChecklistItem(PublicIdMixin, Base):
    """One thing to check. ``key`` stays the same across versions, so trends can follow an item
    even when its wording is improved."""

    __tablename__ = "checklist_items"

    domain_id: Mapped[int] = mapped_column(sa.ForeignKey("checklist_domains.id"), index=True)
    key: Mapped[uuid.UUID] = mapped_column(sa.Uuid, default=uuid.uuid4, index=True)
    position: Mapped[int]
    text: Mapped[str] = mapped_column(sa.String(300))
    guidance: Mapped[str] = mapped_column(sa.Text, default="")
    critical: Mapped[bool] = mapped_column(default=False)

    domain: Mapped[ChecklistDomain] = relationship(back_populates="items")
