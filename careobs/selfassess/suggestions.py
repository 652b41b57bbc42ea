"""What careobs suggests as evidence for each quality statement of a service, and how a chosen
piece of evidence is shown (careobs.selfassess.evidence names the kinds).

The suggestions follow the evidence pack's own mapping of records to quality statements, so a
self-assessment and the pack file the same record under the same statement:

- QUIS observations (care homes): Caring, dignity (C1) and treating people as individuals (C2);
  the service's QUIS figures over the last 90 days (``quis_trend``) under C1, worked out by the
  QUIS dashboard's own code (careobs.evidence.observed);
- monitoring visits: Safe and effective staffing (S6), and the statement of a checklist domain
  named for infection (S7), medicines (S8) or consent (E6) (``DOMAIN_STATEMENTS``);
- audits: the statements their template names (careobs.evidence.audits); co-audits, like
  conversations with people picked by a fair draw, under Listening to and involving people (R4)
  (careobs.evidence.coaudits, careobs.evidence.voice);
- actions: the statements they are tagged with, saying when one measures the difference made
  (careobs.evidence.improvement);
- feedback acknowledged by the care worker: Learning, improvement and innovation (W7), where the
  pack files feedback to care workers.

Only records that count are suggested: submitted, never drafts, and a paired QUIS observation
once, by its lead's record (``COUNTED``). The window is the dashboards' last twelve months; each
statement gets at most :data:`PER_KIND` of each kind, newest first. One query per kind (two for
visits: their checklists' domains), never one per record. Labels name people supported by their
codes only, and stay short.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import Session

from careobs.actions.cqc import STATEMENTS
from careobs.actions.models import CLOSED, STATUSES, Action
from careobs.audits.models import Audit
from careobs.checklists.models import Checklist, ChecklistDomain, ChecklistVersion
from careobs.dashboards import quis as quis_dashboard
from careobs.dashboards.filters import default_range, whole_services
from careobs.days import local_midnight
from careobs.evidence.observed import DOMAIN_STATEMENTS
from careobs.feedback.models import Feedback
from careobs.org import settings as org_settings
from careobs.org.models import Area, Person, Service, StaffMember
from careobs.quis.models import CONTEXTS, QuisSession
from careobs.quis.scoring import percent, positive_share
from careobs.selfassess import evidence as evidence_kinds
from careobs.visits.models import VISIT_TYPES, MonitoringVisit
from careobs.voice.models import Conversation
from careobs.voice.questions import OUTCOMES
from careobs.wording import plural

PER_KIND = 10  # the newest records of each kind suggested for one statement
TREND_DAYS = 90  # the QUIS trend's window, up to the day
LABEL_TEXT = 50  # an action's description is cut to this many characters in its label

QUIS_STATEMENTS = ("C1", "C2")  # careobs.evidence.observed.quis_evidence
TREND_STATEMENT = "C1"
VISIT_STATEMENT = "S6"  # careobs.evidence.observed.visit_evidence
VOICE_STATEMENT = "R4"  # careobs.evidence.voice, careobs.evidence.coaudits
FEEDBACK_STATEMENT = "W7"  # careobs.evidence.improvement.feedback_evidence
CO_AUDIT_WITH = {
    "person": "with a person who uses the service",
    "quality_checker": "by a quality checker",
}


@dataclass(frozen=True)
class Suggestion:
    """One piece of evidence as a person sees it: "QUIS observation, Lounge, 3 Jun 2026: 18
    interactions, 78% positive", with its page."""

    kind: str
    id: str
    label: str
    when: date | None = None
    url: str | None = None
    held: bool = True  # False: named by an assessment, since purged

    def as_json(self) -> dict:
        return {
            "kind": self.kind,
            "id": self.id,
            "label": self.label,
            "date": self.when.isoformat() if self.when else None,
            "url": self.url,
        }


@dataclass(frozen=True)
class Found:
    """A record found, as a suggestion, and the statements it evidences."""

    suggestion: Suggestion
    codes: tuple[str, ...]
    at: datetime  # for newest first


