"""Every role × record kind × verb, asked of careobs.permissions and of the real route.

One organisation holds every role — its admin, a manager and a supervisor of both services, the
care worker the records are about (Hal Homecare, with his own login), another care worker, a
quality checker given one conversation from the draw of people — and a user of another
organisation (its admin, the strongest role there). It holds one record of each
kind, built through the sync API and the pages as a supervisor would build them. For each row of
``EXPECTED`` the test asserts that the permissions module and the route give the answer written
there, so the two can never drift apart and a failure names the role, kind and verb.

The privacy rules are rows of their own: a monitoring visit, and an action agreed at it, reach
the worker only once the visit's feedback is released; a draft reaches nobody but its author and
managers; a worker sees only their own feedback; another organisation sees nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import object_session

from careobs import create_app, permissions
from careobs.accounts.models import User
from careobs.actions import service as actions_service
from careobs.actions.models import Action
from careobs.audits.models import Audit
from careobs.checkers.models import CheckerAssignment
from careobs.checklists import service as checklists
from careobs.checklists.models import Checklist
from careobs.compliments.models import Compliment
from careobs.db import get_session, utcnow
from careobs.feedback.models import Feedback
from careobs.org.models import Organisation, Service, StaffMember
from careobs.quis.models import QuisPair, QuisSession
from careobs.selection.models import SelectionDraw
from careobs.selfassess.models import SelfAssessment
from careobs.sync.models import QuarantinedDocument
from careobs.visits.models import MonitoringVisit
from careobs.voice.models import Conversation
from tests.factories import DataBuilder
from tests.support.audits import (
    CARE_PLAN,
    TemplateInfo,
    audit_doc,
    person,
    staff,
    starter_templates,
    template_info,
)
from tests.support.coaudits import co_audit
from tests.support.database import empty_all_tables
from tests.support.selfassess import self_assessment_doc
from tests.support.visits import checklist_info
from tests.support.visits import spot_check as visit_doc
from tests.support.voice import conversation_doc
from tests.support.web import PASSWORD, Auth, CsrfClient
from tests.sync.documents import Place, quis_session, spot_check

ROLES = (
    "admin",
    "manager",
    "supervisor",
    "worker",
    "colleague",
    "expert",  # Pat, a quality checker (an expert by experience)
    "outsider",
)

# What each role may do to each kind of record. "yes" is answered by the route with 200 or a
# redirect after doing it; "no" with 403 or 404 (or, where noted in ROUTES, refused otherwise).
EXPECTED_TABLE = """
kind                verb            admin manager supervisor worker colleague expert outsider
quis_session        view            yes   yes     yes        no     no        no     no
quis_session        add_addendum    yes   yes     yes        no     no        no     no
visit_released      view            yes   yes     yes        yes    no        no     no
visit_unreleased    view            yes   yes     yes        no     no        no     no
visit_released      add_addendum    yes   yes     yes        no     no        no     no
feedback_released   view            yes   yes     yes        yes    no        no     no
feedback_draft      view            yes   yes     yes        no     no        no     no
feedback_draft      edit            yes   yes     yes        no     no        no     no
feedback_released   edit            no    no      no         no     no        no     no
feedback_compliment edit            yes   yes     yes        no     no        no     no
feedback_compliment release         yes   yes     no         no     no        no     no
feedback_released   acknowledge     no    no      no         yes    no        no     no
feedback_released   reply           no    no      no         yes    no        no     no
action_released     view            yes   yes     yes        yes    no        no     no
action_held         view            yes   yes     yes        no     no        no     no
action_released     update          yes   yes     yes        no     no        no     no
action_released     add_note        yes   yes     yes        yes    no        no     no
action_fresh        cancel          yes   yes     no         no     no        no     no
action_released     book_recheck    yes   yes     yes        no     no        no     no
selection_draw      view            yes   yes     yes        no     no        no     no
selection_draw      draw            yes   yes     yes        no     no        no     no
evidence_pack       make            yes   yes     no         no     no        no     no
person              manage          yes   yes     no         no     no        no     no
staff_member        manage          yes   yes     no         no     no        no     no
service             manage          yes   yes     no         no     no        no     no
service             rename          yes   no      no         no     no        no     no
worker_page         view            yes   yes     no         yes    no        no     no
sync_capture        capture         yes   yes     yes        no     no        no     no
audit_service       complete        yes   yes     yes        no     no        no     no
audit_service       plan            yes   yes     no         no     no        no     no
audit_service       see_due         yes   yes     yes        no     no        no     no
audit               view            yes   yes     yes        no     no        no     no
audit_of_worker     view            yes   yes     yes        yes    no        no     no
quarantined_copy    review          yes   yes     no         no     no        no     no
compliment          view            yes   yes     yes        no     no        no     no
compliment_others   view            yes   yes     no         no     no        no     no
compliment_service  record          yes   yes     yes        no     no        no     no
concern             respond         yes   yes     yes        no     no        no     no
concern_others      respond         yes   yes     no         no     no        no     no
compliment_sections edit            yes   no      no         no     no        no     no
people_draw         follow_up       yes   yes     yes        no     no        yes    no
conversation        view            yes   yes     yes        no     no        no     no
audit               co_audit_ask    yes   yes     no         no     no        no     no
audit_of_worker     co_audit_ask    no    no      no         no     no        no     no
people_draw         give_to_checker yes   yes     no         no     no        no     no
comparison          view            yes   yes     yes        no     no        no     no
comparison          follow_up       yes   yes     yes        no     no        no     no
expert_co_audit     view            yes   yes     no         no     no        no     no
expert_comparison   view            yes   yes     no         no     no        no     no
quis_pair           view            yes   yes     yes        no     no        no     no
quis_session        link_pair       no    no      yes        no     no        no     no
self_assessment     view            yes   yes     yes        no     no        no     no
self_assessment     raise_gap       yes   yes     no         no     no        no     no
assess_service      self_assess     yes   yes     yes        no     no        no     no
assess_service      mock_inspect    yes   no      no         no     no        no     no
"""
# The last two rows are Pat's own co-audit, sent from their phone: Pat may open neither its page
# nor its comparison, because the comparison shows the staff audit (whose answers, and whose
# staff names, are the service's, not the checker's) and the co-audit's page is the service's
# record of it. What Pat has done is listed on their home page, which is theirs alone. (The
# supervisor whose audit it compares reads neither: like any audit, the co-audit is read by its
# author and the service's managers.)


def parse(table: str) -> dict[tuple[str, str, str], bool]:
    lines = [line.split() for line in table.strip().splitlines()]
    header, rows = lines[0], lines[1:]
    assert tuple(header[2:]) == ROLES
    return {
        (role, kind, verb): answer == "yes"
        for kind, verb, *answers in rows
        for role, answer in zip(ROLES, answers, strict=True)
    }


EXPECTED = parse(EXPECTED_TABLE)


# --- the organisation ----------------------------------------------------------------------------


@dataclass
class World:
    """The app, a session for the module's answers, the users by role and the records by kind."""

    app: object
    db: object
    users: dict = field(default_factory=dict)
    records: dict = field(default_factory=dict)
    clients: dict = field(default_factory=dict)
    place: Place | None = None
    audit_template: TemplateInfo | None = None  # the care plan audit, as a device sees it
    staff_template: TemplateInfo | None = None  # an audit of a care worker
    today: date | None = None  # the UTC date: due dates are set well after it

    def client(self, role: str) -> CsrfClient:
        if role not in self.clients:
            client = self.app.test_client()
            Auth(client).login(self.users[role], PASSWORD)
            self.clients[role] = client
        return self.clients[role]

    def fresh(self, model, record):
        """The record reloaded from the database (routes may have changed it)."""
        self.db.expire_all()
        return self.db.get(model, record.id)


