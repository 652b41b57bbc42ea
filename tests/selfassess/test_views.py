"""The self-assessment pages through the Flask test client: the list and one assessment with
its ratings, statements, what changed and its action plan — every role, the other
organisation, nobody logged in and bad addresses, never a 5xx.

Acme (tests/conftest.py): Ada Admin; Mo Manager (care home only); Sue Supervisor (both
services); Stan Staff, a care worker at the care home; Hana Manager (homecare only); Pat, a
quality checker in homecare; Other Org's admin.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from careobs.actions.models import Action
from careobs.selfassess.models import SelfAssessment
from careobs.selfassess.ratings import KEY_OF
from tests.support.selfassess import self_assessment_doc, statement

INDEX = "/self-assessments/"
BEFORE = datetime(2026, 5, 4, 9, 30, tzinfo=UTC)  # 10:30 in London (summer time)
AFTER = datetime(2026, 11, 2, 23, 30, tzinfo=UTC)  # 23:30 in London (winter): still 2 Nov


def stored(db, doc) -> SelfAssessment:
    db.expire_all()
    return db.scalar(sa.select(SelfAssessment).where(SelfAssessment.uuid == uuid.UUID(doc["id"])))


def scores(**given) -> dict[str, int | None]:
    """Every statement scored 3 except those given."""
    return {**{c: 3 for c in KEY_OF}, **given}


@pytest.fixture
def two(org, client_as, db):
    """Mo's self-assessment of the care home in May (Well-led all 2, S3 1) and again in
    November (Well-led W1-W4 3, W5-W8 2; S3 2; C1 not assessed): (before, after)."""
    before = self_assessment_doc(
        org.care_home,
        scores(S3=1, **{f"W{n}": 2 for n in range(1, 9)}),
        assessed_at=BEFORE,
    )
    after_scores = scores(S3=2, **{f"W{n}": 3 if n <= 4 else 2 for n in range(1, 9)})
    after_scores.pop("C1")
    after = self_assessment_doc(org.care_home, after_scores, assessed_at=AFTER)
    after["data"]["statements"].append(statement("C1", None, "Not looked at this time."))
    send = client_as(org.manager)
    assert [r["status"] for r in send(before, after)] == ["created", "created"]
    return stored(db, before), stored(db, after)


def page(response) -> str:
    return response.get_data(as_text=True)


def text(response) -> str:
    """The page's words without tags, spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page(response)))


# -- who may open what -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "index", "detail"),
    [
        ("admin", 200, 200),
        ("manager", 200, 200),  # the assessor and the service's manager
        ("supervisor", 200, 404),  # may assess, but reads only their own
        ("homecare_manager", 200, 404),  # manager of another service: a mock inspector
        ("staff", 403, 404),
        ("checker", 403, 403),  # a quality checker opens only their own pages
        ("other", 200, 404),  # another organisation's admin
        (None, 302, 302),
    ],
)
def test_who_may_open_the_list_and_an_assessment(
    login_as, org, other, two, homecare_manager, checker, who, index, detail
):
    users = {
        "homecare_manager": homecare_manager,
        "checker": checker,
        "other": other.admin,
    }
    user = users.get(who) or (getattr(org, who) if who else None)
    client = login_as(user)
    listed = client.get(INDEX)
    assert listed.status_code == index
    one = client.get(f"/self-assessments/{two[1].uuid}")
    assert one.status_code == detail
    if index == 302:
        assert "/login" in listed.headers["Location"]
    if index == 200:
        shown = two[1].uuid.hex[:8]
        listed_ids = {str(a.uuid) for a in two}
        assert any(i in page(listed) for i in listed_ids) is (who in ("admin", "manager"))
        assert shown  # the list of whoever reads nothing says so
    if detail == 200:
        assert "Self-assessment of Acme Care House" in page(one)


