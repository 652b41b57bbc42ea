"""The ZIP writer on its own (careobs.subject_access.archive), with values no database would
store but a copy must still survive: NUL, unpaired surrogates, formulas, new lines, quotes."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime

import pytest

from careobs.subject_access.archive import Category, Cover, build_zip, clean, filename
from tests.subject_access.archive_reader import read

MADE = datetime(2026, 12, 1, 14, 30, tzinfo=UTC)
ROW_ID = uuid.uuid5(uuid.NAMESPACE_URL, "subject-access/archive")

HOSTILE = {
    "nul": ("a\x00b", "ab"),
    "lone surrogate": ("x\ud800y", "x\ufffdy"),
    "low surrogate": ("\udfff", "\ufffd"),
    "emoji": ("thanks 👍", "thanks 👍"),
    "new lines and quotes": ('line 1\n"line, 2"', 'line 1\n"line, 2"'),
    "right-to-left override": ("\u202egnp.exe", "\u202egnp.exe"),
}


@pytest.mark.parametrize(("raw", "kept"), HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_text_is_written_safely_to_both_files(raw, kept):
    rows = [(ROW_ID, raw, 3, True, None, date(2026, 1, 2), ["R01", raw])]
    category = Category("notes", "Notes", "Hostile.", ("id", "text", "n", "b", "e", "d", "l"), rows)
    cover = Cover(MADE, f"Name {raw}", "Org", complete=True)
    copy = read(build_zip(cover, [category]))
    [row] = copy.csv["notes"]
    assert row | {"l": ""} == {
        "id": str(ROW_ID),
        "text": kept,
        "n": "3",
        "b": "true",
        "e": "",
        "d": "2026-01-02",
        "l": "",
    }
    assert json.loads(row["l"]) == ["R01", kept]
    [json_row] = copy.json["categories"]["notes"]["rows"]
    assert json_row["text"] == kept and json_row["l"] == ["R01", kept]
    assert copy.json["for"] == f"Name {kept}"
    assert "\x00" not in copy.readme


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_formula_starts_become_text_in_csv_only(start):
    category = Category("notes", "Notes", "Formulas.", ("text", "number"), [(f"{start}1+1", -3)])
    copy = read(build_zip(Cover(MADE, "W", "O", False), [category]))
    assert copy.csv["notes"] == [{"text": f"'{start}1+1", "number": "-3"}]
    assert copy.json["categories"]["notes"]["rows"] == [{"text": f"{start}1+1", "number": -3}]


def test_the_file_name_is_a_date_only():
    assert filename(MADE) == "careobs-your-data-2026-12-01.zip"


def test_clean_leaves_other_values_alone():
    assert (
        clean(5) == 5 and clean(None) is None and clean({"a\x00": ["\ud800"]}) == {"a": ["\ufffd"]}
    )


def test_empty_categories_still_have_their_header():
    category = Category("empty", "Empty", "Nothing.", ("id", "at"), [])
    copy = read(build_zip(Cover(MADE, "W", "O", False), [category]))
    assert copy.csv["empty"] == [] and copy.readme_counts() == {"empty": 0}
    assert "empty.csv: 0 rows" in copy.readme
