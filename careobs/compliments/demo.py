"""The demo's compliments and concerns logs at Rosewood House and Riverside Homecare, over the
year: compliments naming care workers turned into feedback their manager released (the older
ones acknowledged by workers who can log in; the newest left a draft to release), and concerns
with their responses, one of which raised an action."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.compliments import service as compliments
from careobs.compliments.models import Compliment
from careobs.feedback import service as feedback_service
from careobs.feedback.models import Feedback
from careobs.org.models import Person, Service, StaffMember

# (days ago, kind, section, from, person code or None, worker named or None, text, response)
ROSEWOOD_LOG = [
    (
        350,
        "compliment",
        "food",
        "family",
        None,
        None,
        "Dad says the Sunday roast is the best he has had in years.",
        "",
    ),
    (
        320,
        "concern",
        "environment",
        "family",
        None,
        None,
        "The lounge felt cold on two afternoons this week.",
        "Radiator valve replaced the next day; the lounge is checked at 2pm daily.",
    ),
    (
        300,
        "compliment",
        "activities",
        "person",
        "R03",
        "Megan Lloyd",
        "Loved the music afternoon Megan put on, it brought back memories.",
        "",
    ),
    (
        270,
        "compliment",
        "care",
        "professional",
        None,
        "Aisha Khan",
        "The GP said Aisha's handover about the chest infection was clear and complete.",
        "",
    ),
    (
        240,
        "concern",
        "communication",
        "family",
        None,
        None,
        "Nobody rang us when Mum's appointment was moved.",
        "Apologised. Family contact preferences are now on the handover sheet.",
    ),
    (
        210,
        "compliment",
        "staff",
        "family",
        None,
        "Sam Okafor",
        "Sam always takes time to chat with Mum and makes her laugh.",
        "",
    ),
    (
        180,
        "compliment",
        "food",
        "person",
        "R07",
        None,
        "The new menu has more choice, I like the fish on Fridays.",
        "",
    ),
    (
        150,
        "concern",
        "medicines",
        "family",
        None,
        None,
        "Dad's evening tablets were late twice last week.",
        "Reviewed the evening round: it now starts at 6pm, before the busy time.",
    ),
    (
        120,
        "compliment",
        "care",
        "family",
        None,
        "Grace Mensah",
        "Grace noticed Mum was low and sat with her; it made a real difference.",
        "",
    ),
    (
        95,
        "compliment",
        "environment",
        "professional",
        None,
        None,
        "The visiting optician said the home is bright, calm and easy to find your way round.",
        "",
    ),
    (
        70,
        "concern",
        "activities",
        "person",
        "R11",
        None,
        "There is not much to do at weekends.",
        "",
    ),
    (
        45,
        "compliment",
        "staff",
        "family",
        None,
        "Sam Okafor",
        "Sam helped Dad video-call his grandson; he talked about it all week.",
        "",
    ),
    (
        20,
        "compliment",
        "care",
        "anonymous",
        None,
        None,
        "Thank you all for the kindness shown in Mum's last days.",
        "",
    ),
    (
        6,
        "compliment",
        "staff",
        "family",
        None,
        "Liam Walsh",
        "Liam was patient and gentle helping Dad settle on his first night.",
        "",
    ),
]
RIVERSIDE_LOG = [
    (
        340,
        "compliment",
        "staff",
        "person",
        "H02",
        "Joy Adeyemi",
        "Joy is always cheerful and never rushes me.",
        "",
    ),
    (
        300,
        "concern",
        "communication",
        "family",
        None,
        None,
        "The rota changed and no one told us who was coming.",
        "Rota changes are now texted to the family the day before.",
    ),
    (
        260,
        "compliment",
        "care",
        "professional",
        None,
        "Peter Hughes",
        "The district nurse said Peter's notes on the leg wound were the clearest she reads.",
        "",
    ),
    (
        220,
        "compliment",
        "care",
        "family",
        None,
        None,
        "Mum can stay at home because of the help she gets. Thank you.",
        "",
    ),
    (
        180,
        "concern",
        "care",
        "person",
        "H05",
        None,
        "The evening call was 50 minutes late and my tea was cold.",
        "Apologised; the route was re-planned so the evening call is on time.",
    ),
    (
        140,
        "compliment",
        "staff",
        "family",
        None,
        "Ewa Kowalska",
        "Ewa spotted Dad's skin was red and called the nurse straight away.",
        "",
    ),
    (
        100,
        "compliment",
        "communication",
        "family",
        None,
        None,
        "The office always rings back the same day.",
        "",
    ),
    (
        60,
        "concern",
        "medicines",
        "family",
        None,
        None,
        "Mum's cream was not put on for three days.",
        "",
    ),
    (
        30,
        "compliment",
        "staff",
        "person",
        "H01",
        "Ben Carter",
        "Ben makes a proper cup of tea and remembers how I like it.",
        "",
    ),
    (
        9,
        "compliment",
        "care",
        "family",
        None,
        "Nadia Rahman",
        "Nadia helped Mum get ready for the wedding; she felt herself again.",
        "",
    ),
]
# The newest compliment naming a worker in each log is left as a draft for the manager.
CONCERN_ACTION = (
    "Add the cream to the visit checklist and check it at the next spot check.",
    "An apology was made; the cream is now on the visit plan and checked at spot checks.",
)


def load(
    session: Session, rosewood: Service, riverside: Service, manager, supervisor, today: date
) -> None:
    """Add both logs once (a service that already has a log is left as it is)."""
    for svc, log in ((rosewood, ROSEWOOD_LOG), (riverside, RIVERSIDE_LOG)):
        if session.scalar(sa.select(Compliment.id).where(Compliment.service_id == svc.id)):
            continue
        _load_log(session, svc, log, manager, supervisor, today)


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def _load_log(session: Session, svc: Service, log, manager, supervisor, today: date) -> None:
    sections = {s.key: s for s in compliments.sections(session, svc.organisation_id)}
    staff = {
        m.name: m
        for m in session.scalars(sa.select(StaffMember).where(StaffMember.service_id == svc.id))
    }
    people = {
        p.code: p for p in session.scalars(sa.select(Person).where(Person.service_id == svc.id))
    }
    newest_named = min(days for days, *_rest, named, _t, _r in log if named)
    for days, kind, section, source, code, named, text, response in log:
        received = today - timedelta(days=days)
        recorder = supervisor if days % 2 else manager
        entry = compliments.record(
            session,
            recorder,
            entry_id=uuid.uuid4(),
            service=svc,
            kind=kind,
            section=sections[section],
            received_on=received,
            source=source,
            person=people.get(code) if code else None,
            text=text,
            staff=[staff[named]] if named else [],
        )
        entry.created_at = entry.updated_at = _at(received, 11)
        if response:
            compliments.respond(session, manager, entry, response=response)
            entry.responded_at = _at(received + timedelta(days=2), 10)
        if kind == "concern" and section == "medicines" and svc.kind == "homecare":
            compliments.respond(
                session,
                manager,
                entry,
                response=CONCERN_ACTION[1],
                action_text=CONCERN_ACTION[0],
                owner=manager,
                due_on=today + timedelta(days=14),
            )
        for draft in session.scalars(sa.select(Feedback).where(Feedback.compliment_id == entry.id)):
            draft.created_at = draft.updated_at = _at(received, 11)
            if days == newest_named:
                continue
            feedback_service.release(session, draft, manager)
            draft.released_at = _at(received + timedelta(days=1), 9)
            worker = draft.staff.user
            if worker is not None and days > 30:
                feedback_service.acknowledge(session, draft, worker)
                draft.read_at = draft.acknowledged_at = _at(received + timedelta(days=1), 17)
    session.flush()
