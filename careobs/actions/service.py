"""Changing actions: create (by hand, from a QUIS session, a visit, an audit, a conversation or
a co-audit's difference), progress, re-checks.

Plain functions that validate what only the data can tell, write, audit and flush; the views
commit. Every change is written to the audit log.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from careobs.accounts.models import User
from careobs.actions import cqc, measures
from careobs.actions.models import STATUSES, Action, ActionNote, RecheckBooking
from careobs.audit.service import record, record_about
from careobs.audits.models import Audit, CoAuditFollowUp
from careobs.checklists.models import ChecklistDomain, ChecklistItem
from careobs.coaudits.comparison import EASY_READ_WORDS, STAFF_WORDS
from careobs.db import insert_for, lock_for_writing, utcnow
from careobs.notifications.service import notify
from careobs.org.models import StaffMember
from careobs.org.settings import time_zone
from careobs.selfassess.ratings import GAP_SCORES
from careobs.visits.models import MonitoringVisit, VisitAnswer
from careobs.wording import plural

ASSIGNED_BODY = "An action has been assigned to you. Open it to see what and by when."
GAP_RAISED = "This gap already has an action: here it is."


class GapAlreadyRaised(Exception):
    """A self-assessment's gap has its action already (one per gap): ``action`` is that one."""

    def __init__(self, action: Action):
        super().__init__(GAP_RAISED)
        self.action = action


def link(action: Action) -> str:
    """The page of an action: the only thing a notification about it carries."""
    return f"/actions/{action.uuid}"


def owner_login(db: Session, action: Action) -> User | None:
    """Whoever should hear about the action: the owning user, or the owning worker's login."""
    if action.owner_user_id is not None:
        return db.get(User, action.owner_user_id)
    if action.owner_staff_id is not None:
        staff = db.get(StaffMember, action.owner_staff_id)
        return staff.user if staff is not None else None
    return None


def _tell_owner(db: Session, action: Action, actor: User | None) -> None:
    owner = owner_login(db, action)
    if owner is None or (actor is not None and owner.id == actor.id):
        return
    notify(
        db,
        owner,
        "action_assigned",
        link(action),
        body=ASSIGNED_BODY,
        dedupe_key=f"action-assigned-{action.uuid}-{owner.id}",
    )


def _audit(db: Session, event: str, action: Action, actor: User, summary: str) -> None:
    """One audit event about ``action``: every change to an action is in the audit log."""
    record_about(db, event, action, actor=actor, summary=summary)


def _set_owner(action: Action, owner) -> None:
    action.owner_user_id = owner.id if isinstance(owner, User) else None
    action.owner_staff_id = owner.id if isinstance(owner, StaffMember) else None


def _check_tags(tags: list[str]) -> list[str]:
    unknown = [t for t in tags if t not in cqc.STATEMENTS]
    if unknown:
        raise ValueError(f"unknown quality statement codes: {unknown}")
    return list(dict.fromkeys(tags))


def create(
    db: Session,
    actor: User,
    *,
    service,
    description: str,
    owner: User | StaffMember | None,
    due_on: date | None,
    cqc_tags: list[str],
    quis_session=None,
    measure: dict | None = None,
    self_assessment_statement=None,
) -> Action:
    """An action added by hand, from a QUIS session when ``quis_session`` is given, or for a
    self-assessment's gap when ``self_assessment_statement`` is (a statement scored 1 or 2 of a
    submitted assessment of ``service``).

    A gap has one action, however many managers raise it at once: a second raise makes none
    and raises :class:`GapAlreadyRaised` with the first (``self_assessment_statement_id`` is
    unique; the insert runs in a savepoint so the loser's transaction carries on)."""
    gap = self_assessment_statement
    if gap is not None:
        _check_gap(gap, service)
        source = "self_assessment"
    else:
        source = "quis" if quis_session is not None else "manual"
    action = Action(
        uuid=uuid.uuid4(),
        organisation_id=service.organisation_id,
        service_id=service.id,
        description=description.strip(),
        due_on=due_on,
        status="open",
        cqc_tags=_check_tags(cqc_tags),
        measure=measures.check(measure),
        source=source,
        quis_session_id=quis_session.id if quis_session is not None else None,
        self_assessment_statement_id=gap.id if gap is not None else None,
        created_by_id=actor.id,
    )
    _set_owner(action, owner)
    if gap is None:
        db.add(action)
        db.flush()
    else:
        _insert_gap_action(db, action, gap.id)
    summary = f"{action.source_label}, due {due_on or 'no date'}"
    if gap is not None:
        assessed = gap.self_assessment
        summary += f", for {gap.code} of {assessed.type_label.lower()} {assessed.uuid}"
    _audit(db, "action_created", action, actor, summary)
    _tell_owner(db, action, actor)
    return action