def synced(client, *documents) -> list[dict]:
    response = client.post("/api/v1/sync", json={"documents": list(documents)})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["results"]


@pytest.fixture(scope="module")
def world(database_url, tmp_path_factory):
    """One organisation with every role and one record of each kind, for the whole module."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CAREOBS_INSTANCE_PATH", str(tmp_path_factory.mktemp("matrix-instance")))
        app = create_app(
            {
                "TESTING": True,
                "DATABASE_URL": database_url,
                "SECRET_KEY": "matrix-tests-secret-key-that-is-long-enough-0123456789",
                "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                "SERVER_NAME": "careobs.test",
                "PUSH_DELIVERY_THREAD": False,
            }
        )
        app.test_client_class = CsrfClient
        engine = app.extensions["careobs.engine"]
        empty_all_tables(engine)
        db = app.extensions["careobs.sessionmaker"]()
        try:
            yield build_world(app, db)
        finally:
            db.close()
            empty_all_tables(engine)
            engine.dispose()


def build_world(app, db) -> World:
    data = DataBuilder(app, db, PASSWORD)
    acme = data.organisation("Acme Care", "acme")
    other = data.organisation("Other Org", "other")
    acme.people["H01"].consent = "yes"
    db.commit()
    home, homecare = acme.care_home, acme.homecare
    hal = acme.staff_members["Hal Homecare"]
    carla = acme.staff_members["Carla Carer"]
    world = World(app, db)
    world.users = {
        "admin": acme.admin,
        "manager": data.user(
            acme.org, "boss@acme.test", "Bo Boss", roles={home: "manager", homecare: "manager"}
        ),
        "supervisor": acme.supervisor,  # supervisor in both services
        "worker": data.user(acme.org, "hal@acme.test", "Hal Homecare", roles={homecare: "staff"}),
        "colleague": data.user(
            acme.org, "carla@acme.test", "Carla Carer", roles={homecare: "staff", home: "staff"}
        ),
        "outsider": other.admin,
    }
    hal.user_id = world.users["worker"].id
    carla.user_id = world.users["colleague"].id
    db.commit()
    with app.app_context():
        checklist_uuid = checklists.create_default(db, acme.org.id).uuid
        db.commit()
    place = Place(
        care_home=str(home.uuid),
        homecare=str(homecare.uuid),
        carla=str(carla.uuid),
        hal=str(hal.uuid),
        checklist=checklist_info(db, checklist_uuid),
        supervisor=acme.supervisor.email,
    )
    world.place = place
    world.audit_template = starter_templates(app, db, acme.org.id)[CARE_PLAN]
    supervisor = world.client("supervisor")
    session_doc = quis_session(place, status="submitted")
    released_doc = spot_check(place, status="submitted", actions=1)
    unreleased_doc = spot_check(place, status="submitted", actions=1)
    audit_of_person = audit_doc(homecare, world.audit_template, person("H01"))
    world.staff_template = staff_audit_template(app, db, acme)
    audit_of_hal = audit_doc(homecare, world.staff_template, staff(hal))
    results = synced(
        supervisor, session_doc, released_doc, unreleased_doc, audit_of_person, audit_of_hal
    )
    assert [r["status"] for r in results] == ["created"] * 5, results

    def visit(document) -> MonitoringVisit:
        return db.scalar(
            sa.select(MonitoringVisit).where(MonitoringVisit.uuid == uuid.UUID(document["id"]))
        )

    released, unreleased = visit(released_doc), visit(unreleased_doc)
    feedback = {
        v.id: db.scalar(sa.select(Feedback).where(Feedback.visit_id == v.id))
        for v in (released, unreleased)
    }
    response = supervisor.post(
        f"/feedback/{feedback[released.id].uuid}/edit",
        data={"went_well": "Kind and unhurried.", "to_develop": "", "actions": "", "release": "1"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    today = utcnow().date()
    response = supervisor.post(
        "/selection/", data={"service": str(homecare.uuid), "count": "1", "reason": "matrix"}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    response = supervisor.post(
        "/selection/people", data={"service": str(homecare.uuid), "count": "1", "reason": "matrix"}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    people_draw = db.scalar(sa.select(SelectionDraw).where(SelectionDraw.kind == "people"))
    talk = conversation_doc(people_draw, people_draw.result[0]["label"], outcome="declined")
    assert [r["status"] for r in synced(supervisor, talk)] == ["created"]
    # The supervisor's self-assessment of homecare, with a gap (S1 scored 2).
    assessment_doc = self_assessment_doc(homecare, {"S1": 2, "W1": 3})
    assert [r["status"] for r in synced(supervisor, assessment_doc)] == ["created"]
    quarantined = QuarantinedDocument(
        organisation_id=acme.org.id,
        service_id=homecare.id,
        kind="spot_check",
        document_id=uuid.UUID(unreleased_doc["id"]),
        author_id=acme.supervisor.id,
        revision=2,
        reason="Changed after submission.",
        data=unreleased_doc["data"],
        content_hash="0" * 64,
    )
    db.add(quarantined)
    db.commit()
    db.expire_all()

    def action_of(v: MonitoringVisit) -> Action:
        return db.scalar(sa.select(Action).where(Action.visit_id == v.id))

    world.records = {
        "quis_session": db.scalar(
            sa.select(QuisSession).where(QuisSession.uuid == uuid.UUID(session_doc["id"]))
        ),
        "visit_released": released,
        "visit_unreleased": unreleased,
        "feedback_released": feedback[released.id],
        "feedback_draft": feedback[unreleased.id],
        "action_released": action_of(released),
        "action_held": action_of(unreleased),
        "selection_draw": db.scalar(
            sa.select(SelectionDraw).where(SelectionDraw.kind == "workers")
        ),
        "people_draw": people_draw,
        "conversation": db.scalar(
            sa.select(Conversation).where(Conversation.uuid == uuid.UUID(talk["id"]))
        ),
        "evidence_pack": homecare,
        "person": acme.people["H01"],
        "staff_member": hal,
        "service": homecare,
        "worker_page": hal,
        "sync_capture": homecare,
        "audit_service": homecare,
        "quarantined_copy": quarantined,
        "audit": stored_audit(db, audit_of_person),
        "audit_of_worker": stored_audit(db, audit_of_hal),
        "self_assessment": db.scalar(
            sa.select(SelfAssessment).where(SelfAssessment.uuid == uuid.UUID(assessment_doc["id"]))
        ),
        "assess_service": homecare,
    }
    world.records["comparison"] = comparison_of(world, world.records["audit"])
    world.records |= log_entries(world, homecare, hal)
    world.today = today
    add_mixed_user(world, data, acme)
    add_checker(world, data, acme)
    add_checkers_co_audit(world)
    add_quis_pair(world, place)
    assert world.records["feedback_released"].status == "released"
    assert world.records["feedback_draft"].status == "draft"
    assert world.records["action_released"].owner_staff_id == hal.id
    return world


def comparison_of(world: World, staff_audit: Audit) -> P.ComparedPair:
    """The supervisor's co-audit of her own care plan audit of H01, with H01: they differ on
    the first item (the co-audit says No), which is what "follow_up" follows up."""
    co = co_audit(
        world.db, staff_audit, by=world.users["supervisor"], ratings={0: "not_met"}, code="H01"
    )
    return P.get_visible_comparison(world.db, world.users["admin"], co.uuid)


def log_entries(world: World, homecare, hal) -> dict:
    """A compliment naming Hal and a concern recorded by the supervisor, and a compliment and
    a concern recorded by the manager (which the supervisor does not see), in homecare."""
    made = {}
    for key, role, kind in (
        ("compliment", "supervisor", "compliment"),
        ("concern", "supervisor", "concern"),
        ("compliment_others", "manager", "compliment"),
        ("concern_others", "manager", "concern"),
    ):
        entry_id = uuid.uuid4()
        response = world.client(role).post(
            "/compliments/new",
            data={
                "entry_id": entry_id.hex,
                "service": homecare.uuid.hex,
                "kind": kind,
                "section": "care",
                "received_on": utcnow().date().isoformat(),
                "source": "family",
                "text": "Kind and unhurried, every visit.",
                "staff": [hal.uuid.hex] if kind == "compliment" else [],
            },
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        made[key] = world.db.scalar(sa.select(Compliment).where(Compliment.uuid == entry_id))
    # The supervisor drafted Hal's feedback from their compliment: they may edit it, and only
    # a manager (or an admin) releases it (issue 16).
    made["feedback_compliment"] = world.db.scalar(
        sa.select(Feedback).where(Feedback.compliment_id == made["compliment"].id)
    )
    made["compliment_service"] = homecare
    made["compliment_sections"] = homecare.organisation
    return made


def add_mixed_user(world: World, data: DataBuilder, acme) -> None:
    """Mia Mixed: a supervisor of the care home, and at the homecare service a care worker
    whom the manager names champion of the care plan audit (see MIXED_TABLE)."""
    db = world.db
    world.users["mixed"] = data.user(
        acme.org,
        "mia@acme.test",
        "Mia Mixed",
        roles={acme.care_home: "supervisor", acme.homecare: "staff"},
    )
    db.commit()
    response = world.client("manager").post(
        f"/audits/services/{acme.homecare.uuid}/champions",
        data={
            "template": world.audit_template.id.replace("-", ""),
            "user": world.users["mixed"].uuid.hex,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    db.expire_all()


def add_checker(world: World, data: DataBuilder, acme) -> None:
    """Pat, a quality checker of the homecare service, to whom the manager gives the
    conversation with the person the draw of people picked (by the draw's page): that is all
    Pat may do (the "expert" column)."""
    world.users["expert"] = data.user(
        acme.org, "pat@acme.test", "Pat Checker", roles={acme.homecare: "quality_checker"}
    )
    world.db.commit()
    draw = world.records["people_draw"]
    response = world.client("manager").post(
        f"/checkers/draws/{draw.uuid}/people/{draw.result[0]['label']}",
        data={"checker": world.users["expert"].uuid.hex},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    world.db.expire_all()


def add_quis_pair(world: World, place: Place) -> None:
    """A paired QUIS observation in the care home, both sessions submitted: the supervisor
    leads, the manager is the second observer (the "quis_pair" row). The supervisor's other,
    unpaired session is the one the "link_pair" row links (with no pair chosen: refused 400)."""
    pair_id = uuid.uuid4()
    for role, user in (("lead", "supervisor"), ("second", "manager")):
        document = quis_session(place, status="submitted", pair={"id": str(pair_id), "role": role})
        assert [r["status"] for r in synced(world.client(user), document)] == ["created"]
    world.records["quis_pair"] = world.db.scalar(
        sa.select(QuisPair).where(QuisPair.uuid == pair_id)
    )
    assert world.records["quis_pair"].completed_at is not None


def add_checkers_co_audit(world: World) -> None:
    """Pat's co-audit of the supervisor's care plan audit of H01, sent from Pat's phone (the
    "expert_co_audit" and "expert_comparison" rows)."""
    pat = world.users["expert"]
    co = co_audit(world.db, world.records["audit"], by=pat, with_="quality_checker", code=None)
    world.records["expert_co_audit"] = co
    world.records["expert_comparison"] = P.get_visible_comparison(
        world.db, world.users["admin"], co.uuid
    )


def staff_audit_template(app, db, acme) -> TemplateInfo:
    """A published audit template about a care worker (no starter template is one)."""
    with app.app_context():
        draft = checklists.create_audit_template(
            db,
            acme.org.id,
            acme.admin,
            name="Supervision records audit",
            subject_type="staff",
            description="",
            frequency_days=90,
            cqc_statements=["S6"],
            green_from=90,
            amber_from=75,
        )
        checklists.fill(draft, [("Records", [("Supervision held on time", True, "")])])
        checklists.publish(db, draft, acme.admin)
        db.commit()
    return template_info(db, "Supervision records audit", acme.org.id)


def stored_audit(db, document) -> Audit:
    return db.scalar(sa.select(Audit).where(Audit.uuid == uuid.UUID(document["id"])))


def fresh_action(world: World) -> Action:
    """An open action owned by Hal in homecare, not from any visit (for cancelling)."""
    with world.app.app_context():
        session = get_session()
        action = actions_service.create(
            session,
            session.get(User, world.users["supervisor"].id),
            service=session.get(Service, world.records["service"].id),
            description="Refresher on hand hygiene before contact.",
            owner=session.get(StaffMember, world.records["staff_member"].id),
            due_on=world.today + timedelta(days=7),
            cqc_tags=["W7"],
        )
        session.commit()
        action_id = action.id
    world.db.expire_all()
    return world.db.get(Action, action_id)


# --- what the module answers ----------------------------------------------------------------------

P = permissions

MODULE = {
    ("quis_session", "view"): P.may_view_quis_session,
    ("quis_session", "add_addendum"): P.may_add_addendum,
    ("visit_released", "view"): P.may_view_visit,
    ("visit_unreleased", "view"): P.may_view_visit,
    ("visit_released", "add_addendum"): P.may_add_addendum,
    ("feedback_released", "view"): P.may_view_feedback,
    ("feedback_draft", "view"): P.may_view_feedback,
    ("feedback_draft", "edit"): P.may_edit_feedback,
    ("feedback_released", "edit"): P.may_edit_feedback,
    ("feedback_compliment", "edit"): P.may_edit_feedback,
    ("feedback_compliment", "release"): P.may_release_feedback,
    ("feedback_released", "acknowledge"): P.may_acknowledge_feedback,
    ("feedback_released", "reply"): P.may_reply_to_feedback,
    ("action_released", "view"): P.may_view_action,
    ("action_held", "view"): P.may_view_action,
    ("action_released", "update"): P.may_update_action,
    ("action_released", "add_note"): P.may_add_action_note,
    ("action_fresh", "cancel"): P.may_cancel_action,
    ("action_released", "book_recheck"): P.may_book_recheck,
    ("selection_draw", "view"): P.may_view_draw,
    ("selection_draw", "draw"): lambda user, draw: P.may_draw_in(user, draw.service),
    ("evidence_pack", "make"): P.may_make_evidence_pack,
    ("person", "manage"): P.may_manage_record,
    ("staff_member", "manage"): P.may_manage_record,
    ("service", "manage"): P.may_manage_record,
    ("service", "rename"): P.may_rename_service,
    ("worker_page", "view"): P.may_view_worker_page,
    ("sync_capture", "capture"): P.may_capture_in,
    ("audit_service", "complete"): P.may_complete_audit,
    ("audit_service", "plan"): P.may_plan_audits,
    ("audit_service", "see_due"): lambda user, service: (
        service in P.audits_due_scope(object_session(service), user)[0]
    ),
    ("audit", "view"): P.may_view_audit,
    ("audit_of_worker", "view"): P.may_view_audit,
    ("quarantined_copy", "review"): P.may_review_quarantined,
    ("compliment", "view"): P.may_view_compliment,
    ("compliment_others", "view"): P.may_view_compliment,
    ("compliment_service", "record"): P.may_record_compliment,
    ("concern", "respond"): P.may_respond_to_concern,
    ("concern_others", "respond"): P.may_respond_to_concern,
    ("compliment_sections", "edit"): P.may_edit_compliment_sections,
    ("people_draw", "follow_up"): P.may_record_conversation,
    ("conversation", "view"): P.may_view_conversation,
    ("audit", "co_audit_ask"): P.may_ask_co_audit,
    ("audit_of_worker", "co_audit_ask"): P.may_ask_co_audit,
    ("people_draw", "give_to_checker"): P.may_give_conversation,
    ("comparison", "view"): lambda user, pair: P.may_view_comparison(
        user, pair.co_audit, pair.staff
    ),
    ("comparison", "follow_up"): P.may_follow_up_comparison,
    ("expert_co_audit", "view"): lambda user, audit: opens_for(
        user, P.may_view_audit(user, audit), "audits.detail"
    ),
    ("expert_comparison", "view"): lambda user, pair: P.may_view_comparison(
        user, pair.co_audit, pair.staff
    ),
    ("quis_pair", "view"): lambda user, pair: (
        P.get_visible_quis_pair(object_session(pair), user, pair.uuid) is not None
    ),
    ("quis_session", "link_pair"): P.may_link_quis_session,
    ("self_assessment", "view"): P.may_view_self_assessment,
    ("self_assessment", "raise_gap"): P.may_raise_gap_actions,
    ("assess_service", "self_assess"): lambda user, service: (
        P.assessment_refusal(user, service, "self_assessment") is None
    ),
    ("assess_service", "mock_inspect"): lambda user, service: (
        P.assessment_refusal(user, service, "mock_inspection") is None
    ),
}


def opens_for(user, may: bool, endpoint: str) -> bool:
    """A page opens when the module's predicate allows its record and, for someone who is only
    a quality checker, when it is one of their pages (the guard careobs.checkers.views asks of
    careobs.permissions before any view runs). Pat is the author of their co-audit, so
    :func:`~careobs.permissions.visible_audits` lists it; its page is still not Pat's."""
    guarded = P.only_a_quality_checker(user) and not P.checker_may_open(endpoint)
    return may and not guarded


