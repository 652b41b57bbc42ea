"""Every mapped class, imported in one place so Alembic and create_all see the whole schema."""

from careobs.accounts.models import LoginFailure, Membership, User
from careobs.audit.models import AuditEvent
from careobs.db import Base
from careobs.org.models import Area, Organisation, Person, Service, StaffMember
from careobs.quis.models import QuisAddendum, QuisInteraction, QuisSession
from careobs.sync.models import QuarantinedDocument

__all__ = [
    "Area",
    "AuditEvent",
    "Base",
    "LoginFailure",
    "Membership",
    "Organisation",
    "Person",
    "QuarantinedDocument",
    "QuisAddendum",
    "QuisInteraction",
    "QuisSession",
    "Service",
    "StaffMember",
    "User",
]
