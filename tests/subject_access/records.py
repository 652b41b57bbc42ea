"""Hand-built records about Hal Homecare (Acme's homecare care worker, with a login) and his
colleagues, for the right-of-access tests: each kind of record a copy gathers, with some of
Hal's held back from his own copy (drafts, a visit whose feedback is not yet released, what was
agreed at it), and the same kinds about Carla Carer and Other Org's Hal, which must never appear.

:data:`EXPECTED` says how many rows of each file Hal's complete copy (an admin's) and his own
hold; :class:`Built` names the records the tests look for by id.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from careobs.accounts.models import LoginFailure, LoginSession
from careobs.actions.models import Action, ActionNote, RecheckBooking
from careobs.audit.models import AuditEvent
from careobs.audits.models import Audit, AuditAnswer
from careobs.capture.addenda import Addendum
from careobs.checklists.models import ChecklistItem, ChecklistVersion
from careobs.compliments.models import Compliment, ComplimentSection
from careobs.feedback.models import Feedback
from careobs.notifications.models import Notification
from careobs.push.models import PushSubscription
from careobs.quis.models import QuisInteraction, QuisSession
from careobs.selection.models import SelectionDraw
from careobs.visits.models import MonitoringVisit, VisitAnswer

AT = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)
SECRET_ENDPOINT = "https://push.example.net/wpush/v2/secret-endpoint-token"
HAL_IP = "192.0.2.7"
ADMIN_IP = "198.51.100.9"

# (complete copy, Hal's own copy) rows per file; None: depends on the test's own logins.
EXPECTED = {
    "account": (1, 1),
    "staff_record": (1, 1),
    "roles": (1, 1),
    "feedback": (4, 3),
    "monitoring_visits": (3, 1),
    "monitoring_visit_answers": (3, 2),
    "audits": (2, 1),
    "audit_answers": (2, 1),
    "addenda": (2, 1),
    "quis_interactions": (3, 2),
    "actions": (3, 2),
    "action_notes": (2, 1),
    "rechecks": (2, 1),
    "selection_draws": (2, 2),
    "compliments": (2, 1),
    "notifications": (2, 2),
    "push_subscriptions": (1, 1),
    "login_history": None,
    "failed_logins": (1, 0),  # Hal logging in to download clears his (careobs.accounts)
    "audit_log": None,
}


@dataclass
class Built:
    """Ids the tests look for: Hal's records shown to him, held back from him, and others'."""

    shown: dict[str, uuid.UUID] = field(default_factory=dict)
    held_back: dict[str, uuid.UUID] = field(default_factory=dict)
    others: list[uuid.UUID] = field(default_factory=list)  # colleagues' and Other Org's


def _captured(org_id, service, status, n, **fields) -> dict:
    return {
        "uuid": uuid.uuid5(uuid.NAMESPACE_URL, f"subject-access/{n}"),
        "organisation_id": org_id,
        "service_id": service.id,
        "status": status,
        "revision": 1,
        "content_hash": "0" * 64,
        "submitted_at": AT if status == "submitted" else None,
        **fields,
    }


def _visit(acme, version, member, status, n, **fields) -> MonitoringVisit:
    return MonitoringVisit(
        **_captured(acme.org.id, acme.homecare, status, n),
        supervisor_id=acme.supervisor.id,
        staff_id=member.id,
        person_code="H01",
        visit_type="unannounced",
        consent="on_record",
        checklist_version_id=version.id,
        planned_at=AT + timedelta(days=n),
        planned_minutes=30,
        went_well=f"Visit {n} went well.",
        **fields,
    )


def _audit(acme, version, member, status, n) -> Audit:
    return Audit(
        **_captured(acme.org.id, acme.homecare, status, n),
        auditor_id=acme.supervisor.id,
        checklist_version_id=version.id,
        subject_type="staff",
        staff_id=member.id,
        started_at=AT + timedelta(days=n),
    )


def _session(acme, status, n) -> QuisSession:
    return QuisSession(
        **_captured(acme.org.id, acme.homecare, status, n),
        observer_id=acme.supervisor.id,
        context="mealtime",
        started_at=AT + timedelta(days=n),
        planned_minutes=20,
        frame_minutes=5,
        people=["H01", "H02"],
    )


def _interaction(session, member, n) -> QuisInteraction:
    return QuisInteraction(
        session=session,
        uuid=uuid.uuid5(uuid.NAMESPACE_URL, f"subject-access/interaction/{n}"),
        position=n,
        at=session.started_at + timedelta(minutes=n),
        people=["H01"],
        staff_id=member.id,
        category="PS",
        note=f"Interaction {n}.",
    )


def _feedback(acme, member, released: bool, **fields) -> Feedback:
    return Feedback(
        organisation_id=acme.org.id,
        service_id=member.service_id,
        staff_id=member.id,
        author_id=acme.supervisor.id,
        went_well="Explained each step.",
        status="released" if released else "draft",
        released_at=AT if released else None,
        **fields,
    )


def _action(acme, member=None, user=None, **fields) -> Action:
    return Action(
        organisation_id=acme.org.id,
        service_id=acme.homecare.id,
        description=fields.pop("description", "Refresh moving and handling training."),
        owner_staff_id=member.id if member else None,
        owner_user_id=user.id if user else None,
        created_by_id=acme.manager.id,
        **fields,
    )


def build_records(app, db, acme, other, hal, carla, checklist) -> Built:
    """Write every record (see the module docstring) and return their ids."""
    hal_m, carla_m = acme.staff_members["Hal Homecare"], acme.staff_members["Carla Carer"]
    version = db.scalar(
        sa.select(ChecklistVersion).where(
            ChecklistVersion.organisation_id == acme.org.id,
            ChecklistVersion.published_at.is_not(None),
        )
    )
    items = [
        db.scalar(sa.select(ChecklistItem).where(ChecklistItem.uuid == uuid.UUID(i.id)))
        for i in checklist.items[:2]
    ]
    built = Built()
    add = db.add_all

    v1 = _visit(acme, version, hal_m, "submitted", 1, score=92.0, band="green")
    v2 = _visit(acme, version, hal_m, "submitted", 2, score=40.0, band="red")
    v3 = _visit(acme, version, hal_m, "draft", 3)
    v_carla = _visit(acme, version, carla_m, "submitted", 4)
    a1, a2 = _audit(acme, version, hal_m, "submitted", 5), _audit(acme, version, hal_m, "draft", 6)
    a_carla = _audit(acme, version, carla_m, "submitted", 7)
    s1, s2 = _session(acme, "submitted", 8), _session(acme, "submitted", 9)
    add([v1, v2, v3, v_carla, a1, a2, a_carla, s1, s2])
    db.flush()
    add([
        VisitAnswer(visit_id=v1.id, item_id=items[0].id, rating="met",
                    comment="=cmd|' /C calc'!A0"),
        VisitAnswer(visit_id=v1.id, item_id=items[1].id, rating="partly"),
        VisitAnswer(visit_id=v2.id, item_id=items[0].id, rating="not_met"),
        VisitAnswer(visit_id=v_carla.id, item_id=items[0].id, rating="met"),
        AuditAnswer(audit_id=a1.id, item_id=items[0].id, rating="met"),
        AuditAnswer(audit_id=a2.id, item_id=items[0].id, rating="na"),
        AuditAnswer(audit_id=a_carla.id, item_id=items[0].id, rating="met"),
        _interaction(s1, hal_m, 1), _interaction(s1, hal_m, 2), _interaction(s1, carla_m, 3),
        _interaction(s2, hal_m, 4),
        Addendum(organisation_id=acme.org.id, record_kind="monitoring_visit", visit_id=v1.id,
                 author_id=acme.supervisor.id, reason="Time corrected", text="Arrived 09:05."),
        Addendum(organisation_id=acme.org.id, record_kind="monitoring_visit", visit_id=v2.id,
                 author_id=acme.supervisor.id, reason="Added", text="Held back addendum."),
    ])  # fmt: skip
    section = ComplimentSection(organisation_id=acme.org.id, key="staff", label="Staff")
    add([section])
    db.flush()
    c1 = Compliment(
        organisation_id=acme.org.id,
        service_id=acme.homecare.id,
        kind="compliment",
        section_id=section.id,
        received_on=date(2026, 10, 1),
        source="family",
        text="+Hal and Carla were kind.",
        recorded_by_id=acme.manager.id,
        staff=[hal_m, carla_m],
    )
    c2 = Compliment(
        organisation_id=acme.org.id,
        service_id=acme.homecare.id,
        kind="concern",
        section_id=section.id,
        received_on=date(2026, 10, 2),
        source="person",
        person_id=acme.people["H01"].id,
        text="Hal was late.",
        recorded_by_id=acme.manager.id,
        staff=[hal_m],
    )
    add([c1, c2])
    db.flush()
    f_quis = _feedback(acme, hal_m, True, quis_session_id=s1.id, reply="@SUM(1) thanks")
    f_visit = _feedback(acme, hal_m, True, visit_id=v1.id, acknowledged_at=AT)
    f_comp = _feedback(acme, hal_m, True, compliment_id=c1.id)
    f_draft = _feedback(acme, hal_m, False, to_develop="Draft wording.")
    f_carla = _feedback(acme, carla_m, True, visit_id=v_carla.id)
    f_carla_quis = _feedback(acme, carla_m, True, quis_session_id=s1.id)
    f_other = _feedback(other, other.staff_members["Hal Homecare"], True)
    add([f_quis, f_visit, f_comp, f_draft, f_carla, f_carla_quis, f_other])
    ac1 = _action(acme, member=hal_m)
    ac2 = _action(acme, member=hal_m, source="visit", visit_id=v2.id, description="Held back.")
    ac3 = _action(acme, user=hal, description="Owned by the login.")
    ac_carla = _action(acme, member=carla_m)
    ac_other = _action(other, member=other.staff_members["Hal Homecare"])
    add([ac1, ac2, ac3, ac_carla, ac_other])
    db.flush()
    r1 = RecheckBooking(
        organisation_id=acme.org.id,
        action_id=ac1.id,
        staff_id=hal_m.id,
        due_by=date(2026, 11, 1),
        booked_by_id=acme.manager.id,
    )
    r2 = RecheckBooking(
        organisation_id=acme.org.id,
        after_visit_id=v2.id,
        staff_id=hal_m.id,
        due_by=date(2026, 11, 2),
        booked_by_id=acme.manager.id,
    )
    add([
        ActionNote(action_id=ac1.id, author_id=hal.id, text="Booked onto the course."),
        ActionNote(action_id=ac2.id, author_id=acme.manager.id, text="Held back note."),
        ActionNote(action_id=ac_carla.id, author_id=acme.manager.id, text="Carla's note."),
        r1, r2,
    ])  # fmt: skip
    candidates = [
        {"key": str(hal_m.uuid), "label": "Hal Homecare", "status": "due", "last_band": None,
         "open_actions": 1, "weight": 5, "reasons": ["overdue"]},
        {"key": str(carla_m.uuid), "label": "Carla Carer", "status": "due", "last_band": None,
         "open_actions": 0, "weight": 1, "reasons": []},
    ]  # fmt: skip
    for n, picked in ((1, str(hal_m.uuid)), (2, str(carla_m.uuid))):
        add([SelectionDraw(organisation_id=acme.org.id, service_id=acme.homecare.id,
                           kind="workers", sequence=n, seed=f"{n:016x}",
                           inputs={"k": 1, "candidates": candidates},
                           result=[{"key": picked, "label": "", "weight": 1, "reasons": []}],
                           requested_by_id=acme.manager.id)])  # fmt: skip
    add([
        Notification(organisation_id=acme.org.id, user_id=hal.id, kind="feedback_released",
                     title="New feedback", link="/feedback/1"),
        Notification(organisation_id=acme.org.id, user_id=hal.id, kind="action_assigned",
                     title="New action for you", link="/actions/1"),
        Notification(organisation_id=acme.org.id, user_id=carla.id, kind="feedback_released",
                     title="New feedback", link="/feedback/2"),
        PushSubscription(user_id=hal.id, endpoint=SECRET_ENDPOINT, p256dh="p" * 20, auth="a" * 16),
        LoginSession(user_id=hal.id, started_at=AT, ended_at=AT + timedelta(hours=1),
                     ended_by="logout", ip=HAL_IP, user_agent="Hal's phone"),
        LoginSession(user_id=carla.id, started_at=AT, ip="203.0.113.50", user_agent="Carla's"),
        LoginFailure(ip=HAL_IP, email="hal@acme.test", at=AT),
        LoginFailure(ip="203.0.113.50", email="staff@acme.test", at=AT),
    ])  # fmt: skip
    db.flush()
    add([
        AuditEvent(organisation_id=acme.org.id, actor_id=hal.id, action="feedback_acknowledged",
                   entity_type="Feedback", entity_id=str(f_visit.uuid), ip=HAL_IP, at=AT),
        AuditEvent(organisation_id=acme.org.id, actor_id=acme.supervisor.id,
                   action="feedback_drafted", entity_type="Feedback",
                   entity_id=str(f_draft.uuid), ip=ADMIN_IP, at=AT),
        AuditEvent(organisation_id=acme.org.id, actor_id=acme.admin.id, action="staff_updated",
                   entity_type="StaffMember", entity_id=str(hal_m.uuid), ip=ADMIN_IP, at=AT),
        AuditEvent(organisation_id=acme.org.id, actor_id=acme.supervisor.id,
                   action="feedback_released", entity_type="Feedback",
                   entity_id=str(f_carla.uuid), ip=ADMIN_IP, at=AT),
    ])  # fmt: skip
    db.commit()
    built.shown = {"feedback": f_visit.uuid, "visit": v1.uuid, "audit": a1.uuid,
                   "session": s1.uuid, "action": ac1.uuid, "action_by_login": ac3.uuid,
                   "recheck": r1.uuid, "compliment": c1.uuid}  # fmt: skip
    built.held_back = {"feedback": f_draft.uuid, "visit": v2.uuid, "draft_visit": v3.uuid,
                       "audit": a2.uuid, "session": s2.uuid, "action": ac2.uuid,
                       "recheck": r2.uuid, "concern": c2.uuid}  # fmt: skip
    built.others = [f_carla.uuid, f_carla_quis.uuid, f_other.uuid, v_carla.uuid, a_carla.uuid,
                    ac_carla.uuid, ac_other.uuid, carla_m.uuid, carla.uuid]  # fmt: skip
    return built
