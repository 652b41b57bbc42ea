"""Spotting personal identifiers in what people type, so careobs can warn before they are saved.

Pure functions, no Flask or database: the same checks run on codes, notes and feedback.
"""

from __future__ import annotations

import re

_NHS_NUMBER = re.compile(r"(?<!\d)\d{3}[ -]?\d{3}[ -]?\d{4}(?!\d)")
_DATE = re.compile(
    r"(?<!\d)(\d{1,2}[/.-]\d{1,2}[/.-](\d{2}|\d{4})|\d{4}-\d{2}-\d{2}|\d{2}(0[1-9]|1[0-2])\d{2})(?!\d)"
)
_DATE_WORDS = re.compile(
    r"\b\d{1,2}(st|nd|rd|th)?\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{4}\b",
    re.IGNORECASE,
)
# 0 (or +44) then an area or mobile prefix and the rest: 020 7946 0958, 0161 496 0000,
# 07700 900123, +44 (0)20 7946 0958.
_PHONE = re.compile(
    r"(?<![\d+])(\+44\s?(\(0\)\s?)?|\(?0)\d{2,4}\)?[\s-]?\d{3,4}[\s-]?\d{3,4}(?!\d)"
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE)
_FULL_NAME = re.compile(r"\b[A-Z][a-z]+(?:[-'][A-Z][a-z]+)?\s+[A-Z][a-z]+(?:[-'][A-Z][a-z]+)?\b")
# A name typed without its space: JohnSmith, MaryJones, R07MaryJones (and surnames like McKay).
_JOINED_NAME = re.compile(r"[A-Z][a-z]+[A-Z][a-z]+")
# The title in any case, the surname capitalised: "Mrs Smith", "MR JONES", but not "miss lunch".
_TITLE_NAME = re.compile(r"\b(?i:Mr|Mrs|Ms|Miss|Dr)\.?\s+[A-Z][A-Za-z'-]+")

CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,15}$")


# Every pattern above but the titled name needs a digit or an "@": text with neither (most
# notes) is checked for a titled name only. Sync runs this on every interaction's note.
_DIGIT_OR_AT = re.compile(r"[\d@]")


def identifier_warnings(text: str) -> list[str]:
    """Plain-English warnings for likely personal identifiers in free text (empty when none)."""
    found = []
    if text and _DIGIT_OR_AT.search(text):
        if _EMAIL.search(text):
            found.append("an email address")
        if _NHS_NUMBER.search(text):
            found.append("a number that looks like an NHS number or phone number")
        elif _PHONE.search(text):
            found.append("a phone number")
        if _DATE.search(text) or _DATE_WORDS.search(text):
            found.append("a date that could be a date of birth")
        if _POSTCODE.search(text):
            found.append("a postcode")
    if text and _TITLE_NAME.search(text):
        found.append("a name with a title (Mr, Mrs, ...)")
    return [f"This looks like it contains {what}." for what in found]


_NOT_STORED = "Use a short code such as R07 instead: careobs never stores {what}."
NHS_NUMBER_PROBLEM = "This looks like an NHS number. " + _NOT_STORED.format(what="NHS numbers")
DATE_PROBLEM = "This looks like a date, possibly a date of birth. " + _NOT_STORED.format(
    what="dates of birth"
)
PHONE_PROBLEM = "This looks like a phone number. " + _NOT_STORED.format(what="phone numbers")
NAME_PROBLEM = "This looks like a name. " + _NOT_STORED.format(what="the names of people supported")


def code_problems(code: str) -> list[str]:
    """Why a person's code cannot be used as it is: careobs stores codes, never names.

    A code that cannot be stored as typed (spaces, slashes) is first checked for an NHS number,
    a phone number or a date, so "485 777 3456" or "01/02/1950" is refused for what it is
    rather than for its spaces. Well-formed codes that may still be one of these (1234567890,
    010145) are not refused here but need confirming (see :func:`code_warnings`).
    """
    code = code.strip()
    if not code:
        return ["Enter a code, for example R07."]
    well_formed = CODE_PATTERN.match(code) is not None
    if not well_formed:
        if _NHS_NUMBER.search(code):
            return [NHS_NUMBER_PROBLEM]
        if _PHONE.search(code):  # before dates: 07700 900123 ends like a ddmmyy date
            return [PHONE_PROBLEM]
        if _DATE.search(code) or _DATE_WORDS.search(code):
            return [DATE_PROBLEM]
    if _FULL_NAME.search(code) or _JOINED_NAME.search(code) or " " in code:
        return [NAME_PROBLEM]
    if not well_formed:
        return ["Use up to 16 letters, digits or hyphens, for example R07 or HC-112."]
    return []


def code_warnings(code: str) -> list[str]:
    """Codes that are well formed but may still be an identifier (a date, an NHS number)."""
    digits = re.sub(r"\D", "", code)
    warnings = []
    if len(digits) == 10:
        warnings.append("This code has 10 digits, like an NHS number.")
    if _DATE.search(code) or (len(digits) in (6, 8) and digits == code.strip()):
        warnings.append("This code looks like a date, possibly a date of birth.")
    return warnings