@pytest.mark.parametrize(
    "address",
    [
        "/self-assessments/not-a-uuid",
        f"/self-assessments/{uuid.uuid5(uuid.NAMESPACE_URL, 'unknown')}",
        "/self-assessments/00000000-0000-0000-0000-000000000000",
        "/self-assessments/?page=99999999999999999999999",
        "/self-assessments/?page=-1",
        "/self-assessments/?page=%00",
    ],
)
def test_bad_addresses_are_not_found_or_shown_as_a_page(login_as, org, two, address):
    response = login_as(org.manager).get(address)
    if "?page" in address:
        assert response.status_code == 200
        assert "Self-assessment of Acme Care House" in page(response)
    else:
        assert response.status_code == 404


def test_the_nav_link_is_for_who_may_see_or_assess(login_as, org, homecare_manager, checker):
    link = 'href="/self-assessments/"'
    for user, shown in (
        (org.admin, True),
        (org.manager, True),
        (org.supervisor, True),
        (homecare_manager, True),
        (org.staff, False),
        (checker, False),
    ):
        home = page(login_as(user).get("/"))
        assert (link in home) is shown, user.display_name


def test_a_care_worker_who_once_assessed_still_sees_the_list(login_as, org, client_as, db):
    """Someone who carried one out keeps reading it after losing the role that allowed it."""
    doc = self_assessment_doc(org.care_home, scores())
    assert client_as(org.supervisor)(doc)[0]["status"] == "created"
    for membership in org.supervisor.memberships:
        membership.role = "staff"
    db.commit()
    client = login_as(org.supervisor)
    listed = client.get(INDEX)
    assert listed.status_code == 200
    assert str(doc["id"]) in page(listed)
    assert "Start a self-assessment" not in page(listed)


# -- the list ----------------------------------------------------------------------------------


def test_the_list_shows_each_newest_first_with_its_ratings(login_as, org, two):
    response = login_as(org.manager).get(INDEX)
    body = text(response)
    before, after = two
    assert page(response).index(str(after.uuid)) < page(response).index(str(before.uuid))
    assert "Start a self-assessment" in body
    assert 'href="/self-assessments/record"' in page(response)
    # November: Safe 7×3 + 2 = 23 of 32 = 72% good; Caring 4 of 5 assessed 12/16 = 75%;
    # Well-led 4×3 + 4×2 = 20 of 32 = 63% (62.5 rounded half up): good.
    assert "2 Nov 2026 · by Mo Manager" in body
    assert "Safe: Good (72%)" in body and "Caring: Good (75%)" in body
    assert "Well-led: Good (63%)" in body
    # May: Well-led 16 of 32 = 50% requires improvement; Safe 7×3 + 1 = 22 of 32 = 69%.
    assert "4 May 2026 · by Mo Manager" in body
    assert "Well-led: Requires improvement (50%)" in body
    assert "Safe: Good (69%)" in body


def test_the_list_reads_the_statements_in_one_query(login_as, org, client_as, app):
    send = client_as(org.manager)
    send(*(self_assessment_doc(org.care_home, scores()) for _ in range(6)))
    client = login_as(org.manager)
    engine = app.extensions["careobs.engine"]
    seen: list[str] = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(INDEX)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200
    assert page(response).count("Safe: Good (75%)") == 6
    assert len([s for s in seen if "FROM self_assessment_statements" in s]) == 1


def test_the_list_pages_like_the_others(login_as, org, client_as):
    send = client_as(org.manager)
    docs = [self_assessment_doc(org.care_home, scores()) for _ in range(51)]
    send(*docs)
    client = login_as(org.manager)
    first, second = client.get(INDEX), client.get(INDEX, query_string={"page": 2})
    assert "Page 1 of 2" in page(first) and "Page 2 of 2" in page(second)
    assert page(first).count('class="card"') == 50 and page(second).count('class="card"') == 1


def test_someone_who_reads_none_but_may_assess_is_invited_to_start(login_as, homecare_manager):
    body = text(login_as(homecare_manager).get(INDEX))
    assert "No self-assessments yet." in body and "Start a self-assessment" in body


# -- one assessment ---------------------------------------------------------------------------


