"""The large demo provider's structure: services, areas, people (codes only), staff and logins.

Rows go in with Core executemany and without audit events: they are generated, not entered.
Only the four published logins are made through the accounts service, as in the small demo.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.accounts import service as accounts
from careobs.accounts.models import Membership, User
from careobs.demo import DEMO_PASSWORD
from careobs.demo_large.patterns import Window, new_uuid, pick_trends
from careobs.org.models import Area, Organisation, Person, Service, StaffMember

PLACES = [
    "Ashgrove", "Beechwood", "Cedar", "Denholme", "Elmfield", "Foxley", "Glenview", "Hawthorn",
    "Ivybridge", "Juniper", "Kingsmead", "Larchfield", "Maple", "Northgate", "Oakridge",
    "Primrose", "Queensbury", "Rowan", "Sycamore", "Thornbury", "Upton", "Valley View",
    "Willowbank", "Yew Tree", "Abbeyfield", "Brookside", "Castlegate", "Dovecote", "Eastwood",
    "Fernlea",
]  # fmt: skip
HOME_SUFFIXES = ["House", "Lodge", "Court", "Manor", "Grange"]
AREA_NAMES = ["Lounge", "Dining room", "Garden room", "Quiet lounge"]
FIRST_NAMES = [
    "Aisha", "Ben", "Chloe", "Daniel", "Ewa", "Fatima", "Grace", "Hannah", "Imran", "Joy",
    "Kieran", "Liam", "Megan", "Nadia", "Oliver", "Priya", "Ruth", "Sam", "Tom", "Zara",
    "Amir", "Bethan", "Callum", "Deborah", "Emeka", "Funmi", "Gareth", "Hollie", "Ioana", "Jake",
    "Kasia", "Leah", "Mohammed", "Niamh", "Owen", "Patience", "Rhys", "Sophie", "Tariq", "Vicky",
]  # fmt: skip
LAST_NAMES = [
    "Adeyemi", "Bradley", "Carter", "Doyle", "Edwards", "Grant", "Hughes", "Hussain", "Jenkins",
    "Khan", "Kowalska", "Lloyd", "Mensah", "Novak", "Okafor", "Price", "Rahman", "Riley", "Shah",
    "Walsh", "Ahmed", "Begum", "Clarke", "Davies", "Evans", "Fraser", "Gill", "Harris", "Islam",
    "Jones", "Kaur", "Lewis", "Morgan", "Nowak", "Owusu", "Patel", "Roberts", "Singh", "Taylor",
    "Wright",
]  # fmt: skip
HOME_ROLES = (
    ["Care worker"] * 62
    + ["Senior carer"] * 16
    + ["Nurse"] * 10
    + ["Activities coordinator"] * 4
    + ["Housekeeper"] * 4
    + ["Kitchen assistant"] * 4
)
BRANCH_ROLES = ["Care worker"] * 86 + ["Senior care worker"] * 10 + ["Field care supervisor"] * 4
VISITED_ROLES = {"Care worker", "Senior care worker"}
HOME_SHARE_OF_SERVICES = 25 / 40
HOME_SHARE_OF_STAFF = 0.4  # homecare branches are the larger employers


@dataclass
class Worker:
    """A generated member of staff: ``until`` is the last day they worked (None while active)."""

    id: int
    role: str
    start: date
    until: date | None


@dataclass
class Unit:
    """A generated service with what the session and visit generators need from it."""

    service: Service
    trend: str
    observer_id: int  # the supervisor who records its sessions or visits
    people: list[tuple[str, str]]  # (code, consent)
    staff: list[Worker]
    areas: dict[str, int] = field(default_factory=dict)
    predictable: bool = False  # visits always on weekday mornings


@dataclass
class Provider:
    """The generated organisation."""

    organisation: Organisation
    homes: list[Unit]
    branches: list[Unit]
    logins: dict[str, User]
    login_worker_id: int  # the care worker linked to staff@large.test


def _service_names(rng: random.Random, homes: int, branches: int) -> tuple[list, list]:
    places = list(PLACES)
    rng.shuffle(places)
    while len(places) < homes + branches:
        places.append(f"{places[len(places) % len(PLACES)]} {len(places) // len(PLACES) + 1}")
    home_names = [f"{p} {rng.choice(HOME_SUFFIXES)}" for p in places[:homes]]
    branch_names = [f"{p} Homecare" for p in places[homes : homes + branches]]
    return home_names, branch_names


def _insert(db: Session, model, rows: list[dict]) -> dict:
    """Insert rows and return their ids keyed by the uuid each row was given."""
    if not rows:
        return {}
    db.connection().execute(model.__table__.insert(), rows)
    wanted = [r["uuid"] for r in rows]
    found = {}
    for start in range(0, len(wanted), 5000):
        chunk = wanted[start : start + 5000]
        found.update(db.execute(sa.select(model.uuid, model.id).where(model.uuid.in_(chunk))).all())
    return found


def _start_date(rng: random.Random, today: date, new_starter_share: float) -> date:
    """Some new starters (last 28 days); of the rest about a third joined in the last two
    years and the others up to ten years ago."""
    if rng.random() < new_starter_share:
        return today - timedelta(days=rng.randint(1, 27))
    return today - timedelta(days=28 + int(3622 * rng.random() ** 1.5))


def _staff_rows(rng, org_id, service_ids, counts, roles, window, names) -> list[dict]:
    rows = []
    for service_id, count in zip(service_ids, counts, strict=True):
        for _ in range(count):
            start = _start_date(rng, window.today, 0.04)
            left = None
            if rng.random() < 0.05 and (window.today - start).days > 120:
                left = start + timedelta(days=rng.randint(60, (window.today - start).days - 30))
            rows.append(
                {
                    "uuid": new_uuid(rng),
                    "organisation_id": org_id,
                    "service_id": service_id,
                    "name": names.pop(),
                    "job_role": rng.choice(roles),
                    "start_date": start,
                    "active": left is None,
                    "user_id": None,
                    "_left": left,
                }
            )
    return rows


def _split(total: int, parts: int, rng: random.Random, spread: float = 0.3) -> list[int]:
    """``total`` split into ``parts`` uneven whole shares (at least 1 each)."""
    weights = [1 + spread * (2 * rng.random() - 1) for _ in range(parts)]
    raw = [total * w / sum(weights) for w in weights]
    counts = [max(1, int(r)) for r in raw]
    for index in range(total - sum(counts)):
        counts[index % parts] += 1
    return counts


def build(db: Session, name: str, rng: random.Random, window: Window, services: int, staff: int):
    """Create the organisation, its services and everyone in them; returns the :class:`Provider`."""
    created = datetime.combine(window.first_day - timedelta(days=90), datetime.min.time(), UTC)
    org = Organisation(uuid=new_uuid(rng), name=name, created_at=created)
    db.add(org)
    db.flush()
    n_homes = max(1, round(services * HOME_SHARE_OF_SERVICES)) if services > 1 else 1
    n_branches = max(1, services - n_homes)
    home_names, branch_names = _service_names(rng, n_homes, n_branches)
    service_rows = [
        {
            "uuid": new_uuid(rng),
            "organisation_id": org.id,
            "name": service_name,
            "kind": kind,
            "active": True,
            "created_at": created,
        }
        for names, kind in ((home_names, "care_home"), (branch_names, "homecare"))
        for service_name in names
    ]
    _insert(db, Service, service_rows)
    by_name = {
        s.name: s for s in db.scalars(sa.select(Service).where(Service.organisation_id == org.id))
    }
    homes = [by_name[n] for n in home_names]
    branches = [by_name[n] for n in branch_names]

    area_rows = []
    for home in homes:
        for area in AREA_NAMES[: rng.randint(2, 4)]:
            area_rows.append(
                {
                    "uuid": new_uuid(rng),
                    "organisation_id": org.id,
                    "service_id": home.id,
                    "name": area,
                    "active": True,
                }
            )
    _insert(db, Area, area_rows)

    people = _people(db, rng, org.id, homes, branches, window.today)

    names = [f"{f} {last}" for f in FIRST_NAMES for last in LAST_NAMES]
    rng.shuffle(names)
    names = names * (staff // len(names) + 1)
    home_staff = max(len(homes), round(staff * HOME_SHARE_OF_STAFF))
    rows = _staff_rows(
        rng,
        org.id,
        [h.id for h in homes],
        _split(home_staff, len(homes), rng),
        HOME_ROLES,
        window,
        names,
    ) + _staff_rows(
        rng,
        org.id,
        [b.id for b in branches],
        _split(staff - home_staff, len(branches), rng),
        BRANCH_ROLES,
        window,
        names,
    )
    left_on = {r["uuid"]: r.pop("_left") for r in rows}
    ids = _insert(db, StaffMember, rows)
    workers: dict[int, list[Worker]] = {}
    for row in rows:
        workers.setdefault(row["service_id"], []).append(
            Worker(ids[row["uuid"]], row["job_role"], row["start_date"], left_on[row["uuid"]])
        )

    logins, login_worker_id = _logins(db, org, homes, branches, workers)
    observers = _observers(db, rng, org.id, homes + branches, logins)
    home_trends = pick_trends(len(homes), improving=[0, 5, 9], worsening=[1])
    branch_trends = pick_trends(len(branches), improving=[1, 6], worsening=[2])
    area_ids: dict[int, dict[str, int]] = {}
    for area_id, service_id, area_name in db.execute(
        sa.select(Area.id, Area.service_id, Area.name).where(Area.organisation_id == org.id)
    ):
        area_ids.setdefault(service_id, {})[area_name] = area_id
    home_units = [
        Unit(h, t, observers[h.id], people[h.id], workers[h.id], area_ids[h.id])
        for h, t in zip(homes, home_trends, strict=True)
    ]
    branch_units = [
        Unit(b, t, observers[b.id], people[b.id], workers[b.id], predictable=i in (0, 4))
        for i, (b, t) in enumerate(zip(branches, branch_trends, strict=True))
    ]
    return Provider(org, home_units, branch_units, logins, login_worker_id)


def _people(db, rng, org_id, homes, branches, today) -> dict[int, list[tuple[str, str]]]:
    """People supported, as codes only: R01… in care homes, H01… in homecare."""
    rows = []
    for prefix, services, sizes in (("R", homes, (28, 60)), ("H", branches, (60, 140))):
        for service in services:
            for number in range(1, rng.randint(*sizes) + 1):
                consent = "yes"
                if prefix == "H":
                    consent = rng.choices(["yes", "not_recorded", "no"], [85, 11, 4])[0]
                rows.append(
                    {
                        "uuid": new_uuid(rng),
                        "organisation_id": org_id,
                        "service_id": service.id,
                        "code": f"{prefix}{number:02d}",
                        "initials": None,
                        "active": True,
                        "consent": consent,
                        "consent_on": today - timedelta(days=rng.randint(30, 900))
                        if consent != "not_recorded"
                        else None,
                        "consent_given_by": rng.choice(["person", "person", "representative"])
                        if consent != "not_recorded"
                        else None,
                    }
                )
    _insert(db, Person, rows)
    people: dict[int, list[tuple[str, str]]] = {}
    for row in rows:
        people.setdefault(row["service_id"], []).append((row["code"], row["consent"]))
    return people


LOGINS = [
    ("admin@large.test", "Morgan Blake", "Organisation admin (every service)"),
    ("manager@large.test", "Sunita Patel", "Manager of two care homes and a homecare branch"),
    ("supervisor@large.test", "Chris Ellis", "Supervisor in the manager's three services"),
    ("staff@large.test", "", "Care worker in the manager's homecare branch"),
]


def _logins(db, org, homes, branches, workers) -> tuple[dict[str, User], int]:
    """The published logins; the care worker login is linked to a visited care worker."""
    managed = [*homes[:2], branches[0]]
    worker = next(
        w
        for w in sorted(workers[branches[0].id], key=lambda w: w.start)
        if w.role == "Care worker" and w.until is None
    )
    worker_name = db.scalar(sa.select(StaffMember.name).where(StaffMember.id == worker.id))
    users = {}
    for email, display_name, _role in LOGINS:
        user = accounts.create_user(
            db,
            organisation_id=org.id,
            email=email,
            display_name=display_name or worker_name,
            is_org_admin=email.startswith("admin"),
        )
        accounts.set_password(db, user, DEMO_PASSWORD)
        users[email] = user
    accounts.set_memberships(db, users["manager@large.test"], {s.id: "manager" for s in managed})
    accounts.set_memberships(
        db, users["supervisor@large.test"], {s.id: "supervisor" for s in managed}
    )
    accounts.set_memberships(db, users["staff@large.test"], {branches[0].id: "staff"})
    db.flush()
    db.execute(
        sa.update(StaffMember)
        .where(StaffMember.id == worker.id)
        .values(user_id=users["staff@large.test"].id)
    )
    return users, worker.id


def _observers(db, rng, org_id, services, logins) -> dict[int, int]:
    """One supervisor per service records its sessions or visits; they have no password yet.

    The published supervisor login covers the manager's services."""
    supervisor = logins["supervisor@large.test"]
    covered = {m.service_id for m in supervisor.memberships}
    rows = []
    for number, service in enumerate(s for s in services if s.id not in covered):
        rows.append(
            {
                "uuid": new_uuid(rng),
                "organisation_id": org_id,
                "email": f"supervisor{number + 1:02d}@large.test",
                "display_name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                "active": True,
                "is_org_admin": False,
                "password_hash": None,
                "session_token": f"large-demo-{rng.getrandbits(128):032x}",
                "created_at": datetime.now(UTC),
                "_service": service.id,
            }
        )
    services_of = {r["uuid"]: r.pop("_service") for r in rows}
    ids = _insert(db, User, rows)
    observers = {service_id: supervisor.id for service_id in covered}
    membership_rows = []
    for user_uuid, service_id in services_of.items():
        observers[service_id] = ids[user_uuid]
        membership_rows.append(
            {
                "organisation_id": org_id,
                "user_id": ids[user_uuid],
                "service_id": service_id,
                "role": "supervisor",
            }
        )
    if membership_rows:
        db.connection().execute(Membership.__table__.insert(), membership_rows)
    return observers