# For the kinds that have a ``visible_<kind>`` query, a record is visible exactly when the
# module's ``may_view`` says so (the lists and the pages agree).
VISIBLE = {
    "quis_session": P.visible_quis_sessions,
    "visit_released": P.visible_visits,
    "visit_unreleased": P.visible_visits,
    "feedback_released": P.visible_feedback,
    "feedback_draft": P.visible_feedback,
    "action_released": P.visible_actions,
    "action_held": P.visible_actions,
    "selection_draw": P.visible_draws,
    "quarantined_copy": P.visible_quarantine,
    "audit": P.visible_audits,
    "audit_of_worker": P.visible_audits,
    "compliment": P.visible_compliments,
    "compliment_others": P.visible_compliments,
    "conversation": P.visible_conversations,
    "quis_pair": P.visible_quis_pairs,
    "self_assessment": P.visible_self_assessments,
}


# --- what the routes answer -----------------------------------------------------------------------

GRANTED = {200, 302}
REFUSED = {403, 404}


def route_answer(world: World, role: str, kind: str, verb: str, record) -> bool:
    """Ask the real route; True when it grants, False when it refuses (anything else fails)."""
    client = world.client(role)
    r = record
    today = world.today
    granted, refused = GRANTED, REFUSED
    if (kind, verb) == ("sync_capture", "capture"):
        document = spot_check(world.place, status="draft")
        [result] = synced(client, document)  # each document is answered on its own
        assert result["status"] in {"created", "forbidden", "invalid"}, result
        return result["status"] == "created"
    if kind == "assess_service":
        type_ = "self_assessment" if verb == "self_assess" else "mock_inspection"
        document = self_assessment_doc(r, {"S1": 3}, type=type_, status="draft")
        [result] = synced(client, document)
        assert result["status"] in {"created", "forbidden", "invalid"}, result
        return result["status"] == "created"
    if (kind, verb) == ("audit_service", "complete"):
        document = audit_doc(r, world.audit_template, person("H01"), status="draft")
        [result] = synced(client, document)
        assert result["status"] in {"created", "forbidden", "invalid"}, result
        return result["status"] == "created"
    if kind in ("comparison", "expert_comparison"):
        url = f"/audits/{r.co_audit.uuid}/comparison"
        if verb == "view":
            response = client.get(url)
        else:
            key = world.audit_template.items[0].key
            response = client.post(f"{url}/follow-up", data={"item": key.hex})
            granted = {302}
    elif verb == "view" or kind == "worker_page":
        url = {
            "quis_session": f"/quis/sessions/{getattr(r, 'uuid', '')}",
            "visit_released": f"/visits/{getattr(r, 'uuid', '')}",
            "visit_unreleased": f"/visits/{getattr(r, 'uuid', '')}",
            "feedback_released": f"/feedback/{getattr(r, 'uuid', '')}",
            "feedback_draft": f"/feedback/{getattr(r, 'uuid', '')}",
            "action_released": f"/actions/{getattr(r, 'uuid', '')}",
            "action_held": f"/actions/{getattr(r, 'uuid', '')}",
            "selection_draw": f"/selection/{getattr(r, 'uuid', '')}",
            "worker_page": f"/dashboards/workers/{getattr(r, 'uuid', '')}",
            "audit": f"/audits/{getattr(r, 'uuid', '')}",
            "audit_of_worker": f"/audits/{getattr(r, 'uuid', '')}",
            "expert_co_audit": f"/audits/{getattr(r, 'uuid', '')}",
            "compliment": f"/compliments/{getattr(r, 'uuid', '')}",
            "compliment_others": f"/compliments/{getattr(r, 'uuid', '')}",
            "conversation": f"/voice/{getattr(r, 'uuid', '')}",
            "quis_pair": f"/quis/pairs/{getattr(r, 'uuid', '')}",
            "self_assessment": f"/self-assessments/{getattr(r, 'uuid', '')}",
        }[kind]
        response = client.get(url)
    elif verb == "link_pair":
        # No pair chosen: whoever may link gets the session's page back saying so (400, nothing
        # linked); others are refused before the form is read.
        response = client.post(f"/quis/pairs/link/{r.uuid}", data={})
        granted = {400}
    elif verb == "add_addendum":
        url = f"/quis/sessions/{r.uuid}" if kind == "quis_session" else f"/visits/{r.uuid}"
        response = client.post(url, data={"reason": "Matrix", "text": "A later note."})
        granted = {302}
    elif (kind, verb) == ("compliment_sections", "edit"):
        # Renaming Acme's "care" section (to the same name: nothing changes). Another
        # organisation's admin reaches their own list, where the route finds their own "care":
        # granted only if Acme's section was the one changed, so ask who made the change.
        response = client.post("/compliments/sections/care", data={"label": "Care "})
        granted = {302}
        if response.status_code == 302:
            return r.id == role_organisation(world, role)
    elif verb == "release":
        # Released with a text too long to save: whoever may release gets the form back with
        # the error (200) and the feedback stays a draft for the next role; others are refused
        # before the form is read.
        response = client.post(
            f"/feedback/{r.uuid}/edit", data={"release": "1", "went_well": "x" * 20001}
        )
        granted = {200}
        assert world.fresh(Feedback, r).status == "draft"
    elif verb == "edit":
        response = client.get(f"/feedback/{r.uuid}/edit")
    elif verb == "acknowledge":
        response = client.post(f"/feedback/{r.uuid}/acknowledge")
        granted = {302}
    elif verb == "reply":
        response = client.post(f"/feedback/{r.uuid}/reply", data={"reply": "I will, thanks."})
        granted = {302}
    elif verb == "update":
        response = client.get(f"/actions/{r.uuid}/edit")
    elif verb == "add_note":
        response = client.post(f"/actions/{r.uuid}/progress", data={"note": "Done part."})
        granted = {302}
    elif verb == "cancel":
        response = client.post(
            f"/actions/{r.uuid}/progress", data={"status": "cancelled", "note": "Matrix."}
        )
        # A supervisor is not offered "cancelled", so the form refuses it (400). Someone who
        # may only add notes has the status ignored: their note is saved, the action stays
        # open. Cancelling is granted only when the action ends up cancelled.
        refused = REFUSED | {400}
        if response.status_code == 302:
            return world.fresh(Action, r).status == "cancelled"
    elif verb == "book_recheck":
        response = client.post(
            f"/actions/{r.uuid}/recheck",
            data={
                "staff": world.records["staff_member"].uuid.hex,
                "due_by": (today + timedelta(days=14)).isoformat(),
            },
        )
        granted = {302}
    elif verb == "draw":
        response = client.post(
            "/selection/", data={"service": str(r.service.uuid), "count": "1", "reason": "Matrix"}
        )
        granted = {302}
        # Another organisation's service is not among the form's choices: the form is shown
        # again with the error, and nothing is drawn.
        refused = REFUSED | {200}
    elif verb == "make":
        response = client.get(
            "/evidence/pack",
            query_string={
                "service": str(r.uuid),
                "date_from": (today - timedelta(days=30)).isoformat(),
                "date_to": today.isoformat(),
            },
        )
    elif verb == "manage":
        url = {
            "person": f"/admin/people/{r.uuid}",
            "staff_member": f"/admin/staff/{r.uuid}",
            "service": f"/admin/services/{r.uuid}",
        }[kind]
        response = client.get(url)
    elif verb == "rename":
        response = client.post(f"/admin/services/{r.uuid}", data={"name": r.name, "kind": r.kind})
        granted = {302}
    elif verb == "plan":
        response = client.get(f"/audits/services/{r.uuid}/schedules")
    elif verb == "see_due":
        response = client.get("/audits/due", query_string={"service": r.uuid.hex})
    elif verb == "record":
        response = client.get("/compliments/new")
        if response.status_code == 200:
            # Offered the form: granted only if this service is among its choices.
            return f'value="{r.uuid.hex}"' in response.get_data(as_text=True)
    elif verb == "follow_up":
        # The conversation form, opened from the draw's page for the person drawn.
        person_code = r.result[0]["label"]
        response = client.get("/voice/record", query_string={"draw": r.uuid, "person": person_code})
    elif verb == "co_audit_ask":
        response = client.get(f"/checkers/co-audits/{r.uuid}")
    elif verb == "give_to_checker":
        person_code = r.result[0]["label"]
        response = client.get(f"/checkers/draws/{r.uuid}/people/{person_code}")
    elif verb == "respond":
        response = client.post(f"/compliments/{r.uuid}/respond", data={"response": "Answered."})
        granted = {302}
    elif verb == "review":
        response = client.get(f"/sync/quarantine/{r.id}")
    elif verb == "raise_gap":
        response = client.get(
            "/actions/new", query_string={"self_assessment": str(r.uuid), "statement": "S1"}
        )
    else:  # pragma: no cover - every row of the table has a route
        raise AssertionError(f"no route for {kind} {verb}")
    code = response.status_code
    assert code in granted | refused, (code, response.get_data(as_text=True)[:300])
    return code in granted


