"""Migration 0022 going back with co-audits stored: the co-audits, their follow-ups, the
checkers' assignments and the quality checkers' memberships go; the staff audit, the action
raised from the difference (no longer linked to the co-audit) and every other membership stay;
and the upgrade runs again on what is left."""

from __future__ import annotations

import sqlalchemy as sa

from careobs import migrate
from careobs.db import make_engine
from tests.support import fixtures
from tests.support.coaudits import co_audit
from tests.support.voice import draw_people

homecare_manager = fixtures.homecare_manager

BEFORE = "0021_audit_latest"
DIFFERS = {4: "not_met"}  # the staff audit says Met (tests/coaudits/conftest.py)


def count(conn, sql: str) -> int:
    return conn.scalar(sa.text(sql))


def test_downgrade_removes_the_co_audits_and_checkers_and_keeps_the_rest(
    db, data, org, homecare_manager, staff_audit, plan, login_as
):
    pat = data.user(
        org.org,
        "pat@acme.test",
        "Pat Checker",
        roles={org.care_home: "quality_checker", org.homecare: "quality_checker"},
    )
    db.commit()
    manager = login_as(org.manager)
    response = manager.post(
        f"/checkers/co-audits/{staff_audit.uuid}", data={"checker": pat.uuid.hex}
    )
    assert response.status_code == 302
    draw = draw_people(db, org.supervisor, org.homecare, 2)
    response = login_as(homecare_manager).post(
        f"/checkers/draws/{draw.uuid}/people/H01", data={"checker": pat.uuid.hex}
    )
    assert response.status_code == 302
    by_pat = co_audit(db, staff_audit, by=pat, ratings=DIFFERS, with_="quality_checker", code=None)
    with_r01 = co_audit(db, staff_audit, by=org.supervisor, ratings=DIFFERS)
    response = manager.post(
        f"/audits/{by_pat.uuid}/comparison/follow-up", data={"item": plan.items[4].key.hex}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    staff_id, co_ids = staff_audit.id, {by_pat.id, with_r01.id}
    url = db.get_bind().url.render_as_string(hide_password=False)
    db.close()
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            assert count(conn, "SELECT count(*) FROM audits") == 3
            assert count(conn, "SELECT count(*) FROM co_audit_follow_ups") == 1
            assert count(conn, "SELECT count(*) FROM checker_assignments") == 2
            [(action_id, linked)] = conn.execute(sa.text("SELECT id, audit_id FROM actions"))
            assert linked == by_pat.id
            memberships = conn.execute(
                sa.text("SELECT user_id, service_id, role FROM memberships ORDER BY id")
            ).all()
        others = [m for m in memberships if m.role != "quality_checker"]
        assert len(memberships) - len(others) == 2  # Pat's, in both services

        migrate.downgrade(engine, BEFORE)
        tables = sa.inspect(engine).get_table_names()
        assert "co_audit_follow_ups" not in tables and "checker_assignments" not in tables
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT id FROM audits")).scalars().all() == [staff_id]
            assert not co_ids & set(
                conn.execute(sa.text("SELECT audit_id FROM audit_answers")).scalars()
            )
            assert conn.execute(sa.text("SELECT id, audit_id FROM actions")).all() == [
                (action_id, None)
            ]
            kept = conn.execute(
                sa.text("SELECT user_id, service_id, role FROM memberships ORDER BY id")
            ).all()
            assert kept == others
            assert count(conn, f"SELECT count(*) FROM users WHERE id = {pat.id}") == 1

        migrate.upgrade(engine)
        with engine.connect() as conn:
            assert count(conn, "SELECT count(*) FROM checker_assignments") == 0
            assert count(conn, "SELECT count(*) FROM co_audit_follow_ups") == 0
            assert count(conn, "SELECT count(*) FROM audits WHERE co_audit_with IS NULL") == 1
            assert count(conn, "SELECT count(*) FROM audit_answers") == len(plan.items)
    finally:
        migrate.upgrade(engine)
        engine.dispose()