def _day(value: date) -> str:
    return f"{value:%-d %b %Y}"


def _url(kind: str, record_id) -> str:
    endpoint, arg = evidence_kinds.KINDS[kind].page
    return url_for(endpoint, **{arg: record_id})


def _short(text: str) -> str:
    text = " ".join((text or "").split())
    if len(text) <= LABEL_TEXT:
        return text
    cut = text[: LABEL_TEXT - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip(" ,;:") + "…"


def _score(score: float, band: str | None) -> str:
    """A visit's or audit's stored score (a percentage to one decimal) and band: "87.5%
    (amber)"."""
    return f"{score:g}%" + (f" ({band})" if band else "")


def _newest(partition, order, limit: int | None):
    """A row-number column over ``partition`` (newest first), for keeping the newest
    ``limit`` of each; None when there is no limit."""
    if limit is None:
        return None
    return sa.func.row_number().over(partition_by=partition, order_by=order).label("rn")


def _limited(stmt, rn, limit: int | None):
    """``stmt`` (which selects ``rn``) cut to the newest ``limit`` of each partition."""
    if rn is None:
        return stmt
    inner = stmt.subquery()
    return sa.select(inner).where(inner.c.rn <= limit)


# ---- Each kind: its records as suggestions ----------------------------------------------------
# Each finder takes the conditions on its model (the window and status for suggestions; the ids
# for describe) and ``limit`` (per partition; None: every row the conditions find).


def _quis_sessions(db, service, zone, where, limit) -> list[Found]:
    stmt = (
        sa.select(
            QuisSession.uuid,
            QuisSession.started_at,
            QuisSession.context,
            Area.name.label("area"),
            *(getattr(QuisSession, f"n_{c}") for c in ("ps", "pc", "n", "np", "nr")),
        )
        .outerjoin(Area, Area.id == QuisSession.area_id)
        .where(QuisSession.service_id == service.id, *where)
        .order_by(QuisSession.started_at.desc(), QuisSession.id.desc())
        .limit(limit)
    )
    found = []
    for row in db.execute(stmt):
        day = row.started_at.astimezone(zone).date()
        n = row.n_ps + row.n_pc + row.n_n + row.n_np + row.n_nr
        where_words = row.area or CONTEXTS.get(row.context, row.context)
        figures = plural(n, "interaction", "interactions")
        if n:
            figures += f", {percent((row.n_ps + row.n_pc) / n, 0)} positive"
        label = f"QUIS observation, {where_words}, {_day(day)}: {figures}"
        suggestion = Suggestion(
            "quis_session", str(row.uuid), label, day, _url("quis_session", row.uuid)
        )
        found.append(Found(suggestion, QUIS_STATEMENTS, row.started_at))
    return found


def _visit_codes(db: Session, version_ids: set[int]) -> dict[int, tuple[str, ...]]:
    """Each checklist version's statements: S6, and those of its domains named for infection,
    medicines or consent (as the pack files them)."""
    codes = {v: [VISIT_STATEMENT] for v in version_ids}
    if version_ids:
        rows = db.execute(
            sa.select(ChecklistDomain.version_id, ChecklistDomain.name).where(
                ChecklistDomain.version_id.in_(version_ids)
            )
        )
        for version_id, name in rows:
            for word, code in DOMAIN_STATEMENTS.items():
                if word in name.lower() and code not in codes[version_id]:
                    codes[version_id].append(code)
    return {v: tuple(c) for v, c in codes.items()}


def _visits(db, service, zone, where, limit) -> list[Found]:
    order = (MonitoringVisit.planned_at.desc(), MonitoringVisit.id.desc())
    rn = _newest(MonitoringVisit.checklist_version_id, order, limit)
    columns = [
        MonitoringVisit.uuid,
        MonitoringVisit.planned_at,
        MonitoringVisit.visit_type,
        MonitoringVisit.person_code,
        MonitoringVisit.score,
        MonitoringVisit.band,
        MonitoringVisit.checklist_version_id,
    ]
    stmt = sa.select(*columns, *([rn] if rn is not None else [])).where(
        MonitoringVisit.service_id == service.id, *where
    )
    rows = db.execute(_limited(stmt, rn, limit)).all()
    codes = _visit_codes(db, {r.checklist_version_id for r in rows})
    found = []
    for row in rows:
        day = row.planned_at.astimezone(zone).date()
        score = "no item scored" if row.score is None else _score(row.score, row.band)
        label = (
            f"Monitoring visit, {_day(day)}: "
            f"{VISIT_TYPES.get(row.visit_type, row.visit_type).lower()}, {row.person_code}, {score}"
        )
        suggestion = Suggestion(
            "spot_check", str(row.uuid), label, day, _url("spot_check", row.uuid)
        )
        found.append(Found(suggestion, codes[row.checklist_version_id], row.planned_at))
    return found


def _audits(db, service, zone, where, limit) -> list[Found]:
    """Staff audits under their template's statements; co-audits under R4."""
    co_audit = Audit.co_audit_with.is_not(None)
    order = (Audit.started_at.desc(), Audit.id.desc())
    rn = _newest((ChecklistVersion.checklist_id, co_audit), order, limit)
    columns = [
        Audit.uuid,
        Audit.started_at,
        Audit.score,
        Audit.band,
        Audit.co_audit_with,
        Checklist.name.label("template"),
        Checklist.cqc_statements,
        Person.code.label("person"),
        StaffMember.name.label("staff"),
        Area.name.label("area"),
    ]
    stmt = (
        sa.select(*columns, *([rn] if rn is not None else []))
        .join(ChecklistVersion, ChecklistVersion.id == Audit.checklist_version_id)
        .join(Checklist, Checklist.id == ChecklistVersion.checklist_id)
        .outerjoin(Person, Person.id == Audit.person_id)
        .outerjoin(StaffMember, StaffMember.id == Audit.staff_id)
        .outerjoin(Area, Area.id == Audit.area_id)
        .where(Audit.service_id == service.id, *where)
    )
    found = []
    for row in db.execute(_limited(stmt, rn, limit)):
        day = row.started_at.astimezone(zone).date()
        subject = row.person or row.staff or row.area or "the service"
        score = "" if row.score is None else f", {_score(row.score, row.band)}"
        if row.co_audit_with:
            who = CO_AUDIT_WITH.get(row.co_audit_with, "")
            label = f"Co-audit {who}, {row.template}, {_day(day)}: {subject}"
            codes: tuple[str, ...] = (VOICE_STATEMENT,)
        else:
            label = f"Audit, {row.template}, {_day(day)}: {subject}{score}"
            codes = tuple(c for c in row.cqc_statements or [] if c in STATEMENTS)
        suggestion = Suggestion("audit", str(row.uuid), label, day, _url("audit", row.uuid))
        found.append(Found(suggestion, codes, row.started_at))
    return found


def _conversations(db, service, zone, where, limit) -> list[Found]:
    stmt = (
        sa.select(Conversation.uuid, Conversation.started_at, Conversation.outcome, Person.code)
        .join(Person, Person.id == Conversation.person_id)
        .where(Conversation.service_id == service.id, *where)
        .order_by(Conversation.started_at.desc(), Conversation.id.desc())
        .limit(limit)
    )
    found = []
    for row in db.execute(stmt):
        day = row.started_at.astimezone(zone).date()
        outcome = OUTCOMES.get(row.outcome, row.outcome).lower()
        label = f"Conversation (people's voice), {_day(day)}: {row.code}, {outcome}"
        suggestion = Suggestion(
            "conversation", str(row.uuid), label, day, _url("conversation", row.uuid)
        )
        found.append(Found(suggestion, (VOICE_STATEMENT,), row.started_at))
    return found


def _actions(db, service, zone, where, limit) -> list[Found]:
    """Under their tags (a tag per partition is not possible in SQL on a JSON list, so the
    window's actions are read as a few columns and cut per statement afterwards)."""
    stmt = (
        sa.select(
            Action.uuid,
            Action.created_at,
            Action.description,
            Action.status,
            Action.cqc_tags,
            Action.measure,
        )
        .where(Action.service_id == service.id, *where)
        .order_by(Action.created_at.desc(), Action.id.desc())
    )
    found = []
    for row in db.execute(stmt):
        codes = tuple(c for c in row.cqc_tags or [] if c in STATEMENTS)
        if not codes and limit is not None:
            continue
        day = row.created_at.astimezone(zone).date()
        status = STATUSES.get(row.status, row.status).lower()
        made = "; difference made measured" if row.measure else ""
        label = f"Action, {_day(day)}: {_short(row.description)} ({status}{made})"
        suggestion = Suggestion("action", str(row.uuid), label, day, _url("action", row.uuid))
        found.append(Found(suggestion, codes, row.created_at))
    return found


def _feedback(db, service, zone, where, limit) -> list[Found]:
    stmt = (
        sa.select(
            Feedback.uuid,
            Feedback.acknowledged_at,
            Feedback.released_at,
            Feedback.visit_id,
            Feedback.compliment_id,
        )
        .where(Feedback.service_id == service.id, *where)
        .order_by(Feedback.acknowledged_at.desc(), Feedback.id.desc())
        .limit(limit)
    )
    found = []
    for row in db.execute(stmt):
        at = row.acknowledged_at or row.released_at
        day = at.astimezone(zone).date() if at else None
        source = (
            "a compliment"
            if row.compliment_id
            else "a monitoring visit"
            if row.visit_id
            else "a QUIS observation"
        )
        said = f", {_day(day)}" if day else ""
        label = f"Feedback to a care worker after {source}, acknowledged{said}"
        suggestion = Suggestion("feedback", str(row.uuid), label, day, _url("feedback", row.uuid))
        found.append(Found(suggestion, (FEEDBACK_STATEMENT,), at or datetime.min))
    return found


Finder = Callable[[Session, Service, ZoneInfo, list, int | None], list[Found]]
FINDERS: dict[str, tuple[type, Finder]] = {
    "quis_session": (QuisSession, _quis_sessions),
    "spot_check": (MonitoringVisit, _visits),
    "audit": (Audit, _audits),
    "conversation": (Conversation, _conversations),
    "action": (Action, _actions),
    "feedback": (Feedback, _feedback),
}


def _window(kind: str, start: datetime, end: datetime) -> list:
    """What a record of ``kind`` must be to be suggested: what counts as evidence
    (careobs.selfassess.evidence.counted), made in the window (for an action: open, or closed
    in the window)."""
    counted = evidence_kinds.counted(kind)
    if kind == "quis_session":
        at = QuisSession.started_at
        return [*counted, at >= start, at < end]
    if kind == "spot_check":
        at = MonitoringVisit.planned_at
        return [*counted, at >= start, at < end]
    if kind == "audit":
        return [*counted, Audit.started_at >= start, Audit.started_at < end]
    if kind == "conversation":
        at = Conversation.started_at
        return [*counted, at >= start, at < end]
    if kind == "action":  # as the pack counts a period's actions
        return [
            *counted,
            Action.created_at < end,
            sa.or_(
                Action.status.not_in(CLOSED),
                sa.func.coalesce(Action.completed_at, Action.updated_at) >= start,
            ),
        ]
    return [*counted, Feedback.acknowledged_at >= start, Feedback.acknowledged_at < end]


# ---- The QUIS trend ---------------------------------------------------------------------------


def trend_window(until: date) -> tuple[date, date]:
    """The QUIS trend's days: the 90 up to ``until``, both included."""
    return until - timedelta(days=TREND_DAYS - 1), until


def quis_trend(db: Session, service: Service, until: date) -> Suggestion | None:
    """The service's QUIS figures over the 90 days to ``until``, by the QUIS dashboard's own
    code, as one suggestion for C1 (None: not a care home, or no session counted)."""
    if service.kind != "care_home":
        return None
    first, last = trend_window(until)
    scope = whole_services(db, service.organisation_id, [service.id], first, last)
    totals = sum(quis_dashboard.breakdown(db, scope).periods, quis_dashboard.Totals())
    if not totals.sessions:
        return None
    share = positive_share(totals.counts)
    positive = f", {percent(share, 0)} positive" if share is not None else ""
    label = (
        f"QUIS, {TREND_DAYS} days to {_day(last)}: "
        f"{plural(totals.n, 'interaction', 'interactions')} in "
        f"{plural(totals.sessions, 'session', 'sessions')}{positive}"
    )
    return Suggestion("quis_trend", str(service.uuid), label, last, trend_url(service, until))


def trend_url(service: Service, until: date) -> str:
    """The QUIS dashboard for the service and the trend's 90 days."""
    first, last = trend_window(until)
    return url_for(
        "dashboards.page",
        name="quis",
        service=str(service.uuid),
        date_from=first.isoformat(),
        date_to=last.isoformat(),
    )


# ---- The interface ----------------------------------------------------------------------------


def suggest(db: Session, service: Service, today: date) -> dict[str, list[Suggestion]]:
    """Statement code → the evidence careobs holds for it in the service, newest first: every
    code of the 34, maybe with an empty list (``today``: the organisation's local day)."""
    zone = org_settings.time_zone(db, service.organisation_id)
    first, last = default_range(today)
    start, end = local_midnight(first, zone), local_midnight(last + timedelta(days=1), zone)
    by_code: dict[str, list[tuple[datetime, int, Suggestion]]] = {c: [] for c in STATEMENTS}
    order = 0
    for kind, (_model, finder) in FINDERS.items():
        if kind == "quis_session" and service.kind != "care_home":
            continue
        per_code: dict[str, int] = {}
        for found in finder(db, service, zone, _window(kind, start, end), PER_KIND):
            for code in found.codes:
                if per_code.get(code, 0) >= PER_KIND:
                    continue
                per_code[code] = per_code.get(code, 0) + 1
                order += 1
                by_code[code].append((found.at, order, found.suggestion))
    trend = quis_trend(db, service, today)
    if trend is not None:
        by_code[TREND_STATEMENT].append((end, 0, trend))
    return {
        code: [s for _at, _order, s in sorted(items, key=lambda i: (i[0], -i[1]), reverse=True)]
        for code, items in by_code.items()
    }


def describe(
    db: Session, service: Service, refs: list[dict], *, until: date | None = None
) -> list[Suggestion]:
    """The evidence a statement names (``[{"kind", "id"}]``), in its order, each described; a
    record no longer held (or not the service's) says so. ``until``: the day the QUIS trend's
    90 days end (the assessment's; the organisation's today when not given)."""
    zone = org_settings.time_zone(db, service.organisation_id)
    wanted: dict[str, set[uuid.UUID]] = {}
    for ref in refs:
        try:
            wanted.setdefault(ref["kind"], set()).add(uuid.UUID(str(ref["id"])))
        except (KeyError, ValueError):
            continue
    known: dict[tuple[str, str], Suggestion] = {}
    for kind, ids in wanted.items():
        if kind == "quis_trend":
            if service.uuid in ids:
                day = until or datetime.now(zone).date()
                trend = quis_trend(db, service, day)
                known[(kind, str(service.uuid))] = trend or Suggestion(
                    kind,
                    str(service.uuid),
                    f"QUIS, {TREND_DAYS} days to {_day(day)}: no session",
                    day,
                    trend_url(service, day),
                )
            continue
        if kind not in FINDERS:
            continue
        model, finder = FINDERS[kind]
        counts = [model.uuid.in_(ids), *evidence_kinds.counted(kind)]
        for found in finder(db, service, zone, counts, None):
            known[(kind, found.suggestion.id)] = found.suggestion
    described = []
    for ref in refs:
        kind, ref_id = ref.get("kind"), str(ref.get("id"))
        if (kind, ref_id) in known:
            described.append(known[(kind, ref_id)])
            continue
        label = evidence_kinds.KINDS[kind].label if kind in evidence_kinds.KINDS else "Record"
        described.append(Suggestion(str(kind), ref_id, f"{label}: no longer held", held=False))
    return described
