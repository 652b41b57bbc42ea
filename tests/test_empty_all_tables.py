"""Every test starts from empty tables (tests/support/database.py): the emptying between tests
leaves no row in any table and restarts the audit log, whatever the test wrote."""

from __future__ import annotations

import sqlalchemy as sa

from careobs.audit.chain import GENESIS
from careobs.audit.models import AuditChainHead
from careobs.models import Base
from tests.support.database import empty_all_tables


def _rows(engine: sa.Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            table.name: conn.scalar(sa.select(sa.func.count()).select_from(table))
            for table in Base.metadata.sorted_tables
        }


def test_every_table_is_emptied_and_the_audit_chain_restarts(app, data, db):
    data.organisation()
    data.organisation("Other Org", prefix="other")
    engine = app.extensions["careobs.engine"]
    before = _rows(engine)
    written = {name for name, n in before.items() if n}
    # The fixture's data reaches many tables, children and parents, and the audit log.
    assert {"organisations", "services", "users", "audit_events"} <= written
    db.close()

    empty_all_tables(engine)

    after = _rows(engine)
    assert {name: n for name, n in after.items() if name != "audit_chain_head" and n} == {}
    with engine.connect() as conn:
        head = conn.execute(sa.select(AuditChainHead.__table__)).one()
    assert (head.id, head.seq, head.hash) == (1, 0, GENESIS)
    # Ids start again from 1, as in a fresh database.
    again = data.organisation()
    assert (again.org.id, again.admin.id, again.care_home.id) == (1, 1, 1)