def role_organisation(world: World, role: str) -> int:
    return world.users[role].organisation_id


CASES = [
    pytest.param(role, kind, verb, id=f"{role}-{kind}-{verb}") for (role, kind, verb) in EXPECTED
]


@pytest.mark.parametrize(("role", "kind", "verb"), CASES)
def test_module_and_route_agree_with_the_table(world, role, kind, verb):
    expected = EXPECTED[role, kind, verb]
    user = world.users[role]
    record = fresh_action(world) if kind == "action_fresh" else world.records[kind]
    world.db.expire_all()
    assert MODULE[kind, verb](user, record) is expected, "careobs.permissions disagrees"
    if verb == "view" and kind in VISIBLE:
        query = VISIBLE[kind](user)
        model = query.column_descriptions[0]["entity"]
        listed = world.db.scalar(sa.select(query.where(model.id == record.id).exists()))
        assert listed is expected, f"visible {kind} query disagrees"
    assert route_answer(world, role, kind, verb, record) is expected, "the route disagrees"


def test_the_table_covers_every_role_and_module_answer():
    """Every (kind, verb) has a row for every role and a module predicate, and nothing else."""
    assert {(kind, verb) for _role, kind, verb in EXPECTED} == set(MODULE)
    assert len(EXPECTED) == len(MODULE) * len(ROLES)


