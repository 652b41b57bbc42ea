"""The browser the end-to-end tests drive (waiting in it is in tests/e2e/waits.py)."""

from __future__ import annotations

# The viewport pages open in unless a test asks for another: a phone, as care staff use.
PHONE = {"width": 390, "height": 844}
