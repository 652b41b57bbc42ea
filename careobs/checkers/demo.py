"""The demo's quality checker: Pat, at Riverside Homecare, given a staff audit of H03's care plan
to co-audit (not yet done) and the two people of a second draw of people made for Pat this
morning, after the one careobs.selection.demo makes: Pat has talked with the first, not yet with
the second.

Deterministic: fixed document ids from a namespace, fixed ratings and answers; the draw's picks
are the draw's own (seeded and recorded, as every draw). Loading again adds nothing once Pat has
any assignment.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.accounts import service as accounts
from careobs.accounts.models import User
from careobs.audits import service as audit_service
from careobs.audits import starter
from careobs.audits.documents import CleanAudit, Subject
from careobs.capture.answers import CleanAnswer
from careobs.checkers import service
from careobs.checkers.models import CheckerAssignment
from careobs.checklists import service as checklists
from careobs.checklists.models import Checklist
from careobs.org.models import Person
from careobs.selection import service as selection
from careobs.selection.models import SelectionDraw
from careobs.sync.roster import ServiceRoster
from careobs.voice import documents
from careobs.voice import service as voice_service
from careobs.voice.questions import QUESTIONS

CHECKER_EMAIL = "checker@demo.test"
CHECKER_NAME = "Pat (quality checker)"
CHECKER_ROLE = "Quality checker at Riverside Homecare"
NAMESPACE = uuid.UUID("6f1c2a9e-3d54-4b8e-9a07-16c5e2f8d431")
AUDITED = "H03"
SECOND_DRAW = "People for our quality checker to talk with."
SAID = ("strongly_agree", "agree", "agree", "neither", "agree", "strongly_agree", "agree")


def load(
    session: Session, riverside, manager: User, supervisor: User, today: date, *, password: str
) -> list[tuple[str, str]]:
    """Add Pat and Pat's work once; returns Pat's login as (email, role)."""
    pat = session.scalar(sa.select(User).where(User.email == CHECKER_EMAIL))
    if pat is None:
        pat = accounts.create_user(
            session,
            organisation_id=riverside.organisation_id,
            email=CHECKER_EMAIL,
            display_name=CHECKER_NAME,
        )
    if not pat.password_hash:
        accounts.set_password(session, pat, password)
    accounts.set_memberships(session, pat, {riverside.id: "quality_checker"})
    session.flush()
    if session.scalar(sa.select(CheckerAssignment.id).where(CheckerAssignment.user_id == pat.id)):
        return [(CHECKER_EMAIL, CHECKER_ROLE)]
    audit = _care_plan_audit(session, riverside, supervisor, today - timedelta(days=3))
    service.give_co_audit(session, audit, pat, manager)

    # After this morning's draw of people (careobs.selection.demo), so only when there is one:
    # a second that day is a repeat draw, with its reason.
    if session.scalar(
        sa.select(SelectionDraw.id).where(
            SelectionDraw.service_id == riverside.id, SelectionDraw.kind == "people"
        )
    ):
        zone = ZoneInfo(riverside.organisation.timezone)
        draw = selection.make_draw(session, manager, riverside, "people", 2, today, SECOND_DRAW)
        draw.created_at = datetime.combine(today, time(9, 45), tzinfo=zone)
        session.flush()
        done, _not_yet = (_give(session, draw, row["label"], pat, manager) for row in draw.result)
        _conversation(session, pat, draw, done, draw.created_at + timedelta(minutes=45))
    session.flush()
    return [(CHECKER_EMAIL, CHECKER_ROLE)]


def _give(session: Session, draw, code: str, pat: User, manager: User) -> Person:
    person = session.scalar(
        sa.select(Person).where(Person.service_id == draw.service_id, Person.code == code)
    )
    service.give_conversation(session, draw, person, pat, manager)
    return person


def _care_plan_audit(session: Session, riverside, supervisor: User, day: date):
    """The supervisor's submitted care plan audit of H03 (all met but one partly)."""
    template = session.scalar(
        sa.select(Checklist).where(
            Checklist.organisation_id == riverside.organisation_id,
            Checklist.purpose == "audit",
            Checklist.name == starter.CARE_PLAN.name,
        )
    )
    version = checklists.current_version(session, template)
    person_id = session.scalar(
        sa.select(Person.id).where(Person.service_id == riverside.id, Person.code == AUDITED)
    )
    items = version.items
    answers = [
        CleanAnswer(
            item.id,
            "partly" if n == 1 and not item.critical else "met",
            "",
            item.critical,
            item.domain.key,
            item.key,
        )
        for n, item in enumerate(items)
    ]
    started = datetime(day.year, day.month, day.day, 11, 0, tzinfo=UTC)
    doc_id = uuid.uuid5(NAMESPACE, "riverside-care-plan-H03")
    clean = CleanAudit(
        roster=ServiceRoster(service=riverside, may_capture=True),
        version=version,
        subject=Subject("person", person_id=person_id, text=AUDITED),
        started_at=started,
        ended_at=started + timedelta(minutes=30),
        answers=answers,
        actions=[],
        went_well="",
        to_develop="",
        status="submitted",
    )
    audit = audit_service.create(session, supervisor, doc_id, 1, clean, doc_id.hex * 2)
    audit.created_at = audit.updated_at = audit.submitted_at = clean.ended_at
    return audit


def _conversation(session: Session, pat: User, draw, person: Person, started: datetime) -> None:
    """Pat's submitted conversation with ``person`` (built as the sync would store it)."""
    clean = documents.CleanConversation(
        roster=None,
        draw=draw,
        person_id=person.id,
        person_code=person.code,
        outcome="asked",
        started_at=started,
        ended_at=started + timedelta(minutes=30),
        answers=[
            documents.CleanAnswer(q.key, a, "") for q, a in zip(QUESTIONS, SAID, strict=False)
        ],
        comments="Happy with the visits; would like to know the rota a week ahead.",
        actions=[],
        status="submitted",
    )
    fingerprint = hashlib.sha256(f"demo checker {draw.uuid} {person.code}".encode()).hexdigest()
    doc_id = uuid.uuid5(NAMESPACE, f"conversation-{draw.uuid}-{person.code}")
    voice_service.create(session, pat, doc_id, 1, clean, fingerprint)
