"""Which tables a request's queries read, and how: every SELECT it runs, captured with its
parameters and explained by the database itself (PostgreSQL ``EXPLAIN (FORMAT JSON)``, SQLite
``EXPLAIN QUERY PLAN``).

A dashboard that stays fast on two years of records reads the per-record tables through an
index that its conditions narrow (a "search"), or not at all. A plan that reads such a table
from end to end, sequentially or by walking a whole index, is what a later change must not
bring back unnoticed: :func:`whole_reads` finds those.

On tiny test tables PostgreSQL scans sequentially whatever indexes exist, because that is
cheaper there; so its plans are made with sequential scans, hash joins and merge joins
discouraged (:data:`POSTGRESQL_SETTINGS`). Discouraged, not forbidden: the planner still uses
one where nothing else can answer the query. A hash or merge join reads its inputs whole (on
a tiny table it walks a whole index rather than scan it), which would hide whether an index
could have served the join; a nested loop instead searches the inner table's index with each
outer row. So a whole read remains in the plan only where no index serves the conditions,
which is the regression to catch. SQLite plans the same query the same way at any size.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import sqlalchemy as sa

from careobs.models import Base

POSTGRESQL_SETTINGS = (
    "enable_seqscan = off",
    "enable_hashjoin = off",
    "enable_mergejoin = off",
    # An index probe costed as a server whose data is in memory or on SSD sees it; at the
    # default (4, for spinning disks) a tiny table's whole index is cheaper to read than a
    # probe per row, and at scale the default leads PostgreSQL into whole reads as well.
    "random_page_cost = 1.1",
)


@dataclass(frozen=True)
class Statement:
    """One statement as the driver received it, with its parameters."""

    sql: str
    parameters: object

    def short(self, width: int = 400) -> str:
        """The statement on one line in about ``width`` characters, for a failure message: its
        start, then from its first FROM on (the tables and conditions say which query it is;
        a long column list would fill the message)."""
        flat = " ".join(self.sql.split())
        if len(flat) <= width:
            return flat
        head = width // 4
        tables = flat.find(" FROM ", head)
        if tables < 0:
            return flat[: width - 1] + "…"
        return f"{flat[:head]} …{flat[tables : tables + width - head]}…"


@dataclass(frozen=True)
class TableRead:
    """One table read in a plan: through ``index`` (None: none, read in storage order), and
    whether the index was searched with a condition (``searched``) or walked whole. ``node``
    is the plan node as the database describes it, for the failure message."""

    table: str
    index: str | None
    searched: bool
    node: str

    @property
    def whole(self) -> bool:
        """Every row of the table is read (a sequential scan or a whole-index walk)."""
        return not self.searched


@contextmanager
def captured_selects(engine: sa.Engine) -> Iterator[list[Statement]]:
    """Every SELECT run on ``engine`` inside the block, in order (single executions only:
    the dashboards never read with executemany)."""
    statements: list[Statement] = []

    def keep(_conn, _cursor, statement, parameters, _context, executemany) -> None:
        text = statement.lstrip().upper()
        if not executemany and (text.startswith("SELECT") or text.startswith("WITH")):
            statements.append(Statement(statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", keep)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", keep)


def table_reads(connection: sa.Connection, statement: Statement) -> list[TableRead]:
    """How the database would read each table for ``statement`` (see the module docstring)."""
    if connection.dialect.name == "postgresql":
        return _postgresql_reads(connection, statement)
    return _sqlite_reads(connection, statement)


def whole_reads(reads: list[TableRead], tables: set[str]) -> list[TableRead]:
    """The reads of ``tables`` that take every row."""
    return [read for read in reads if read.table in tables and read.whole]


def vacuum(engine: sa.Engine, *, analyze: bool = False) -> None:
    """PostgreSQL only: VACUUM every table (with ANALYZE when asked), so that plans do not
    depend on which tests ran before or on when autovacuum last came by. The planner costs a
    table by the pages it has (emptying it between tests deletes the rows but keeps the pages
    until a VACUUM) and an index-only scan by the share of pages known to be all visible (which
    only a VACUUM records)."""
    if engine.dialect.name != "postgresql":
        return
    tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(f"VACUUM {'(ANALYZE) ' if analyze else ''}{tables}")


# -- PostgreSQL ---------------------------------------------------------------------------------


def postgresql_plan(connection: sa.Connection, statement: Statement) -> dict:
    """The JSON plan of ``statement`` under :data:`POSTGRESQL_SETTINGS`, in a transaction of
    its own that is rolled back (``SET LOCAL`` ends with it); when ``connection`` is already in
    a transaction (a test that changed the schema in it), in a savepoint of that one."""
    with connection.begin_nested() if connection.in_transaction() else connection.begin() as tx:
        for setting in POSTGRESQL_SETTINGS:
            connection.exec_driver_sql(f"SET LOCAL {setting}")
        cursor = connection.connection.dbapi_connection.cursor()
        try:
            cursor.execute("EXPLAIN (FORMAT JSON) " + statement.sql, statement.parameters)
            (document,) = cursor.fetchone()
        finally:
            cursor.close()
        tx.rollback()
    return document[0]["Plan"]


def _postgresql_reads(connection: sa.Connection, statement: Statement) -> list[TableRead]:
    def narrowed(index_node: dict) -> bool:
        """The index scan has a condition on the index's first column: a condition on a later
        column alone still walks the whole index (PostgreSQL filters every entry)."""
        condition = index_node.get("Index Cond")
        if condition is None:
            return False
        first = _first_column(connection, index_node["Index Name"])
        return first is None or re.search(rf"\b{re.escape(first)}\b", condition) is not None

    return list(_walk(postgresql_plan(connection, statement), narrowed))


_FIRST_COLUMNS: dict[str, str | None] = {}


def _first_column(connection: sa.Connection, index: str) -> str | None:
    """The name of the index's first column (None for an expression)."""
    if index not in _FIRST_COLUMNS:
        _FIRST_COLUMNS[index] = connection.scalar(
            sa.text(
                "SELECT a.attname FROM pg_index i"
                " JOIN pg_class c ON c.oid = i.indexrelid"
                " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]"
                " WHERE c.relname = :index AND c.relnamespace = current_schema()::regnamespace"
            ),
            {"index": index},
        )
    return _FIRST_COLUMNS[index]


