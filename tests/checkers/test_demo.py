"""The demo's quality checker: checker@demo.test at Riverside Homecare with an open co-audit of
H03's care plan audit and the two people of a second draw this morning, one talked with and one
not yet; loading twice adds nothing."""

from __future__ import annotations

import sqlalchemy as sa

from careobs.accounts.models import Membership, User
from careobs.audits.models import Audit
from careobs.checkers.demo import CHECKER_EMAIL, SECOND_DRAW
from careobs.checkers.models import CheckerAssignment
from careobs.db import get_session
from careobs.demo import DEMO_PASSWORD, RIVERSIDE, load_demo
from careobs.voice.models import Conversation
from tests.support.demo import load_demo_once
from tests.support.web import Auth


def test_the_demo_checker_has_one_co_audit_and_two_conversations(app, login_as):
    with app.app_context():
        db = get_session()
        logins = load_demo_once(db)
        load_demo(db)  # again: nothing added twice
        assert (CHECKER_EMAIL, "Quality checker at Riverside Homecare") in logins
        pat = db.scalar(sa.select(User).where(User.email == CHECKER_EMAIL))
        assert pat.display_name == "Pat (quality checker)"
        assert [(m.service.name, m.role) for m in pat.memberships] == [
            (RIVERSIDE, "quality_checker")
        ]
        given = db.scalars(
            sa.select(CheckerAssignment)
            .where(CheckerAssignment.user_id == pat.id)
            .order_by(CheckerAssignment.id)
        ).all()
        assert [a.kind for a in given] == ["co_audit", "conversation", "conversation"]
        audit = db.get(Audit, given[0].audit_id)
        assert (audit.subject_text, audit.status, audit.is_co_audit) == ("H03", "submitted", False)
        assert given[1].draw_id == given[2].draw_id
        assert given[1].draw.repeat_reason == SECOND_DRAW
        [done] = db.scalars(sa.select(Conversation).where(Conversation.interviewer_id == pat.id))
        assert (done.draw_id, done.person_id) == (given[1].draw_id, given[1].person_id)
        assert (
            db.scalar(
                sa.select(sa.func.count())
                .select_from(Membership)
                .where(Membership.role == "quality_checker")
            )
            == 1
        )
        codes = (given[1].person.code, given[2].person.code)

    client = app.test_client()
    Auth(client).login(CHECKER_EMAIL, DEMO_PASSWORD)
    home = client.get("/").get_data(as_text=True)
    assert "Care plan audit</strong> · H03 · Riverside Homecare" in home
    assert f"Talk with {codes[1]}" in home and f"Talk with {codes[0]}" not in home
    assert f"Conversation with {codes[0]} · Riverside Homecare" in home
