"""Co-audit tests: Acme (tests/conftest.py) with its starter templates; a care plan audit of
R01 by Mo Manager sent through the sync (the staff audit), and co-audits written straight to
the database (:mod:`tests.support.coaudits`).

The pair every test starts from (care plan: 14 items), others Met on both sides:

=====  ===========  ==========  ===============
item   staff audit  co-audit    counts as
=====  ===========  ==========  ===============
0      Not met      Yes (met)   difference
3      Partly met   Partly      agreement
4      Met          No          difference
12     N/A          Yes         not compared
13     Met          Not sure    not compared
=====  ===========  ==========  ===============

Compared 12 (14 less items 12 and 13), agreeing 10: 10 of 12 items agree (83%).
"""

from __future__ import annotations

import pytest

from tests.support import fixtures
from tests.support.audits import CARE_PLAN, audit_doc, person, starter_templates
from tests.support.coaudits import co_audit, stored_audit
from tests.support.sync import SyncApi

org = fixtures.org

STAFF_RATINGS = {0: "not_met", 3: "partly", 12: "na"}
CO_RATINGS = {0: "met", 3: "partly", 4: "not_met", 13: "na"}


@pytest.fixture
def templates(app, db, org):
    return starter_templates(app, db, org.org.id)


@pytest.fixture
def plan(templates):
    return templates[CARE_PLAN]


@pytest.fixture
def staff_audit(db, org, plan, login_as):
    """Mo Manager's submitted care plan audit of R01 in the care home."""
    document = audit_doc(org.care_home, plan, person("R01"), ratings=STAFF_RATINGS)
    [result] = SyncApi(login_as(org.manager))(document)
    assert result["status"] == "created", result
    return stored_audit(db, document["id"])


@pytest.fixture
def pair(db, org, staff_audit):
    """The staff audit and Sue Supervisor's co-audit of it with R01."""
    return staff_audit, co_audit(db, staff_audit, by=org.supervisor, ratings=CO_RATINGS)
