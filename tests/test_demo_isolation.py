"""A second organisation is invisible to every demo login (issue 2, "Done when").

The demo is loaded twice: the first copy is renamed into "Zeta Other Care" (its services, staff
and users marked "Zq"), then the real demo is loaded next to it. Each demo login crawls every page
and JSON endpoint it can reach by following links, and

- no response carries the other organisation's names or the public id of any of its records;
- every record page reached is asked again with the id of the other organisation's record of the
  same kind, and must answer 403 or 404 without naming it.
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict

import sqlalchemy as sa

from careobs.accounts.models import User
from careobs.db import Base, refresh_statistics
from careobs.demo import DEMO_ORG, load_demo
from careobs.org.models import Organisation, Service, StaffMember
from tests.support.demo import load_demo_once
from tests.support.web import Auth

OTHER = "Zeta Other Care"
MARK = "Zq "
PASSWORD = "demo-password-2026"
LOGINS = ("admin@demo.test", "manager@demo.test", "supervisor@demo.test", "staff@demo.test")
START = (
    "/",
    "/admin/",
    "/admin/audit/",
    "/admin/checklists/",
    "/admin/settings/",
    "/api/v1/bootstrap",
    "/api/v1/dashboards/coverage",
    "/api/v1/dashboards/quis",
    "/api/v1/dashboards/visits",
    "/actions/",
    "/actions/mine",
    "/dashboards/me",
    "/evidence/",
    "/feedback/",
    "/feedback/mine",
    "/notifications/",
    "/quis/",
    "/selection/",
    "/selection/history",
    "/sync/quarantine/",
    "/visits/",
)
PAGES_PER_LOGIN = 400
# Pages whose query's ids are read by the page's script on the device, never by the server: one
# cached page for every co-audit (careobs.audits.views.easy_read_page).
READ_ON_THE_DEVICE = {"/audits/easy-read"}
UNKNOWN = uuid.uuid5(uuid.NAMESPACE_URL, "careobs-test/an-id-nobody-holds")
SAME_PATH_LIMIT = 4  # a path with many query strings (filters, pages) is fetched at most this often
UUID = re.compile(r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}")
TEXT = ("text/html", "application/json", "text/csv")


def public_ids(db, organisation_id: int) -> dict[str, str]:
    """Every public id of the organisation's records (hex, no dashes) → its table."""
    ids = {}
    for table in Base.metadata.sorted_tables:
        if "uuid" not in table.c:
            continue
        if "organisation_id" in table.c:
            where = table.c.organisation_id == organisation_id
        elif table.name == "organisations":
            where = table.c.id == organisation_id
        else:
            continue
        for (value,) in db.execute(sa.select(table.c.uuid).where(where)):
            ids[value.hex] = table.name
    return ids


def two_organisations(db) -> tuple[dict[str, str], dict[str, str]]:
    """Load the renamed copy and the demo; their public ids."""
    load_demo_once(db)
    db.flush()
    other = db.scalar(sa.select(Organisation).where(Organisation.name == DEMO_ORG))
    other.name = OTHER
    for service in db.scalars(sa.select(Service).where(Service.organisation_id == other.id)):
        service.name = MARK + service.name
    for member in db.scalars(sa.select(StaffMember).where(StaffMember.organisation_id == other.id)):
        member.name = MARK + member.name
    for user in db.scalars(sa.select(User).where(User.organisation_id == other.id)):
        user.email = user.email.replace("@demo.test", "@other.test")
        user.display_name = MARK + user.display_name
    db.flush()
    # The demo's public ids are fixed; the copy gets fresh ones so the demo can load again.
    for hex_id, table_name in public_ids(db, other.id).items():
        table = Base.metadata.tables[table_name]
        db.execute(
            sa.update(table).where(table.c.uuid == uuid.UUID(hex_id)).values(uuid=uuid.uuid4())
        )
    db.commit()
    load_demo(db)
    db.commit()
    refresh_statistics(db)  # as `careobs demo` does: PostgreSQL plans from fresh statistics
    demo = db.scalar(sa.select(Organisation.id).where(Organisation.name == DEMO_ORG))
    return public_ids(db, other.id), public_ids(db, demo)