def test_privacy_rows_are_in_the_table():
    """The rules that protect the worker are written down, not implied."""
    assert EXPECTED["worker", "visit_released", "view"] is True
    assert EXPECTED["worker", "visit_unreleased", "view"] is False  # feedback not yet released
    assert EXPECTED["worker", "action_held", "view"] is False  # agreed at that visit
    assert EXPECTED["worker", "feedback_draft", "view"] is False
    assert EXPECTED["colleague", "feedback_released", "view"] is False  # only their own
    assert not any(EXPECTED["outsider", kind, verb] for _r, kind, verb in EXPECTED)
    # A quality checker gets nothing but the conversation given to them (issue 16).
    assert [(k, v) for r, k, v in EXPECTED if r == "expert" and EXPECTED[r, k, v]] == [
        ("people_draw", "follow_up")
    ]
    assert EXPECTED["expert", "expert_co_audit", "view"] is False  # though Pat sent it
    assert EXPECTED["expert", "expert_comparison", "view"] is False


# --- a user with mixed roles ----------------------------------------------------------------------

# Mia Mixed is a supervisor of the care home and, at the homecare service, only a care worker
# named champion of the care plan audit. Per service, what may she do? The module, the sync and
# the bootstrap (what her phone offers) must give the same answer.
MIXED_TABLE = """
verb                   care_home homecare
capture                yes       no
complete_care_plan     yes       yes
complete_staff_audit   yes       no
see_due                yes       yes
plan                   no        no
"""
MIXED_SERVICES = ("care_home", "homecare")
MIXED = {
    (verb, where): answer == "yes"
    for verb, *answers in (line.split() for line in MIXED_TABLE.strip().splitlines()[1:])
    for where, answer in zip(MIXED_SERVICES, answers, strict=True)
}