def _walk(node: dict, narrowed) -> Iterator[TableRead]:
    table = node.get("Relation Name")
    if table is not None:
        yield _read_of(node, table, narrowed)
    for child in node.get("Plans", []):
        yield from _walk(child, narrowed)


def _read_of(node: dict, table: str, narrowed) -> TableRead:
    kind, text = node["Node Type"], _describe(node)
    if kind in ("Index Scan", "Index Only Scan"):
        return TableRead(table, node["Index Name"], narrowed(node), text)
    if kind == "Bitmap Heap Scan":
        scans = [n for n in _descendants(node) if "Index Name" in n]
        searched = bool(scans) and all(narrowed(n) for n in scans)
        return TableRead(table, "+".join(n["Index Name"] for n in scans) or None, searched, text)
    if kind == "Tid Scan":
        return TableRead(table, None, True, text)
    return TableRead(table, None, False, text)  # Seq Scan, or anything else that reads all


def _descendants(node: dict) -> Iterator[dict]:
    for child in node.get("Plans", []):
        yield child
        yield from _descendants(child)


def _describe(node: dict) -> str:
    """A plan node in one line, e.g. "Seq Scan on quis_sessions (Filter: …)"."""
    parts = [f"{node['Node Type']} on {node['Relation Name']}"]
    if node.get("Index Name"):
        parts.append(f"using {node['Index Name']}")
    details = [
        f"{key}: {node[key]}" for key in ("Index Cond", "Recheck Cond", "Filter") if key in node
    ]
    for child in _descendants(node):  # a bitmap scan's indexes
        if "Index Name" in child:
            condition = child.get("Index Cond", "no condition: the whole index")
            details.append(f"{child['Node Type']} using {child['Index Name']}: {condition}")
    return " ".join(parts) + (f" ({'; '.join(details)})" if details else "")


# -- SQLite -------------------------------------------------------------------------------------

# "SCAN x", "SCAN x USING COVERING INDEX ix", "SEARCH x USING INDEX ix (a=?)",
# "SEARCH x USING INTEGER PRIMARY KEY (rowid=?)": x is the table's alias when it has one.
_SQLITE_READ = re.compile(
    r"^(?P<how>SCAN|SEARCH) (?P<name>\w+)"
    r"(?: USING (?:(?:COVERING )?INDEX (?P<index>\w+)|(?P<key>INTEGER PRIMARY KEY)))?"
)
_ALIAS = re.compile(r'"?(\w+)"?\s+AS\s+"?(\w+)"?', re.IGNORECASE)


def _sqlite_reads(connection: sa.Connection, statement: Statement) -> list[TableRead]:
    rows = connection.exec_driver_sql(
        "EXPLAIN QUERY PLAN " + statement.sql, statement.parameters
    ).all()
    tables = set(Base.metadata.tables)
    aliases = {alias: table for table, alias in _ALIAS.findall(statement.sql) if table in tables}
    reads = []
    for row in rows:
        detail = row[-1]
        found = _SQLITE_READ.match(detail)
        if found is None:
            continue
        name = found["name"]
        table = name if name in tables else aliases.get(name)
        if table is None:
            continue  # a subquery's or a CTE's rows, not a table's
        index = _sqlite_index_name(connection, table, found["index"], bool(found["key"]))
        # "(ANY(a) AND b=?)": a skip-scan, which walks every value of the first column.
        searched = found["how"] == "SEARCH" and "(ANY(" not in detail
        reads.append(TableRead(table, index, searched, detail))
    return reads


def _sqlite_index_name(
    connection: sa.Connection, table: str, index: str | None, primary_key: bool
) -> str | None:
    """The index's name as PostgreSQL knows it, so one expectation serves both databases: the
    primary key and the unique constraints are the indexes SQLite names for itself (the row id,
    "sqlite_autoindex_<table>_<n>"), where PostgreSQL uses the constraint's name."""
    constraints = Base.metadata.tables[table].constraints
    if primary_key:
        columns = None
    elif index is not None and index.startswith("sqlite_autoindex_"):
        columns = [row[2] for row in connection.exec_driver_sql(f"PRAGMA index_info({index})")]
    else:
        return index
    for constraint in constraints:
        if isinstance(constraint, sa.PrimaryKeyConstraint | sa.UniqueConstraint) and (
            [c.name for c in constraint.columns] == columns
            if columns is not None
            else isinstance(constraint, sa.PrimaryKeyConstraint)
        ):
            return constraint.name
    return index