def leaks_in(body: str, other_ids: dict[str, str]) -> list[str]:
    found = [marker for marker in (OTHER, MARK, "@other.test") if marker in body]
    found += [
        f"{other_ids[hex_id]} {hex_id}"
        for hex_id in {m.replace("-", "") for m in UUID.findall(body)}
        if hex_id in other_ids
    ]
    return found


def crawl(client, other_ids: dict[str, str]) -> tuple[set[str], list[str]]:
    """Follow every same-site link from the start pages; the pages seen and any leaks."""
    seen, leaks, queue = set(), [], list(START)
    per_path: dict[str, int] = defaultdict(int)
    while queue and len(seen) < PAGES_PER_LOGIN:
        url = queue.pop(0)
        path = url.split("?")[0]
        if url in seen or per_path[path] >= SAME_PATH_LIMIT:
            continue
        seen.add(url)
        per_path[path] += 1
        response = client.get(url)
        if response.mimetype not in TEXT:
            continue
        body = response.get_data(as_text=True)
        leaks += [f"{url}: {leak}" for leak in leaks_in(body, other_ids)]
        if response.mimetype == "text/html":
            for link in re.findall(r'href="(/[^"#]*)"', body):
                link = link.replace("&amp;", "&")
                if not link.startswith(("/static/", "/logout")) and link not in seen:
                    queue.append(link)
    return seen, leaks


def test_demo_logins_never_see_the_other_organisation(app, db):
    with app.app_context():
        other_ids, demo_ids = two_organisations(db)
    other_by_table = defaultdict(list)
    for hex_id, table in other_ids.items():
        other_by_table[table].append(hex_id)
    assert db.scalar(sa.select(sa.func.count()).where(User.email.in_(LOGINS))) == 4

    for email in LOGINS:
        client = app.test_client()
        Auth(client).login(email, PASSWORD)
        seen, leaks = crawl(client, other_ids)
        assert len(seen) > 20, f"{email} reached only {sorted(seen)}"
        assert leaks == [], f"{email} saw the other organisation: {leaks[:10]}"

        # Each record page asked again with the other organisation's record of the same kind.
        tried = set()
        for url in seen:
            for found in UUID.findall(url):
                table = demo_ids.get(found.replace("-", ""))
                if table is None or not other_by_table[table]:
                    continue
                pattern = (url.split("?")[0].replace(found, "<id>"), table)
                if pattern in tried:
                    continue
                tried.add(pattern)
                theirs = uuid.UUID(other_by_table[table][0])
                probe = url.replace(found, str(theirs) if "-" in found else theirs.hex)
                response = client.get(probe)
                body = response.get_data(as_text=True) if response.mimetype in TEXT else ""
                body = body.replace(str(theirs), "").replace(theirs.hex, "")  # the URL asked
                # A record in the path is not found (or forbidden). An id in the query may be a
                # filter's value, refused as a bad choice (400) as the dashboards refuse any
                # service not the user's (tests/dashboards/test_access.py).
                allowed = (403, 404) if found in url.split("?")[0] else (400, 403, 404)
                if url.split("?")[0] in READ_ON_THE_DEVICE:
                    # The page names nothing from its query (the device reads it), so it answers
                    # the other organisation's id exactly as an id it has never heard of.
                    unknown = client.get(url.replace(found, str(UNKNOWN)))
                    allowed = (unknown.status_code,)
                assert response.status_code in allowed, f"{email}: {probe} answered {response}"
                assert leaks_in(body, other_ids) == [], f"{email}: {probe} names the other org"
        assert tried, f"{email} reached no record pages"