def mixed_module_answer(world: World, verb: str, service: Service) -> bool:
    user = world.users["mixed"]
    template = {
        "complete_care_plan": world.audit_template,
        "complete_staff_audit": world.staff_template,
    }.get(verb)
    if verb == "capture":
        return P.may_capture_in(user, service)
    if template is not None:
        checklist = world.db.scalar(
            sa.select(Checklist).where(Checklist.uuid == uuid.UUID(template.id))
        )
        allowed = P.audit_access(world.db, user).get(service.id, set())
        assert P.may_complete_audit(user, service, checklist) is (
            allowed is None or checklist.id in allowed
        )
        return P.may_complete_audit(user, service, checklist)
    if verb == "see_due":
        return service in P.audits_due_scope(world.db, user)[0]
    return P.may_plan_audits(user, service)


def mixed_route_answer(world: World, verb: str, service: Service) -> bool:
    """The sync's answer (and the bootstrap's, which must be the same), or the page's."""
    client = world.client("mixed")
    [entry] = [
        s
        for s in client.get("/api/v1/bootstrap").get_json()["services"]
        if s["id"] == str(service.uuid)
    ] or [None]
    subjects = {"care_home": ("R01", "Carla Carer"), "homecare": ("H01", "Hal Homecare")}
    code, member = subjects[service.kind]
    member = world.db.scalar(
        sa.select(StaffMember).where(
            StaffMember.name == member, StaffMember.service_id == service.id
        )
    )
    if verb == "capture":
        document = visit_doc(
            service,
            member,
            world.place.checklist,
            status="draft",
            person_code=code,
            consent="obtained_today",
        )
        offered = entry is not None and entry["may_capture"]
    elif verb in ("complete_care_plan", "complete_staff_audit"):
        template = world.audit_template if verb == "complete_care_plan" else world.staff_template
        subject = person(code) if verb == "complete_care_plan" else staff(member)
        document = audit_doc(service, template, subject, status="draft")
        offered = entry is not None and template.id in entry["audit_template_ids"]
    else:
        url = (
            f"/audits/due?service={service.uuid.hex}"
            if verb == "see_due"
            else f"/audits/services/{service.uuid}/schedules"
        )
        code = client.get(url).status_code
        assert code in GRANTED | REFUSED, code
        return code in GRANTED
    [result] = synced(client, document)
    assert result["status"] in {"created", "forbidden"}, result
    created = result["status"] == "created"
    assert offered is created, "the bootstrap offers what the sync refuses (or the reverse)"
    return created


