"""The demo's compliments and concerns logs: both services over the year, compliments naming
workers turned into released feedback, and loading again adds nothing."""

from __future__ import annotations

import sqlalchemy as sa

from careobs.actions.models import Action
from careobs.compliments.demo import RIVERSIDE_LOG, ROSEWOOD_LOG
from careobs.compliments.models import Compliment
from careobs.db import get_session
from careobs.demo import RIVERSIDE, ROSEWOOD, load_demo
from careobs.feedback.models import Feedback
from careobs.org.models import Service
from tests.support.demo import load_demo_once


def test_the_demo_logs(app):
    with app.app_context():
        db = get_session()
        load_demo_once(db)
        load_demo(db)  # again: nothing added twice
        services = {s.name: s for s in db.scalars(sa.select(Service))}
        for name, log in ((ROSEWOOD, ROSEWOOD_LOG), (RIVERSIDE, RIVERSIDE_LOG)):
            svc = services[name]
            found = db.scalars(sa.select(Compliment).where(Compliment.service_id == svc.id)).all()
            assert len(found) == len(log)
            assert sorted(c.kind for c in found) == sorted(row[1] for row in log)
            days = sorted(c.received_on for c in found)
            assert (days[-1] - days[0]).days > 300  # over the year
            named = [row for row in log if row[5]]
            feedback = db.scalars(
                sa.select(Feedback)
                .join(Compliment, Compliment.id == Feedback.compliment_id)
                .where(Compliment.service_id == svc.id)
            ).all()
            assert len(feedback) == len(named)
            # All released but the newest, left a draft for the manager to release.
            assert sum(f.status == "released" for f in feedback) == len(named) - 1
            assert all(f.went_well == f.compliment.text for f in feedback)
        # Sam Okafor, the demo care worker with a login, acknowledged both of his (each over a
        # month old).
        sam = db.scalars(
            sa.select(Feedback)
            .join(Compliment, Compliment.id == Feedback.compliment_id)
            .where(Compliment.service_id == services[ROSEWOOD].id)
            .order_by(Feedback.released_at)
        ).all()
        sam = [f for f in sam if f.staff.name == "Sam Okafor"]
        assert [f.acknowledged_at is not None for f in sam] == [True, True]
        riverside_concern_actions = db.scalar(
            sa.select(sa.func.count())
            .select_from(Compliment)
            .join(Action, Action.id == Compliment.action_id)
            .where(Compliment.service_id == services[RIVERSIDE].id)
        )
        assert riverside_concern_actions == 1
