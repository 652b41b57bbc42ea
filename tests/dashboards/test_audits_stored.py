"""The audits dashboard's shortcuts give exactly what the full computation gives.

Two shortcuts: each subject's latest audit is read from ``audit_latest`` (kept as audits are
stored) instead of ranking the period's audits, and "done on time" reads, of the audits done
before the period's first day less the longest frequency, only each subject's last one. Seeded
random histories — audits of Acme's people, areas and services early, late, twice a day, in two
services, schedules with frequency changes — are sent through the sync; every table of the
dashboard must be the same as with both shortcuts turned off (the period's audits ranked, every
audit walked), for periods by month and by week, with a template chosen, and for dates in the
past (where a subject's newest audit is after the period, and the ranking is used). The stored
rows must equal the ranking over every audit, as the migration fills them.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from careobs.audits import due
from careobs.audits import service as audits_service
from careobs.audits.models import AuditLatest
from careobs.audits.schedules import AuditSchedule, AuditScheduleFrequency
from careobs.checklists.models import Checklist
from careobs.dashboards import audits as dashboard
from careobs.org.models import Service
from tests.support.audits import (
    CARE_PLAN,
    INCIDENTS,
    IPC,
    MAR,
    area,
    audit_doc,
    person,
    starter_templates,
    whole_service,
)
from tests.support.dashboards import NOW, local, write
from tests.support.sync import iso

API = "/api/v1/dashboards/audits"
SCOPES = [
    {"grouping": "month"},  # the default dates: the last 12 months
    {"grouping": "week"},
    {"date_from": "2026-09-01", "date_to": "2026-11-27", "grouping": "week"},
    {"date_from": "2026-01-05", "date_to": "2026-04-30", "grouping": "month"},  # in the past
    {"date_from": "2025-11-01", "date_to": "2026-06-30", "grouping": "week"},
]


@pytest.fixture(autouse=True)
def clock(monkeypatch, frozen_today):
    monkeypatch.setattr("careobs.dashboards.audits.utcnow", lambda: NOW)


def random_history(rng: random.Random, db, acme, templates) -> list[dict]:
    """Schedules (some with a frequency change) and audits over the 20 months to 27 Nov 2026."""
    home, homecare = acme.care_home, acme.homecare
    subjects = {
        CARE_PLAN: {home: ["R01", "R02"], homecare: ["H01", "H02"]},
        MAR: {home: ["R01", "R02"]},
        IPC: {home: ["Lounge", "Dining room"]},
        INCIDENTS: {home: [None], homecare: [None]},
    }
    first_day = date(2025, 4, 1)
    for name, by_service in subjects.items():
        template = db.scalar(
            sa.select(Checklist).where(
                Checklist.organisation_id == acme.org.id, Checklist.name == name
            )
        )
        for service in by_service:
            if rng.random() < 0.2:
                continue  # not scheduled here
            starts_on = first_day + timedelta(days=rng.randrange(0, 300))
            every = rng.choice((7, 14, 30, 42, 91))
            schedule = AuditSchedule(
                organisation_id=acme.org.id,
                service_id=service.id,
                checklist_id=template.id,
                frequency_days=every,
                starts_on=starts_on,
                created_by_id=acme.admin.id,
            )
            db.add(schedule)
            db.flush()
            history = [(starts_on, every)]
            if rng.random() < 0.5:
                history.append(
                    (starts_on + timedelta(days=rng.randrange(1, 200)), rng.randrange(3, 60))
                )
            db.add_all(
                AuditScheduleFrequency(schedule_id=schedule.id, from_on=d, frequency_days=f)
                for d, f in history
            )
            schedule.frequency_days = history[-1][1]
    db.commit()
    documents = []
    for _ in range(rng.randrange(40, 70)):
        name = rng.choice(list(subjects))
        service = rng.choice(list(subjects[name]))
        code = rng.choice(subjects[name][service])
        if name == IPC:
            subject = area(acme.areas[code])
        elif code is None:
            subject = whole_service()
        else:
            subject = person(code)
        day = first_day + timedelta(days=rng.randrange(0, (NOW.date() - first_day).days))
        when = local(day.year, day.month, day.day, rng.choice((0, 9, 10, 23)), rng.randrange(60))
        ratings = {i: rng.choice(("met", "met", "partly", "not_met", "na")) for i in range(6)}
        document = audit_doc(
            service,
            templates[name],
            subject,
            ratings=ratings,
            started_at=iso(when),
            ended_at=iso(when + timedelta(minutes=20)),
        )
        documents.append(document)
        if rng.random() < 0.15:  # the same subject again on the same day, or at the same instant
            again = audit_doc(
                service,
                templates[name],
                subject,
                rating=rng.choice(("met", "not_met")),
                started_at=iso(when + timedelta(hours=rng.choice((0, 0, 1)))),
                ended_at=iso(when + timedelta(hours=2)),
            )
            documents.append(again)
    return documents


def comparable(payload: dict) -> list:
    """Every table's rows, sorted (two subjects alike may come in either order)."""
    return [(t["key"], sorted(map(repr, t["rows"]))) for t in payload["tables"]] + [
        sorted(map(repr, payload.get("headline", [])))
    ]


