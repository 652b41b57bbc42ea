"""The organisation's structure: services, their areas, the people supported and the staff."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from careobs.db import Base, PublicIdMixin, UTCDateTime, utcnow

if TYPE_CHECKING:
    from careobs.accounts.models import User

SERVICE_KINDS = {"care_home": "Care home", "homecare": "Homecare"}
CONSENT_CHOICES = {"yes": "Yes", "no": "No", "not_recorded": "Not recorded"}
CONSENT_GIVEN_BY = {"person": "The person", "representative": "Their representative"}


def _in(column: str, values) -> sa.CheckConstraint:
    listed = ", ".join(f"'{v}'" for v in values)
    return sa.CheckConstraint(f"{column} IN ({listed})", name=f"{column}_allowed")


class Organisation(PublicIdMixin, Base):
    """A care provider: the boundary no data ever crosses."""

    __tablename__ = "organisations"

    name: Mapped[str] = mapped_column(sa.String(200))
    timezone: Mapped[str] = mapped_column(sa.String(64), default="Europe/London")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    services: Mapped[list[Service]] = relationship(back_populates="organisation")


class Service(PublicIdMixin, Base):
    """A registered service: a care home or a homecare branch."""

    __tablename__ = "services"
    __table_args__ = (
        sa.UniqueConstraint("organisation_id", "name"),
        _in("kind", SERVICE_KINDS),
    )

    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    kind: Mapped[str] = mapped_column(sa.String(20))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation: Mapped[Organisation] = relationship(back_populates="services")
    areas: Mapped[list[Area]] = relationship(
        back_populates="service", order_by="Area.name", cascade="all, delete-orphan"
    )

    @property
    def kind_label(self) -> str:
        return SERVICE_KINDS[self.kind]


class Area(PublicIdMixin, Base):
    """A communal space in a care home where QUIS observations take place."""

    __tablename__ = "areas"
    __table_args__ = (sa.UniqueConstraint("service_id", "name"),)

    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    service_id: Mapped[int] = mapped_column(sa.ForeignKey("services.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    active: Mapped[bool] = mapped_column(default=True)
    # The organisation's day the area was added or brought back into use (None: there from
    # the start): nothing is due about it before then (careobs.audits.due).
    added_on: Mapped[date | None] = mapped_column(sa.Date)

    service: Mapped[Service] = relationship(back_populates="areas")


class Person(PublicIdMixin, Base):
    """A person supported, known to careobs only by a code and optional initials."""

    __tablename__ = "people"
    __table_args__ = (
        sa.UniqueConstraint("service_id", "code"),
        _in("consent", CONSENT_CHOICES),
    )

    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    service_id: Mapped[int] = mapped_column(sa.ForeignKey("services.id"), index=True)
    code: Mapped[str] = mapped_column(sa.String(16))
    initials: Mapped[str | None] = mapped_column(sa.String(4))
    active: Mapped[bool] = mapped_column(default=True)
    consent: Mapped[str] = mapped_column(sa.String(16), default="not_recorded")
    consent_on: Mapped[date | None] = mapped_column(sa.Date)
    consent_given_by: Mapped[str | None] = mapped_column(sa.String(16))
    # The organisation's day the person was added or made active again (None: there from the
    # start): nothing is due about them before then (careobs.audits.due).
    added_on: Mapped[date | None] = mapped_column(sa.Date)

    service: Mapped[Service] = relationship()

    @property
    def consent_label(self) -> str:
        return CONSENT_CHOICES[self.consent]


class StaffMember(PublicIdMixin, Base):
    """A care worker or other member of staff whose practice may be observed.

    Staff are named (feedback is about their practice) and may or may not have a login.
    """

    __tablename__ = "staff_members"

    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    service_id: Mapped[int] = mapped_column(sa.ForeignKey("services.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    job_role: Mapped[str] = mapped_column(sa.String(80))
    start_date: Mapped[date | None] = mapped_column(sa.Date)
    active: Mapped[bool] = mapped_column(default=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), unique=True)
    # The organisation's day the record was added or made active again (None: there from the
    # start); with ``start_date``, nothing is due about them before the later of the two.
    added_on: Mapped[date | None] = mapped_column(sa.Date)

    service: Mapped[Service] = relationship()
    user: Mapped[User | None] = relationship()


def owner_name(staff: StaffMember | None, user: User | None) -> str:
    """How an action's owner is named: a member of staff (a care worker, who may have no
    login), a user, or nobody yet."""
    if staff is not None:
        return staff.name
    if user is not None:
        return user.display_name
    return "No owner"


class OrganisationSettings(Base):
    """The organisation's rules for monitoring visits (design §2.2 defaults)."""

    __tablename__ = "organisation_settings"

    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id"), primary_key=True
    )
    green_from: Mapped[int] = mapped_column(default=90)
    amber_from: Mapped[int] = mapped_column(default=75)
    lateness_tolerance_minutes: Mapped[int] = mapped_column(default=10)
    recheck_days_after_red: Mapped[int] = mapped_column(default=28)
    check_frequency_days: Mapped[int] = mapped_column(default=90)
    new_starter_days: Mapped[int] = mapped_column(default=28)
    # Weights for the random draw of whom to check next (careobs.selection.draw).
    weight_base: Mapped[int] = mapped_column(default=1, server_default="1")
    weight_overdue: Mapped[int] = mapped_column(default=4, server_default="4")
    weight_new_starter: Mapped[int] = mapped_column(default=3, server_default="3")
    weight_red: Mapped[int] = mapped_column(default=3, server_default="3")
    weight_open_actions: Mapped[int] = mapped_column(default=2, server_default="2")
    # Paired QUIS observations (careobs.quis.calibration): how far apart in time two observers'
    # records of one interaction may be, how often each observer should be paired, and the
    # A4-weighted kappa below which their last pair asks for re-training.
    pair_tolerance_seconds: Mapped[int] = mapped_column(default=30, server_default="30")
    calibration_interval_months: Mapped[int] = mapped_column(default=6, server_default="6")
    calibration_min_kappa: Mapped[float] = mapped_column(
        sa.Float, default=0.6, server_default="0.6"
    )
