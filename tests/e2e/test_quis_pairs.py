"""Paired QUIS observations on the recorder (issue 17): a lead's device makes a short code, a
second observer's device joins with it (typed offline, or picked from the list of open pairs
online); both derive the same pair id with no server, record on their own, and sync as ordinary
sessions carrying the pair.
"""

from __future__ import annotations

import re
import uuid

import pytest
import sqlalchemy as sa
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy.orm import Session

from careobs.org.models import Service
from careobs.quis.models import QuisPair, QuisSession
from careobs.quis.pair_ids import CODE_ALPHABET, normal_code, pair_id_for
from tests.e2e.test_layout import layout_problems
from tests.e2e.test_quis_offline import (
    SENT_TEXT,
    WAITING_TEXT,
    controlled_recorder,
    device_doc,
    open_recorder,
    pick,
    submit,
    submitted_note,
    tap,
    wait_stored,
    wait_synced,
)
from tests.e2e.waits import bootstrap_on_device, wait_until

PAIR_JS = "/static/js/quis-pair.js"


def rosewood_uuid(live_server) -> uuid.UUID:
    with Session(live_server.app.extensions["careobs.engine"]) as db:
        return db.scalar(sa.select(Service.uuid).where(Service.name == "Rosewood House"))


def choose_pairing(page: Page, option: str) -> None:
    """Pick one of "Alone", "Lead a paired observation", "Join as the second observer"."""
    radio = page.get_by_label(option, exact=True)
    radio.check()
    expect(radio).to_be_checked()


def start(page: Page, people: tuple[str, ...]) -> str:
    for code in people:
        page.locator("#setup-people").get_by_text(code, exact=True).click()
        expect(page.locator(f"#person-{code}")).to_be_checked()
    page.get_by_role("button", name="Start observing").click()
    expect(page.locator("#recording")).to_be_visible()
    return page.evaluate("() => location.hash.slice(1)")


def shown_code(page: Page) -> str:
    """The lead's code as the recording screen shows it ("K7P 2QD"), without the space."""
    banner = page.locator("[data-pair-banner]")
    expect(banner).to_contain_text("The second observer enters it on their device.")
    text = banner.locator(".pair-code").inner_text()
    assert re.fullmatch(f"[{CODE_ALPHABET}]{{3}} [{CODE_ALPHABET}]{{3}}", text), text
    return text.replace(" ", "")


def end(page: Page) -> None:
    page.get_by_role("button", name="End session").click()
    expect(page.locator("#summary")).to_be_visible()


def sessions_of_pair(live_server, pair_uuid: str) -> dict[str, str]:
    """The stored sessions of the pair, by role: {"lead": <session uuid>, ...}."""
    with Session(live_server.app.extensions["careobs.engine"]) as db:
        rows = db.execute(
            sa.select(QuisSession.pair_role, QuisSession.uuid)
            .join(QuisPair, QuisSession.pair_id == QuisPair.id)
            .where(QuisPair.uuid == uuid.UUID(pair_uuid))
        ).all()
        return {role: str(session) for role, session in rows}


# --- 1. both sides derive the same pair id ------------------------------------------------------


def test_the_device_derives_the_pair_id_and_reads_codes_as_the_server_does(module_page):
    services = [uuid.UUID(int=0), uuid.UUID("8d3f0c5e-2b1a-4c7d-9e6f-0a1b2c3d4e5f"), uuid.uuid4()]
    codes = ["K7P2QD", "AAAAAA", "99ZZ22", "HJKMNP"]
    cases = [(str(s), c) for s in services for c in codes]
    # Upper-case and brace-less ids are the same service: the name hashed is str(uuid).
    cases.append((str(services[1]).upper(), "K7P2QD"))
    typed = ["k7p 2qd", "K7P-2QD", " k7-p2-qd ", "K7P2Q", "K7P2QDX", "K0P2QD", "IL1O23", ""]
    found = module_page.evaluate(
        f"""async ([cases, typed]) => {{
          const m = await import("{PAIR_JS}");
          const ids = [];
          for (const [service, code] of cases) ids.push(await m.pairIdFor(service, code));
          const known = await m.uuid5("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "python.org");
          const codes = Array.from({{length: 200}}, () => m.newCode());
          return {{
            ids, known, codes,
            normal: typed.map((t) => m.normalCode(t)),
            problems: typed.map((t) => m.codeProblem(t)),
          }};
        }}""",
        [cases, typed],
    )
    assert found["ids"] == [str(pair_id_for(uuid.UUID(s), c)) for s, c in cases]
    assert found["known"] == str(uuid.uuid5(uuid.NAMESPACE_DNS, "python.org"))
    assert found["normal"] == [normal_code(t) for t in typed]
    assert all(normal_code(code) == code for code in found["codes"])
    assert len(set(found["codes"])) > 190  # 31^6 codes: 200 draws hardly ever repeat
    problems = dict(zip(typed, found["problems"], strict=True))
    assert problems["k7p 2qd"] == ""
    assert "you entered 5" in problems["K7P2Q"]
    assert "you entered 7" in problems["K7P2QDX"]
    assert "cannot contain 0" in problems["K0P2QD"]
    assert "cannot contain I, L, 1, O" in problems["IL1O23"]
    assert problems[""].startswith("Enter the lead's code")