def gap_action(db: Session, statement_id: int) -> Action | None:
    """The live action raised for a self-assessment's gap (its statement row's id), if any: a
    cancelled one no longer answers the gap."""
    return db.scalar(
        sa.select(Action).where(
            Action.self_assessment_statement_id == statement_id, Action.status != "cancelled"
        )
    )


def _check_gap(statement, service) -> None:
    """A gap is a statement scored 1 or 2 of a submitted assessment of the action's service."""
    assessment = statement.self_assessment
    if assessment.status != "submitted" or statement.score not in GAP_SCORES:
        raise ValueError("only a submitted assessment's statement scored 1 or 2 is a gap")
    if assessment.service_id != service.id:
        raise ValueError("a gap's action is for the service assessed")


def _insert_gap_action(db: Session, action: Action, statement_id: int) -> None:
    existing = gap_action(db, statement_id)
    if existing is not None:
        raise GapAlreadyRaised(existing)
    try:
        with db.begin_nested():
            db.add(action)
            db.flush()
    except IntegrityError:  # the same gap raised at the same moment elsewhere
        existing = gap_action(db, statement_id)
        if existing is None:
            raise
        raise GapAlreadyRaised(existing) from None


def from_visit(db: Session, actor: User, visit) -> list[Action]:
    """Each action agreed at a submitted visit becomes an Action, once however often the visit
    is processed (``visit_action_id`` is unique)."""
    done = set(db.scalars(sa.select(Action.visit_action_id).where(Action.visit_id == visit.id)))
    created = []
    for agreed in visit.actions:
        if agreed.id in done:
            continue
        action = _agreed(
            visit,
            agreed,
            actor,
            list(cqc.VISIT_ACTION_TAGS),
            "visit",
            visit_id=visit.id,
            visit_action_id=agreed.id,
        )
        db.add(action)
        created.append(action)
    if created:
        db.flush()
    for action in created:
        _audit(db, "action_created", action, actor, f"agreed at monitoring visit {visit.uuid}")
        # The visited worker hears about the visit (actions included) when its feedback is
        # released, not before.
        if action.owner_staff_id != visit.staff_id:
            _tell_owner(db, action, actor)
    return created


def from_audit(db: Session, actor: User, audit) -> list[Action]:
    """Each action proposed in a submitted audit becomes an Action, once however often the
    audit is processed (``audit_action_id`` is unique). It evidences what its template does,
    and learning and improvement."""
    done = set(db.scalars(sa.select(Action.audit_action_id).where(Action.audit_id == audit.id)))
    template = audit.checklist_version.checklist
    tags = [c for c in dict.fromkeys([*template.cqc_statements, "W7"]) if c in cqc.STATEMENTS]
    created = []
    for proposed in audit.actions:
        if proposed.id in done:
            continue
        action = _agreed(
            audit, proposed, actor, tags, "audit", audit_id=audit.id, audit_action_id=proposed.id
        )
        db.add(action)
        created.append(action)
    if created:
        db.flush()
    for action in created:
        _audit(db, "action_created", action, actor, f"proposed in audit {audit.uuid}")
        _tell_owner(db, action, actor)
    return created


