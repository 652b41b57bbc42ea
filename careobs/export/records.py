"""What one file of the export is, and the addenda query every kind that takes addenda shares.

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


def addenda(record, link, record_uuid: str) -> Callable[[int], sa.Select]:
    """The query for one kind's addenda: ``record`` is its model, ``link`` the addendum's
    foreign key to it and ``record_uuid`` the column naming the record in the export."""

    def query(org_id: int) -> sa.Select:
        return (
            sa.select(
                record.uuid.label(record_uuid),
                User.uuid.label("author_uuid"),
                Addendum.reason,
                Addendum.text,
                Addendum.created_at,
            )
            .join(record, link == record.id)
            .join(User, Addendum.author_id == User.id)
            .where(record.organisation_id == org_id)
            .order_by(Addendum.id)
        )

    return query
