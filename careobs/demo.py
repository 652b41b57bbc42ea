"""The demo organisation "Demo Care Group", loaded by ``careobs demo``; running it again is safe."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.accounts import service as accounts
from careobs.accounts.models import User
from careobs.actions import demo as actions_demo
from careobs.audits import demo as audits_demo
from careobs.audits import schedules_demo, starter
from careobs.checkers import demo as checkers_demo
from careobs.checklists import service as checklists
from careobs.coaudits import demo as coaudits_demo
from careobs.compliments import demo as compliments_demo
from careobs.db import utcnow
from careobs.feedback import service as feedback
from careobs.notifications.models import Notification
from careobs.org.models import Area, Organisation, Person, Service, StaffMember
from careobs.quis import demo as quis_demo
from careobs.quis import pair_demo
from careobs.quis.models import QuisInteraction, QuisSession
from careobs.selection import demo as selection_demo
from careobs.selfassess import demo as selfassess_demo
from careobs.visits import demo as visits_demo
from careobs.visits.models import MonitoringVisit
from careobs.voice import demo as voice_demo

DEMO_ORG = "Demo Care Group"
DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - published demo credentials

ROSEWOOD = "Rosewood House"
RIVERSIDE = "Riverside Homecare"

STAFF = {
    ROSEWOOD: [
        ("Sam Okafor", "Care worker", 400),
        ("Aisha Khan", "Senior carer", 1500),
        ("Tom Bradley", "Care worker", 20),
        ("Grace Mensah", "Care worker", 700),
        ("Liam Walsh", "Care worker", 95),
        ("Hannah Price", "Nurse", 2100),
        ("Oliver Grant", "Care worker", 300),
        ("Megan Lloyd", "Activities coordinator", 900),
        ("Daniel Novak", "Care worker", 12),
        ("Fatima Ali", "Care worker", 560),
        ("Ruth Edwards", "Senior carer", 3000),
        ("Chloe Jenkins", "Care worker", 180),
    ],
    RIVERSIDE: [
        ("Ben Carter", "Care worker", 250),
        ("Zara Hussain", "Care worker", 45),
        ("Peter Hughes", "Senior care worker", 1800),
        ("Ewa Kowalska", "Care worker", 620),
        ("Mark Riley", "Care worker", 15),
        ("Nadia Rahman", "Care worker", 380),
        ("Joy Adeyemi", "Care worker", 1100),
        ("Kieran Doyle", "Care worker", 70),
        ("Olu Bakare", "Care worker", 200),
    ],
}
# Riverside workers the demo visits leave out, so coverage shows someone never checked.
NEVER_CHECKED = ("Olu Bakare",)

LOGINS = [
    ("admin@demo.test", "Alex Morgan", "Organisation admin"),
    ("manager@demo.test", "Priya Shah", "Manager of both services"),
    ("supervisor@demo.test", "Jo Evans", "Supervisor in both services"),
    ("staff@demo.test", "Sam Okafor", "Care worker at Rosewood House"),
]


def _get_or_add(session: Session, model, lookup: dict, **values):
    obj = session.scalar(sa.select(model).filter_by(**lookup))
    if obj is None:
        obj = model(**lookup, **values)
        session.add(obj)
        session.flush()
    return obj


def load_demo(session: Session, today: date | None = None) -> list[tuple[str, str]]:
    """Create (or complete) the demo organisation and return its logins with their roles.

    ``today`` is the organisation's today (by default, from its time zone), which is what the
    pages measure "due" and "overdue" against, not the machine's.
    """
    org = _get_or_add(session, Organisation, {"name": DEMO_ORG})
    today = today or utcnow().astimezone(ZoneInfo(org.timezone)).date()
    rosewood = _get_or_add(
        session, Service, {"organisation_id": org.id, "name": ROSEWOOD}, kind="care_home"
    )
    riverside = _get_or_add(
        session, Service, {"organisation_id": org.id, "name": RIVERSIDE}, kind="homecare"
    )
    for name in ("Lounge", "Dining room", "Garden room"):
        _get_or_add(
            session, Area, {"service_id": rosewood.id, "name": name}, organisation_id=org.id
        )

    for number in range(1, 19):
        _get_or_add(
            session,
            Person,
            {"service_id": rosewood.id, "code": f"R{number:02d}"},
            organisation_id=org.id,
            consent="not_recorded",
        )
    for number in range(1, 13):
        consent = "not_recorded" if number % 5 == 0 else ("no" if number == 7 else "yes")
        _get_or_add(
            session,
            Person,
            {"service_id": riverside.id, "code": f"H{number:02d}"},
            organisation_id=org.id,
            consent=consent,
            consent_on=today - timedelta(days=30 * number) if consent != "not_recorded" else None,
            consent_given_by=("representative" if number % 3 == 0 else "person")
            if consent != "not_recorded"
            else None,
        )

    users = {}
    for email, name, _role in LOGINS:
        user = session.scalar(sa.select(User).where(User.email == email))
        if user is None:
            user = accounts.create_user(
                session,
                organisation_id=org.id,
                email=email,
                display_name=name,
                is_org_admin=email.startswith("admin"),
            )
        if not user.password_hash:
            accounts.set_password(session, user, DEMO_PASSWORD)
        users[email] = user
    accounts.set_memberships(
        session, users["manager@demo.test"], {rosewood.id: "manager", riverside.id: "manager"}
    )
    accounts.set_memberships(
        session,
        users["supervisor@demo.test"],
        {rosewood.id: "supervisor", riverside.id: "supervisor"},
    )
    accounts.set_memberships(session, users["staff@demo.test"], {rosewood.id: "staff"})

    for service in (rosewood, riverside):
        for name, job_role, days_in_post in STAFF[service.name]:
            _get_or_add(
                session,
                StaffMember,
                {"service_id": service.id, "name": name},
                organisation_id=org.id,
                job_role=job_role,
                start_date=today - timedelta(days=days_in_post),
            )
    sam = session.scalar(
        sa.select(StaffMember).where(
            StaffMember.service_id == rosewood.id, StaffMember.name == "Sam Okafor"
        )
    )
    sam.user_id = users["staff@demo.test"].id
    session.flush()

    areas = dict(
        session.execute(sa.select(Area.name, Area.id).where(Area.service_id == rosewood.id)).all()
    )
    staff_ids = list(
        session.scalars(sa.select(StaffMember.id).where(StaffMember.service_id == rosewood.id))
    )
    codes = [f"R{n:02d}" for n in range(1, 19)]
    quis_demo.load(session, rosewood, users["supervisor@demo.test"], areas, staff_ids, codes, today)

    checklist = checklists.create_default(session, org.id)
    starter.create_starter_templates(session, org.id)
    version = checklists.current_version(session, checklist)
    workers = list(
        session.scalars(
            sa.select(StaffMember)
            .where(StaffMember.service_id == riverside.id, StaffMember.name.not_in(NEVER_CHECKED))
            .order_by(StaffMember.name)
        )
    )
    homecare_people = [
        {"code": p.code, "consent": p.consent}
        for p in session.scalars(
            sa.select(Person).where(Person.service_id == riverside.id, Person.consent != "no")
        )
    ]
    visits_demo.load(
        session, riverside, users["supervisor@demo.test"], version, workers, homecare_people, today
    )
    _demo_feedback(session, users["supervisor@demo.test"], sam, users["staff@demo.test"])
    actions_demo.load(
        session,
        rosewood,
        riverside,
        users["manager@demo.test"],
        users["supervisor@demo.test"],
        today,
    )
    selection_demo.load(session, riverside, users["manager@demo.test"], today)
    audits_demo.load(
        session, rosewood, users["manager@demo.test"], users["supervisor@demo.test"], today
    )
    champion = schedules_demo.load(
        session, org, rosewood, riverside, users["manager@demo.test"], today, password=DEMO_PASSWORD
    )
    compliments_demo.load(
        session,
        rosewood,
        riverside,
        users["manager@demo.test"],
        users["supervisor@demo.test"],
        today,
    )
    voice_demo.load(
        session,
        rosewood,
        riverside,
        users["manager@demo.test"],
        users["supervisor@demo.test"],
        today,
    )
    # The quality checker and their work (careobs/checkers), after the draws above.
    checker = checkers_demo.load(
        session,
        riverside,
        users["manager@demo.test"],
        users["supervisor@demo.test"],
        today,
        password=DEMO_PASSWORD,
    )
    coaudits_demo.load(session, riverside, users["manager@demo.test"], today)
    # Paired QUIS observations (calibration), after the feedback and actions above have chosen
    # their sessions: a new observer, Jo leading, and the manager overdue.
    observer = pair_demo.load(
        session,
        rosewood,
        users["supervisor@demo.test"],
        users["manager@demo.test"],
        areas,
        staff_ids,
        codes,
        today,
        password=DEMO_PASSWORD,
    )
    # Two self-assessments of Rosewood House, resting on the records above.
    selfassess_demo.load(
        session, rosewood, users["manager@demo.test"], users["supervisor@demo.test"], today
    )
    _quieten_history(session, today)
    session.commit()
    return [(email, role) for email, _name, role in LOGINS] + champion + checker + observer


def _demo_feedback(session: Session, supervisor, sam: StaffMember, sam_login: User) -> None:
    """Feedback for the demo care worker: one acknowledged with a reply, one not yet read."""
    observed = list(
        session.scalars(
            sa.select(QuisSession)
            .where(
                QuisSession.id.in_(
                    sa.select(QuisInteraction.session_id).where(QuisInteraction.staff_id == sam.id)
                )
            )
            .order_by(QuisSession.started_at.desc())
            .limit(2)
        )
    )
    for index, quis_session in enumerate(reversed(observed)):
        draft = feedback.draft_from_quis(session, quis_session, sam, supervisor)
        if draft.status == "released":
            continue
        feedback.release(session, draft, supervisor)
        if index == 0 and len(observed) == 2:
            feedback.acknowledge(session, draft, sam_login)
            feedback.reply(
                session,
                draft,
                sam_login,
                "Thank you. I will make sure I explain "
                "before helping at lunch, and sit at eye level.",
            )


def _quieten_history(session: Session, today: date) -> None:
    """Alerts raised while loading months of history are marked read, except the last fortnight's:
    a manager opening the demo sees what is new, not a backlog."""
    recent = {"safeguarding"}
    stale = session.scalars(
        sa.select(Notification).where(Notification.read_at.is_(None), Notification.kind.in_(recent))
    )
    for notice in stale:
        link_id = notice.link.rsplit("/", 1)[-1]
        if not _recent_record(session, link_id, today):
            notice.read_at = notice.created_at


def _recent_record(session: Session, record_id: str, today: date) -> bool:
    cutoff = today - timedelta(days=14)
    for model, column in (
        (QuisSession, QuisSession.started_at),
        (MonitoringVisit, MonitoringVisit.planned_at),
    ):
        when = session.scalar(sa.select(column).where(model.uuid == uuid.UUID(record_id)))
        if when is not None:
            return when.date() >= cutoff
    return False