def test_the_page_shows_the_key_questions_the_cqc_way(login_as, org, two):
    body = text(login_as(org.manager).get(f"/self-assessments/{two[1].uuid}"))
    assert "Carried out 2 Nov 2026, 23:30" in body
    assert "By Mo Manager" in body
    assert "Safe Good 72% 23 / 32 8 of 8 Effective" in body
    assert "Caring Good 75% 12 / 16 4 of 5 Responsive" in body
    assert "Well-led Good 63% 20 / 32 8 of 8 Where each sits" in body
    assert (
        "Safe: Good, lower threshold (63-75%), nearer to requires improvement. 23 of 32"
        " (8 of 8 statements assessed) = 72%"
    ) in body
    assert "Caring: Good, lower threshold (63-75%), nearer to requires improvement. 12 of 16" in (
        body
    )
    assert "Well-led: Good, lower threshold (63-75%), nearer to requires improvement. 20 of 32" in (
        body
    )
    assert "careobs splits each band at its midpoint" in body


def test_a_key_question_with_nothing_assessed_is_not_rated(login_as, org, client_as, db):
    doc = self_assessment_doc(org.care_home, {"S1": 4, "C1": None})
    client_as(org.manager)(doc)
    body = text(login_as(org.manager).get(f"/self-assessments/{doc['id']}"))
    assert "Effective Not rated — — 0 of 6 Caring" in body
    assert "Effective: Not rated: no statement assessed Caring" in body
    assert "Safe Outstanding 100% 4 / 4 1 of 8 Effective" in body
    assert "Safe: Outstanding, upper threshold (95-100%). 4 of 4 (1 of 8 statements" in body
    assert "C1 Kindness, compassion and dignity Score: Not assessed" in body
    assert "Score: 0" not in body


def test_every_statement_with_its_score_in_words_and_what_changed(login_as, org, two):
    body = text(login_as(org.manager).get(f"/self-assessments/{two[1].uuid}"))
    assert "S3 Safeguarding Score: 2 — Some shortfalls · Up from 1 to 2" in body
    assert "W1 Shared direction and culture Score: 3 — Good standard · Up from 2 to 3" in body
    assert "W5 Governance, management and sustainability Score: 2 — Some shortfalls · Still 2" in (
        body
    )
    assert (
        "C1 Kindness, compassion and dignity Score: Not assessed · Not assessed this time (was 3)"
        in (body)
    )
    assert "Not looked at this time." in body
    assert "Seen at the visits and audits." in body
    assert "Compared with Self-assessment of 4 May 2026" in body
    assert f'href="/self-assessments/{two[0].uuid}"' in page(
        login_as(org.manager).get(f"/self-assessments/{two[1].uuid}")
    )


def test_the_first_assessment_says_so(login_as, org, two):
    body = text(login_as(org.manager).get(f"/self-assessments/{two[0].uuid}"))
    assert "Compared with First assessment of this service" in body
    assert "Up from" not in body and "Still 3" not in body


def test_the_action_plan_lists_every_gap_and_offers_to_raise_it(login_as, org, two, db):
    client = login_as(org.manager)
    body = text(client.get(f"/self-assessments/{two[1].uuid}"))
    # Gaps of November: S3 (2), W5-W8 (2): five, none with an action.
    assert "5 gaps: none has an action yet." in body
    assert body.count("No action yet.") == 5
    html = page(client.get(f"/self-assessments/{two[1].uuid}"))
    for code in ("S3", "W5", "W6", "W7", "W8"):
        assert f"/actions/new?self_assessment={two[1].uuid}&amp;statement={code}" in html
    assert "statement=W1" not in html


def test_a_gap_with_its_action_shows_it(login_as, org, two, db, app):
    from careobs.actions import service as actions

    after = two[1]
    row = next(s for s in after.statements if s.code == "W5")
    with app.app_context():
        actions.create(
            db,
            org.manager,
            service=after.service,
            description="Monthly governance meeting with minutes",
            owner=org.manager,
            due_on=datetime(2026, 12, 31).date(),
            cqc_tags=["W5"],
            self_assessment_statement=row,
        )
        db.commit()
    client = login_as(org.manager)
    body = text(client.get(f"/self-assessments/{after.uuid}"))
    assert "5 gaps: 1 with an action, 4 still without." in body
    assert "Monthly governance meeting with minutes Mo Manager · due 31 Dec 2026 · Open" in body
    action = db.scalar(sa.select(Action))
    assert f'href="/actions/{action.uuid}"' in page(client.get(f"/self-assessments/{after.uuid}"))


