"""Making and checking draws: gather the candidates, draw, store every input, audit it."""

from __future__ import annotations

import secrets
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.actions.models import Action
from careobs.audit.service import record
from careobs.dashboards import coverage
from careobs.dashboards.filters import Scope
from careobs.org import settings as org_settings
from careobs.org.models import Person, Service
from careobs.permissions import WORK, services_select
from careobs.selection import draw as drawing
from careobs.selection.models import SelectionDraw

# Monitoring visits (and so the coverage the weights come from) are a homecare thing;
# feedback can be asked of people in any service.
SERVICE_KINDS = {"workers": ("homecare",), "people": ("homecare", "care_home")}
OPEN_STATUSES = ("open", "in_progress")


def drawable_services(user, kind: str) -> sa.Select:
    """Active services where the user may draw: admins, and the service's managers and
    supervisors (the supervisors are the ones who go out and do the checks)."""
    return services_select(user, WORK).where(
        Service.active.is_(True), Service.kind.in_(SERVICE_KINDS[kind])
    )


def new_seed() -> str:
    """A seed nobody chose: 64 random bits from the operating system, as hex."""
    return secrets.token_hex(8)


def worker_candidates(db: Session, service: Service, today: date) -> list[drawing.Candidate]:
    """The service's active care workers with their coverage status and open actions."""
    scope = Scope(
        organisation_id=service.organisation_id,
        zone=org_settings.time_zone(db, service.organisation_id),
        service_ids=(service.id,),
        first=today,
        last=today,
        grouping="month",
        context=None,
        area_id=None,
        visit_type=None,
        query={},
    )
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
    """The service's latest draw of this kind."""
    return db.scalar(
        sa.select(SelectionDraw)
        .where(SelectionDraw.service_id == service.id, SelectionDraw.kind == kind)
        .order_by(SelectionDraw.created_at.desc(), SelectionDraw.id.desc())
        .limit(1)
    )


def draw_workers(db: Session, user, service: Service, k: int, seed: str, today: date):
    """Draw ``k`` care workers of the service and store the draw (the caller commits).

    Raises :class:`~careobs.selection.draw.TooFewCandidates` and stores nothing when the
    draw cannot be made.
    """
    settings = org_settings.selection_weights(
        org_settings.settings_for(db, service.organisation_id)
    )
    candidates = worker_candidates(db, service, today)
    previous = previous_draw(db, service, "workers")
    previous_pick = [row["key"] for row in previous.result] if previous else []
    inputs = {
        "k": k,
        "today": today.isoformat(),
        "settings": settings,
        "previous_draw": str(previous.uuid) if previous else None,
        "previous_pick": previous_pick,
        "candidates": [c.as_dict() for c in candidates],
    }
    return _store(db, user, service, "workers", seed, inputs)


def draw_people(db: Session, user, service: Service, k: int, seed: str):
    """Draw ``k`` people of the service to ask for feedback, all equally likely."""
    candidates, refused = people_candidates(db, service)
    inputs = {
        "k": k,
        "settings": None,
        "previous_draw": None,
        "previous_pick": [],
        "candidates": [c.as_dict() for c in candidates],
        "left_out_no_consent": refused,
    }
    return _store(db, user, service, "people", seed, inputs)


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


def _store(db: Session, user, service: Service, kind: str, seed: str, inputs: dict):
    outcome = compute(kind, inputs, seed)
    picked, excluded = _as_rows(outcome)
    for row, w in zip(inputs["candidates"], weigh(kind, inputs), strict=True):
        row["weight"], row["reasons"] = w.weight, list(w.reasons)
    inputs["excluded"] = excluded
    draw_row = SelectionDraw(
        organisation_id=service.organisation_id,
        service_id=service.id,
        kind=kind,
        seed=seed,
        inputs=inputs,
        result=picked,
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
        summary=f"{kind} in {service.name}: {len(picked)} drawn with seed {seed}",
    )
    return draw_row


def verify(draw_row: SelectionDraw) -> bool:
    """Whether re-running the stored inputs with the stored seed gives the stored result."""
    try:
        picked, _ = _as_rows(compute(draw_row.kind, draw_row.inputs, draw_row.seed))
    except (drawing.TooFewCandidates, KeyError, TypeError):
        return False
    return picked == draw_row.result
