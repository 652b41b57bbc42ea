"""Making and checking draws: gather the candidates, draw, store every input, audit it."""

from __future__ import annotations

import secrets
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.actions.models import Action
from careobs.audit.service import record
from careobs.dashboards import coverage
from careobs.days import within_days
from careobs.db import lock_for_writing
from careobs.org import settings as org_settings
from careobs.org.models import Person, Service
from careobs.permissions import selection as permitted
from careobs.selection import draw as drawing
from careobs.selection.models import SelectionDraw

# Monitoring visits (and so the coverage the weights come from) are a homecare thing;
# feedback can be asked of people in any service.
SERVICE_KINDS = {"workers": ("homecare",), "people": ("homecare", "care_home")}
OPEN_STATUSES = ("open", "in_progress")


def drawable_services(user, kind: str) -> sa.Select:
    """Active services where the user may draw this kind (careobs.permissions.selection)."""
    return permitted.drawable_services(user, SERVICE_KINDS[kind])


def new_seed() -> str:
    """A seed nobody chose: 64 random bits from the operating system, as hex."""
    return secrets.token_hex(8)


def worker_candidates(db: Session, service: Service, today: date) -> list[drawing.Candidate]:
    """The service's active care workers with their coverage status and open actions."""
    scope = coverage.service_scope(db, service.organisation_id, (service.id,), today)
    found = coverage.workers(db, scope, today)
    actions = dict(
        db.execute(
            sa.select(Action.owner_staff_id, sa.func.count())
            .where(
                Action.service_id == service.id,
                Action.owner_staff_id.in_([w.staff_id for w in found]),
                Action.status.in_(OPEN_STATUSES),
            )
            .group_by(Action.owner_staff_id)
        ).all()
    )
    return [
        drawing.Candidate(w.staff_uuid, w.name, w.status, w.last_band, actions.get(w.staff_id, 0))
        for w in found
    ]


def people_candidates(db: Session, service: Service) -> tuple[list[drawing.Candidate], int]:
    """Active people of the service who have not refused consent (codes only), and how many
    were left out because they said no."""
    people = db.scalars(
        sa.select(Person).where(Person.service_id == service.id, Person.active.is_(True))
    ).all()
    candidates = [drawing.Candidate(str(p.uuid), p.code) for p in people if p.consent != "no"]
    return candidates, len(people) - len(candidates)


def previous_draw(db: Session, service: Service, kind: str) -> SelectionDraw | None:
    """The service's latest draw of this kind (the highest sequence)."""
    return db.scalar(
        sa.select(SelectionDraw)
        .where(SelectionDraw.service_id == service.id, SelectionDraw.kind == kind)
        .order_by(SelectionDraw.sequence.desc())
        .limit(1)
    )


class DrawnMeanwhile(Exception):
    """Someone else drew for this service and kind while this request was on its way: nothing
    was stored, and ``draw`` is theirs."""

    def __init__(self, draw: SelectionDraw | None):
        super().__init__("Someone else drew for this service just now.")
        self.draw = draw


class ReasonNeeded(Exception):
    """The service already has a draw of this kind today and no reason was given for another;
    ``earlier`` is that draw."""

    def __init__(self, earlier: SelectionDraw):
        super().__init__("A second draw on the same day needs a reason.")
        self.earlier = earlier


def local_day(db: Session, draw_row: SelectionDraw) -> date:
    """The day the draw was made, on its organisation's clock."""
    return draw_row.created_at.astimezone(
        org_settings.time_zone(db, draw_row.organisation_id)
    ).date()


def drawn_on(
    db: Session, service_ids: list[int], kind: str, today: date, zone
) -> dict[int, SelectionDraw]:
    """Each of these services' latest draw of this kind made on ``today`` (local), by service id."""
    if not service_ids:
        return {}
    found = db.scalars(
        sa.select(SelectionDraw)
        .where(
            SelectionDraw.service_id.in_(service_ids),
            SelectionDraw.kind == kind,
            *within_days(SelectionDraw.created_at, today, today, zone),
        )
        .order_by(SelectionDraw.sequence)
    )
    return {d.service_id: d for d in found}


def lock_service(db: Session, service: Service) -> None:
    """Make draws in one service wait for each other, so each reads the draw before it (the
    service's write lock, :func:`careobs.db.lock_for_writing`)."""
    lock_for_writing(db, Service.id, service.id)


