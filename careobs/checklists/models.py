"""Checklists as versioned templates: a visit or an audit is always scored on the version it names.

A checklist is either a monitoring visit checklist (``purpose`` "visit") or an audit template
(``purpose`` "audit"): the same versions, items and critical flags, plus what an audit needs to
know — whose or what it audits (``subject_type``), how often, the CQC quality statements it
evidences and its own RAG bands.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from careobs.db import Base, PublicIdMixin, UTCDateTime, utcnow

if TYPE_CHECKING:
    from careobs.accounts.models import User


PURPOSES = {"visit": "Monitoring visit checklist", "audit": "Audit template"}
# What an audit template audits: one of these per audit (a person by their code, never a name).
SUBJECT_TYPES = {
    "person": "A person supported (by code)",
    "staff": "A care worker",
    "area": "An area or room",
    "service": "The whole service",
}
GREEN_FROM = 90  # the default RAG bands, as for monitoring visits (design §2.2)
AMBER_FROM = 75


class Checklist(PublicIdMixin, Base):
    """A named checklist, e.g. "Homecare monitoring visit" or "Care plan audit", with its
    numbered versions.

    Visit checklists leave the audit fields empty (``subject_type`` and ``frequency_days`` are
    null, no statements); audit templates always have a subject type.
    """

    __tablename__ = "checklists"
    __table_args__ = (
        sa.UniqueConstraint("organisation_id", "name"),
        sa.CheckConstraint("purpose IN ('visit', 'audit')", name="purpose_allowed"),
        sa.CheckConstraint(
            "(purpose = 'visit' AND subject_type IS NULL) OR (purpose = 'audit' AND "
            "subject_type IN ('person', 'staff', 'area', 'service'))",
            name="subject_type_allowed",
        ),
        sa.CheckConstraint(
            "0 <= amber_from AND amber_from <= green_from AND green_from <= 100",
            name="bands_ordered",
        ),
    )

    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    purpose: Mapped[str] = mapped_column(sa.String(8), default="visit", server_default="visit")
    # What the checklist is for and, for a starter template, the published guidance it is
    # written from.
    description: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    subject_type: Mapped[str | None] = mapped_column(sa.String(8))
    frequency_days: Mapped[int | None]
    # Codes of careobs.actions.cqc.STATEMENTS, e.g. ["S8", "E1"].
    cqc_statements: Mapped[list] = mapped_column(sa.JSON, default=list)
    green_from: Mapped[int] = mapped_column(default=GREEN_FROM, server_default=str(GREEN_FROM))
    amber_from: Mapped[int] = mapped_column(default=AMBER_FROM, server_default=str(AMBER_FROM))

    versions: Mapped[list[ChecklistVersion]] = relationship(
        back_populates="checklist", order_by="ChecklistVersion.number"
    )

    @property
    def is_audit(self) -> bool:
        return self.purpose == "audit"

    @property
    def purpose_label(self) -> str:
        return PURPOSES[self.purpose]

    @property
    def subject_label(self) -> str:
        return SUBJECT_TYPES.get(self.subject_type or "", "")


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
    # The item in plain words, for an easy-read co-audit with a person supported or a quality
    # checker ("Does your care plan say what you like to be called?"); empty: not written yet.
    easy_read_text: Mapped[str] = mapped_column(sa.String(300), default="", server_default="")

    domain: Mapped[ChecklistDomain] = relationship(back_populates="items")