@pytest.mark.parametrize(
    ("verb", "where"), [pytest.param(v, w, id=f"mixed-{v}-{w}") for v, w in MIXED]
)
def test_a_mixed_role_user_gets_one_answer_per_service(world, verb, where):
    services = {
        s.kind: s
        for s in world.db.scalars(
            sa.select(Service).where(
                Service.organisation_id == world.users["mixed"].organisation_id
            )
        )
    }
    service = services[where]
    world.db.expire_all()
    expected = MIXED[verb, where]
    assert mixed_module_answer(world, verb, service) is expected, "careobs.permissions disagrees"
    assert mixed_route_answer(world, verb, service) is expected, "the route disagrees"


# --- co-audits (issue 16) -------------------------------------------------------------------------

# Who may send a co-audit of the homecare staff audits (the care plan audit of H01, and the audit
# of Hal's practice)? Quinn is a quality checker of homecare holding both assignments. The module
# (careobs.permissions.may_co_audit) and the sync must agree; a checker never co-audits a
# template about a care worker, and sends no staff audit.
CO_AUDIT_TABLE = """
verb                          admin manager supervisor worker checker outsider
co_audit_with_person          yes   yes     yes        no     no      no
co_audit_by_checker           no    no      no         no     yes     no
co_audit_of_worker_by_checker no    no      no         no     no      no
staff_audit                   yes   yes     yes        no     no      no
"""
CO_AUDIT_ROLES = ("admin", "manager", "supervisor", "worker", "checker", "outsider")
CO_AUDIT = {
    (verb, role): answer == "yes"
    for verb, *answers in (line.split() for line in CO_AUDIT_TABLE.strip().splitlines()[1:])
    for role, answer in zip(CO_AUDIT_ROLES, answers, strict=True)
}


