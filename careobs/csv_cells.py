"""CSV cells a spreadsheet shows as text and never runs as a formula ("CSV injection").

Every CSV careobs writes (dashboard downloads, the organisation export, the CLI's export) passes
its text through :func:`spreadsheet_safe`, so a note typed as ``=HYPERLINK(...)`` opens in Excel,
LibreOffice or Google Sheets as those characters, not as a link or a command.

Following OWASP's advice, a text value starting with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return gets a leading single quote. Only text is guarded: a number written from a
numeric value (``-3``, ``-0.5``) is data and stays a number. Text that merely looks like a
negative number (a note reading ``-3``) is guarded too: it is text where it came from, a
spreadsheet turning it into a number would already change it, and a "looks like a number"
exception is where bypasses hide (``-1+1``, ``-2e3``, ``-1,5`` in another locale).
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """``value`` for a CSV cell: text that a spreadsheet would run gets a leading ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return f"'{value}"
    return value
