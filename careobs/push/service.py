"""Changes to push subscriptions that more than one view makes."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.accounts.models import User
from careobs.push.models import PushSubscription


def forget_subscription(db: Session, user: User, endpoint: str) -> None:
    """Remove one of the user's subscriptions (never someone else's) and its queued pushes."""
    db.execute(
        sa.delete(PushSubscription).where(
            PushSubscription.endpoint == endpoint, PushSubscription.user_id == user.id
        )
    )
