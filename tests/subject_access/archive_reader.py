"""Reading a downloaded copy back: its files, CSV rows by column, README's counts, data.json."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from dataclasses import dataclass


@dataclass
class Copy:
    names: list[str]
    readme: str
    csv: dict[str, list[dict]]  # file stem → rows
    json: dict

    def ids(self, stem: str, column: str = "id") -> set[str]:
        return {row[column] for row in self.csv[stem]}

    def all_text(self) -> str:
        return self.readme + json.dumps(self.json) + json.dumps(self.csv)

    def readme_counts(self) -> dict[str, int]:
        return {
            m.group(1): int(m.group(2))
            for m in re.finditer(r"^(\w+)\.csv: (\d+) rows?$", self.readme, re.M)
        }


def read(content: bytes) -> Copy:
    """The ZIP's files: every CSV parsed (UTF-8, header row), README.txt and data.json."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = archive.namelist()
        tables = {
            name.removesuffix(".csv"): list(
                csv.DictReader(io.StringIO(archive.read(name).decode("utf-8"), newline=""))
            )
            for name in names
            if name.endswith(".csv")
        }
        readme = archive.read("README.txt").decode("utf-8")
        data = json.loads(archive.read("data.json").decode("utf-8"))
    return Copy(names, readme, tables, data)