def from_conversation(db: Session, actor: User, conversation, tags: list[str]) -> list[Action]:
    """Each follow-up agreed in a submitted conversation (people's voice) becomes an Action,
    once however often it is processed (a follow-up that already names its action is skipped;
    ``action_id`` is unique)."""
    created = []
    for proposed in conversation.actions:
        if proposed.action_id is not None:
            continue
        action = _agreed(conversation, proposed, actor, list(tags), "voice")
        db.add(action)
        db.flush()
        proposed.action_id = action.id
        created.append(action)
    for action in created:
        _audit(db, "action_created", action, actor, f"agreed in conversation {conversation.uuid}")
        _tell_owner(db, action, actor)
    return created


FOLLOW_UP_DAYS = 14  # a difference followed up is due in two weeks (editable on its page)


def from_co_audit(
    db: Session, actor: User, co_audit, difference, *, who: str, today: date
) -> tuple[Action, bool]:
    """A difference between a co-audit and its staff audit, followed up: an action owned by
    whoever tapped, due in :data:`FOLLOW_UP_DAYS`, raised from the co-audit (``audit_id``), and
    the co-audit's follow-up of that item (careobs.audits.models.CoAuditFollowUp). Returns the
    action and whether it was raised now.

    Once per co-audit and item, however often it is tapped, from however many sessions at once:
    the co-audit's row is locked for writing first (:func:`careobs.db.lock_for_writing`), so a
    second tap waits for the first and then finds its follow-up. ``difference`` is an
    :class:`careobs.coaudits.comparison.ItemComparison`; ``who`` names the other side by code
    ("R07") or role ("the quality checker"), never by name."""
    lock_for_writing(db, Audit.id, co_audit.id)
    found = db.scalar(
        sa.select(Action)
        .join(CoAuditFollowUp, CoAuditFollowUp.action_id == Action.id)
        .where(CoAuditFollowUp.audit_id == co_audit.id, CoAuditFollowUp.item_key == difference.key)
    )
    if found is not None:
        return found, False
    template = co_audit.checklist_version.checklist
    tags = [c for c in dict.fromkeys([*template.cqc_statements, "W7"]) if c in cqc.STATEMENTS]
    action = Action(
        uuid=uuid.uuid4(),
        organisation_id=co_audit.organisation_id,
        service_id=co_audit.service_id,
        description=(
            f"Follow up {who}'s co-audit: '{difference.easy_read_text or difference.text}' — "
            f"staff audit {STAFF_WORDS[difference.audit]}, "
            f"{who} said {EASY_READ_WORDS[difference.co_audit]}"
        ),
        owner_user_id=actor.id,
        due_on=today + timedelta(days=FOLLOW_UP_DAYS),
        status="open",
        cqc_tags=tags,
        source="audit",
        audit_id=co_audit.id,
        created_by_id=actor.id,
    )
    db.add(action)
    db.flush()
    db.add(
        CoAuditFollowUp(
            audit_id=co_audit.id,
            item_key=difference.key,
            action_id=action.id,
            created_by_id=actor.id,
        )
    )
    db.flush()
    _audit(
        db, "action_created", action, actor, f"difference followed up from co-audit {co_audit.uuid}"
    )
    return action, True


def _agreed(record, proposed, actor: User, tags: list[str], source: str, **links) -> Action:
    """An open Action from an action agreed or proposed in a record (a visit, an audit, a
    conversation): its words, owner and due date, in the record's service."""
    return Action(
        uuid=uuid.uuid4(),
        organisation_id=record.organisation_id,
        service_id=record.service_id,
        description=proposed.description,
        owner_user_id=proposed.owner_user_id,
        owner_staff_id=proposed.owner_staff_id,
        due_on=proposed.due_on,
        status="open",
        cqc_tags=tags,
        source=source,
        created_by_id=actor.id,
        **links,
    )


def update(
    db: Session,
    actor: User,
    action: Action,
    *,
    description: str,
    owner: User | StaffMember | None,
    due_on: date | None,
    cqc_tags: list[str],
    measure: dict | None = None,
) -> None:
    """Edit what the action is, who owns it, when it is due, what it evidences and the
    measure it should move."""
    before = (action.owner_user_id, action.owner_staff_id)
    action.description = description.strip()
    action.due_on = due_on
    action.cqc_tags = _check_tags(cqc_tags)
    action.measure = measures.check(measure)
    _set_owner(action, owner)
    action.updated_at = utcnow()
    db.flush()
    _audit(db, "action_updated", action, actor, f"due {due_on or 'no date'}")
    if (action.owner_user_id, action.owner_staff_id) != before:
        _tell_owner(db, action, actor)


