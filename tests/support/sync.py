"""Talking to the sync endpoint as a device does: ids, times, revisions and batches."""

from __future__ import annotations

import uuid
from datetime import datetime

SYNC_URL = "/api/v1/sync"


def iso(moment: datetime) -> str:
    """An ISO 8601 time with its offset, as a device sends it."""
    return moment.isoformat()


def new_id() -> str:
    """A new document or child id, as a device makes one."""
    return str(uuid.uuid4())


def public_id(value) -> str | None:
    """A model's public UUID as a string; strings and None pass through unchanged."""
    if value is None or isinstance(value, str):
        return value
    return str(value.uuid)


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
