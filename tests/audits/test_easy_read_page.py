"""The easy-read co-audit page (/audits/easy-read) and its entry point on a staff audit's page:
who may open them, and the link carrying what the device needs to find the staff audit."""

from __future__ import annotations

import uuid
from urllib.parse import parse_qs, urlparse

import pytest
import sqlalchemy as sa

from careobs.audits.models import Audit
from careobs.pwa.views import CAPTURE_PAGES
from tests.audits.test_co_audit_documents import co_audit
from tests.support.audits import CARE_PLAN, IPC, area, audit_doc, person
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
        "?with=nobody&service=x&template=y&subject_type=z&subject=%00",
    ],
)
def test_hostile_query_strings_still_give_the_page(org, login_as, query):
    # The page names nothing itself: the device reads the address and says what it cannot find.
    assert login_as(org.supervisor).get(PAGE + query).status_code == 200


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