def test_a_draft_says_so_and_offers_no_actions(login_as, org, client_as):
    doc = self_assessment_doc(org.care_home, scores(S1=1), status="draft")
    client_as(org.manager)(doc)
    response = login_as(org.manager).get(f"/self-assessments/{doc['id']}")
    body = text(response)
    assert "Draft. Its scores may still change" in body
    assert "Action plan" not in body and "Raise action" not in body
    assert "/actions/new" not in page(response)


def test_only_managers_may_raise_a_gaps_action(login_as, org, client_as):
    """The supervisor who carried it out reads it, but raising actions is for managers."""
    doc = self_assessment_doc(org.care_home, scores(S1=1))
    client_as(org.supervisor)(doc)
    as_supervisor = text(login_as(org.supervisor).get(f"/self-assessments/{doc['id']}"))
    assert "1 gap: none has an action yet." in as_supervisor
    assert "Raise action" not in as_supervisor
    as_manager = text(login_as(org.manager).get(f"/self-assessments/{doc['id']}"))
    assert "Raise action for S1" in as_manager


def test_a_mock_inspection_shows_its_interview_notes(login_as, org, client_as, homecare_manager):
    doc = self_assessment_doc(
        org.care_home,
        scores(),
        type="mock_inspection",
        interview_notes="Spoke with R01 and two carers about night staffing.",
    )
    assert client_as(homecare_manager)(doc)[0]["status"] == "created"
    for reader in (homecare_manager, org.manager, org.admin):
        body = text(login_as(reader).get(f"/self-assessments/{doc['id']}"))
        assert "Mock inspection of Acme Care House" in body
        assert "Interview notes Spoke with R01 and two carers about night staffing." in body


def test_privacy_flags_are_shown(login_as, org, client_as, db):
    doc = self_assessment_doc(org.care_home, scores())
    doc["data"]["statements"][0]["rationale"] = "Mrs Jane Smith, born 03/04/1941, said so."
    client_as(org.manager)(doc)
    assert stored(db, doc).privacy_flags
    body = text(login_as(org.manager).get(f"/self-assessments/{doc['id']}"))
    assert "Possible personal information" in body


def test_evidence_is_described_in_one_call_and_linked(login_as, org, client_as, db, monkeypatch):
    from careobs.selfassess import suggestions

    kept, gone, trend = str(uuid.uuid4()), str(uuid.uuid4()), str(org.care_home.uuid)
    calls = []

    def describe(db, service, refs, until=None):
        calls.append([r["id"] for r in refs])
        assert until == date(2026, 11, 2)  # the assessment's day, on the organisation's clock
        labels = {
            kept: suggestions.Suggestion(
                "audit", kept, "Audit, Care plans, 3 Jun", url="/audits/x"
            ),
            gone: suggestions.Suggestion("audit", gone, "Audit (no longer held)", held=False),
            trend: suggestions.Suggestion("quis_trend", trend, "QUIS trend", url="/quis/t"),
        }
        return [labels[r["id"]] for r in refs]

    monkeypatch.setattr(suggestions, "describe", describe)
    doc = self_assessment_doc(org.care_home, scores(), assessed_at=AFTER)
    client_as(org.manager)(doc)
    # Evidence stored as if sent when still held (the sync checks it then).
    rows = {s.code: s for s in stored(db, doc).statements}
    rows["S1"].evidence = [{"kind": "audit", "id": kept}, {"kind": "audit", "id": gone}]
    rows["W7"].evidence = [{"kind": "quis_trend", "id": trend}]
    db.commit()
    response = login_as(org.manager).get(f"/self-assessments/{doc['id']}")
    html = page(response)
    assert calls == [[kept, gone, trend]]
    assert '<a href="/audits/x">Audit, Care plans, 3 Jun</a>' in html
    assert "Audit (no longer held)" in html and '<a href="/quis/t">QUIS trend</a>' in html
    body = text(response)
    s1 = body.index("S1 Learning culture")
    assert s1 < body.index("Audit, Care plans") < body.index("S2 ")
    assert body.index("W7 ") < body.index("QUIS trend") < body.index("W8 ")


