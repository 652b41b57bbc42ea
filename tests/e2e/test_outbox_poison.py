"""A record the server refuses never holds back the records queued behind it on the device.

A document the server cannot take is queued (offline) ahead of a good one; once online, the good
one reaches the server in the same flush, the refused one waits in "needs attention" with the
server's message, still in IndexedDB, and nothing else is left in the outbox. Twice: when the
server answers the bad document ``invalid`` on its own, and when it fails the whole batch (500)
whenever the bad document is in it. Waits are on conditions, never on fixed delays.
"""

from __future__ import annotations

import copy
import json
import uuid

import pytest
from playwright.sync_api import BrowserContext, Page, Route, expect

from tests.e2e.test_quis_offline import (
    _USER,
    SYNC_API,
    device_doc,
    open_recorder,
    poll,
    short_session,
    stored,
    submit,
    sync_text,
    wait_attempts,
    wait_device,
    wait_stored,
    wait_synced,
)

SERVER_ERROR = "Something went wrong on our side. Nothing you entered has been lost on this device."
LIST_DOCS = f"async () => self.careobsOutbox.listDocuments({_USER})"
# A new record has no updatedAt: the outbox refuses one that has, with nothing stored (it was
# read once, and has gone since), so a copy of a stored document is queued without it.
QUEUE = f"""async (doc) => {{
  const {{ updatedAt, ...fresh }} = doc;
  await self.careobsOutbox.saveDocument({_USER}, fresh);
}}"""


def queue_document(page: Page, doc: dict) -> None:
    """Put a document straight into the outbox, waiting to be sent, as the recorder would."""
    page.evaluate(QUEUE, doc)


def first_id() -> str:
    """A fresh id that sorts before every uuid4, so its document is at the head of the queue."""
    return f"00000000-0000-4000-8000-{uuid.uuid4().hex[:12]}"


def good_and_bad_queued(context: BrowserContext, live_server, spoil) -> tuple[Page, str, str]:
    """Offline: a good session recorded and submitted on the recorder, and a copy of it under an
    id ahead of it in the queue, changed by ``spoil(data)``. Returns (page, good id, bad id)."""
    page = context.new_page()
    open_recorder(page)
    context.set_offline(True)
    good_id = short_session(page)
    submit(page)
    good = wait_attempts(page, good_id, 1)
    bad_id = first_id()
    data = copy.deepcopy(good["data"])
    spoil(data)
    queue_document(
        page,
        {
            "id": bad_id,
            "kind": "quis_session",
            "revision": 2,
            "data": data,
            "state": "waiting",
            "label": "QUIS · the refused one",
        },
    )
    queued = [d["id"] for d in page.evaluate(LIST_DOCS)]
    assert queued == [bad_id, good_id], "the bad document must be ahead of the good one"
    assert stored(live_server, good_id)["sessions"] == 0
    return page, good_id, bad_id


def assert_only_the_refused_one_is_left(page: Page, bad_id: str, message: str) -> None:
    """The outbox holds the refused document alone, in attention with ``message``, and the
    "On this device" list and the status bar say so in words."""
    docs = page.evaluate(LIST_DOCS)
    assert [d["id"] for d in docs] == [bad_id], docs
    assert docs[0]["state"] == "attention"
    assert message in docs[0]["message"], docs[0]["message"]

    page.goto("/quis/")
    current = page.locator("#device-records [data-current] li")
    expect(current).to_have_count(1)
    expect(current).to_contain_text("QUIS · the refused one")
    expect(current).to_contain_text(f"Needs attention: {docs[0]['message']}")
    expect(current.get_by_role("button", name="Try again")).to_be_visible()
    expect(sync_text(page)).to_have_text("1 record needs attention")


def attention(page: Page, doc_id: str) -> dict:
    return wait_device(
        page,
        doc_id,
        lambda d: d is not None and d["state"] == "attention",
        "the refused document to need attention",
    )


def refuse_again(page: Page, doc_id: str, count: int) -> None:
    """Press "Sync now" until the server has refused the document ``count`` times in a row (a
    press while another flush holds the lock, the worker's say, does nothing: press again)."""

    def refused() -> bool:
        doc = device_doc(page, doc_id)
        return doc is not None and doc.get("refused", {}).get("count", 0) >= count

    for _ in range(5):
        page.locator("[data-sync-now]").click()
        try:
            poll(page, refused, f"refusal {count}", timeout=3.0)
            return
        except pytest.fail.Exception:
            continue
    pytest.fail(f"The server never refused {doc_id} a {count}th time", pytrace=False)


