"""Feedback and notifications: care-worker logins, feedback rows written directly, and the
check that no notification (nor a queued push) names a person, a worker or a user (design §2.4)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa

from careobs.accounts.models import User
from careobs.feedback.models import Feedback
from careobs.notifications.models import Notification
from careobs.org.models import Person, StaffMember
from careobs.push.models import PushMessage
from tests.support.sync import SyncApi


def link_login(db, member: StaffMember, user: User) -> User:
    """Let ``user`` log in as the care worker ``member``."""
    member.user_id = user.id
    db.commit()
    return user


def add_worker_login(data, db, org, member_name: str, email: str) -> User:
    """A care-worker login for one of the factory's staff members."""
    member = org.staff_members[member_name]
    user = data.user(org.org, email, member_name, roles={member.service: "staff"})
    return link_login(db, member, user)


def make_feedback(db, author: User, member: StaffMember, *, released=True, **fields) -> Feedback:
    """A feedback row written directly (as if drafted from a QUIS session)."""
    feedback = Feedback(
        organisation_id=member.organisation_id,
        service_id=member.service_id,
        staff_id=member.id,
        author_id=author.id,
        went_well=fields.pop("went_well", "Greeted everyone by name."),
        to_develop=fields.pop("to_develop", "Explain before moving someone."),
        status="released" if released else "draft",
        released_at=datetime(2026, 11, 28, 10, 0, tzinfo=UTC) if released else None,
        **fields,
    )
    db.add(feedback)
    db.commit()
    return feedback


def feedback_for(db, member: StaffMember) -> list[Feedback]:
    db.expire_all()
    return list(
        db.scalars(sa.select(Feedback).where(Feedback.staff_id == member.id).order_by(Feedback.id))
    )


def notifications_of(db, user: User, kind: str | None = None) -> list[Notification]:
    db.expire_all()
    stmt = sa.select(Notification).where(Notification.user_id == user.id)
    if kind:
        stmt = stmt.where(Notification.kind == kind)
    return list(db.scalars(stmt.order_by(Notification.id)))


def assert_no_personal_data(db) -> int:
    """No notification (title, body, link) or push payload names a person, worker or user.

    Returns how many notifications were checked.
    """
    db.expire_all()
    forbidden = set(db.scalars(sa.select(Person.code)))
    forbidden |= set(db.scalars(sa.select(StaffMember.name)))
    for name, email in db.execute(sa.select(User.display_name, User.email)):
        forbidden |= {name, email}
    forbidden.discard("")
    notices = list(db.scalars(sa.select(Notification)))
    texts = [(n.title, n.body, n.link) for n in notices]
    texts += [(str(p),) for p in db.scalars(sa.select(PushMessage.payload))]
    for parts in texts:
        for text in parts:
            leaked = [f for f in forbidden if f.lower() in text.lower()]
            assert not leaked, f"{text!r} names {leaked}"
            assert "@" not in text, text
    return len(notices)


def sync_as(client) -> SyncApi:
    return SyncApi(client)


def uuid_of(document: dict) -> uuid.UUID:
    return uuid.UUID(document["id"])
