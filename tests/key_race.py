"""A process of the secret-key race test: waits for the others, then reads or makes the key.

Kept apart from the test module so each spawned process imports only what it needs.
"""

from __future__ import annotations

from pathlib import Path


def start_together(instances: list[str], barrier, results) -> None:
    """Like one gunicorn worker starting, once per instance folder: every process finds or
    generates the key at the same moment, and reports the key or the error."""
    from careobs import config

    for instance in instances:
        barrier.wait()
        try:
            outcome = ("ok", config.from_environment(Path(instance))["SECRET_KEY"])
        except Exception as exc:  # reported to the test, which fails with it
            outcome = ("error", f"{type(exc).__name__}: {exc}")
        results.put((instance, *outcome))