@pytest.fixture
def supervisor_app(open_app) -> BrowserContext:
    """The supervisor's browser, with the real service worker (it may flush too)."""
    return open_app(as_user="supervisor")


def test_a_document_answered_invalid_waits_in_attention_and_the_next_one_is_sent(
    supervisor_app, live_server
):
    def bad_category(data: dict) -> None:
        data["interactions"][0]["category"] = "XX"

    context = supervisor_app
    page, good_id, bad_id = good_and_bad_queued(context, live_server, bad_category)

    context.set_offline(False)  # the `online` event sends both in one batch
    found = wait_stored(page, live_server, good_id)
    assert (found["sessions"], found["interactions"], found["quarantined"]) == (1, 3, 0)
    assert wait_synced(page, good_id)["status"] == "created"
    bad = attention(page, bad_id)
    assert "interactions" in bad["message"] and "category" in bad["message"], bad["message"]
    assert stored(live_server, bad_id)["sessions"] == 0
    assert_only_the_refused_one_is_left(page, bad_id, "The server could not accept this record.")


def test_a_document_that_fails_every_batch_it_is_in_does_not_hold_back_the_others(
    supervisor_app, live_server
):
    context = supervisor_app
    page, good_id, bad_id = good_and_bad_queued(context, live_server, lambda data: None)

    # The server fails any request that carries the bad document, and only those.
    failed: list[int] = []
    passed: list[int] = []

    def fail_with_the_bad_one(route: Route) -> None:
        body = route.request.post_data or ""
        if bad_id in body:
            failed.append(len(json.loads(body)["documents"]))
            route.fulfill(
                status=500,
                content_type="application/json",
                body=json.dumps(
                    {"error": {"code": "internal_server_error", "message": SERVER_ERROR}}
                ),
            )
        else:
            passed.append(len(json.loads(body)["documents"]))
            route.fallback()

    context.route(SYNC_API, fail_with_the_bad_one)
    context.set_offline(False)  # the `online` event sends both in one batch
    found = wait_stored(page, live_server, good_id)
    assert (found["sessions"], found["interactions"], found["quarantined"]) == (1, 3, 0)
    assert wait_synced(page, good_id)["status"] == "created"
    # Both in one batch, refused; then each alone: the good one goes, the bad one fails.
    poll(page, lambda: len(failed) >= 2, "the bad document to be sent alone")
    assert failed[:2] == [2, 1] and passed == [1], (failed, passed)
    bad = wait_device(
        page,
        bad_id,
        lambda d: d is not None and d["state"] == "waiting" and d["refused"]["count"] == 1,
        "the bad document to back off on its own",
    )
    assert not bad.get("message"), bad
    expect(sync_text(page)).to_have_text("1 record waiting to send")

    # It keeps failing alone: after five refusals in a row it needs attention.
    for count in range(2, 6):
        refuse_again(page, bad_id, count)
    bad = attention(page, bad_id)
    assert bad["message"] == (
        f"The server failed on this record 5 times in a row (error 500): {SERVER_ERROR}"
    )
    assert len(failed) == 6 and set(failed[1:]) == {1} and passed == [1], (failed, passed)
    assert stored(live_server, bad_id)["sessions"] == 0
    assert device_doc(page, bad_id)["data"]["went_well"] == "Staff knelt to talk at eye level."
    assert_only_the_refused_one_is_left(page, bad_id, SERVER_ERROR)


