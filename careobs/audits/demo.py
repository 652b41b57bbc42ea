"""A year of audits at Rosewood House for the demo, on the starter templates.

- Care plan audit: monthly for each person (R01-R18), by the manager; mostly green, some amber,
  now and then a red where a critical item (a risk assessment, the medicines support) was missed.
- Medicines administration records audit: weekly, three people in turn, by the supervisor.
- Infection prevention and control and environment audit: monthly for each area, by the
  supervisor.
- Behaviour and incidents review: monthly, for the whole service, by the manager.

The story: until mid-year the MAR audits keep finding gaps (doses neither signed for nor given a
reason code, doses signed for late). The MAR audit of :data:`STORY_DAYS_AGO` days ago proposes
an action, which becomes an action owned by the supervisor and is completed
:data:`STORY_DONE_AFTER` days later; from then on gaps are rare. The audits dashboard's failed
items and the MAR trend show it, week by week.

Audits go through the audit service as if synced (scores, bands, audit-log events and actions
are real) and are deterministic: uuids from a fixed namespace, ratings from a seeded generator.
Running it again adds only what is missing.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.actions import service as actions
from careobs.actions.models import Action
from careobs.audits import service as audit_service
from careobs.audits import starter
from careobs.audits.documents import CleanAudit, Subject
from careobs.audits.models import Audit
from careobs.capture.answers import CleanAction, CleanAnswer
from careobs.checklists import service as checklists
from careobs.checklists.models import Checklist
from careobs.org.models import Area, Person
from careobs.sync.roster import ServiceRoster

NAMESPACE = uuid.UUID("3b0f6d2e-9c41-4f5a-a8e7-5d21c0b9e416")
STORY_DAYS_AGO = 190  # the MAR audit that raised the action
STORY_DONE_AFTER = 24  # days until the action was completed
# The MAR items the story is about (item texts of starter.MEDICINES_RECORDS).
NO_GAPS = "Every dose due this week is signed for or has a reason code: no gaps"
RECORDED_AT_THE_TIME = "Doses were recorded straight after they were given, never before"
STORY_ACTION = (
    "MAR gaps: the senior on each shift checks every MAR before handover and follows up any "
    "unsigned dose the same day; refresher on recording for night staff."
)
COMMENTS = {
    "partly": ["Mostly in place; one part needs updating.", "Done, but not fully recorded."],
    "not_met": ["Not in place at this audit.", "Missing; raised with the team."],
}
GAP_COMMENTS = {
    NO_GAPS: "Unsigned doses on the record with no reason code.",
    RECORDED_AT_THE_TIME: "Evening doses signed for together at the end of the round.",
}
# (partly met, not met) ranges among the items that are not critical, by the audit's quality.
SHORTFALLS = {"green": ((0, 1), (0, 0)), "amber": ((2, 4), (1, 2)), "red": ((0, 2), (0, 1))}
DECK = ["green"] * 7 + ["amber"] * 2 + ["red"]  # dealt in shuffled decks, as the visits are


class _Results:
    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._left: list[str] = []

    def draw(self) -> str:
        if not self._left:
            self._left = list(DECK)
            self._rng.shuffle(self._left)
        return self._left.pop()


def _answers(rng: random.Random, items, quality: str, forced: dict[str, str]) -> list[CleanAnswer]:
    """Ratings of ``items`` for an audit of ``quality``; ``forced`` sets items by their text."""
    ratings = ["na" if not item.critical and rng.random() < 0.04 else "met" for item in items]
    # The story's items are rated by the story alone (_mar_gaps), never by chance.
    free = [i for i, item in enumerate(items) if item.text not in GAP_COMMENTS]
    if quality == "red":
        ratings[rng.choice([i for i in free if items[i].critical])] = "not_met"
    (partly_low, partly_high), (missed_low, missed_high) = SHORTFALLS[quality]
    n_missed, n_partly = rng.randint(missed_low, missed_high), rng.randint(partly_low, partly_high)
    plain = [i for i in free if ratings[i] == "met" and not items[i].critical]
    for n, index in enumerate(rng.sample(plain, min(len(plain), n_missed + n_partly))):
        ratings[index] = "not_met" if n < n_missed else "partly"
    for index, item in enumerate(items):
        if item.text in forced:
            ratings[index] = forced[item.text]
    return [
        CleanAnswer(
            item.id,
            rating,
            GAP_COMMENTS.get(item.text, "")
            if item.text in forced and rating != "met"
            else rng.choice(COMMENTS.get(rating, [""])),
            item.critical,
            item.domain.key,
            item.key,
        )
        for item, rating in zip(items, ratings, strict=True)
    ]


def _mar_gaps(rng: random.Random, day: date, done_on: date) -> dict[str, str]:
    """Before the action is completed about a third of MAR audits find gaps; after, few do."""
    before = day < done_on
    forced = {}
    gap = rng.random()
    if gap < (0.3 if before else 0.03):
        forced[NO_GAPS] = "not_met"
    late = rng.random()
    if late < (0.25 if before else 0.03):
        forced[RECORDED_AT_THE_TIME] = "not_met"
    elif late < (0.45 if before else 0.12):
        forced[RECORDED_AT_THE_TIME] = "partly"
    return forced


def load(db: Session, rosewood, manager, supervisor, today: date) -> int:
    """Add the year of audits that is missing; returns how many audits were added."""
    rng = random.Random(1515)
    roster = ServiceRoster(service=rosewood, may_capture=True)
    existing = set(db.scalars(sa.select(Audit.uuid).where(Audit.service_id == rosewood.id)))
    templates = {
        c.name: c
        for c in db.scalars(
            sa.select(Checklist).where(
                Checklist.organisation_id == rosewood.organisation_id, Checklist.purpose == "audit"
            )
        )
    }
    versions = {
        name: checklists.current_version(db, templates[t.name])
        for name, t in (
            ("care_plan", starter.CARE_PLAN),
            ("mar", starter.MEDICINES_RECORDS),
            ("ipc", starter.INFECTION_CONTROL),
            ("incidents", starter.BEHAVIOUR_AND_INCIDENTS),
        )
    }
    items = {name: version.items for name, version in versions.items()}
    people = dict(
        db.execute(
            sa.select(Person.code, Person.id)
            .where(Person.service_id == rosewood.id)
            .order_by(Person.code)
        ).all()
    )
    areas = dict(
        db.execute(
            sa.select(Area.name, Area.id).where(Area.service_id == rosewood.id).order_by(Area.name)
        ).all()
    )
    start = today - timedelta(days=364)
    story_day = today - timedelta(days=STORY_DAYS_AGO)
    done_on = story_day + timedelta(days=STORY_DONE_AFTER)
    results = {name: _Results(rng) for name in versions}
    planned: list[tuple[str, date, int, object, Subject, str]] = []

    # (template, day, hour, author, subject, key): every audit of the year, in date order below.
    for month in range(12):
        first = start + timedelta(days=30 * month)
        for n, (code, person_id) in enumerate(people.items()):
            day = first + timedelta(days=n % 20)
            subject = Subject("person", person_id=person_id, text=code)
            planned.append(("care_plan", day, 10, manager, subject, f"cp-{code}-{month}"))
        for n, (name, area_id) in enumerate(areas.items()):
            subject = Subject("area", area_id=area_id, text=name)
            day = first + timedelta(days=3 + 7 * n)
            planned.append(("ipc", day, 14, supervisor, subject, f"ipc-{name}-{month}"))
        day = first + timedelta(days=27)
        planned.append(("incidents", day, 11, manager, Subject("service"), f"inc-{month}"))
    codes = list(people.items())
    for week in range(52):
        for n in range(3):
            code, person_id = codes[(week * 3 + n) % len(codes)]
            day = start + timedelta(days=7 * week + 1 + n)
            subject = Subject("person", person_id=person_id, text=code)
            planned.append(("mar", day, 9, supervisor, subject, f"mar-{week}-{n}"))
    planned.sort(key=lambda p: (p[1], p[5]))

    added = 0
    story_audit = None
    for template, day, hour, author, subject, key in planned:
        if day > today:
            continue
        doc_id = uuid.uuid5(NAMESPACE, f"rosewood-{key}")
        quality = results[template].draw()
        forced = _mar_gaps(rng, day, done_on) if template == "mar" else {}
        is_story = template == "mar" and story_audit is None and day >= story_day
        if is_story:
            forced = {NO_GAPS: "not_met", RECORDED_AT_THE_TIME: "not_met"}
        answers = _answers(rng, items[template], quality, forced)
        proposed = []
        if is_story:
            proposed.append(
                CleanAction(
                    uuid=uuid.uuid5(doc_id, "action"),
                    description=STORY_ACTION,
                    owner_staff_id=None,
                    owner_user_id=supervisor.id,
                    due_on=day + timedelta(days=21),
                )
            )
        started = datetime(day.year, day.month, day.day, hour, rng.choice((0, 15, 30)), tzinfo=UTC)
        ended = started + timedelta(minutes=rng.choice((20, 25, 30, 40)))
        if doc_id in existing:
            continue
        clean = CleanAudit(
            roster=roster,
            version=versions[template],
            subject=subject,
            started_at=started,
            ended_at=ended,
            answers=answers,
            actions=proposed,
            went_well="",
            to_develop=STORY_ACTION if is_story else "",
            status="submitted",
        )
        audit = audit_service.create(db, author, doc_id, 1, clean, doc_id.hex * 2)
        # Written as it would have been on the day, not today.
        audit.created_at = audit.updated_at = audit.submitted_at = ended
        added += 1
        if is_story:
            story_audit = audit
    if story_audit is not None:
        _complete_story_action(db, story_audit, supervisor, done_on)
    db.flush()
    return added


def _complete_story_action(db: Session, audit: Audit, supervisor, done_on: date) -> None:
    """The action the story's MAR audit proposed, dated as raised and completed that year."""
    action = db.scalar(sa.select(Action).where(Action.audit_id == audit.id))
    if action is None or action.status == "done":
        return
    action.created_at = action.updated_at = audit.ended_at
    actions.add_progress(
        db,
        supervisor,
        action,
        text="Handover checks of every MAR are in place on every shift, and the night staff "
        "have had their refresher on recording.",
        status="done",
    )
    completed = datetime(done_on.year, done_on.month, done_on.day, 16, 0, tzinfo=UTC)
    action.completed_at = action.updated_at = completed
    for note in action.notes:
        note.created_at = completed
