"""The export's files that every kind rated on a checklist has: the answers and the proposed
actions of its records, each kind naming only its own tables (as ``addenda`` does for addenda)."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from careobs.accounts.models import User
from careobs.checklists.models import ChecklistItem
from careobs.export.records import uuid_of
from careobs.org.models import StaffMember as Staff


def owner_uuids(model) -> tuple:
    """The columns naming who owns an action of ``model`` (proposed on a record, or an
    improvement action): a member of staff or a user, by public UUID, either empty."""
    return (
        uuid_of(Staff, model.owner_staff_id, "owner_staff_uuid"),
        uuid_of(User, model.owner_user_id, "owner_user_uuid"),
    )


def _rows_under(record, link, columns: tuple, *joins) -> Callable[[int], sa.Select]:
    """The query for the rows under one kind's records, one organisation's, in the order they
    were written: ``link`` is the rows' column naming the record, ``joins`` (table, on) more
    tables the ``columns`` read."""

    def query(org_id: int) -> sa.Select:
        rows = sa.select(*columns).join(record, link == record.id)
        for table, on in joins:
            rows = rows.join(table, on)
        return rows.where(record.organisation_id == org_id).order_by(link.class_.id)

    return query


def answers(record, link, record_uuid: str) -> Callable[[int], sa.Select]:
    """The query for the rating of each checklist item on each record of one kind: ``record``
    is the kind's model, ``link`` its answers' column naming the record and ``record_uuid`` the
    column naming the record in the export.

    A large file, so its references are joins (one pass over each table), not a lookup per row.
    """
    answer = link.class_
    columns = (
        record.uuid.label(record_uuid),
        ChecklistItem.uuid.label("item_uuid"),
        answer.rating,
        answer.comment,
    )
    return _rows_under(record, link, columns, (ChecklistItem, answer.item_id == ChecklistItem.id))


def proposed_actions(record, link, record_uuid: str) -> Callable[[int], sa.Select]:
    """The query for the actions proposed on the records of one kind, in the order they were
    written, with their owner: ``link`` is the actions' column naming the record."""
    action = link.class_
    columns = (
        action.uuid,
        record.uuid.label(record_uuid),
        action.position,
        action.description,
        *owner_uuids(action),
        action.due_on,
    )
    return _rows_under(record, link, columns)