# --- 2. the lead online, the second offline with the typed code ---------------------------------


def test_a_second_observer_offline_joins_with_the_code_and_both_sessions_carry_the_pair(
    open_page, open_app, live_server
):
    service_uuid = rosewood_uuid(live_server)

    # The lead (the manager) starts a paired session online and reads the code out.
    lead = open_page(as_user="manager")
    open_recorder(lead)
    choose_pairing(lead, "Lead a paired observation")
    lead_id = start(lead, ("R01", "R02"))
    code = shown_code(lead)
    pair = device_doc(lead, lead_id)["data"]["pair"]
    assert pair == {"id": str(pair_id_for(service_uuid, code)), "role": "lead", "code": code}
    # The drafts list says so, and the code is there again when the session is opened again.
    lead.goto("/quis/record")
    drafts = lead.locator("#device-drafts")
    expect(drafts).to_contain_text(f"paired (lead, code {code})")
    drafts.get_by_role("link").first.click()
    assert shown_code(lead) == code

    # The second (the supervisor) has no signal: they type the code as heard.
    second_context: BrowserContext = open_app(as_user="supervisor")
    second = controlled_recorder(second_context)
    bootstrap_on_device(second)
    second_context.set_offline(True)
    second.reload()
    choose_pairing(second, "Join as the second observer")
    expect(second.locator("[data-open-pairs-status]")).to_contain_text("enter the lead's code")
    code_field = second.get_by_label("Enter the lead's code")
    code_field.fill(code[:3] + "0" + code[4:])
    second.locator("#setup-people").get_by_text("R01", exact=True).click()
    second.get_by_role("button", name="Start observing").click()
    expect(second.locator("#setup-errors")).to_contain_text("The code cannot contain 0")
    expect(second.locator("#setup")).to_be_visible()
    code_field.fill(f"{code[:3].lower()}-{code[3:].lower()}")
    second_id = start(second, ("R02",))
    banner = second.locator("[data-pair-banner]")
    expect(banner).to_contain_text("Second observer: record what you see yourself.")
    expect(banner.locator(".pair-code")).to_have_count(0)
    assert device_doc(second, second_id)["data"]["pair"] == {**pair, "role": "second"}
    second.goto("/quis/record")
    expect(second.locator("#device-drafts")).to_contain_text("paired (second)")
    second.locator("#device-drafts").get_by_role("link").first.click()
    expect(banner).to_contain_text("Second observer")

    # Taps in turn, so that each of the second's is nearest its counterpart: R01 positive social
    # (both), R02 positive care for the lead but neutral for the second, and one seen by the lead
    # only (R01 and R02 together).
    pick(lead, "R01", True)
    tap(lead, "PS", 1)
    pick(second, "R01", True)
    tap(second, "PS", 1)
    pick(lead, "R01", False)
    pick(lead, "R02", True)
    tap(lead, "PC", 2)
    pick(second, "R01", False)
    pick(second, "R02", True)
    tap(second, "N", 2)
    pick(lead, "R01", True)
    tap(lead, "PC", 3)

    end(lead)
    submit(lead)
    expect(submitted_note(lead)).to_have_text(SENT_TEXT)
    wait_stored(lead, live_server, lead_id)

    # The second gives no feedback to staff; submitted offline, sent once back online.
    end(second)
    expect(
        second.get_by_text("As the second observer you give no feedback to staff")
    ).to_be_visible()
    expect(second.locator("[data-staff-feedback]")).to_be_hidden()
    submit(second)
    expect(submitted_note(second)).to_have_text(WAITING_TEXT)
    assert "feedback" not in device_doc(second, second_id)["data"]
    second_context.set_offline(False)
    wait_stored(second, live_server, second_id)
    assert wait_synced(second, second_id)["status"] == "created"

    assert sessions_of_pair(live_server, pair["id"]) == {"lead": lead_id, "second": second_id}
    # The pair's result, written once both were in: two matched (one agreeing: R01 positive
    # social), one seen by the lead only; the lead's categories in rows (PS, PC, N, NP, NR).
    with Session(live_server.app.extensions["careobs.engine"]) as db:
        result = db.scalar(sa.select(QuisPair).where(QuisPair.uuid == uuid.UUID(pair["id"])))
        assert result.completed_at is not None
        assert (result.matched, result.lead_only, result.second_only) == (2, 1, 0)
        assert result.confusion == [
            [1, 0, 0, 0, 0],
            [0, 0, 1, 0, 0],
            [0, 0, 0, 0, 0],
            [0, 0, 0, 0, 0],
            [0, 0, 0, 0, 0],
        ]
    api = lead.request.get(f"/api/v1/quis/pairs/{pair['id']}").json()
    assert api["status"] == "complete"
    assert (api["matched"], api["unmatched"]) == (2, {"lead": 1, "second": 0})
    assert api["confusion"] == result.confusion
    # The lead's page of the pair: the confusion table, and what the lead alone saw.
    lead.goto(f"/quis/pairs/{pair['id']}")
    confusion = lead.get_by_role("table", name=re.compile("^2 matched interactions: the lead"))
    expect(confusion.locator("tbody tr").first).to_contain_text("Positive social (PS)")
    expect(confusion.locator("tbody tr").nth(1).locator("td").nth(2)).to_have_text("1")
    expect(lead.get_by_role("heading", name="By the lead observer only (1)")).to_be_visible()


