"""The feedback loop: draft from a record, release to the worker, read, acknowledge, reply."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.audit.service import record_about
from careobs.db import utcnow
from careobs.feedback.models import Feedback
from careobs.notifications.service import mark_read_for_link, notify
from careobs.org.models import StaffMember
from careobs.org.settings import time_zone
from careobs.quis.models import QuisInteraction
from careobs.quis.scoring import CATEGORY_LABELS, COACHING_PROMPTS, NEGATIVE, NEGATIVE_REASONS
from careobs.wording import plural


def _link(feedback: Feedback) -> str:
    return f"/feedback/{feedback.uuid}"


def _audit(db: Session, action: str, feedback: Feedback, actor, summary: str = "") -> None:
    """One audit event about ``feedback`` (design §2.4: every change is in the audit log)."""
    record_about(db, action, feedback, actor=actor, summary=summary)


def drafted(db: Session, feedback: Feedback, author) -> None:
    """Audit a new draft (design §2.4: every create is in the audit log)."""
    _audit(db, "feedback_drafted", feedback, author, summary=feedback.staff.name)


def edited(db: Session, feedback: Feedback, editor) -> None:
    """Audit an edit that changed the feedback's text."""
    _audit(db, "feedback_edited", feedback, editor, summary=feedback.staff.name)


def add_draft(db: Session, author, source, staff_id: int, **fields) -> Feedback:
    """A new draft for one worker about ``source`` (a visit, a QUIS session or a compliment,
    named by ``visit_id``, ``quis_session_id`` or ``compliment_id`` in ``fields``), added,
    flushed and audited."""
    feedback = Feedback(
        organisation_id=source.organisation_id,
        service_id=source.service_id,
        staff_id=staff_id,
        author_id=author.id,
        **fields,
    )
    db.add(feedback)
    db.flush()
    drafted(db, feedback, author)
    return feedback


def draft_from_visit(db: Session, visit, author) -> Feedback:
    """The worker's feedback from a monitoring visit (once per visit), pre-filled from it.

    The visit form shows this very text as a live preview before the supervisor submits, and
    releases it when she asks (issue 5): static/js/visit-feedback.js composes it on the device.
    Keep the two in step (same order, same wording); tests/e2e/test_visit_form_times_and_feedback
    checks that the released text equals the preview.
    """
    existing = db.scalar(sa.select(Feedback).where(Feedback.visit_id == visit.id))
    if existing is not None:
        return existing
    answers = {a.item_id: a for a in visit.answers}
    items = visit.checklist_version.items
    met_comments = [
        f"{i.text}: {answers[i.id].comment}"
        for i in items
        if i.id in answers and answers[i.id].rating == "met" and answers[i.id].comment
    ]
    not_met = [
        f"{i.text}{' (critical)' if i.critical else ''}"
        + (f": {answers[i.id].comment}" if answers[i.id].comment else "")
        for i in items
        if i.id in answers and answers[i.id].rating in ("not_met", "partly")
    ]
    went_well = "\n".join(filter(None, [visit.went_well, *met_comments]))
    to_develop = "\n".join(filter(None, [visit.to_develop, *(f"- {t}" for t in not_met)]))
    actions = "\n".join(
        f"- {a.description}" + (f" (by {a.due_on:%-d %b %Y})" if a.due_on else "")
        for a in visit.actions
    )
    return add_draft(
        db,
        author,
        visit,
        visit.staff_id,
        visit_id=visit.id,
        went_well=went_well,
        to_develop=to_develop,
        actions=actions,
    )


def draft_from_quis(db: Session, session, staff, author) -> Feedback:
    """A draft for one member of staff observed in a QUIS session (once per person and session).

    Positive social moments go first; negative interactions come with their reasons and the
    coaching prompts that help most. The recorder drafts the same words on the device
    (``draftFor`` in static/js/quis-recorder.js): keep the two in step.
    """
    existing = db.scalar(
        sa.select(Feedback).where(
            Feedback.quis_session_id == session.id, Feedback.staff_id == staff.id
        )
    )
    if existing is not None:
        return existing
    theirs = list(
        db.scalars(
            sa.select(QuisInteraction)
            .where(QuisInteraction.session_id == session.id, QuisInteraction.staff_id == staff.id)
            .order_by(QuisInteraction.position)
        )
    )
    # Times as the worker's clock showed them, not UTC.
    zone = time_zone(db, session.organisation_id)
    social = [i for i in theirs if i.category == "PS"]
    care = sum(i.category == "PC" for i in theirs)
    negative = [i for i in theirs if i.category in NEGATIVE]
    went_well = [
        plural(len(social), "positive social interaction", "positive social interactions")
        + " seen, where you treated people as individuals beyond the task."
        if social
        else "",
        *(f"- {i.at.astimezone(zone):%H:%M}: {i.note}" for i in social if i.note),
    ]
    if care:
        went_well.append(
            plural(care, "kind, respectful care interaction", "kind, respectful care interactions")
            + "."
        )
    to_develop = [
        f"- {i.at.astimezone(zone):%H:%M} {CATEGORY_LABELS[i.category]}"
        + (f": {NEGATIVE_REASONS[i.negative_reason]}" if i.negative_reason else "")
        + (f" ({i.note})" if i.note else "")
        for i in negative
    ]
    if negative:
        to_develop.append("Things that help: " + "; ".join(COACHING_PROMPTS) + ".")
    return add_draft(
        db,
        author,
        session,
        staff.id,
        quis_session_id=session.id,
        went_well="\n".join(filter(None, went_well)),
        to_develop="\n".join(to_develop),
    )


