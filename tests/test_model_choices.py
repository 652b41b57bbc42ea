"""Every value a CHECK constraint allows fits its column: SQLite never checks a VARCHAR's length,
so a new choice longer than its column ("self_assessment" in ``actions.source``, once 8 wide)
passes every SQLite test and fails on PostgreSQL."""

from __future__ import annotations

import re

import sqlalchemy as sa

from careobs.models import Base

ALLOWED = re.compile(r"(\w+) IN \(([^)]*)\)")


def allowed_values() -> list[tuple[str, str, str]]:
    """(table, column, value) for every ``column IN ('a', 'b')`` in a CHECK constraint."""
    found = []
    for table in Base.metadata.sorted_tables:
        for constraint in table.constraints:
            if not isinstance(constraint, sa.CheckConstraint):
                continue
            for column, values in ALLOWED.findall(str(constraint.sqltext)):
                found += [(table.name, column, v) for v in re.findall(r"'([^']*)'", values)]
    return found


def test_the_constraints_are_read():
    assert ("actions", "source", "self_assessment") in allowed_values()
    assert ("self_assessments", "type", "mock_inspection") in allowed_values()


def test_every_allowed_value_fits_its_column():
    too_long = []
    for table_name, column_name, value in allowed_values():
        column = Base.metadata.tables[table_name].c[column_name]
        length = getattr(column.type, "length", None)
        if length is not None and len(value) > length:
            too_long.append(f"{table_name}.{column_name} ({length}): {value!r}")
    assert too_long == []
