"""A session too short to rate, on the recorder and on the server (issue 12): the device's
summary shows its length in seconds, "too short to rate" and the 10-minute rule, drafts its
feedback in the singular, and says exactly what the server's page says once it is sent.
static/js/wording.js and quis-metrics.js are also checked against their Python twins."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from careobs.quis import scoring
from careobs.wording import duration_text
from tests.e2e.test_quis_feedback import by_first_staff_member
from tests.e2e.test_quis_offline import (
    SENT_TEXT,
    controlled_recorder,
    start_session,
    submit,
    submitted_note,
    tap,
    wait_stored,
)
from tests.test_wording import DURATIONS

RULE = "Rates are shown for sessions of at least 10 minutes observed."


def rate_cell(page: Page, root: str):
    return page.locator(f"{root} tr", has_text="Interactions per person-hour").locator("td")


def test_a_short_session_reads_the_same_on_the_device_and_the_server(open_app, live_server):
    context = open_app(as_user="supervisor")
    page = controlled_recorder(context)
    doc_id = start_session(page, ("R01",))
    tap(page, "PS", 1)
    by_first_staff_member(page)
    page.get_by_role("button", name="End session").click()
    expect(page.locator("#summary")).to_be_visible()

    context_line = page.locator("[data-summary-context]")
    expect(context_line).to_have_text(re.compile(r" · \d+ seconds? · 1 person observed$"))
    length = re.search(r" · (\d+ seconds?) · ", context_line.inner_text()).group(1)
    expect(rate_cell(page, "[data-summary-body]")).to_have_text("too short to rate")
    expect(page.locator("[data-rate-rule]")).to_have_text(RULE)
    expect(page.locator("[data-summary-body]")).to_contain_text("All interactions (n = 1)")
    legend = page.locator("[data-staff-feedback-list] legend")
    expect(legend).to_have_count(1)
    went_well = page.get_by_label(f"What went well for {legend.inner_text()}")
    expect(went_well).to_have_value(
        "1 positive social interaction seen, where you treated people as individuals beyond "
        "the task."
    )

    submit(page)
    wait_stored(page, live_server, doc_id)
    expect(submitted_note(page)).to_have_text(SENT_TEXT)
    page.goto(f"/quis/sessions/{doc_id}")
    expect(page.locator(".details")).to_contain_text(f"({length})")
    expect(rate_cell(page, ".metrics")).to_have_text("too short to rate")
    expect(page.get_by_text(RULE)).to_be_visible()


def test_the_device_words_lengths_as_the_server_does(module_page):
    minutes = [m for m, _ in DURATIONS] + [s / 60 for s in range(0, 3 * 3600, 7)]
    in_js = module_page.evaluate(
        """async (minutes) => {
            const { durationText } = await import("/static/js/wording.js");
            return minutes.map(durationText);
        }""",
        minutes,
    )
    assert in_js == [duration_text(m) for m in minutes]
    assert in_js[: len(DURATIONS)] == [words for _, words in DURATIONS]


def test_the_device_rates_as_the_server_does(module_page):
    # (interactions, person-minutes, observed minutes)
    cases = [(5, 0.15, 0.15), (5, 20, 9.99), (5, 20, 10), (30, 300, 60), (3, 0, 60), (0, 24, 12)]
    got = module_page.evaluate(
        """async (cases) => {
            const m = await import("/static/js/quis-metrics.js");
            return {
                min: m.MIN_RATED_MINUTES,
                texts: cases.map(([n, pm, om]) => m.rateText(n, pm, om)),
                rates: cases.map(([n, pm, om]) => m.perPersonHour(n, pm, om)),
            };
        }""",
        cases,
    )
    assert got["min"] == scoring.MIN_RATED_MINUTES
    assert got["texts"] == [scoring.rate_text(*c) for c in cases]
    assert got["texts"] == ["too short to rate", "too short to rate", "15.0", "6.0", "—", "0.0"]
    assert got["rates"] == [scoring.interactions_per_person_hour(*c) for c in cases]
