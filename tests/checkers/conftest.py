"""Acme (tests/conftest.py) with quality checkers at Acme Homecare, a submitted care plan audit
of H01 there, and a draw of both its people, made by Sue Supervisor."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from careobs.audits.models import Audit
from tests.support import fixtures
from tests.support.audits import CARE_PLAN, audit_doc, document_uuid, person, starter_templates
from tests.support.voice import draw_people

homecare_manager = fixtures.homecare_manager


checker = fixtures.checker


@pytest.fixture
def second_checker(data, org, db):
    """Quinn, another quality checker of Acme Homecare."""
    user = data.user(
        org.org, "quinn@acme.test", "Quinn Checker", roles={org.homecare: "quality_checker"}
    )
    db.commit()
    return user


@pytest.fixture
def care_plan(app, db, org):
    """The care plan audit template, as a device sees it."""
    return starter_templates(app, db, org.org.id)[CARE_PLAN]


@pytest.fixture
def staff_audit(db, org, care_plan, client_as) -> Audit:
    """A submitted care plan audit of H01 at Acme Homecare by Sue Supervisor."""
    document = audit_doc(org.homecare, care_plan, person("H01"))
    [result] = client_as(org.supervisor)(document)
    assert result["status"] == "created", result
    return db.scalar(sa.select(Audit).where(Audit.uuid == document_uuid(document)))


@pytest.fixture
def homecare_draw(db, org):
    """Sue's draw of both Acme Homecare people (H01, H02)."""
    return draw_people(db, org.supervisor, org.homecare, 2)