def test_a_refusal_the_record_cannot_get_past_needs_attention_at_once_and_429_pauses_the_queue(
    supervisor_app, live_server
):
    context = supervisor_app
    page, good_id, bad_id = good_and_bad_queued(context, live_server, lambda data: None)

    # The bad document is too large for the server (413); the first request without it is told
    # to come back in two minutes (429), and later ones go through.
    sent: list[tuple[int, bool, int]] = []

    def answer(route: Route) -> None:
        body = route.request.post_data or ""
        status = 413 if bad_id in body else 429 if not any(s == 429 for *_, s in sent) else 200
        sent.append((len(json.loads(body)["documents"]), bad_id in body, status))
        if status == 413:
            error = {"code": "too_large", "message": "What was sent is too large."}
            route.fulfill(
                status=413, content_type="application/json", body=json.dumps({"error": error})
            )
        elif status == 429:
            error = {"code": "too_many_requests", "message": "Try again later."}
            route.fulfill(
                status=429,
                headers={"Retry-After": "120"},
                content_type="application/json",
                body=json.dumps({"error": error}),
            )
        else:
            route.fallback()

    context.route(SYNC_API, answer)
    context.set_offline(False)  # the `online` event sends both in one batch
    bad = attention(page, bad_id)
    assert (
        bad["message"] == "The server refused this record (error 413): What was sent is too large."
    )
    good = wait_device(
        page, good_id, lambda d: d is not None and d["state"] == "waiting", "the good one to wait"
    )
    assert sent == [(2, True, 413), (1, True, 413), (1, False, 429)], sent
    now = page.evaluate("() => Date.now()")
    assert good["nextAttemptAt"] >= now + 100_000, (good["nextAttemptAt"] - now, good)
    assert "refused" not in good  # "later" is about the server, not this document
    assert stored(live_server, good_id)["sessions"] == 0
    expect(sync_text(page)).to_have_text("1 record waiting to send; 1 need attention")

    # "Sync now" does not wait for the server's two minutes; the good one goes, alone.
    page.locator("[data-sync-now]").click()
    found = wait_stored(page, live_server, good_id)
    assert (found["sessions"], found["interactions"], found["quarantined"]) == (1, 3, 0)
    assert wait_synced(page, good_id)["status"] == "created"
    assert sent[3:] == [(1, False, 200)], sent
    assert stored(live_server, bad_id)["sessions"] == 0
    assert_only_the_refused_one_is_left(page, bad_id, "What was sent is too large.")


def test_bad_documents_in_a_row_stop_the_flush_but_are_sent_last_after_that(
    supervisor_app, live_server
):
    """Three failing alone in a row look like a failing server: the flush stops rather than
    try every document, and the next one sends the others first."""
    context = supervisor_app
    page, good_id, bad_id = good_and_bad_queued(context, live_server, lambda data: None)
    good = device_doc(page, good_id)
    more_bad = sorted(first_id() for _ in range(2))
    for doc_id in more_bad:
        queue_document(page, {**good, "id": doc_id, "label": "QUIS · the refused one"})
    bad_ids = sorted([bad_id, *more_bad])
    assert [d["id"] for d in page.evaluate(LIST_DOCS)] == [*bad_ids, good_id]

    sent: list[list[str]] = []

    def fail_with_a_bad_one(route: Route) -> None:
        ids = [d["id"] for d in json.loads(route.request.post_data or "{}")["documents"]]
        sent.append(ids)
        if set(ids) & set(bad_ids):
            error = {"code": "server_error", "message": SERVER_ERROR}
            route.fulfill(
                status=500, content_type="application/json", body=json.dumps({"error": error})
            )
        else:
            route.fallback()

    context.route(SYNC_API, fail_with_a_bad_one)
    context.set_offline(False)  # the `online` event sends all four in one batch
    for doc_id in bad_ids:
        wait_device(
            page, doc_id, lambda d: d is not None and "refused" in d, "a bad one to fail alone"
        )
    assert sent == [[*bad_ids, good_id], *([i] for i in bad_ids)], sent
    for doc_id in bad_ids:  # nothing got through: no refusal counts against them yet
        doc = device_doc(page, doc_id)
        assert (doc["state"], doc["refused"]["count"]) == ("waiting", 0), doc
    assert stored(live_server, good_id)["sessions"] == 0

    page.locator("[data-sync-now]").click()
    found = wait_stored(page, live_server, good_id)
    assert (found["sessions"], found["interactions"], found["quarantined"]) == (1, 3, 0)
    assert sent[4] == [good_id], sent
    poll(page, lambda: len(sent) == 8, "each bad one to be sent alone after the good one")
    assert sent[5:] == [[i] for i in bad_ids], sent
    for doc_id in bad_ids:  # the server took the good one: now each refusal counts
        wait_device(
            page,
            doc_id,
            lambda d: d is not None and d["refused"]["count"] == 1,
            "the refusal to count",
        )
