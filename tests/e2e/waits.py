"""Waiting in the browser for a condition that can only be checked asynchronously.

``page.wait_for_function`` does not await a promise: an ``async`` predicate returns a promise,
which is truthy, so the wait ends at once whatever the condition. IndexedDB, the Cache API and
the service worker registration are only reachable through promises, so such conditions are
polled here instead, inside the page (or worker) until they hold or the time is up.
"""

from __future__ import annotations

from typing import Any

TIMEOUT_MS = 15_000
POLL_MS = 100


def wait_until(target, predicate: str, arg: Any = None, timeout_ms: int = TIMEOUT_MS) -> None:
    """Wait until ``predicate(arg)``, JavaScript that may be async, is truthy in ``target``.

    ``target`` is a Page or a Worker. Fails with the predicate's source when time runs out.
    """
    script = f"""async (arg) => {{
      const predicate = {predicate};
      const deadline = Date.now() + {timeout_ms};
      for (;;) {{
        if (await predicate(arg)) return true;
        if (Date.now() > deadline) return false;
        await new Promise((resolve) => setTimeout(resolve, {POLL_MS}));
      }}
    }}"""
    if not target.evaluate(script, arg):
        raise AssertionError(f"Still false after {timeout_ms} ms: {predicate} (arg {arg!r})")


_USER = "document.querySelector('meta[name=\"careobs-user\"]').content"
_HAS_BOOTSTRAP = f"async () => Boolean(await self.careobsOutbox.getMeta({_USER}, 'bootstrap'))"


def bootstrap_on_device(page) -> None:
    """Wait until the page has kept the user's bootstrap on the device. A capture page shows its
    set-up at once and fetches the bootstrap after; going offline before it is kept leaves the
    next offline load with nothing to offer."""
    wait_until(page, _HAS_BOOTSTRAP)
