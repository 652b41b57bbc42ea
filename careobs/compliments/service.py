"""Recording compliments and concerns, answering a concern, and turning a compliment that names
a care worker into positive written feedback to them.

Plain functions that write, audit and flush; the views commit. A compliment naming workers
drafts one feedback per worker (``went_well`` = the compliment's words), which a manager
releases like any feedback; ``feedback (compliment_id, staff_id)`` is unique, so a form sent
twice at once still drafts each worker's feedback once.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.actions import service as actions
from careobs.audit.service import record_about
from careobs.compliments.models import DEFAULT_SECTIONS, Compliment, ComplimentSection
from careobs.db import lock_for_writing, utcnow
from careobs.feedback import service as feedback_service
from careobs.feedback.models import Feedback
from careobs.privacy import identifier_warnings

# What a concern's action usually evidences: listening to and involving people, and learning.
CONCERN_ACTION_TAGS = ["R4", "W7"]


def sections(db: Session, organisation_id: int) -> list[ComplimentSection]:
    """The organisation's active sections in order, adding the defaults the first time.

    Two first uses at once both try to add the defaults; the loser's insert fails on the
    unique key, inside a savepoint, and it reads the winner's.
    """
    stmt = sa.select(ComplimentSection).where(ComplimentSection.organisation_id == organisation_id)
    if db.scalar(sa.select(stmt.exists())) is not True:
        try:
            with db.begin_nested():
                for position, (key, label) in enumerate(DEFAULT_SECTIONS):
                    db.add(
                        ComplimentSection(
                            organisation_id=organisation_id,
                            key=key,
                            label=label,
                            position=position,
                        )
                    )
        except sa.exc.IntegrityError:
            pass
    return list(
        db.scalars(
            stmt.where(ComplimentSection.active.is_(True)).order_by(
                ComplimentSection.position, ComplimentSection.id
            )
        )
    )


def privacy_flags(compliment: Compliment) -> list[str]:
    """What in the entry's free text looks like a personal identifier (design §2.4)."""
    texts = (compliment.text, compliment.response)
    return sorted({w for text in texts if text for w in identifier_warnings(text)})


def record(
    db: Session,
    actor,
    *,
    entry_id: uuid.UUID,
    service,
    kind: str,
    section: ComplimentSection,
    received_on: date,
    source: str,
    person=None,
    text: str,
    staff: list | None = None,
) -> Compliment:
    """Log a compliment or concern; a compliment naming care workers drafts their feedback.

    ``entry_id`` was made when the form was shown: sent twice, the second insert fails on it
    (the caller rolls back and shows the first).
    """
    named = list(staff or []) if kind == "compliment" else []
    compliment = Compliment(
        uuid=entry_id,
        organisation_id=service.organisation_id,
        service_id=service.id,
        kind=kind,
        section_id=section.id,
        received_on=received_on,
        source=source,
        person_id=person.id if person is not None and source == "person" else None,
        text=text.strip(),
        response="",
        recorded_by_id=actor.id,
        staff=named,
    )
    db.add(compliment)
    db.flush()
    record_about(
        db,
        f"{kind}_recorded",
        compliment,
        actor=actor,
        summary=f"{section.label}, received {received_on.isoformat()}",
    )
    for member in named:
        draft_feedback(db, compliment, member, actor)
    return compliment


def draft_feedback(db: Session, compliment: Compliment, member, author) -> Feedback:
    """The worker's feedback from a compliment naming them: drafted once, then reused.

    The manager reads and releases it from the feedback pages, as any feedback.
    """
    existing = db.scalar(
        sa.select(Feedback).where(
            Feedback.compliment_id == compliment.id, Feedback.staff_id == member.id
        )
    )
    if existing is not None:
        return existing
    return feedback_service.add_draft(
        db,
        author,
        compliment,
        member.id,
        compliment_id=compliment.id,
        went_well=compliment.text,
        to_develop="",
    )


class ActionedMeanwhile(Exception):
    """Someone else raised the concern's action at the same moment: roll back, keep theirs."""


class ResponseReplaced(Exception):
    """A saved response is only added to, never replaced (design §2.4: records are never
    silently changed): the new text must begin with the saved one."""


class AnsweredMeanwhile(Exception):
    """Someone else saved a different response since the form was shown: theirs stays."""


def clean_response(text: str) -> str:
    """The response as stored: browsers' CRLF line breaks as plain newlines, trimmed."""
    return (text or "").replace("\r\n", "\n").strip()


def response_token(response: str) -> str:
    """A short fingerprint of a response, carried by the form to spot a concurrent answer."""
    return hashlib.sha256(clean_response(response).encode()).hexdigest()[:16]


def respond(
    db: Session,
    actor,
    compliment: Compliment,
    *,
    response: str,
    action_text: str = "",
    owner=None,
    due_on: date | None = None,
    seen: str | None = None,
) -> None:
    """The response to a concern and what came of it; with ``action_text``, an improvement
    action is raised, once: a concern keeps its first action, and when two are raised at once
    the second raises :class:`ActionedMeanwhile` (the caller rolls back).

    The concern's row is locked first, so answers to it are saved one at a time. ``seen`` is
    the :func:`response_token` of the response the form showed: when someone else has saved a
    different one since, :class:`AnsweredMeanwhile` (the same text sent twice is no conflict).
    A saved response is only ever added to (:class:`ResponseReplaced` otherwise).
    """
    if compliment.kind != "concern":
        raise ValueError("only a concern has a response")
    lock_for_writing(db, Compliment.id, compliment.id)
    db.refresh(compliment)
    text = clean_response(response)
    saved = clean_response(compliment.response)
    if seen is not None and seen != response_token(saved) and text != saved:
        raise AnsweredMeanwhile
    if saved and not text.startswith(saved):
        raise ResponseReplaced
    if text != saved:
        compliment.response = text
        compliment.responded_at = utcnow()
        compliment.updated_at = utcnow()
        record_about(
            db,
            "concern_responded",
            compliment,
            actor=actor,
            summary="Added to the response" if saved else "First response",
        )
    if action_text.strip() and compliment.action_id is None:
        action = actions.create(
            db,
            actor,
            service=compliment.service,
            description=action_text,
            owner=owner,
            due_on=due_on,
            cqc_tags=CONCERN_ACTION_TAGS,
        )
        claimed = db.execute(
            sa.update(Compliment)
            .where(Compliment.id == compliment.id, Compliment.action_id.is_(None))
            .values(action_id=action.id)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:
            raise ActionedMeanwhile
        db.refresh(compliment)
