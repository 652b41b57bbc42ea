"""Every mapped class, imported in one place so Alembic and create_all see the whole schema."""

from careobs.accounts.models import LoginFailure, Membership, User
from careobs.actions.models import Action, ActionNote, RecheckBooking
from careobs.audit.models import AuditEvent
from careobs.audits.models import Audit, AuditAction, AuditAnswer, CoAuditFollowUp
from careobs.audits.schedules import AuditChampion, AuditSchedule
from careobs.capture.addenda import Addendum
from careobs.checkers.models import CheckerAssignment
from careobs.checklists.models import Checklist, ChecklistDomain, ChecklistItem, ChecklistVersion
from careobs.compliments.models import Compliment, ComplimentSection
from careobs.db import Base
from careobs.feedback.models import Feedback
from careobs.notifications.models import Notification
from careobs.org.models import (
    Area,
    Organisation,
    OrganisationSettings,
    Person,
    Service,
    StaffMember,
)
from careobs.push.models import PushMessage, PushSubscription
from careobs.quis.models import QuisInteraction, QuisPair, QuisSession
from careobs.retention.models import RetentionPeriod
from careobs.selection.models import SelectionDraw
from careobs.selfassess.models import SelfAssessment, SelfAssessmentStatement
from careobs.sync.models import QuarantinedDocument
from careobs.visits.models import (
    MonitoringVisit,
    VisitAction,
    VisitAnswer,
    VisitDomainPeriod,
    VisitDomainScore,
    VisitMissedItem,
)
from careobs.voice.models import Conversation, ConversationAction, ConversationAnswer

__all__ = [
    "Action",
    "ActionNote",
    "Addendum",
    "Area",
    "Audit",
    "AuditAction",
    "AuditAnswer",
    "AuditChampion",
    "AuditEvent",
    "AuditSchedule",
    "Base",
    "CheckerAssignment",
    "Checklist",
    "ChecklistDomain",
    "ChecklistItem",
    "ChecklistVersion",
    "CoAuditFollowUp",
    "Compliment",
    "ComplimentSection",
    "Conversation",
    "ConversationAction",
    "ConversationAnswer",
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
    "QuisInteraction",
    "QuisPair",
    "QuisSession",
    "RecheckBooking",
    "RetentionPeriod",
    "SelectionDraw",
    "SelfAssessment",
    "SelfAssessmentStatement",
    "Service",
    "StaffMember",
    "User",
    "VisitAction",
    "VisitAnswer",
    "VisitDomainPeriod",
    "VisitDomainScore",
    "VisitMissedItem",
]
