"""Following up a difference between a co-audit and its staff audit: the action is made by
careobs.actions.service.from_co_audit, the co-audit's constructor beside from_audit and
from_conversation; this module says whose day "today" is and how the other side is named."""

from __future__ import annotations

from sqlalchemy.orm import Session

from careobs.actions import service as actions
from careobs.actions.models import Action
from careobs.coaudits.comparison import ItemComparison
from careobs.coaudits.queries import co_audit_who
from careobs.db import utcnow
from careobs.org.settings import time_zone
from careobs.permissions import ComparedPair


def follow_up(
    db: Session, actor, pair: ComparedPair, difference: ItemComparison
) -> tuple[Action, bool]:
    """The action following up ``difference`` and whether it was raised now (once per co-audit
    and item); due 14 days from today on the organisation's clock."""
    today = utcnow().astimezone(time_zone(db, pair.co_audit.organisation_id)).date()
    return actions.from_co_audit(
        db, actor, pair.co_audit, difference, who=co_audit_who(pair.co_audit), today=today
    )
