"""The demo's audit schedules and audit champions (issue 15).

Rosewood House runs the four starter audits on a schedule begun a year ago, so the year of demo
audits (careobs.audits.demo) shows what was done on time, late or not at all: every person's care
plan every 30 days, every person's medicines administration record every 7 days, infection
prevention and control in every area every 30 days, and the behaviour and incidents review of
the whole service every 30 days.

At Riverside Homecare the care plan audit runs every 30 days from three weeks ago, and Peter
Hughes, a senior care worker with a login (champion@demo.test), is its audit champion with the
medicines records audit: his home page shows what is due for him, and he may complete those
audits there and nothing more. Loading twice changes nothing.
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.accounts import service as accounts
from careobs.accounts.models import User
from careobs.audits import champions, schedules, starter
from careobs.checklists.models import Checklist
from careobs.org.models import Organisation, Service, StaffMember

CHAMPION_EMAIL = "champion@demo.test"
CHAMPION_NAME = "Peter Hughes"  # a senior care worker of Riverside Homecare in the demo
CHAMPION_ROLE = "Audit champion at Riverside Homecare"

# The demo audits three of Rosewood's 18 people's MARs a week, in turn (careobs/audits/demo.py):
# each person's MAR every six weeks, so that is how often it is scheduled.
ROSEWOOD_SCHEDULES = [
    (starter.CARE_PLAN.name, 30),
    (starter.MEDICINES_RECORDS.name, 42),
    (starter.INFECTION_CONTROL.name, 30),
    (starter.BEHAVIOUR_AND_INCIDENTS.name, 30),
]
RIVERSIDE_SCHEDULES = [(starter.CARE_PLAN.name, 30)]
RIVERSIDE_CHAMPION_OF = [starter.CARE_PLAN.name, starter.MEDICINES_RECORDS.name]


def load(
    session: Session,
    org: Organisation,
    rosewood: Service,
    riverside: Service,
    manager: User,
    today: date,
    *,
    password: str,
) -> list[tuple[str, str]]:
    """Add the schedules and the champion (after the starter templates exist); returns the
    champion's login as (email, role) for the demo's list of logins."""
    templates = {
        t.name: t
        for t in session.scalars(
            sa.select(Checklist).where(
                Checklist.organisation_id == org.id, Checklist.purpose == "audit"
            )
        )
    }
    year_ago = today - timedelta(days=365)
    for name, days in ROSEWOOD_SCHEDULES:
        schedules.add_schedule(session, rosewood, templates[name], days, year_ago, manager)
    for name, days in RIVERSIDE_SCHEDULES:
        schedules.add_schedule(
            session, riverside, templates[name], days, today - timedelta(days=21), manager
        )

    champion = session.scalar(sa.select(User).where(User.email == CHAMPION_EMAIL))
    if champion is None:
        champion = accounts.create_user(
            session, organisation_id=org.id, email=CHAMPION_EMAIL, display_name=CHAMPION_NAME
        )
    if not champion.password_hash:
        accounts.set_password(session, champion, password)
    accounts.set_memberships(session, champion, {riverside.id: "staff"})
    member = session.scalar(
        sa.select(StaffMember).where(
            StaffMember.service_id == riverside.id, StaffMember.name == CHAMPION_NAME
        )
    )
    if member is not None and member.user_id is None:
        member.user_id = champion.id
    session.flush()
    for name in RIVERSIDE_CHAMPION_OF:
        champions.assign(session, riverside, templates[name], champion, manager)
    session.flush()
    return [(CHAMPION_EMAIL, CHAMPION_ROLE)]
