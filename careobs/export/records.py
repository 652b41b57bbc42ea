"""What one file of the export is, how it names other records, and the addenda query.

The export's own tables (careobs/export/tables.py) and each kind of captured record (its
``export.py``, carried by its ``DocumentKind``) declare their files with ``RecordType``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from careobs.accounts.models import User
from careobs.capture.addenda import Addendum


@dataclass(frozen=True)
class RecordType:
    """One file of the export: its name, a short label for the audit summary, and its query."""

    name: str
    label: str
    query: Callable[[int], sa.Select]

    def columns(self) -> list[str]:
        """The export's column names, in order (the query's labels)."""
        return list(self.query(0).selected_columns.keys())


def uuid_of(record, foreign_key, name: str):
    """The column ``name``: the public UUID of the ``record`` that ``foreign_key`` points to
    (empty when the key is), so the export never shows an internal integer id."""
    return (
        sa.select(record.uuid)
        .where(record.id == foreign_key)
        .correlate_except(record)
        .scalar_subquery()
        .label(name)
    )


def addenda(record, link, record_uuid: str) -> Callable[[int], sa.Select]:
    """The query for one kind's addenda: ``record`` is its model, ``link`` the addendum's
    foreign key to it and ``record_uuid`` the column naming the record in the export."""

    def query(org_id: int) -> sa.Select:
        return (
            sa.select(
                record.uuid.label(record_uuid),
                uuid_of(User, Addendum.author_id, "author_uuid"),
                Addendum.reason,
                Addendum.text,
                Addendum.created_at,
            )
            .join(record, link == record.id)
            .where(record.organisation_id == org_id)
            .order_by(Addendum.id)
        )

    return query
