"""What several devices sent, the answers they got, and a census of what the database holds
against the sync contract (design §3.1), for every document sent: exactly one row per document id
holding the highest revision ever acknowledged (created, updated or unchanged), the children of
exactly that revision, aggregates equal to the child rows, every child id once; and no row at all
for a document never acknowledged."""

from __future__ import annotations

import json
import threading
import uuid
from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa

from careobs.checklists.models import ChecklistItem
from careobs.quis.models import QuisInteraction, QuisSession
from careobs.quis.scoring import people_with_negative
from careobs.sync.models import QuarantinedDocument
from careobs.visits.models import (
    MonitoringVisit,
    VisitAction,
    VisitAnswer,
    VisitDomainScore,
)

ACKNOWLEDGED = frozenset({"created", "updated", "unchanged"})


@dataclass
class Reply:
    """One HTTP answer of the server."""

    status: int
    body: bytes

    @property
    def results(self) -> list[dict]:
        return json.loads(self.body)["results"]

    @property
    def statuses(self) -> list[str]:
        return [r["status"] for r in self.results]

    def __str__(self) -> str:
        return f"HTTP {self.status}: {self.body[:400]!r}"


@dataclass
class Sent:
    document: dict
    status: str | None  # None: the request failed as a whole, so this document got no answer
    http_status: int


@dataclass
class Ledger:
    """Every document sent in a test, with the answer it got, by document id."""

    sent: dict[str, list[Sent]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, documents: list[dict], reply: Reply) -> None:
        results = reply.results if reply.status == 200 else []
        answered = [r["id"] for r in results]
        assert reply.status != 200 or answered == [d["id"] for d in documents], answered
        with self.lock:
            for n, document in enumerate(documents):
                status = results[n]["status"] if n < len(results) else None
                self.sent.setdefault(document["id"], []).append(
                    Sent(document, status, reply.status)
                )

    def acknowledged(self, document_id: str) -> list[dict]:
        return [s.document for s in self.sent.get(document_id, []) if s.status in ACKNOWLEDGED]

    def highest(self, document_id: str) -> dict | None:
        """The acknowledged copy with the highest revision (None if none was acknowledged)."""
        copies = self.acknowledged(document_id)
        return max(copies, key=lambda d: d["revision"]) if copies else None


def canonical(data) -> str:
    return json.dumps(data, sort_keys=True)


def assert_census(engine: sa.Engine, ledger: Ledger, only: list[str] | None = None) -> None:
    """The database against the sync contract, for every document in the ledger (or ``only``
    those ids) (see the module docstring); every problem found is listed."""
    problems: list[str] = []
    with engine.connect() as conn:
        for document_id, sends in ledger.sent.items():
            if only is not None and document_id not in only:
                continue
            kind = sends[0].document["kind"]
            problems += _check_document(conn, ledger, document_id, kind)
        for column in (QuisInteraction.uuid, VisitAction.uuid):
            repeated = conn.execute(
                sa.select(column, sa.func.count())
                .group_by(column)
                .having(sa.func.count() > 1)
                .limit(5)
            ).all()
            problems += [f"{column} {value} stored {n} times" for value, n in repeated]
    assert not problems, "census found:\n" + "\n".join(problems)


def _check_document(conn, ledger: Ledger, document_id: str, kind: str) -> list[str]:
    table = QuisSession.__table__ if kind == "quis_session" else MonitoringVisit.__table__
    rows = conn.execute(sa.select(table).where(table.c.uuid == uuid.UUID(document_id))).all()
    label = f"{kind} {document_id[:8]}"
    highest = ledger.highest(document_id)
    if highest is None:
        return [f"{label}: never acknowledged, yet {len(rows)} row(s) stored"] if rows else []
    if len(rows) != 1:
        return [f"{label}: {len(rows)} rows stored"]
    row = rows[0]
    top = highest["revision"]
    contents = {
        canonical(d["data"]) for d in ledger.acknowledged(document_id) if d["revision"] == top
    }
    problems = []
    if len(contents) > 1:
        problems.append(f"{label}: {len(contents)} different contents acknowledged at r{top}")
    if row.revision != top:
        problems.append(f"{label}: stored revision {row.revision}, highest acknowledged {top}")
    if row.status != highest["data"]["status"]:
        problems.append(f"{label}: stored {row.status}, r{top} is {highest['data']['status']}")
    check = _check_session if kind == "quis_session" else _check_visit
    return problems + [f"{label}: {p}" for p in check(conn, row, highest["data"])]


