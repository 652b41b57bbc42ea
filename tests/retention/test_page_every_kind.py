"""Admin > Retention with records of every type past their period, in both of Acme's services:
each type's counts per service are the ones made, add up to its total, agree with the dry
run's, and the organisation-wide types (notifications, login history) count under "Whole
organisation"."""

from __future__ import annotations

import html
import re

import sqlalchemy as sa

from careobs.accounts.models import LoginSession
from careobs.audits.models import Audit
from careobs.notifications.models import Notification
from careobs.retention.periods import BY_KEY
from careobs.retention.queries import cutoff_for
from careobs.retention.targets import TARGETS
from careobs.selfassess.models import SelfAssessment
from careobs.visits.models import MonitoringVisit
from careobs.voice.models import Conversation
from tests.retention.kinds import backdate, compliment, quarantined, sent
from tests.retention.records import DAY, action, quis_session
from tests.support import fixtures
from tests.support.audits import CARE_PLAN, audit_doc, person, starter_templates
from tests.support.selfassess import self_assessment_doc
from tests.support.visits import spot_check
from tests.support.voice import conversation_doc, draw_people, picked
from tests.support.web import decoded_text

org = fixtures.org  # H01's consent on record, for the visit
checklist = fixtures.checklist
homecare_manager = fixtures.homecare_manager

HOME, HOMECARE, WHOLE = "Acme Care House", "Acme Care Homecare", "Whole organisation"
EXPECTED = {
    "closed_actions": {HOME: 1, HOMECARE: 1},
    "quis_sessions": {HOME: 2, HOMECARE: 1},
    "monitoring_visits": {HOMECARE: 1},
    "audits": {HOME: 1, HOMECARE: 1},  # each subject's latest kept
    "self_assessments": {HOME: 1, HOMECARE: 1},
    "conversations": {HOMECARE: 1},
    "compliments": {HOME: 1, HOMECARE: 2},
    "notifications": {WHOLE: 2},
    "quarantined": {HOME: 1},
    "login_history": {WHOLE: 1},
}


def cut_for(app, db, org, key: str):
    """The type's cut-off today at its default period."""
    with app.app_context():
        return cutoff_for(db, org.org.id, BY_KEY[key].default_months)


def one_of_each(app, db, org, checklist, login_as, client_as, homecare_manager) -> None:
    """The records of EXPECTED, each a day or more past its type's cut-off."""
    past = {t.key: cut_for(app, db, org, t.key).instant - DAY for t in TARGETS}
    sue = client_as(org.supervisor)
    for service in (org.care_home, org.homecare):
        action(db, org, status="done", completed_at=past["closed_actions"], service=service)
    for service in (org.care_home, org.care_home, org.homecare):
        quis_session(db, org, past["quis_sessions"], service=service)
    visit = spot_check(org.homecare, org.staff_members["Hal Homecare"], checklist)
    plan = starter_templates(app, db, org.org.id)[CARE_PLAN]
    audits = [
        audit_doc(service, plan, person(code))
        for service, code in ((org.care_home, "R01"), (org.homecare, "H01"))
        for _ in range(2)
    ]
    draw = draw_people(db, org.supervisor, org.homecare, 1)
    talk = conversation_doc(draw, picked(draw)[0])
    sent(sue, visit, *audits, talk)
    assessments = [
        (client_as(org.manager), self_assessment_doc(org.care_home, {"S1": 3})),
        (client_as(homecare_manager), self_assessment_doc(org.homecare, {"S1": 3})),
    ]
    for api, document in assessments:
        sent(api, document)
    backdate(db, MonitoringVisit, visit, "planned_at", past["monitoring_visits"])
    for document in audits:
        backdate(db, Audit, document, "started_at", past["audits"])
    backdate(db, Conversation, talk, "started_at", past["conversations"])
    for _, document in assessments:
        backdate(db, SelfAssessment, document, "assessed_at", past["self_assessments"])
    day = cut_for(app, db, org, "compliments").day - DAY
    for service in (org.care_home, org.homecare, org.homecare):
        compliment(app, db, org, day, service=service)
    for _ in range(2):
        db.add(
            Notification(
                organisation_id=org.org.id,
                user_id=org.manager.id,
                kind="action_assigned",
                title="An action for you",
                link="/actions/",
                created_at=past["notifications"],
            )
        )
    copy = quarantined(db, org, org.care_home, "quis_session", visit["id"])
    copy.received_at = past["quarantined"]
    db.add(  # a login ended before the cut-off (an open one may still be in use)
        LoginSession(
            user_id=org.manager.id,
            started_at=past["login_history"],
            ended_at=past["login_history"],
            ended_by="logout",
        )
    )
    db.commit()


def sections(page: str) -> dict[str, tuple[dict[str, int], int | None]]:
    """Per type: its rows per service and its total, as the page shows them."""
    found = {}
    for key in EXPECTED:
        section = page.split(f'id="type-{key}"')[1].split("</section>")[0]
        cells = re.findall(r"<tr><td>([^<]+)</td><td>(\d+)</td></tr>", section)
        rows = {name: int(count) for name, count in cells}
        total = re.search(r'<th scope="row">Total</th><td>(\d+)</td>', section)
        found[key] = (rows, int(total.group(1)) if total else None)
    return found


def test_every_type_counts_per_service_and_adds_up(
    app, db, org, other, checklist, login_as, client_as, homecare_manager, runner
):
    one_of_each(app, db, org, checklist, login_as, client_as, homecare_manager)
    compliment(app, db, other, cut_for(app, db, org, "compliments").day - DAY)  # not Acme's

    page = html.unescape(decoded_text(login_as(org.admin).get("/admin/retention/")))

    shown = sections(page)
    for key, by_service in EXPECTED.items():
        rows, total = shown[key]
        assert rows == by_service, key
        assert total == sum(rows.values()), key
    assert "1: the latest audit of its subject" not in page  # two subjects: two kept
    assert "2: the latest audit of its subject" in page

    dry = runner.invoke(args=["purge", "--dry-run", "--organisation", "Acme Care"]).output
    for key, by_service in EXPECTED.items():
        label = re.escape(BY_KEY[key].label)
        said = re.search(rf"^  {label}: kept .*: (\d+) to remove$", dry, re.MULTILINE)
        assert int(said.group(1)) == sum(by_service.values()), key
    db.expire_all()
    assert db.scalar(sa.select(sa.func.count()).select_from(Audit)) == 4  # nothing removed
