"""The people's voice summary (/voice/summary): per statement the counts of each answer adding
up to n and the share agreeing, per draw who was asked; page, JSON and CSV the same numbers;
every role and bad filter answered 4xx, never 5xx."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest

from careobs.voice.questions import QUESTIONS
from tests.support.voice import answers, conversation_doc

URL = "/voice/summary"


@pytest.fixture
def said(homecare_draw, home_draw, supervisor):
    """H01 and H02 asked from homecare's draw, the care home's one person declined."""
    code = home_draw.result[0]["label"]
    documents = [
        conversation_doc(
            homecare_draw,
            "H01",
            answers=answers(
                "strongly_agree", "agree", "disagree", "agree", "agree", "agree", "agree"
            ),
        ),
        conversation_doc(
            homecare_draw,
            "H02",
            answers=answers(
                "disagree", "prefer_not_to_say", "agree", "agree", "agree", "agree", "agree"
            ),
        ),
        conversation_doc(home_draw, code, outcome="declined"),
    ]
    assert [r["status"] for r in supervisor(*documents)] == ["created"] * 3


def tables(client, **query) -> dict:
    response = client.get(URL, query_string={"format": "json", **query})
    assert response.status_code == 200
    return {t["key"]: t for t in response.get_json()["tables"]}


def test_each_statement_counts_every_answer_and_the_share_agreeing(login_as, org, said):
    answers_table = tables(login_as(org.supervisor))["voice_answers"]
    rows = {row[0]: row[1:] for row in answers_table["rows"]}

    # strongly agree, agree, neither, disagree, strongly disagree, prefer not, n, agreeing
    assert rows[QUESTIONS[0].text] == [1, 0, 0, 1, 0, 0, 2, 0.5]
    assert rows[QUESTIONS[1].text] == [0, 1, 0, 0, 0, 1, 2, 1.0]  # 1 of the 1 with a view
    assert rows[QUESTIONS[2].text] == [0, 1, 0, 1, 0, 0, 2, 0.5]
    for row in rows.values():
        assert sum(row[:6]) == row[6]


def test_each_draw_shows_everyone_drawn_and_what_came_of_asking(login_as, org, said):
    follow = tables(login_as(org.supervisor))["voice_follow_up"]
    by_service = {row[0].split(",")[0]: row[1:] for row in follow["rows"]}

    # drawn, asked, declined, not available, not yet
    assert by_service[org.homecare.name] == [2, 2, 0, 0, 0]
    assert by_service[org.care_home.name] == [1, 0, 1, 0, 0]


def test_one_service_only(login_as, org, said):
    follow = tables(login_as(org.supervisor), service=str(org.care_home.uuid))["voice_follow_up"]
    assert [row[1:] for row in follow["rows"]] == [[1, 0, 1, 0, 0]]
    answers_table = tables(login_as(org.supervisor), service=str(org.care_home.uuid))
    assert answers_table["voice_answers"]["rows"] == []


def test_the_csv_and_the_page_have_the_json_numbers(login_as, org, said):
    client = login_as(org.supervisor)
    response = client.get(URL, query_string={"format": "csv", "table": "voice_answers"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][-2:] == ["n", "Agreeing (%)"]
    assert rows[1] == [QUESTIONS[0].text, "1", "0", "0", "1", "0", "0", "2", "50.0"]
    page = client.get(URL).get_data(as_text=True)
    assert "What people said" in page and "Who was asked from each draw" in page
    assert "50.0%" in page


@pytest.mark.parametrize(
    ("who", "expected"), [("admin", 200), ("manager", 200), ("staff", 403), (None, 302)]
)
def test_who_may_read_the_summary(login_as, org, who, expected):
    client = login_as(getattr(org, who) if who else None)
    assert client.get(URL).status_code == expected


def test_a_manager_sees_only_his_services(login_as, org, said):
    follow = tables(login_as(org.manager))["voice_follow_up"]
    assert [row[0].split(",")[0] for row in follow["rows"]] == [org.care_home.name]
    response = login_as(org.manager).get(URL, query_string={"service": str(org.homecare.uuid)})
    assert response.status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        {"from": "yesterday"},
        {"to": "2026-13-01"},
        {"from": "1999-12-31"},
        {"to": (date.today() + timedelta(days=3)).isoformat()},
        {"from": date.today().isoformat(), "to": (date.today() - timedelta(days=1)).isoformat()},
        {"format": "xml"},
    ],
)
def test_bad_filters_are_400(login_as, org, query):
    assert login_as(org.supervisor).get(URL, query_string=query).status_code == 400


@pytest.mark.parametrize("query", [{"service": "nope"}, {"format": "csv", "table": "x"}])
def test_unknown_services_and_tables_are_404(login_as, org, query):
    assert login_as(org.supervisor).get(URL, query_string=query).status_code == 404
