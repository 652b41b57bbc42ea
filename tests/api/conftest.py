"""Helpers for the device API tests: valid ``quis_session`` documents in one line, and a client
wrapper that posts batches to ``/api/v1/sync``.

``quis_doc(org.care_home)`` is a complete, valid draft for the care home observing R01 and R02;
keyword arguments override any field of ``data`` (``status="submitted"``, ``notes="..."``), and
``interactions=[interaction("PS"), interaction("NR", negative_reason="task_focused")]`` adds
coded interactions.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

START = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
SYNC_URL = "/api/v1/sync"

DEFAULT_PEOPLE = {"care_home": ["R01", "R02"], "homecare": ["H01"]}


def iso(moment: datetime) -> str:
    """An ISO 8601 time with its offset, as a device sends it."""
    return moment.isoformat()


def new_id() -> str:
    return str(uuid.uuid4())


def _public_id(value) -> str | None:
    """A model's public UUID as a string; strings and None pass through unchanged."""
    if value is None or isinstance(value, str):
        return value
    return str(value.uuid)


def interaction(category: str = "PS", people=("R01",), *, staff=None, minute: float = 1, **fields):
    """One coded interaction ``minute`` minutes after START; ``staff`` is a StaffMember or id."""
    item = {
        "id": new_id(),
        "at": iso(START + timedelta(minutes=minute)),
        "people": list(people),
        "staff_id": _public_id(staff),
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
        "service_id": _public_id(service),
        "area_id": _public_id(area),
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


def revise(document: dict, revision: int | None = None, **fields) -> dict:
    """A copy of ``document`` with changed data fields (and revision, if given)."""
    data = {**document["data"], **fields}
    return {**document, "revision": revision or document["revision"], "data": data}


class SyncApi:
    """Posts batches to the sync endpoint through a (CSRF-aware) test client."""

    def __init__(self, client):
        self.client = client

    def post(self, *documents, **kwargs):
        return self.client.post(SYNC_URL, json={"documents": list(documents)}, **kwargs)

    def __call__(self, *documents) -> list[dict]:
        """Send the documents and return their results, checking there is one per document."""
        response = self.post(*documents)
        assert response.status_code == 200, response.get_data(as_text=True)[:1000]
        assert response.mimetype == "application/json"
        results = response.get_json()["results"]
        assert len(results) == len(documents)
        return results


@pytest.fixture
def org(data):
    """Acme Care: care home (Lounge, Dining room; R01, R02; Carla Carer) and homecare."""
    return data.organisation()


@pytest.fixture
def other(data, org):
    """A second organisation, Other Org, whose codes R01.. are the same as Acme's."""
    return data.organisation("Other Org", prefix="other")


@pytest.fixture
def sync(client) -> SyncApi:
    return SyncApi(client)


@pytest.fixture
def client_as(login_as):
    """A fresh, separately logged-in client per user: ``client_as(user)`` → SyncApi."""
    return lambda user: SyncApi(login_as(user))


def count(db, model, *where) -> int:
    """How many rows of ``model`` match (after expiring what the session holds)."""
    db.expire_all()
    return db.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def stored(db, model, document: dict):
    """The row stored for a document's id, freshly loaded."""
    db.expire_all()
    return db.scalar(sa.select(model).where(model.uuid == uuid.UUID(document["id"])))