def test_evidence_as_careobs_describes_it(login_as, org, client_as, db):
    """The QUIS trend (the 90 days up to the assessment) linked to the dashboard, and a record
    since purged shown as no longer held, never an error."""
    doc = self_assessment_doc(org.care_home, scores(), assessed_at=AFTER)
    doc["data"]["statements"][0]["evidence"] = [
        {"kind": "quis_trend", "id": str(org.care_home.uuid)}
    ]
    client_as(org.manager)(doc)
    row = stored(db, doc).statements[0]
    row.evidence = [*row.evidence, {"kind": "audit", "id": str(uuid.uuid4())}]
    db.commit()
    response = login_as(org.manager).get(f"/self-assessments/{doc['id']}")
    html = page(response)
    assert "QUIS, 90 days to 2 Nov 2026: no session" in html
    assert f'href="/dashboards/quis?service={org.care_home.uuid}' in html
    assert "Audit: no longer held" in text(response)


def test_a_mock_inspector_is_not_shown_the_services_own_scores_through_what_changed(
    login_as, org, two, client_as, db, homecare_manager
):
    # Hana (homecare only) inspects the care home in December: she may not read Mo's two
    # self-assessments, so her page compares with nothing of theirs.
    mock = self_assessment_doc(
        org.care_home, scores(S3=3), type="mock_inspection", assessed_at=AFTER + timedelta(days=20)
    )
    assert client_as(homecare_manager)(mock)[0]["status"] == "created"
    assert login_as(homecare_manager).get(f"/self-assessments/{two[1].uuid}").status_code == 404
    body = text(login_as(homecare_manager).get(f"/self-assessments/{mock['id']}"))
    assert "Compared with No earlier one that you may read" in body
    assert "Up from" not in body and "Down from" not in body and "Still " not in body
    # Mo, who manages the care home, reads all three: his page of the mock inspection compares
    # it with his November self-assessment.
    body = text(login_as(org.manager).get(f"/self-assessments/{mock['id']}"))
    assert "Compared with Self-assessment of" in body
    assert "S3 Safeguarding Score: 3 — Good standard · Up from 2 to 3" in body


def test_the_previous_and_latest_follow_the_date_then_the_order_of_arrival(app, db, org, client_as):
    from careobs.selfassess import service as assessments

    day = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
    docs = {
        "A": self_assessment_doc(org.care_home, scores(S1=1), assessed_at=day),
        "B": self_assessment_doc(org.care_home, scores(S1=2), assessed_at=day + timedelta(days=1)),
        # C: the same moment as B, sent after it; D: a draft; E: another service's.
        "C": self_assessment_doc(org.care_home, scores(S1=3), assessed_at=day + timedelta(days=1)),
        "D": self_assessment_doc(
            org.care_home, scores(S1=4), assessed_at=day + timedelta(days=2), status="draft"
        ),
        "E": self_assessment_doc(org.homecare, scores(S1=4), assessed_at=day + timedelta(days=3)),
    }
    send = client_as(org.admin)
    for name in "ABCDE":
        assert send(docs[name])[0]["status"] == "created"
    rows = {name: stored(db, doc) for name, doc in docs.items()}
    name_of = {r.id: name for name, r in rows.items()}
    with app.app_context():
        previous = {
            name: getattr(assessments.previous_of(db, r), "id", None) for name, r in rows.items()
        }
        assert {k: name_of.get(v) for k, v in previous.items()} == {
            "A": None,
            "B": "A",
            "C": "B",
            "D": "C",
            "E": None,
        }
        latest = assessments.latest_submitted(db, org.care_home.id)
        assert name_of[latest.id] == "C"
        assert name_of[assessments.latest_submitted(db, org.care_home.id, until=day).id] == "A"
