"""The difference an action made, judged by a test that treats each session (or visit) as the
unit: the action's page and the evidence pack say the same thing, with n and k on both sides.

The action (mealtime negatives, 91-day windows) is added on 1 September 2026 and done on
15 September: *before* is 2 June – 31 August, *after* from 15 September. Every session is a
30-minute mealtime of 10 interactions, written through the sync API; the numbers are the ones
worked by hand in tests/test_statistics.py:

- before, negatives (2, 3, 1, 4, 0): 10 of 50 = 20.0%, V = 0.005, deff = 1.5625, n_eff = 32;
  five sessions, so Student's t on 4 df (2.776445, t² = 7.708647) in place of 1.96:
  t²/n = 0.240895, centre = (0.2 + 0.120448) / 1.240895 = 0.258239,
  half = 2.776445 · √(0.005 + 0.001882) / 1.240895 = 0.185616: 7.3%–44.4%;
- after, ten sessions with one negative (1, 0, …, 0): 1 of 100 = 1.0%, residuals 0.9 and −0.1
  ×9, Σ² = 0.9, V = 10/9 · 0.9 / 100² = 0.0001 (just above p(1−p)/n = 0.000099: deff = 1.0101,
  n_eff = 99); t on 9 df (2.262157, t² = 5.117355): t²/n = 0.051690, centre = (0.01 +
  0.025845) / 1.051690 = 0.034083, half = 2.262157 · √(0.0001 + 0.00013053) / 1.051690
  = 0.032659: 0.1%–6.7%;
- d = −0.19, SE = √(0.005 + 0.0001) = 0.071414, z = −2.66054 on 5 + 10 − 2 = 13 df: p = 0.0196.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from careobs.visits.models import VisitDomainScore
from tests.dashboards.test_action_measures import add_action, comparison
from tests.support.dashboards import local, session_doc, write

BEFORE = (2, 3, 1, 4, 0)
AFTER = (1, 0, 0, 0, 0, 0, 0, 0, 0, 0)
MEASURE = {"kind": "quis_negative", "context": "mealtime", "days": 91}
OLD_WORDING = (
    "intervals overlap",
    "intervals do not overlap",
    "overlapping intervals",
    "outside each other",
)


def sessions(home, month: int, negatives) -> list[dict]:
    return [
        session_doc(home, local(2026, month, day + 1, 12), 30, ["NP"] * y + ["PS"] * (10 - y))
        for day, y in enumerate(negatives)
    ]


def page_of(client, action_id, db) -> str:
    from careobs.actions.models import Action

    action = db.get(Action, action_id)
    response = client.get(f"/actions/{action.uuid}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def pack_page(client, service) -> str:
    response = client.get(
        "/evidence/pack",
        query_string={
            "service": str(service.uuid),
            "date_from": "2026-06-01",
            "date_to": "2026-11-30",
        },
    )
    assert response.status_code == 200
    return response.get_data(as_text=True)


def cells(page: str) -> list[list[str]]:
    """The text of each row of the difference-made table on the action page."""
    section = page[page.index('id="difference-title"') :]
    section = section[: section.index("</table>")]
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", section, re.S)
    ]


def test_a_fall_unlikely_to_be_chance(app, db, acme, admin_sync, client_as):
    home = acme.care_home
    write(admin_sync, *sessions(home, 7, BEFORE), *sessions(home, 10, AFTER))
    action_id = add_action(app, db, acme, dict(MEASURE))

    result = comparison(app, action_id)

    assert (result.before.n, result.before.k, result.after.n, result.after.k) == (50, 5, 100, 10)
    assert (result.before.low, result.before.high) == (
        pytest.approx(0.072623, abs=2e-6),
        pytest.approx(0.443855, abs=2e-6),
    )
    assert (result.after.low, result.after.high) == (
        pytest.approx(0.001424, abs=2e-6),
        pytest.approx(0.066742, abs=2e-6),
    )
    assert result.test.z == pytest.approx(-2.66054, abs=1e-5)
    assert result.test.df == 13
    assert 0.0195 < result.test.p_value < 0.0197
    statement = (
        "Fell from 20.0% to 1.0% (19.0 percentage points); a change this size would be "
        "unlikely by chance alone (p = 0.02)."
    )
    assert result.statement == statement

    admin = client_as(acme.admin)
    page = page_of(admin, action_id, db)
    assert statement in page
    rows = cells(page)
    assert rows[0] == [
        "Window",
        "Dates",
        "Share",
        "95% interval",
        "Interactions (n)",
        "Sessions (k)",
    ]
    assert rows[1] == [
        "Before the action",
        "2 Jun 2026 to 31 Aug 2026",
        "20.0%",
        "7.3–44.4%",
        "50",
        "5",
    ]
    assert rows[2][0] == "After it" and rows[2][2:] == ["1.0%", "0.1–6.7%", "100", "10"]
    assert "it allows for interactions in one session being alike" in page
    pack = pack_page(admin, home)
    assert f"<dd>{statement}</dd>" in pack
    assert "treats each session (visit) as the unit" in pack
    for words in OLD_WORDING:
        assert words not in page and words not in pack


def test_the_same_fall_could_be_chance_when_one_session_made_it(
    app, db, acme, admin_sync, client_as
):
    # The same totals, 10 of 50 before and 2 of 50 after, but every negative before came from
    # one session (0, 0, 0, 0, 10) and every one after from one session (0, 0, 0, 0, 2):
    # before residuals −2, −2, −2, −2, 8, Σ² = 80, V = 5/4 · 80 / 2500 = 0.04;
    # after residuals −0.4 (×4), 1.6, Σ² = 3.2, V = 5/4 · 3.2 / 2500 = 0.0016;
    # SE = √0.0416 = 0.20396, z = −0.16 / 0.20396 = −0.78446 on 8 df, p = 0.455. Counting
    # interactions as independent (the old intervals) would have called it real: z = −2.54,
    # p = 0.011.
    home = acme.care_home
    write(admin_sync, *sessions(home, 7, (0, 0, 0, 0, 10)), *sessions(home, 10, (0, 0, 0, 0, 2)))
    action_id = add_action(app, db, acme, dict(MEASURE))

    result = comparison(app, action_id)

    assert result.test.z == pytest.approx(-0.78446, abs=1e-5)
    statement = (
        "Fell from 20.0% to 4.0% (16.0 percentage points); a change this size could be chance "
        "(p = 0.46)."
    )
    assert result.statement == statement
    admin = client_as(acme.admin)
    assert statement in page_of(admin, action_id, db)
    assert f"<dd>{statement}</dd>" in pack_page(admin, home)


def test_too_few_sessions_to_judge(app, db, acme, admin_sync, client_as):
    home = acme.care_home
    write(admin_sync, *sessions(home, 7, BEFORE), *sessions(home, 10, (1, 0, 1, 0)))
    action_id = add_action(app, db, acme, dict(MEASURE))

    result = comparison(app, action_id)

    assert result.test is None
    statement = (
        "Fell from 20.0% to 5.0% (15.0 percentage points); too few sessions to judge whether "
        "this is more than chance (5 sessions before, 4 after; at least 5 each are needed)."
    )
    assert result.statement == statement
    admin = client_as(acme.admin)
    assert statement in page_of(admin, action_id, db)
    assert f"<dd>{statement}</dd>" in pack_page(admin, home)


def test_items_met_cluster_by_visit(app, db, acme, visit, admin_sync, client_as):
    # Before: one visit with every item Not met, one with every item Met: with d items in the
    # domain, y = (0, d), n = (d, d), p = ½; residuals −d/2, d/2, Σ² = d²/2;
    # V = 2 · (d²/2) / (2d)² = ¼ and p(1−p)/n = 1/(8d): deff = 2d, n_eff = 2d / 2d = 1.
    # Two visits: Student's t on 1 df, 12.706205 (t² = 161.44767). Wilson on (½, 1):
    # half = 12.706205 · √(¼ + 161.44767/4) / 162.44767 = 0.49846, so 0.2%–99.8%: two visits
    # say almost nothing, however many items each rated.
    write(
        admin_sync,
        visit(local(2026, 8, 10, 10), rating="not_met", ratings={}),
        visit(local(2026, 8, 12, 10)),
        visit(local(2026, 10, 10, 10)),
    )
    domain_key = db.scalars(sa.select(VisitDomainScore.domain_key)).first()
    action_id = add_action(
        app,
        db,
        acme,
        {"kind": "domain_met", "domain_key": str(domain_key), "service": acme.homecare},
    )

    result = comparison(app, action_id)

    d = result.before.n // 2
    assert (result.before.k, result.before.value, result.after.k) == (2, 0.5, 1)
    t = 12.706205
    half = t * (0.25 + t * t / 4) ** 0.5 / (1 + t * t)
    assert (result.before.low, result.before.high) == (
        pytest.approx(0.5 - half, abs=1e-6),
        pytest.approx(0.5 + half, abs=1e-6),
    )
    assert round(half, 5) == 0.49846
    assert result.statement == (
        "Rose from 50.0% to 100.0% (50.0 percentage points); too few visits to judge whether "
        "this is more than chance (2 visits before, 1 after; at least 5 each are needed)."
    )
    rows = cells(page_of(client_as(acme.admin), action_id, db))
    assert rows[0][4:] == ["Items rated (n)", "Visits (k)"]
    assert rows[1][2:] == ["50.0%", "0.2–99.8%", str(2 * d), "2"]


def test_the_old_overlap_wording_is_gone_from_the_code_and_templates():
    root = Path(__file__).resolve().parents[2]
    found = [
        f"{path.relative_to(root)}: {words}"
        for folder in ("careobs", "templates")
        for path in (root / folder).rglob("*")
        if path.suffix in {".py", ".html"}
        for words in OLD_WORDING
        if words in path.read_text(encoding="utf-8")
    ]
    assert found == []


def test_windows_are_unchanged(app, db, acme, admin_sync):
    write(admin_sync, *sessions(acme.care_home, 7, BEFORE))
    result = comparison(app, add_action(app, db, acme, dict(MEASURE)))
    assert (result.before.first, result.before.last) == (date(2026, 6, 2), date(2026, 8, 31))
    assert (result.after.n, result.after.k, result.after.low) == (0, 0, None)
    assert result.statement == "Not enough data yet to compare: nothing recorded since."