def _check_session(conn, row, data: dict) -> list[str]:
    """The interactions are exactly those of the document, and the counts are theirs."""
    table = QuisInteraction.__table__
    children = conn.execute(
        sa.select(table.c.uuid, table.c.category, table.c.people)
        .where(table.c.session_id == row.id)
        .order_by(table.c.position)
    ).all()
    problems = []
    stored = [(str(c.uuid), c.category) for c in children]
    sent = [(i["id"], i["category"]) for i in data["interactions"]]
    if stored != sent:
        kept = len(set(stored) & set(sent))
        problems.append(
            f"{len(stored)} interaction rows, the stored revision has {len(sent)} "
            f"({kept} in common)"
        )
    counts = Counter(c.category for c in children)
    for category in ("PS", "PC", "N", "NP", "NR"):
        value = getattr(row, f"n_{category.lower()}")
        if value != counts[category]:
            problems.append(f"n_{category.lower()} = {value}, {counts[category]} rows")
    negative = people_with_negative(
        ({"category": c.category, "people": c.people} for c in children), row.people
    )
    if row.people_with_negative != len(negative):
        problems.append(f"people_with_negative = {row.people_with_negative}, rows: {negative}")
    return problems


def _check_visit(conn, row, data: dict) -> list[str]:
    """The answers and actions are exactly those of the document, and the counts are theirs."""
    answers = conn.execute(
        sa.select(ChecklistItem.uuid, VisitAnswer.rating)
        .join(ChecklistItem, ChecklistItem.id == VisitAnswer.item_id)
        .where(VisitAnswer.visit_id == row.id)
    ).all()
    actions = conn.execute(
        sa.select(VisitAction.uuid)
        .where(VisitAction.visit_id == row.id)
        .order_by(VisitAction.position)
    ).scalars()
    problems = []
    stored = sorted((str(item), rating) for item, rating in answers)
    sent = sorted((a["item_id"], a["rating"]) for a in data["answers"])
    if stored != sent:
        problems.append(f"{len(stored)} answer rows, the stored revision has {len(sent)}")
    stored_actions = [str(a) for a in actions]
    if stored_actions != [a["id"] for a in data["actions"]]:
        problems.append(f"actions {stored_actions}, the stored revision has {data['actions']}")
    ratings = Counter(rating for _item, rating in answers)
    domain_totals = conn.execute(
        sa.select(
            *(sa.func.coalesce(sa.func.sum(getattr(VisitDomainScore, f"n_{r}")), 0) for r in RATES)
        ).where(VisitDomainScore.visit_id == row.id)
    ).one()
    for rating, in_domains in zip(RATES, domain_totals, strict=True):
        value = getattr(row, f"n_{rating}")
        if value != ratings[rating]:
            problems.append(f"n_{rating} = {value}, {ratings[rating]} answer rows")
        expected = ratings[rating] if row.status == "submitted" else 0
        if in_domains != expected:
            problems.append(f"domain scores count {in_domains} {rating}, expected {expected}")
    return problems


RATES = ("met", "partly", "not_met", "na")


def quarantined(engine: sa.Engine, document_id: str) -> list[tuple[int, str]]:
    """The quarantined copies of a document: (revision, canonical data) per row."""
    table = QuarantinedDocument.__table__
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(table.c.revision, table.c.data).where(
                table.c.document_id == uuid.UUID(document_id)
            )
        ).all()
    return [(r.revision, canonical(r.data)) for r in rows]