def full_computation(monkeypatch) -> None:
    """Both shortcuts off: the period's audits ranked, every audit walked."""
    monkeypatch.setattr(dashboard, "_stored_latest", lambda db, scope: None)
    walks = due.walks
    monkeypatch.setattr(
        due, "walks", lambda db, services, ids=None, counted_from=None: walks(db, services, ids)
    )


@pytest.mark.parametrize("seed", range(4))
def test_the_shortcuts_give_every_table_as_the_full_computation(
    seed, app, db, acme, client_as, admin_sync, monkeypatch
):
    rng = random.Random(seed)
    templates = starter_templates(app, db, acme.org.id)
    write(admin_sync, *random_history(rng, db, acme, templates))
    client = client_as(acme.admin)
    scopes = [*SCOPES, {"grouping": "month", "template": str(templates[CARE_PLAN].id)}]
    fast, payloads = [], []
    for params in scopes:
        response = client.get(API, query_string=params)
        assert response.status_code == 200, (params, response.get_data(as_text=True))
        payloads.append(response.get_json())
        fast.append(comparable(payloads[-1]))

    full_computation(monkeypatch)
    for params, expected in zip(scopes, fast, strict=True):
        response = client.get(API, query_string=params)
        assert response.status_code == 200
        assert comparable(response.get_json()) == expected, params

    # Something was counted: the comparison is not of empty tables.
    ontime = next(t for t in payloads[0]["tables"] if t["key"] == "ontime")
    assert sum(row[4] for row in ontime["rows"]) > 0  # fell due
    assert (
        sum(
            row[2] for row in next(t for t in payloads[0]["tables"] if t["key"] == "latest")["rows"]
        )
        > 0
    )
    stored = db.execute(sa.select(*AuditLatest.__table__.c)).all()
    assert sorted(stored) == sorted(db.execute(audits_service.ranked_latest()).all())
    assert len(stored) >= 8


def test_the_past_period_ranks_its_own_audits(app, db, acme, client_as, admin_sync):
    """R01's newest care plan audit (red, November) is after the period chosen (September):
    its latest in September is the green one, from the ranking, not the stored row."""
    templates = starter_templates(app, db, acme.org.id)
    plan, home = templates[CARE_PLAN], acme.care_home
    sept, nov = local(2026, 9, 10, 10), local(2026, 11, 2, 10)
    write(
        admin_sync,
        audit_doc(home, plan, person("R01"), started_at=iso(sept), ended_at=iso(sept)),
        audit_doc(
            home, plan, person("R01"), rating="not_met", started_at=iso(nov), ended_at=iso(nov)
        ),
    )
    client = client_as(acme.admin)
    for dates, band in (
        (("2026-09-01", "2026-09-30"), "green"),
        (("2026-09-01", "2026-11-27"), "red"),
    ):
        response = client.get(
            API, query_string={"date_from": dates[0], "date_to": dates[1], "grouping": "month"}
        )
        latest = next(t for t in response.get_json()["tables"] if t["key"] == "latest")
        assert [row[:7] for row in latest["rows"]] == [
            [
                CARE_PLAN,
                "Acme Care House",
                1,
                *(int(band == b) for b in ("red", "amber", "green")),
                0,
            ]
        ], dates


def test_a_subject_audited_in_two_services_has_a_latest_in_each(app, db, acme, admin_sync):
    templates = starter_templates(app, db, acme.org.id)
    home, homecare = acme.care_home, acme.homecare
    plan, incidents = templates[CARE_PLAN], templates[INCIDENTS]
    first, second = local(2026, 10, 1, 10), local(2026, 10, 2, 10)
    older_stored_last = audit_doc(
        home, incidents, whole_service(), started_at=iso(first), ended_at=iso(first)
    )
    write(
        admin_sync,
        audit_doc(home, incidents, whole_service(), started_at=iso(second), ended_at=iso(second)),
        older_stored_last,
        audit_doc(homecare, incidents, whole_service(), started_at=iso(first), ended_at=iso(first)),
        audit_doc(home, plan, person("R01"), started_at=iso(first), ended_at=iso(first)),
    )
    rows = db.execute(
        sa.select(Service.name, Checklist.name, AuditLatest.subject_type, AuditLatest.subject_id)
        .join(Service, Service.id == AuditLatest.service_id)
        .join(Checklist, Checklist.id == AuditLatest.checklist_id)
    ).all()
    r01 = acme.people["R01"].id
    assert sorted(rows) == sorted(
        [
            ("Acme Care House", INCIDENTS, "service", 0),
            ("Acme Care Homecare", INCIDENTS, "service", 0),
            ("Acme Care House", CARE_PLAN, "person", r01),
        ]
    )
    kept = db.scalars(
        sa.select(AuditLatest.started_at).where(
            AuditLatest.service_id == home.id, AuditLatest.subject_type == "service"
        )
    ).all()
    assert kept == [second]  # the audit started later, though stored first
