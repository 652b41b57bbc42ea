"""The easy-read co-audit page (/audits/easy-read) and its entry point on a staff audit's page:
who may open them, and the link carrying what the device needs to find the staff audit."""

from __future__ import annotations

import uuid
from urllib.parse import parse_qs, urlparse

import pytest
import sqlalchemy as sa

from careobs.audits.models import Audit
from careobs.checkers.models import CheckerAssignment
from careobs.pwa.views import CAPTURE_PAGES
from tests.audits.test_co_audit_documents import co_audit
from tests.support.audits import CARE_PLAN, IPC, area, audit_doc, person, starter_templates
from tests.support.sync import SyncApi

PAGE = "/audits/easy-read"


@pytest.fixture
def checker(data, org):
    user = data.user(
        org.org, "quinn@acme.test", "Quinn Checker", roles={org.care_home: "quality_checker"}
    )
    data.session.commit()
    return user


def test_the_page_is_a_cached_capture_page():
    assert PAGE in CAPTURE_PAGES


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("supervisor", 200),
        ("manager", 200),
        ("admin", 200),
        ("checker", 200),
        ("staff", 403),  # a care worker who is no audit champion
        ("outsider", 403),  # no service at all
    ],
)
def test_who_may_open_the_easy_read_page(org, checker, login_as, who, status):
    user = checker if who == "checker" else getattr(org, who)
    response = login_as(user).get(PAGE)

    assert response.status_code == status
    if status == 200:
        page = response.get_data(as_text=True)
        assert "js/easy-read-form" in page
        for words in ("Yes", "Partly", "No", "Not sure", "Anything to add?"):
            assert words in page
        assert "Score" not in page and "band" not in page.lower()


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize(
    "query",
    [
        "?compare_with=%00",
        "?compare_with=%ED%A0%80",
        "?compare_with=" + "9" * 5000,
        "?with=nobody",
        "?service=x",
        "?template=%00",
    ],
)
def test_hostile_query_strings_are_not_found(org, login_as, query):
    # What the address names is checked as on any page about a record: never a 5xx.
    assert login_as(org.supervisor).get(PAGE + query).status_code == 404


def test_what_the_address_names_must_be_the_users_to_name(
    app, db, org, other, templates, checker, login_as
):
    """A staff audit the server holds is named only by who may read it or was given it; one
    only on a device is for the device to find; the service and template must be theirs."""
    supervisor = login_as(org.supervisor)
    mine = audit_doc(org.care_home, templates[CARE_PLAN], person("R01"))
    assert [r["status"] for r in SyncApi(supervisor)(mine)] == ["created"]
    theirs = login_as(other.supervisor)
    other_templates = starter_templates(app, db, other.org.id)
    elsewhere = audit_doc(other.care_home, other_templates[CARE_PLAN], person("R01"))
    assert [r["status"] for r in SyncApi(theirs)(elsewhere)] == ["created"]
    supervisor = login_as(org.supervisor)

    def status(client, **args) -> int:
        if "with_" in args:
            args["with"] = args.pop("with_")
        return client.get(PAGE, query_string=args).status_code

    assert status(supervisor, compare_with=mine["id"], service=str(org.care_home.uuid)) == 200
    assert status(supervisor, compare_with=str(uuid.uuid4())) == 200  # still on a device
    # Another organisation's audit answers as an unknown id does: the page must not tell
    # whether it exists (the sync refuses the co-audit either way).
    assert status(supervisor, compare_with=elsewhere["id"]) == 200
    assert status(supervisor, service=str(other.care_home.uuid)) == 404
    assert status(supervisor, template=other_templates[CARE_PLAN].id) == 404
    assert status(supervisor, template=templates[CARE_PLAN].id) == 200

    # A quality checker names only the staff audit given to them, in their service.
    quinn = login_as(checker)
    assert status(quinn, compare_with=mine["id"], with_="quality_checker") == 404
    db.add(
        CheckerAssignment(
            organisation_id=org.org.id,
            service_id=org.care_home.id,
            user_id=checker.id,
            kind="co_audit",
            audit_id=db.scalar(sa.select(Audit.id).where(Audit.uuid == uuid.UUID(mine["id"]))),
            created_by_id=org.manager.id,
        )
    )
    db.commit()
    assert status(quinn, compare_with=mine["id"], service=str(org.care_home.uuid)) == 200
    assert status(quinn, service=str(org.homecare.uuid)) == 404


def link_on(page: str) -> dict[str, str]:
    start = page.index('id="co-audit-start"')
    href = page[page.index('href="', start) + 6 :]
    href = href[: href.index('"')].replace("&amp;", "&")
    url = urlparse(href)
    assert url.path == PAGE
    return {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}


def stored_id(db, document) -> uuid.UUID:
    db.expire_all()
    return db.scalar(sa.select(Audit.uuid).where(Audit.uuid == uuid.UUID(document["id"])))


def test_a_staff_audits_page_offers_the_co_audit_to_who_may_complete_it(
    db, org, templates, login_as
):
    supervisor = login_as(org.supervisor)
    of_r01 = audit_doc(org.care_home, templates[CARE_PLAN], person("R01"))
    of_lounge = audit_doc(org.care_home, templates[IPC], area(org.areas["Lounge"]))
    assert [r["status"] for r in SyncApi(supervisor)(of_r01, of_lounge)] == ["created"] * 2

    page = supervisor.get(f"/audits/{of_r01['id']}").get_data(as_text=True)
    assert "Co-audit with R01 (easy read)" in page
    assert link_on(page) == {
        "compare_with": of_r01["id"],
        "with": "person",
        "service": str(org.care_home.uuid),
        "template": templates[CARE_PLAN].id,
        "subject_type": "person",
        "subject": "R01",
    }
    page = supervisor.get(f"/audits/{of_lounge['id']}").get_data(as_text=True)
    assert "Co-audit (easy read)" in page and "Co-audit with" not in page
    assert link_on(page)["subject"] == str(org.areas["Lounge"].uuid)

    # The care home's manager sees the page and the link; a co-audit's own page offers none.
    assert "Co-audit with R01" in login_as(org.manager).get(f"/audits/{of_r01['id']}").text
    co = co_audit(org.care_home, templates[CARE_PLAN], person("R01"), of_r01)
    assert [r["status"] for r in SyncApi(supervisor)(co)] == ["created"]
    assert 'id="co-audit-start"' not in supervisor.get(f"/audits/{co['id']}").text


def test_a_draft_staff_audit_offers_no_co_audit(db, org, templates, login_as):
    supervisor = login_as(org.supervisor)
    draft = audit_doc(org.care_home, templates[CARE_PLAN], person("R01"), status="draft")
    assert [r["status"] for r in SyncApi(supervisor)(draft)] == ["created"]

    assert 'id="co-audit-start"' not in supervisor.get(f"/audits/{draft['id']}").text