# --- 3. online: the second picks the lead's announced pair from the list ------------------------


def test_a_second_observer_online_picks_the_announced_pair_from_the_list(
    open_page, live_server, axe
):
    lead = open_page(as_user="manager")
    open_recorder(lead)
    choose_pairing(lead, "Lead a paired observation")
    lead_id = start(lead, ("R03",))
    code = shown_code(lead)
    # Announced while online: the device notes that the server has it.
    wait_until(
        lead,
        """async (id) => {
          const user = document.querySelector('meta[name="careobs-user"]').content;
          return (await self.careobsOutbox.getDocument(user, id))?.ui?.announced === true;
        }""",
        lead_id,
    )

    second = open_page(as_user="supervisor")
    open_recorder(second)
    choose_pairing(second, "Join as the second observer")
    entry = second.get_by_label(
        re.compile(f"^Lead: Priya Shah · opened [0-9]{{2}}:[0-9]{{2}} · code {code}$")
    )
    expect(entry).to_be_visible()
    expect(second.locator("[data-open-pairs-status]")).to_contain_text(
        "open here: choose one, or enter the lead's code"
    )
    axe(second)
    entry.check()
    expect(second.get_by_label("Enter the lead's code")).to_have_value(code)
    second_id = start(second, ("R03",))
    pair = device_doc(second, second_id)["data"]["pair"]
    assert pair == {**device_doc(lead, lead_id)["data"]["pair"], "role": "second"}


# --- 4. the set-up with the pair options, on a small screen --------------------------------------


@pytest.mark.parametrize("width", [390, 320])
def test_the_pair_set_up_is_accessible_on_phones(width, open_page, axe):
    page = open_page(width, 700, as_user="supervisor")
    open_recorder(page)
    choose_pairing(page, "Lead a paired observation")
    expect(page.locator("#pair-lead-hint")).to_be_visible()
    choose_pairing(page, "Join as the second observer")
    expect(page.get_by_label("Enter the lead's code")).to_be_visible()
    expect(page.locator("[data-open-pairs-status]")).not_to_be_empty()
    axe(page)
    if width == 320:
        problems = layout_problems(page)
        assert not problems, "At 320px:\n" + "\n".join(problems)
