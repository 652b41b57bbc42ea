"""Sync documents for the concurrency suite: sessions of any size and visits, in one line each.

Times are a couple of days before the test run, so they stay inside the window the server
believes (2000-01-01 up to a day ahead of its clock) whatever the date. Every builder makes new
ids unless given one; revisions of one document are built by passing the same ``id``.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tests.support.visits import ChecklistInfo

START = (datetime.now(UTC) - timedelta(days=2)).replace(hour=12, minute=0, second=0, microsecond=0)
CATEGORY_CYCLE = ("PS", "PC", "PC", "PS", "N", "PC", "NP", "PS", "PC", "NR")
PEOPLE_CYCLE = (["R01"], ["R02"], ["R01", "R02"])


@dataclass(frozen=True)
class Place:
    """The public ids the documents name: Acme's two services, one worker in each, a checklist."""

    care_home: str
    homecare: str
    carla: str  # Carla Carer, care home
    hal: str  # Hal Homecare, homecare
    checklist: ChecklistInfo
    supervisor: str  # the email of the supervisor of both services


def new_id() -> str:
    return str(uuid.uuid4())


def iso(moment: datetime) -> str:
    return moment.isoformat()


def interactions(place: Place, count: int, *, start: datetime = START, note: str = "") -> list:
    """``count`` valid interactions spread over the first 30 minutes after ``start``."""
    step = 1800 / max(count, 1)
    return [
        {
            "id": new_id(),
            "at": iso(start + timedelta(seconds=round(n * step, 3))),
            "people": list(PEOPLE_CYCLE[n % len(PEOPLE_CYCLE)]),
            "staff_id": place.carla if n % 4 else None,
            "category": CATEGORY_CYCLE[n % len(CATEGORY_CYCLE)],
            "initiated_by": ("staff", "person", None)[n % 3],
            "communication": ("two_way", "one_way", None)[n % 3],
            "negative_reason": None,
            "note": note,
        }
        for n in range(count)
    ]


def quis_session(
    place: Place,
    *,
    id: str | None = None,
    revision: int = 1,
    size: int = 3,
    status: str = "draft",
    start: datetime = START,
    **fields,
) -> dict:
    """A care home ``quis_session`` with ``size`` interactions; ``fields`` override ``data``."""
    data = {
        "service_id": place.care_home,
        "area_id": None,
        "context": "mealtime",
        "started_at": iso(start),
        "ended_at": iso(start + timedelta(minutes=30)),
        "planned_minutes": 30,
        "frame_minutes": 5,
        "people": ["R01", "R02"],
        "staff_on_duty": 3,
        "status": status,
        "notes": f"Revision {revision}, {size} interactions.",
        "went_well": "",
        "to_develop": "",
        "interactions": interactions(place, size, start=start),
    }
    data.update(fields)
    return {"kind": "quis_session", "id": id or new_id(), "revision": revision, "data": data}


RATING_CYCLE = ("met", "met", "partly", "met", "na", "not_met")


def spot_check(
    place: Place,
    *,
    id: str | None = None,
    revision: int = 1,
    answered: int | None = None,
    actions: int = 0,
    status: str = "draft",
    **fields,
) -> dict:
    """A homecare ``spot_check`` of Hal Homecare answering the first ``answered`` items (all by
    default) and agreeing ``actions`` actions owned by Hal. Submitted visits rate every item
    but the last Met, so none has a critical item Not met; drafts vary their ratings."""
    items = place.checklist.items
    answered = len(items) if answered is None else answered
    answers = []
    for n, item in enumerate(items[:answered]):
        rating = "met" if status == "submitted" else RATING_CYCLE[n % len(RATING_CYCLE)]
        if status == "submitted" and n == len(items) - 1 and not item.critical:
            rating = "partly"
        answers.append({"item_id": item.id, "rating": rating, "comment": f"r{revision}"})
    data = {
        "service_id": place.homecare,
        "staff_id": place.hal,
        "person_code": "H01",
        "visit_type": "unannounced",
        "consent": "obtained_today",
        "checklist_id": place.checklist.id,
        "checklist_version": place.checklist.version,
        "planned_at": iso(START),
        "planned_minutes": 30,
        "arrived_at": iso(START + timedelta(minutes=5)),
        "left_at": iso(START + timedelta(minutes=35)),
        "answers": answers,
        "person_view": {"satisfaction": 4, "comment": ""},
        "went_well": f"Revision {revision}.",
        "to_develop": "",
        "actions": [
            {
                "id": new_id(),
                "description": f"Action {n + 1} agreed at revision {revision}.",
                "owner_id": place.hal,
                "due_on": (START + timedelta(days=30 + n)).date().isoformat(),
            }
            for n in range(actions)
        ],
        "status": status,
    }
    data.update(fields)
    return {"kind": "spot_check", "id": id or new_id(), "revision": revision, "data": data}


def batch_body(documents: list[dict], replace: dict[str, str] | None = None) -> bytes:
    """The request body for a batch. ``replace`` swaps JSON text for raw JSON text, for what
    Python's json module will not write, e.g. a lone surrogate escape or absurd nesting."""
    text = json.dumps({"documents": documents})
    for placeholder, raw in (replace or {}).items():
        assert placeholder in text, placeholder
        text = text.replace(placeholder, raw)
    return text.encode()
