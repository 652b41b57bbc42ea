"""Every mapped class, imported in one place so Alembic and create_all see the whole schema."""

from careobs.accounts.models import LoginFailure, Membership, User
from careobs.actions.models import Action, ActionNote, RecheckBooking
from careobs.audit.models import AuditEvent
from careobs.checklists.models import Checklist, ChecklistDomain, ChecklistItem, ChecklistVersion
from careobs.db import Base
from careobs.feedback.models import Feedback
from careobs.notifications.models import Notification, PushMessage, PushSubscription
from careobs.org.models import (
    Area,
    Organisation,
    OrganisationSettings,
    Person,
    Service,
    StaffMember,
)
from careobs.quis.models import QuisAddendum, QuisInteraction, QuisSession
from careobs.selection.models import SelectionDraw
from careobs.spotchecks.models import (
    MonitoringVisit,
    VisitAction,
    VisitAddendum,
    VisitAnswer,
    VisitDomainPeriod,
    VisitDomainScore,
    VisitMissedItem,
)
from careobs.sync.models import QuarantinedDocument

__all__ = [
    "Action",
    "ActionNote",
    "Area",
    "AuditEvent",
    "Base",
    "Checklist",
    "ChecklistDomain",
    "ChecklistItem",
    "ChecklistVersion",
    "Feedback",
    "LoginFailure",
    "Membership",
    "MonitoringVisit",
    "Notification",
    "Organisation",
    "OrganisationSettings",
    "Person",
    "PushMessage",
    "PushSubscription",
    "QuarantinedDocument",
    "QuisAddendum",
    "QuisInteraction",
    "QuisSession",
    "RecheckBooking",
    "SelectionDraw",
    "Service",
    "StaffMember",
    "User",
    "VisitAction",
    "VisitAddendum",
    "VisitAnswer",
    "VisitDomainPeriod",
    "VisitDomainScore",
    "VisitMissedItem",
]