def after_visit_submitted(_kind_name: str, *, db: Session, actor, record, document, **_) -> None:
    """A submitted visit drafts the worker's feedback, released at once when the supervisor
    asked (``release_feedback``). A receiver of careobs.capture.events.record_submitted."""
    draft = draft_from_visit(db, record, actor)
    if document.release_feedback:
        release(db, draft, actor)


def after_quis_submitted(_kind_name: str, *, db: Session, actor, record, document, **_) -> None:
    """Feedback the observer wrote with a submitted session (a receiver of
    careobs.capture.events.record_submitted).

    Released feedback carries exactly the observer's words, as their device showed them; a box
    left empty in feedback kept as a draft keeps careobs's draft for them to finish later. An
    entry to send with both boxes empty (earlier versions of the app drafted those on the server)
    is never released unseen: it stays careobs's draft, for the observer to check and release
    from the session page.
    """
    for entry in document.feedback:
        staff = db.get(StaffMember, entry.staff_id)
        draft = draft_from_quis(db, record, staff, actor)
        if draft.status == "released":
            continue
        if entry.release and (entry.went_well.strip() or entry.to_develop.strip()):
            draft.went_well, draft.to_develop = entry.went_well.strip(), entry.to_develop.strip()
            release(db, draft, actor)
            continue
        if entry.went_well.strip():
            draft.went_well = entry.went_well.strip()
        if entry.to_develop.strip():
            draft.to_develop = entry.to_develop.strip()


def team_feedback(
    db: Session, session, staff: list, went_well: str, to_develop: str, author, *, send: bool
) -> list[Feedback]:
    """The same written feedback to each member of the team on duty during a session.

    Feedback is still addressed to one worker at a time (each reads and acknowledges their own);
    anyone who already has feedback from this session is left out.
    """
    already = set(
        db.scalars(sa.select(Feedback.staff_id).where(Feedback.quis_session_id == session.id))
    )
    made = []
    for member in staff:
        if member.id in already:
            continue
        feedback = add_draft(
            db,
            author,
            session,
            member.id,
            quis_session_id=session.id,
            went_well=went_well.strip(),
            to_develop=to_develop.strip(),
        )
        if send:
            release(db, feedback, author)
        made.append(feedback)
    return made


def release(db: Session, feedback: Feedback, actor) -> None:
    """Send the feedback to the worker: it can no longer be edited; they are notified."""
    if feedback.status == "released":
        return
    feedback.status = "released"
    feedback.released_at = utcnow()
    _audit(db, "feedback_released", feedback, actor, summary=feedback.staff.name)
    worker = feedback.staff.user
    if worker is not None:
        notify(
            db,
            worker,
            "feedback_released",
            _link(feedback),
            body="You have new feedback about your practice.",
            dedupe_key=f"feedback-released-{feedback.uuid}",
        )


def mark_read(db: Session, feedback: Feedback, worker) -> None:
    """The read receipt, recorded the first time the worker opens it."""
    mark_read_for_link(db, worker, _link(feedback))
    if feedback.read_at is None:
        feedback.read_at = utcnow()
        _audit(db, "feedback_read", feedback, worker)


def acknowledge(db: Session, feedback: Feedback, worker) -> None:
    """ "I have read and understood this"; the author hears about it."""
    if feedback.acknowledged_at is not None:
        return
    mark_read(db, feedback, worker)
    feedback.acknowledged_at = utcnow()
    _audit(db, "feedback_acknowledged", feedback, worker)
    _tell_author(db, feedback, "feedback_acknowledged", f"feedback-ack-{feedback.uuid}")


def reply(db: Session, feedback: Feedback, worker, text: str) -> None:
    """The worker's reflection; the author hears about it."""
    mark_read(db, feedback, worker)
    feedback.reply = text.strip()
    feedback.replied_at = utcnow()
    _audit(db, "feedback_replied", feedback, worker)
    _tell_author(
        db,
        feedback,
        "feedback_replied",
        f"feedback-reply-{feedback.uuid}-{feedback.replied_at:%Y%m%d%H%M%S}",
    )


def _tell_author(db: Session, feedback: Feedback, kind: str, dedupe_key: str) -> None:
    """The author hears what the worker did with their feedback (once per ``dedupe_key``)."""
    notify(db, feedback.author, kind, _link(feedback), dedupe_key=dedupe_key)
