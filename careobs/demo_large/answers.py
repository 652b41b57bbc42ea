"""The large demo's checklist versions and how a generated visit's items get rated.

Some items are missed far more often than others (logging in and out, reading the care plan,
leaving a drink), so "most often missed items" has a shape; timekeeping items follow the visit's
actual lateness and shortfall; medicines, moving and handling and meals are often N/A.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.orm import Session

from careobs.checklists import service as checklists
from careobs.checklists.models import ChecklistItem
from careobs.visits.documents import CleanAnswer

ARRIVAL = "Arrived within the agreed tolerance of the planned time"
STAYED = "Stayed the planned duration"
LOGGED = "Logged the visit in and out"
LOGGED_V2 = "Logged the visit in and out at the door, not in the car"
NEW_ITEM = ("Record keeping", "Recorded any change in the person's condition or needs")
MEDICINES = {
    "Checked the medicines record before giving",
    "Right person, medicine, dose, time and route",
    "Recorded correctly straight after",
}
# How often an item is missed relative to the others (1 when not listed).
WEIGHTS = {
    LOGGED: 2.6,
    "Read the care plan, risk assessment and latest notes": 2.2,
    "Drink left within reach": 2.0,
    "Visit notes complete, accurate, written at the time": 2.0,
    "Bare below the elbows, nails short, hair tied back, minimal jewellery": 1.8,
    "No personal phone use": 1.6,
    "ID badge visible": 1.5,
    "Offered choices": 1.4,
    "Promoted independence": 1.3,
    NEW_ITEM[1]: 1.8,
}
NA_CHANCE = {
    "Equipment checked and used safely as the plan says": 0.45,
    "Food prepared safely and to preference": 0.25,
    "Drink left within reach": 0.2,
}
# Which critical item a red visit failed on, most often the medicines record.
CRITICAL_MISSES = {
    "Checked the medicines record before giving": 40,
    "Hand hygiene before contact": 25,
    "Gained consent before care": 15,
    "Equipment checked and used safely as the plan says": 10,
    "Right person, medicine, dose, time and route": 5,
    "Recorded correctly straight after": 5,
}
# (partly met, not met) chance per unit of weight, by the visit's intended quality.
MISS_RATES = {
    "green": (0.015, 0.002),
    "amber": (0.11, 0.04),
    "red": (0.2, 0.14),
    "red_critical": (0.12, 0.05),
}
COMMENTS = {
    "partly": ("Reminded about this during the visit.", "Done, but only after a prompt."),
    "not_met": ("Not done; discussed straight after the visit.", "Missed; agreed an action."),
}


@dataclass(frozen=True)
class ItemSpec:
    """One checklist item of a version, with the demo's rating habits for it."""

    id: int
    text: str  # the version-1 wording, which the tables above use
    critical: bool
    domain_key: object
    key: object
    weight: float
    na_chance: float


def versions(db: Session, org_id: int, admin, first_day: date, switch_day: date):
    """The default checklist (v1, published before the window) and a reworded v2 published on
    ``switch_day``; returns [(version, specs, published_at)] oldest first."""
    checklist = checklists.create_default(db, org_id, actor=admin)
    v1 = checklists.current_version(db, checklist)
    v1.published_at = datetime.combine(first_day - timedelta(days=30), time(0), UTC)
    original = {item.key: item.text for item in v1.items}
    draft = checklists.start_draft(db, checklist, admin)
    for domain in draft.domains:
        for item in domain.items:
            if item.text == LOGGED:
                item.text = LOGGED_V2
        if domain.name == NEW_ITEM[0]:
            domain.items.append(
                ChecklistItem(position=len(domain.items), text=NEW_ITEM[1], critical=False)
            )
    db.flush()
    checklists.publish(db, draft, admin)
    switch = datetime.combine(switch_day, time(0), UTC)
    draft.published_at = v1.retired_at = switch
    db.flush()
    result = []
    for version in (v1, draft):
        db.refresh(version)
        specs = [
            ItemSpec(
                item.id,
                original.get(item.key, item.text),
                item.critical,
                item.domain.key,
                item.key,
                WEIGHTS.get(original.get(item.key, item.text), 1.0),
                NA_CHANCE.get(original.get(item.key, item.text), 0.01),
            )
            for item in version.items
        ]
        result.append((version, specs, version.published_at))
    return result


class Rater:
    """Rates a version's items for one visit; answers are shared immutable objects."""

    def __init__(self, specs: list[ItemSpec], tolerance: int):
        self.specs = specs
        self.tolerance = tolerance
        self._answers: dict = {}
        self.critical = [s for s in specs if s.critical]
        self.critical_weights = [CRITICAL_MISSES.get(s.text, 1) for s in self.critical]

    def _answer(self, spec: ItemSpec, rating: str, comment: str) -> CleanAnswer:
        key = (spec.id, rating, comment)
        answer = self._answers.get(key)
        if answer is None:
            answer = CleanAnswer(spec.id, rating, comment, spec.critical, spec.domain_key, spec.key)
            self._answers[key] = answer
        return answer

    def _comment(self, rng: random.Random, rating: str) -> str:
        if rating in COMMENTS and rng.random() < 0.7:
            return rng.choice(COMMENTS[rating])
        return ""

    def rate(
        self, rng: random.Random, quality: str, late: float, shortfall: float
    ) -> list[CleanAnswer]:
        """Answers for a visit of an intended quality with this lateness and shortfall (minutes).

        The band stored is whatever the scoring gives these answers, not the intention.
        """
        if quality == "red" and rng.random() < 0.6:
            quality = "red_critical"
        partly_rate, not_met_rate = MISS_RATES[quality]
        no_medicines = rng.random() < 0.3
        ratings = {}
        for spec in self.specs:
            if (spec.text in MEDICINES and no_medicines) or rng.random() < spec.na_chance:
                rating = "na"
            elif spec.text == ARRIVAL:
                rating = "met" if late <= self.tolerance else "partly" if late <= 20 else "not_met"
            elif spec.text == STAYED:
                rating = "met" if shortfall <= 2 else "partly" if shortfall <= 8 else "not_met"
            else:
                roll = rng.random()
                if roll < not_met_rate * spec.weight and not spec.critical:
                    rating = "not_met"
                elif roll < (partly_rate + not_met_rate) * spec.weight:
                    rating = "partly"
                else:
                    rating = "met"
            ratings[spec.id] = rating
        if quality == "red_critical":
            spec = rng.choices(self.critical, self.critical_weights)[0]
            if ratings[spec.id] == "na":
                spec = next((s for s in self.critical if ratings[s.id] != "na"), None)
            if spec is not None:
                ratings[spec.id] = "not_met"
        return [
            self._answer(s, ratings[s.id], self._comment(rng, ratings[s.id])) for s in self.specs
        ]