def make_draw(
    db: Session, user, service: Service, kind: str, k: int, today: date, reason: str | None = None
) -> SelectionDraw:
    """Draw ``k`` of the service's care workers (``kind`` "workers") or people supported
    ("people") with a seed the server makes, and store it (the caller commits).

    The service's draws are made one at a time (:func:`lock_service`); a draw that finds a new
    previous draw once it has the lock raises :class:`DrawnMeanwhile` rather than draw on a
    state its user never saw, and a second draw on the same local day without a ``reason``
    raises :class:`ReasonNeeded`. Raises :class:`~careobs.selection.draw.TooFewCandidates`
    when the draw cannot be made. Nothing is stored when anything is raised.
    """
    seen = previous_draw(db, service, kind)
    seen_id = seen.id if seen else None
    lock_service(db, service)
    previous = previous_draw(db, service, kind)
    if (previous.id if previous else None) != seen_id:
        raise DrawnMeanwhile(previous)
    repeat = previous is not None and local_day(db, previous) == today
    reason = (reason or "").strip() or None
    if repeat and reason is None:
        raise ReasonNeeded(previous)
    inputs: dict = {
        "k": k,
        "previous_draw": str(previous.uuid) if previous else None,
        "previous_pick": [row["key"] for row in previous.result] if previous else [],
    }
    if kind == "workers":
        settings = org_settings.selection_weights(
            org_settings.settings_for(db, service.organisation_id)
        )
        candidates = worker_candidates(db, service, today)
        inputs |= {"today": today.isoformat(), "settings": settings}
    else:
        candidates, refused = people_candidates(db, service)
        inputs |= {"settings": None, "left_out_no_consent": refused}
    inputs["candidates"] = [c.as_dict() for c in candidates]
    return _store(
        db,
        user,
        service,
        kind,
        new_seed(),
        inputs,
        sequence=previous.sequence + 1 if previous else 1,
        repeat_reason=reason if repeat else None,
    )


def draw_workers(db: Session, user, service: Service, k: int, today: date, reason=None):
    """Draw ``k`` care workers of the service, weighted (see :func:`make_draw`)."""
    return make_draw(db, user, service, "workers", k, today, reason)


def draw_people(db: Session, user, service: Service, k: int, today: date, reason=None):
    """Draw ``k`` people of the service to ask for feedback, all equally likely, nobody drawn
    in the service's previous people draw (see :func:`make_draw`)."""
    return make_draw(db, user, service, "people", k, today, reason)


def weigh(kind: str, inputs: dict) -> list[drawing.Weighted]:
    """Every candidate's weight and reasons, from the stored facts and settings."""
    candidates = [drawing.Candidate.from_dict(row) for row in inputs["candidates"]]
    if kind == "workers":
        return drawing.weights(candidates, inputs["settings"])
    return [drawing.Weighted(c, 1, ()) for c in candidates]


def compute(kind: str, inputs: dict, seed: str) -> drawing.Outcome:
    """The draw the inputs and seed give: used to make a draw and, later, to verify it."""
    return drawing.draw(weigh(kind, inputs), inputs["k"], seed, inputs["previous_pick"])


def _as_rows(outcome: drawing.Outcome) -> tuple[list[dict], list[dict]]:
    picked = [
        {
            "key": w.candidate.key,
            "label": w.candidate.label,
            "weight": w.weight,
            "reasons": list(w.reasons),
        }
        for w in outcome.picked
    ]
    excluded = [
        {"key": w.candidate.key, "label": w.candidate.label, "why": why}
        for w, why in outcome.excluded
    ]
    return picked, excluded


def _store(
    db: Session,
    user,
    service: Service,
    kind: str,
    seed: str,
    inputs: dict,
    *,
    sequence: int,
    repeat_reason: str | None,
):
    outcome = compute(kind, inputs, seed)
    picked, excluded = _as_rows(outcome)
    for row, w in zip(inputs["candidates"], weigh(kind, inputs), strict=True):
        row["weight"], row["reasons"] = w.weight, list(w.reasons)
    inputs["excluded"] = excluded
    draw_row = SelectionDraw(
        organisation_id=service.organisation_id,
        service_id=service.id,
        kind=kind,
        sequence=sequence,
        seed=seed,
        inputs=inputs,
        result=picked,
        repeat_reason=repeat_reason,
        requested_by_id=user.id,
    )
    db.add(draw_row)
    db.flush()
    record(
        db,
        "selection_drawn",
        organisation_id=service.organisation_id,
        actor=user,
        entity=draw_row,
        summary=f"{kind} in {service.name}: {len(picked)} drawn with seed {seed}"
        # Not the reason itself (it may say why a worker is away): the log is never changed,
        # so text copied into it could never be redacted. The draw keeps it.
        + ("; drawn again today, for the reason given with the draw" if repeat_reason else ""),
    )
    return draw_row


def verify(draw_row: SelectionDraw) -> bool:
    """Whether re-running the stored inputs with the stored seed gives the stored result."""
    try:
        picked, _ = _as_rows(compute(draw_row.kind, draw_row.inputs, draw_row.seed))
    except (drawing.TooFewCandidates, KeyError, TypeError):
        return False
    return picked == draw_row.result