def co_audit_checker(world: World) -> User:
    """Quinn, quality checker of homecare, assigned both homecare staff audits (made once)."""
    if "checker" not in world.users:
        db = world.db
        homecare = world.records["audit_service"]
        acme = db.get(Organisation, homecare.organisation_id)
        quinn = DataBuilder(world.app, db, PASSWORD).user(
            acme, "quinn@acme.test", "Quinn", roles={homecare: "quality_checker"}
        )
        for key in ("audit", "audit_of_worker"):
            db.add(
                CheckerAssignment(
                    organisation_id=homecare.organisation_id,
                    service_id=homecare.id,
                    user_id=quinn.id,
                    kind="co_audit",
                    audit_id=world.records[key].id,
                    created_by_id=world.users["manager"].id,
                )
            )
        db.commit()
        world.users["checker"] = quinn
    return world.users["checker"]


@pytest.mark.parametrize(
    ("verb", "role"), [pytest.param(v, r, id=f"co-audit-{v}-{r}") for v, r in CO_AUDIT]
)
def test_who_may_send_a_co_audit(world, verb, role):
    co_audit_checker(world)
    db = world.db
    db.expire_all()
    user = db.get(User, world.users[role].id)
    homecare = db.get(Service, world.records["audit_service"].id)
    of_worker = verb == "co_audit_of_worker_by_checker"
    staff_audit = db.get(Audit, world.records["audit_of_worker" if of_worker else "audit"].id)
    template = staff_audit.checklist_version.checklist
    with_ = {"co_audit_with_person": "person", "staff_audit": None}.get(verb, "quality_checker")
    expected = CO_AUDIT[verb, role]

    if with_ is None:
        module = P.may_complete_audit(user, homecare, template)
    else:
        module = P.may_co_audit(user, homecare, template, with_, staff_audit)
    assert module is expected, "careobs.permissions disagrees"

    info = world.staff_template if of_worker else world.audit_template
    hal = homecare_staff(world)
    subject = staff(hal) if of_worker else person("H01")
    fields = {"status": "draft"}
    if with_ is not None:
        fields["co_audit"] = {
            "with": with_,
            "person_code": "H01" if with_ == "person" else None,
            "compare_with": str(staff_audit.uuid),
        }
    [result] = synced(world.client(role), audit_doc(homecare, info, subject, **fields))
    assert result["status"] in {"created", "forbidden", "invalid"}, result
    assert (result["status"] == "created") is expected, "the sync disagrees"


def homecare_staff(world: World) -> StaffMember:
    return world.db.scalar(
        sa.select(StaffMember).where(
            StaffMember.name == "Hal Homecare",
            StaffMember.service_id == world.records["audit_service"].id,
        )
    )


# --- a quality checker gets nothing from any other rule -------------------------------------------

EVERY_QUERY = (
    "action_services",
    "audit_services",
    "capture_services",
    "compliment_services",
    "dashboard_services",
    "evidence_services",
    "manageable_services",
    "my_actions",
    "observable_services",
    "own_feedback",
    "managed_feedback",
    "planning_services",
    "visible_actions",
    "visible_audits",
    "visible_compliments",
    "visible_conversations",
    "visible_draws",
    "visible_feedback",
    "visible_people",
    "visible_quarantine",
    "visible_quis_sessions",
    "visible_staff",
    "visible_visits",
    "visible_quis_pairs",
    "visible_self_assessments",
)


@pytest.mark.parametrize("name", EVERY_QUERY)
def test_a_quality_checker_gets_no_row_from_any_query(world, name):
    """Every ``visible_*`` and ``*_services`` query of careobs.permissions answers nothing to
    Pat (the conversations: only those Pat recorded, and Pat recorded none here; the audits:
    only the co-audit Pat sent, the ``expert_co_audit`` row)."""
    query = getattr(P, name)(world.users["expert"])
    if name == "visible_audits":  # but the co-audit Pat sent, which no page opens for Pat
        query = query.where(Audit.id != world.records["expert_co_audit"].id)
    assert world.db.execute(query.limit(1)).first() is None, name


def test_a_quality_checker_has_no_page_guard_or_capture_right(world):
    pat = world.users["expert"]
    world.db.expire_all()
    assert not P.can_capture(pat)
    assert not P.can_administer(pat)
    assert not P.may_complete_any_audit(pat)
    assert not P.may_see_compliment_trends(pat)
    assert P.audit_access(world.db, pat) == {}
    assert P.is_quality_checker(pat)
    assert world.db.execute(P.own_staff_ids(pat)).first() is None
