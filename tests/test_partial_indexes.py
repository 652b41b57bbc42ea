"""The partial indexes the dashboards read hold exactly the rows their queries ask for: each
index's WHERE is written as text (the models cannot build it from columns not yet defined), so
these tests hold it to the expressions the queries use, lest the two drift apart and the query
silently fall back to reading the table."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from careobs.audits.models import STAFF_AUDITS_WHERE
from careobs.dashboards.audits import _where
from careobs.quis.models import COUNTED, COUNTED_WHERE, QuisSession


def _text(*conditions) -> str:
    """The conditions as PostgreSQL would read them, values inlined, without table names."""
    compiled = sa.and_(*conditions).compile(
        dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}
    )
    return str(compiled).replace("quis_sessions.", "").replace("audits.", "")


def test_the_counted_sessions_index_is_the_dashboards_condition():
    assert _text(QuisSession.status == "submitted", COUNTED) == COUNTED_WHERE


def test_the_staff_audits_index_is_the_dashboards_condition():
    scope = SimpleNamespace(
        service_ids=[1],
        start=datetime(2026, 1, 1, tzinfo=UTC),
        end=datetime(2027, 1, 1, tzinfo=UTC),
        template_id=None,
    )
    status, staff_only, *_rest = _where(scope)

    assert _text(status, staff_only) == STAFF_AUDITS_WHERE
