"""The evidence pack pages: the form, the printable page, the PDF, who may see them, bad input."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from careobs.audit.models import AuditEvent
from careobs.demo import DEMO_PASSWORD, RIVERSIDE, ROSEWOOD, STAFF
from tests.support.pdf import page_count, pdf_text


def query(service, first, last) -> str:
    return f"service={service.uuid}&date_from={first}&date_to={last}"


@pytest.fixture
def as_manager(auth, demo):
    auth.login("manager@demo.test", DEMO_PASSWORD)
    return demo


def test_the_form_offers_the_managers_services_and_a_year(client, as_manager):
    page = client.get("/evidence/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<h1>Evidence pack</h1>" in html
    assert ROSEWOOD in html and RIVERSIDE in html
    assert 'method="get"' in html


def test_the_page_shows_every_key_question_and_links_the_pdf(client, as_manager, period):
    q = query(as_manager[RIVERSIDE], *period)
    page = client.get(f"/evidence/pack?{q}")  # the client checks for inline code
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for question in ("Safe", "Effective", "Caring", "Responsive", "Well-led"):
        assert f">{question}</h2>" in html
    assert "S7 Infection prevention and control" in html
    assert "What was checked:" in html and "What was done:" in html
    assert f'href="/evidence/pack.pdf?{q}"'.replace("&", "&amp;") in html
    # coverage's list of named care workers is left out; staff appear only as action owners
    owners = set(
        re.findall(
            r"<td[^>]*>([^<]+)</td>\s*<td[^>]*>(?:Monitoring visit|QUIS observation|Added by hand)",
            html,
        )
    )
    for name, *_ in STAFF[RIVERSIDE]:
        if name not in owners:
            assert name not in html


def test_the_pdf_download_is_a_pdf_of_the_same_pack_and_is_audited(client, as_manager, period, db):
    service = as_manager[ROSEWOOD]
    response = client.get(f"/evidence/pack.pdf?{query(service, *period)}")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    assert "careobs-evidence-rosewood-house-" in response.headers["Content-Disposition"]
    body = response.data
    assert body.startswith(b"%PDF-") and page_count(body) >= 2
    text = pdf_text(body)
    assert "Evidence pack: Rosewood House" in text
    assert "C1 Kindness, compassion and dignity" in text
    event = db.scalar(sa.select(AuditEvent).where(AuditEvent.action == "evidence_pack"))
    assert event is not None
    assert event.entity_id == str(service.uuid)
    assert "Rosewood House" in event.summary and "(web)" in event.summary
    assert event.actor_id is not None


def test_viewing_the_page_writes_no_audit_event(client, as_manager, period, db):
    assert client.get(f"/evidence/pack?{query(as_manager[ROSEWOOD], *period)}").status_code == 200
    assert db.scalar(sa.select(AuditEvent).where(AuditEvent.action == "evidence_pack")) is None


def test_anonymous_people_are_sent_to_log_in(client, demo, period):
    for path in ("/evidence/", f"/evidence/pack?{query(demo[ROSEWOOD], *period)}"):
        response = client.get(path)
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("email", ["staff@demo.test", "supervisor@demo.test"])
def test_staff_and_supervisors_are_refused(client, auth, demo, period, email):
    auth.login(email, DEMO_PASSWORD)
    q = query(demo[ROSEWOOD], *period)
    for path in ("/evidence/", f"/evidence/pack?{q}", f"/evidence/pack.pdf?{q}"):
        assert client.get(path).status_code == 403


def test_a_manager_may_not_make_a_pack_for_a_service_they_do_not_manage(
    client, auth, data, demo, period
):
    acme = data.organisation("Acme")  # its manager manages the care home only
    auth.login(acme.manager)
    assert client.get(f"/evidence/pack?{query(acme.care_home, *period)}").status_code == 200
    assert client.get(f"/evidence/pack?{query(acme.homecare, *period)}").status_code == 403
    assert client.get(f"/evidence/pack.pdf?{query(acme.homecare, *period)}").status_code == 403
    page = client.get("/evidence/").get_data(as_text=True)
    assert acme.care_home.name in page and acme.homecare.name not in page


def test_an_admin_may_use_any_service_of_their_organisation_only(client, auth, data, demo, period):
    auth.login("admin@demo.test", DEMO_PASSWORD)
    assert client.get(f"/evidence/pack?{query(demo[RIVERSIDE], *period)}").status_code == 200
    acme = data.organisation("Acme")
    assert client.get(f"/evidence/pack?{query(acme.care_home, *period)}").status_code == 404
    assert client.get(f"/evidence/pack.pdf?{query(acme.homecare, *period)}").status_code == 404


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ("service=not-a-service&date_from=2026-01-01&date_to=2026-06-30", "Not a valid choice"),
        (
            "service=00000000-0000-0000-0000-000000000001&date_from=2026-01-01&date_to=2026-06-30",
            "Not a valid choice",
        ),
        ("service={s}&date_from=2026-13-01&date_to=2026-06-30", "Not a valid date value"),
        ("service={s}&date_from=2026-06-30&date_to=2026-01-01", "on or after the start date"),
        ("service={s}&date_from=2020-01-01&date_to=2026-06-30", "at most three years"),
        ("service={s}&date_from=&date_to=2026-06-30", "Enter a date"),
        ("service={s}&date_from=0001-01-01&date_to=0001-02-01", "Pick dates between"),
    ],
)
def test_bad_choices_get_form_errors_and_a_400(client, as_manager, args, message, db):
    args = args.format(s=as_manager[ROSEWOOD].uuid)
    page = client.get(f"/evidence/pack?{args}")
    assert page.status_code == 400
    html = page.get_data(as_text=True)
    assert "Please check the form" in html
    assert message in html
    download = client.get(f"/evidence/pack.pdf?{args}")
    assert download.status_code == 400
    assert not download.data.startswith(b"%PDF")
    assert db.scalar(sa.select(AuditEvent).where(AuditEvent.action == "evidence_pack")) is None


def test_the_managers_home_page_links_the_evidence_pack(client, as_manager):
    assert 'href="/evidence/"' in client.get("/").get_data(as_text=True)