def add_progress(
    db: Session, actor: User, action: Action, *, text: str, status: str | None = None
) -> ActionNote:
    """A progress note, with a change of status if ``status`` differs from the current one.

    Done records when it was completed; reopening clears that.
    """
    if status is not None and status not in STATUSES:
        raise ValueError(f"unknown status {status!r}")
    changes = status is not None and status != action.status
    if not changes and not text.strip():
        raise ValueError("a note without a status change needs text")
    reopened_gap = changes and action.status == "cancelled" and action.self_assessment_statement_id
    if reopened_gap:
        # A gap has one live action: reopening a cancelled one that another has replaced
        # would make two.
        existing = gap_action(db, action.self_assessment_statement_id)
        if existing is not None:
            raise GapAlreadyRaised(existing)
    note = ActionNote(
        action_id=action.id,
        author_id=actor.id,
        text=text.strip(),
        from_status=action.status if changes else None,
        to_status=status if changes else None,
    )
    db.add(note)
    now = utcnow()
    if changes:
        action.status = status
        action.completed_at = now if status == "done" else None
    action.updated_at = now
    if reopened_gap:
        try:
            with db.begin_nested():
                db.flush()
        except IntegrityError:  # another action was raised for the gap at the same moment
            existing = gap_action(db, action.self_assessment_statement_id)
            if existing is None:
                raise
            raise GapAlreadyRaised(existing) from None
    db.flush()
    _audit(
        db,
        "action_status_changed" if changes else "action_note_added",
        action,
        actor,
        note.change_label or "progress note",
    )
    return note


def book_recheck(
    db: Session,
    actor: User,
    action: Action,
    *,
    staff: StaffMember,
    due_by: date,
    focus_item_keys: list[uuid.UUID],
) -> RecheckBooking:
    """Book a monitoring visit for ``staff`` by ``due_by``, focused on the named items."""
    if staff.service_id != action.service_id:
        raise ValueError("the worker is not in the action's service")
    booking = RecheckBooking(
        uuid=uuid.uuid4(),
        organisation_id=action.organisation_id,
        action_id=action.id,
        staff_id=staff.id,
        due_by=due_by,
        focus_item_keys=[str(k) for k in focus_item_keys],
        booked_by_id=actor.id,
    )
    db.add(booking)
    db.flush()
    _audit(
        db,
        "recheck_booked",
        action,
        actor,
        f"re-check by {due_by}, {plural(len(focus_item_keys), 'focus item', 'focus items')}",
    )
    return booking


def book_recheck_after_red(db: Session, actor: User, visit) -> RecheckBooking | None:
    """A red visit books the worker's re-check (design §2.2): due on the visit's next check
    date (its day plus the organisation's re-check days), focused on the items Not met.

    Once per visit, however often it is processed: the insert does nothing when the visit has
    booked already (``after_visit_id`` is unique), even if two transactions race. When the
    worker already has a later scored visit (sent first from another device), that visit is
    the re-check and the booking is stored as fulfilled by it.
    """
    if visit.status != "submitted" or visit.band != "red" or visit.score is None:
        return None
    focus = db.scalars(
        sa.select(ChecklistItem.key)
        .join(VisitAnswer, VisitAnswer.item_id == ChecklistItem.id)
        .join(ChecklistDomain, ChecklistItem.domain_id == ChecklistDomain.id)
        .where(VisitAnswer.visit_id == visit.id, VisitAnswer.rating == "not_met")
        .order_by(ChecklistDomain.position, ChecklistItem.position)
    ).all()
    later = _later_scored_visit(db, visit)
    now = utcnow()
    table = RecheckBooking.__table__
    values = {
        "uuid": uuid.uuid4(),
        "organisation_id": visit.organisation_id,
        "action_id": None,
        "after_visit_id": visit.id,
        "staff_id": visit.staff_id,
        "due_by": visit.next_check_on,
        "focus_item_keys": [str(k) for k in focus],
        "booked_by_id": actor.id,
        "created_at": now,
        "fulfilled_by_visit_id": later.id if later is not None else None,
        "fulfilled_at": now if later is not None else None,
    }
    insert = insert_for(db)(table).values(values)
    booked_id = db.execute(
        insert.on_conflict_do_nothing(index_elements=[table.c.after_visit_id]).returning(table.c.id)
    ).scalar()
    if booked_id is None:
        return None  # booked already
    booking = db.get(RecheckBooking, booked_id)
    record(
        db,
        "recheck_booked",
        organisation_id=visit.organisation_id,
        actor=actor,
        entity=booking,
        summary=(
            f"after red monitoring visit {visit.uuid}: re-check by {visit.next_check_on}, "
            + plural(len(focus), "focus item", "focus items")
            + (f"; already done by {later.uuid}" if later else "")
        ),
    )
    return booking


