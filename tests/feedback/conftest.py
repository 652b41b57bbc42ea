"""Fixtures for the feedback loop and notification tests.

``org`` is Acme Care from the factory (H01 has consent on record), with two care workers who
can log in: ``hal`` (Hal Homecare, homecare) and ``carla`` (the factory ``staff`` user, linked to
Carla Carer in the care home). ``login(user)`` gives a separately logged-in client, and
``make_feedback(...)`` writes a feedback row directly for permission tests.

Every test here ends by checking that no notification (nor a queued push) carries a person code,
a staff name, a user's name or an e-mail address (design §2.4).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from careobs.accounts.models import User
from careobs.checklists import service as checklists
from careobs.feedback.models import Feedback
from careobs.notifications.models import Notification, PushMessage
from careobs.org.models import Person, StaffMember
from tests.api.conftest import SyncApi
from tests.conftest import Auth
from tests.spotchecks.conftest import checklist_info, spot_check


def build_org(data, name: str = "Acme Care", prefix: str = "acme"):
    built = data.organisation(name, prefix=prefix)
    built.people["H01"].consent = "yes"
    data.session.commit()
    return built


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


@pytest.fixture(autouse=True)
def notifications_carry_no_personal_data(db):
    yield
    assert_no_personal_data(db)


@pytest.fixture
def org(data):
    """Acme Care: care home (R01, R02; Carla Carer), homecare (H01 consent yes, H02; Hal)."""
    return build_org(data)


@pytest.fixture
def other(data, org):
    """A second organisation with the same codes and staff names."""
    return build_org(data, "Other Org", "other")


@pytest.fixture
def hal(data, db, org) -> User:
    """Hal Homecare's own login (a care worker in the homecare service)."""
    return add_worker_login(data, db, org, "Hal Homecare", "hal@acme.test")


@pytest.fixture
def carla(db, org) -> User:
    """The factory ``staff`` user, linked to Carla Carer (care home)."""
    return link_login(db, org.staff_members["Carla Carer"], org.staff)


@pytest.fixture
def login(app):
    """``login(user)``: a fresh client logged in as ``user``."""

    def make(user):
        client = app.test_client()
        Auth(client).login(user)
        return client

    return make


@pytest.fixture
def checklist(app, db, org):
    """Acme's default monitoring visit checklist (version 1)."""
    with app.app_context():
        created = checklists.create_default(db, org.org.id)
        db.commit()
        checklist_id = created.uuid
    return checklist_info(db, checklist_id)


@pytest.fixture
def visit_doc(org, checklist):
    """``visit_doc(**fields)``: a valid submitted visit of Hal Homecare, every item Met."""

    def build(*, service=None, staff=None, **fields) -> dict:
        return spot_check(
            service or org.homecare, staff or org.staff_members["Hal Homecare"], checklist, **fields
        )

    return build


def sync_as(client) -> SyncApi:
    return SyncApi(client)


def uuid_of(document: dict) -> uuid.UUID:
    return uuid.UUID(document["id"])
