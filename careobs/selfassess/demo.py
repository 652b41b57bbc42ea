"""The demo's self-assessments: two of Rosewood House by its manager about six months apart.

The first found Well-led requiring improvement (five Well-led statements and Safe environments
scored 2 or 1) and the manager raised an action for every gap, most done since; the second
finds Well-led good (those statements moved up) with two gaps left: one with an action, one
still without. Every statement is scored with a short rationale, resting on demo records of
Rosewood House (its QUIS figures and sessions, audits, conversations, actions and feedback).

Each is written as the sync writes a document from a device: the document's data is checked by
the kind's own validation (all but the device-clock window, see ``_record``) and stored by the
capture core (careobs.capture.storing, through the ``self_assessment`` KIND), with the same
content fingerprint. Loading again adds nothing.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.actions import service as actions
from careobs.actions.models import Action
from careobs.audits.models import Audit
from careobs.db import utcnow
from careobs.feedback.models import Feedback
from careobs.quis.models import QuisSession
from careobs.selfassess import documents
from careobs.selfassess import evidence as evidence_kinds
from careobs.selfassess import service as assessments
from careobs.selfassess.models import SelfAssessment
from careobs.sync.roster import Rosters
from careobs.sync.service import content_hash
from careobs.voice.models import Conversation

FIRST_DAYS_AGO = 182
SECOND_DAYS_AGO = 9

# Each statement's score at the first and at the second assessment, with the rationale given.
FIRST = {
    "S1": (3, "Incidents and near misses are discussed at handovers and the monthly meeting."),
    "S2": (3, "Hospital transfer packs were complete in the audits sampled."),
    "S3": (3, "Staff know how to raise a concern; safeguarding training is up to date."),
    "S4": (3, "Risk assessments name what people want to keep doing and how."),
    "S5": (2, "Two bedroom call bells were slow to be repaired; checks are not always signed."),
    "S6": (3, "Rotas meet the assessed staffing; agency use fell this quarter."),
    "S7": (3, "Infection control audits pass; hand hygiene seen at observations."),
    "S8": (3, "Medicines audits found recording errors that were put right the same week."),
    "E1": (3, "Pre-admission assessments are complete and reviewed after a month."),
    "E2": (3, "Care plans follow current guidance on falls and nutrition."),
    "E3": (3, "The GP round and the district nurses' visits are recorded and followed up."),
    "E4": (3, "Weights and fluids are monitored and acted on."),
    "E5": (3, "Outcomes are reviewed monthly with people and families."),
    "E6": (3, "Capacity assessments are decision specific; best interests recorded."),
    "C1": (3, "QUIS shows most interactions positive, but mealtimes need work."),
    "C2": (3, "Life histories are in every care plan and used in activities."),
    "C3": (3, "People choose when to get up and where to eat."),
    "C4": (3, "Call bells in communal areas are answered promptly."),
    "C5": (3, "Supervisions are mostly on time; a wellbeing room is planned."),
    "R1": (3, "Care plans are written with people and reviewed with them."),
    "R2": (3, "Continuity of staff on each floor is good."),
    "R3": (3, "Information is offered in large print; easy read is being added."),
    "R4": (3, "People asked say they are listened to; their views are acted on."),
    "R5": (3, "The home is accessible; adjustments are made for sensory loss."),
    "R6": (3, "Cultural and dietary needs are met and recorded."),
    "R7": (3, "Advance care plans are in place for most people."),
    "W1": (3, "Staff can say what the home's values are and how they show them."),
    "W2": (2, "The deputy post has been vacant; leaders are stretched on nights."),
    "W3": (2, "Staff were unsure who the Freedom to Speak Up contact is."),
    "W4": (3, "Recruitment is fair; the workforce reflects the local community."),
    "W5": (2, "Audits are done but actions from them are not always followed up on time."),
    "W6": (3, "Good links with the GP practice and the local school."),
    "W7": (1, "Learning from incidents and feedback is not shared across shifts."),
    "W8": (2, "No plan yet for reducing waste or energy use."),
}
SECOND = {
    **FIRST,
    "S5": (3, "Repairs are now logged and closed within a week; checks are signed."),
    "C1": (4, "QUIS: negative interactions at mealtimes fell after the coaching."),
    "R5": (2, "Easy read information is still not available for everyone who needs it."),
    "W2": (3, "A deputy manager started; night leadership is covered."),
    "W3": (3, "A speak up guardian is named in every staff room and at induction."),
    "W5": (3, "Audit actions are tracked to completion and reviewed at governance meetings."),
    "W7": (3, "Lessons learned are shared at every handover and in a monthly bulletin."),
    "W8": (2, "A waste plan is agreed but not yet started."),
}
# The evidence each statement rests on, by kind: the newest record of Rosewood House before
# the assessment that counts as evidence (careobs.selfassess.evidence.counted) and that the
# evidence pack files under that statement (careobs.selfassess.suggestions: an audit by its
# template's statements, an action by its tags); quis_trend is the service's QUIS figures.
EVIDENCE = {
    "S5": ("audit", "action"),
    "S7": ("audit",),
    "S8": ("audit",),
    "C1": ("quis_trend", "quis_session"),
    "C2": ("quis_session",),
    "R4": ("conversation",),
    "W2": ("action",),
    "W3": ("action",),
    "W5": ("audit", "action"),
    "W7": ("action", "feedback"),
    "W8": ("action",),
}
# The actions the manager raised for the first assessment's gaps, owned by the supervisor:
# (what, due how many days after the assessment, its status now).
GAP_ACTIONS = {
    "S5": ("Log every repair and sign the weekly safety checks.", 30, "done"),
    "W2": ("Recruit a deputy manager and set up a night leadership rota.", 90, "done"),
    "W3": ("Name a speak up guardian and tell every team how to reach them.", 30, "done"),
    "W5": ("Track audit actions to completion at the monthly governance meeting.", 45, "done"),
    "W7": ("Share lessons learned at handovers and in a monthly bulletin.", 60, "done"),
    "W8": ("Agree a plan to reduce waste and energy use.", 120, "in_progress"),
}
SECOND_ACTION = ("W8", "Start the waste plan: recycling on every floor, then an energy review.")


def load(db: Session, rosewood, manager, supervisor, today: date) -> None:
    """Add the two assessments and their actions, once."""
    if db.scalar(sa.select(SelfAssessment.id).where(SelfAssessment.service_id == rosewood.id)):
        return
    zone = ZoneInfo(rosewood.organisation.timezone)
    first_at = datetime.combine(today - timedelta(days=FIRST_DAYS_AGO), time(10), tzinfo=zone)
    second_at = datetime.combine(today - timedelta(days=SECOND_DAYS_AGO), time(10), tzinfo=zone)
    first = _record(db, manager, rosewood, FIRST, first_at)
    gaps = {s.code: s for s in first.statements if s.code in GAP_ACTIONS}
    for code, (description, due_in, status) in GAP_ACTIONS.items():
        raised = _raise(db, manager, supervisor, rosewood, gaps[code], description, first_at)
        raised.due_on = (first_at + timedelta(days=due_in)).date()
        if status == "done":
            _progress(db, supervisor, raised, "Done and checked at the governance meeting.", status)
            _back_date(raised, first_at + timedelta(days=due_in - 3))
        else:
            _progress(db, supervisor, raised, "Plan drafted; costs being agreed.", status)
            _back_date(raised, first_at + timedelta(days=40))
    second = _record(db, manager, rosewood, SECOND, second_at)
    code, description = SECOND_ACTION
    gap = next(s for s in second.statements if s.code == code)
    raised = _raise(db, manager, supervisor, rosewood, gap, description, second_at)
    raised.due_on = (second_at + timedelta(days=60)).date()
    db.flush()


def _record(db: Session, manager, rosewood, scored: dict, at: datetime) -> SelfAssessment:
    """One submitted self-assessment, as a device sends it and the sync stores it."""
    data = {
        "service_id": str(rosewood.uuid),
        "type": "self_assessment",
        "assessed_at": at.isoformat(),
        "statements": [
            {
                "code": code,
                "score": score,
                "rationale": rationale,
                "evidence": _evidence(db, rosewood, code, at),
            }
            for code, (score, rationale) in scored.items()
        ],
        "status": "submitted",
    }
    # Checked by the kind's own validation, except for one thing: the sync refuses times more
    # than a day past the server's clock, and the demo is dated from the organisation's today,
    # which a test may set ahead of the machine's. So the time is checked as now, then put back.
    checked = {**data, "assessed_at": utcnow().isoformat()}
    clean, errors = documents.validate(checked, Rosters(db, manager))
    if clean is None:
        raise RuntimeError(f"the demo self-assessment is not valid: {errors}")
    clean.assessed_at = at
    record = assessments.create(db, manager, uuid.uuid4(), 1, clean, content_hash(data))
    # Synced the afternoon it was done (the demo is generated today).
    record.created_at = record.updated_at = record.submitted_at = at + timedelta(hours=5)
    db.flush()
    return record


def _evidence(db: Session, rosewood, code: str, at: datetime) -> list[dict]:
    found = []
    for kind in EVIDENCE.get(code, ()):
        record_id = _newest(db, rosewood, kind, code, at)
        if record_id is not None:
            found.append({"kind": kind, "id": str(record_id)})
    return found


RECENT = 200  # how far back the demo looks for an audit or action filed under a statement


def _newest(db: Session, rosewood, kind: str, code: str, before: datetime):
    """The public id of the newest record of ``kind`` at Rosewood House before ``before`` that
    counts as evidence for ``code``."""
    if kind == "quis_trend":
        return rosewood.uuid
    model, when = {
        "quis_session": (QuisSession, QuisSession.started_at),
        "audit": (Audit, Audit.started_at),
        "conversation": (Conversation, Conversation.started_at),
        "action": (Action, Action.created_at),
        "feedback": (Feedback, Feedback.acknowledged_at),
    }[kind]
    recent = (
        sa.select(model)
        .where(model.service_id == rosewood.id, when < before, *evidence_kinds.counted(kind))
        .order_by(when.desc())
    )
    if kind == "audit":  # filed under the statements its template names
        for audit in db.scalars(recent.limit(RECENT)):
            if code in audit.checklist_version.checklist.cqc_statements:
                return audit.uuid
        return None
    if kind == "action":  # filed under its tags
        for action in db.scalars(recent.limit(RECENT)):
            if code in action.cqc_tags:
                return action.uuid
        return None
    return db.scalar(recent.with_only_columns(model.uuid).limit(1))


def _raise(db: Session, manager, owner, rosewood, gap, description: str, at: datetime) -> Action:
    """The action for one gap, as the self-assessment's page raises it: tagged with the
    statement, from the self-assessment, two days after it."""
    action = actions.create(
        db,
        manager,
        service=rosewood,
        description=description,
        owner=owner,
        due_on=None,
        cqc_tags=[gap.code],
        self_assessment_statement=gap,
    )
    action.created_at = action.updated_at = at + timedelta(days=2)
    return action


def _progress(db: Session, supervisor, action: Action, text: str, status: str) -> None:
    actions.add_progress(db, supervisor, action, text=text, status=status)


def _back_date(action: Action, when: datetime) -> None:
    """The progress happened on ``when``, not today."""
    action.updated_at = when
    if action.completed_at is not None:
        action.completed_at = when
    for note in action.notes:
        note.created_at = when