def _later_scored_visit(db: Session, visit) -> MonitoringVisit | None:
    """The worker's first submitted, scored visit planned after this one, if any."""
    return db.scalar(
        sa.select(MonitoringVisit)
        .where(
            MonitoringVisit.staff_id == visit.staff_id,
            MonitoringVisit.status == "submitted",
            MonitoringVisit.score.is_not(None),
            MonitoringVisit.planned_at > visit.planned_at,
            MonitoringVisit.id != visit.id,
        )
        .order_by(MonitoringVisit.planned_at, MonitoringVisit.id)
        .limit(1)
    )


def fulfil_rechecks(db: Session, visit) -> list[RecheckBooking]:
    """Mark the worker's open re-checks that this submitted visit answers as done by it.

    A visit that scored nothing (every item N/A) checked nothing and fulfils none. A re-check
    booked from an action is answered by a visit on or after the day it was booked (a visit
    before the booking cannot be the re-check it asks for); days are on the organisation's
    clock: in summer, 23:30 UTC is already the next day in London. A re-check booked by a red
    visit is answered by a visit planned after that red visit.
    """
    if visit.status != "submitted" or visit.score is None:
        return []
    zone = time_zone(db, visit.organisation_id)
    visited = (visit.arrived_at or visit.planned_at).astimezone(zone).date()
    red_visit = aliased(MonitoringVisit)
    open_bookings = db.execute(
        sa.select(RecheckBooking, red_visit.planned_at)
        .outerjoin(red_visit, RecheckBooking.after_visit_id == red_visit.id)
        .where(
            RecheckBooking.staff_id == visit.staff_id,
            RecheckBooking.fulfilled_at.is_(None),
            sa.or_(
                RecheckBooking.after_visit_id.is_(None),
                RecheckBooking.after_visit_id != visit.id,
            ),
        )
    ).all()
    fulfilled = []
    for booking, red_planned_at in open_bookings:
        if booking.after_visit_id is not None:
            if red_planned_at >= visit.planned_at:
                continue
        elif booking.created_at.astimezone(zone).date() > visited:
            continue
        booking.fulfilled_by_visit_id = visit.id
        booking.fulfilled_at = utcnow()
        fulfilled.append(booking)
        record_about(db, "recheck_fulfilled", booking, summary=f"by monitoring visit {visit.uuid}")
    if fulfilled:
        db.flush()
    return fulfilled


def after_visit_submitted(_kind_name: str, *, db: Session, actor: User, record, **_) -> None:
    """What a submitted monitoring visit means for actions: it may be a booked re-check, a red
    one books the next, and its agreed actions become actions to follow up.

    A receiver of careobs.capture.events.record_submitted for visits.
    """
    fulfil_rechecks(db, record)
    book_recheck_after_red(db, actor, record)
    from_visit(db, actor, record)


def after_audit_submitted(_kind_name: str, *, db: Session, actor: User, record, **_) -> None:
    """A submitted audit's proposed actions become actions to follow up.

    A receiver of careobs.capture.events.record_submitted for audits.
    """
    from_audit(db, actor, record)
