"""Valid ``quis_session`` documents in one line.

``quis_doc(org.care_home)`` is a complete, valid draft for the care home observing R01 and R02;
keyword arguments override any field of ``data`` (``status="submitted"``, ``notes="..."``), and
``interactions=[interaction("PS"), interaction("NR", negative_reason="task_focused")]`` adds
coded interactions.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.support.sync import iso, new_id, public_id

START = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


DEFAULT_PEOPLE = {"care_home": ["R01", "R02"], "homecare": ["H01"]}


def interaction(category: str = "PS", people=("R01",), *, staff=None, minute: float = 1, **fields):
    """One coded interaction ``minute`` minutes after START; ``staff`` is a StaffMember or id."""
    item = {
        "id": new_id(),
        "at": iso(START + timedelta(minutes=minute)),
        "people": list(people),
        "staff_id": public_id(staff),
        "category": category,
        "initiated_by": "staff",
        "communication": "two_way",
        "negative_reason": None,
        "note": "",
    }
    item.update(fields)
    return item


def quis_doc(service, *, id=None, revision: int = 1, area=None, interactions=(), **fields):
    """A complete ``quis_session`` document for ``service`` (a Service or a service id)."""
    kind = getattr(service, "kind", "care_home")
    data = {
        "service_id": public_id(service),
        "area_id": public_id(area),
        "context": "mealtime",
        "started_at": iso(START),
        "ended_at": iso(START + timedelta(minutes=30)),
        "planned_minutes": 30,
        "frame_minutes": 5,
        "people": list(DEFAULT_PEOPLE[kind]),
        "staff_on_duty": 3,
        "status": "draft",
        "notes": "Lunch in the dining room.",
        "went_well": "",
        "to_develop": "",
        "interactions": list(interactions),
    }
    data.update(fields)
    return {"kind": "quis_session", "id": id or new_id(), "revision": revision, "data": data}
