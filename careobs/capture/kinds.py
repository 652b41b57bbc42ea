"""The registry of document kinds: what the sync and the export need to know about each kind.

A feature that captures records offline (QUIS sessions, monitoring visits) registers one
DocumentKind; the sync (careobs/sync) looks kinds up here by the name devices send, and the
export (careobs/export) writes the files each kind declares, neither importing the kinds'
packages to find them. The app factory registers every kind at start-up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import url_for


@dataclass(frozen=True)
class DocumentKind:
    """How one kind of document is stored, validated and written.

    ``model`` is the stored record: it has ``uuid``, ``organisation_id``, ``author_id``,
    ``revision``, ``content_hash`` and ``status``, which the revision rules read. ``create`` and
    ``update`` usually run careobs.capture.storing's skeleton with the steps declared below, so a
    kind writes only what is its own.
    """

    name: str  # as devices send it in a document's "kind"
    model: type
    validate: Callable  # (data, rosters) -> (clean | None, errors); raises Forbidden
    create: Callable  # (db, user, document_id, revision, clean, content_hash) -> record
    update: Callable  # (db, user, stored, revision, clean, content_hash) -> record
    # The kind's files in the organisation's export, in order (careobs.export.records.RecordType)
    export_tables: tuple = ()
    label: str = ""  # what people call one: "QUIS observation", "monitoring visit"
    page: tuple[str, str] | None = None  # the stored record's page: (endpoint, its id argument)
    # The steps of storing one, which careobs.capture.storing runs in this order:
    author: str = ""  # the record's column naming who wrote it ("auditor_id")
    apply: Callable | None = None  # (db, record, clean): copy the fields, work out the outcome
    insert: Callable | None = None  # (db, record): a new record's row; None: the ORM adds it
    children: tuple = ()  # the columns of the rows under a record naming it (a revision replaces)
    insert_children: Callable | None = None  # (db, record_id, clean): write those rows
    written_with_core: tuple[str, ...] = ()  # the record's relationships those rows belong to
    audit_prefix: str = ""  # its audit events are <prefix>_saved, _updated and _submitted
    summary: Callable | None = None  # (record, clean) -> the audit event's summary
    # (db, document_id, clean, stored) -> errors when another document already holds what this
    # one may hold only once (a conversation's draw and person); None: no such rule. ``stored``
    # is the record the copy replaces (read under the batch's lock), None for a new document
    # (the sync knows exactly which documents it holds, so the kind need not look)
    clash: Callable | None = None
    # (raw data) -> names of rows shared between documents that ``clash`` locks (a paired
    # session's pair): the sync takes them with the batch's document locks, in one sorted
    # order, so two batches naming them in opposite orders cannot deadlock (PostgreSQL)
    lock_keys: Callable | None = None


_KINDS: dict[str, DocumentKind] = {}


def register(kind: DocumentKind) -> None:
    """Accept documents of this kind from devices. Registering the same kind again (the app
    factory runs once per app) changes nothing; another kind under a taken name is refused."""
    existing = _KINDS.setdefault(kind.name, kind)
    if existing is not kind:
        raise ValueError(f"a different document kind is already called {kind.name!r}")


def registered() -> dict[str, DocumentKind]:
    """Every registered kind by name, in the order they were registered."""
    return dict(_KINDS)


def label_of(name: str) -> str:
    """What people call a kind of record, for pages that list records of any kind (a name no
    kind registered is shown as it is, spaced out)."""
    kind = _KINDS.get(name)
    return kind.label if kind and kind.label else name.replace("_", " ")


def page_of(name: str, document_id) -> str | None:
    """The address of the stored record with this document id, if its kind has a page."""
    kind = _KINDS.get(name)
    if kind is None or kind.page is None:
        return None
    endpoint, argument = kind.page
    return url_for(endpoint, **{argument: document_id})
