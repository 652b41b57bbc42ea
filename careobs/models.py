"""Every mapped class, imported in one place so Alembic and create_all see the whole schema."""

from careobs.accounts.models import LoginFailure, Membership, User
from careobs.audit.models import AuditEvent
from careobs.db import Base
from careobs.org.models import Area, Organisation, Person, Service, StaffMember

__all__ = [
    "Area",
    "AuditEvent",
    "Base",
    "LoginFailure",
    "Membership",
    "Organisation",
    "Person",
    "Service",
    "StaffMember",
    "User",
]
