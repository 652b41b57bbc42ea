"""The people's voice pages through the Flask test client: the conversation form, a
conversation's page and the draw's "who was asked" — every role, the other organisation,
nobody logged in and bad addresses, never a 5xx.

Acme (tests/conftest.py): an admin; Mo Manager (care home only); Sue Supervisor (both
services), who draws and records; Stan Staff, a care worker at the care home.
"""

from __future__ import annotations

import uuid
from datetime import date

import pytest
import sqlalchemy as sa

from careobs.selection import service as selection
from careobs.voice.models import Conversation
from tests.support.voice import answers, conversation_doc, follow_up

RECORD = "/voice/record"


@pytest.fixture
def talked(db, org, homecare_draw, supervisor):
    """Sue's conversation with H01 (asked, one follow-up) and H02's refusal, from the homecare
    draw: by code → the stored conversation."""
    given = (
        "strongly_agree",
        "agree",
        "agree",
        "disagree",
        "agree",
        "neither",
        "prefer_not_to_say",
    )
    documents = {
        "H01": conversation_doc(
            homecare_draw, "H01", answers=answers(*given), actions=[follow_up()]
        ),
        "H02": conversation_doc(homecare_draw, "H02", outcome="declined"),
    }
    assert [r["status"] for r in supervisor(*documents.values())] == ["created", "created"]
    db.expire_all()
    return {
        code: db.scalar(sa.select(Conversation).where(Conversation.uuid == uuid.UUID(d["id"])))
        for code, d in documents.items()
    }


@pytest.mark.parametrize(
    ("who", "expected"),
    [("admin", 200), ("manager", 200), ("supervisor", 200), ("staff", 403), (None, 302)],
)
def test_the_form_opens_for_those_who_draw(login_as, org, who, expected):
    client = login_as(getattr(org, who) if who else None)
    response = client.get(RECORD)
    assert response.status_code == expected
    if expected == 200:
        page = response.get_data(as_text=True)
        assert "I am treated with respect and dignity." in page
        assert "Strongly disagree" in page and "Prefer not to say" in page
        assert "<script>" not in page and " style=" not in page


def test_the_form_from_a_draw_names_its_draw_and_person(login_as, org, homecare_draw):
    client = login_as(org.supervisor)
    ok = client.get(
        RECORD,
        query_string={"draw": homecare_draw.uuid, "person": "H01", "service": org.homecare.uuid},
    )
    assert ok.status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        {"draw": "not-a-uuid"},
        {"draw": str(uuid.uuid4())},
        {"person": "R01"},  # not drawn in this draw
        {"person": "<script>"},
        {"service": str(uuid.uuid4())},
        {"draw": None, "person": "H01"},
    ],
)
def test_a_link_to_a_draw_or_person_that_is_not_yours_is_not_found(
    login_as, org, homecare_draw, query
):
    client = login_as(org.supervisor)
    full = {k: v for k, v in {"draw": str(homecare_draw.uuid), **query}.items() if v is not None}
    assert client.get(RECORD, query_string=full).status_code == 404


def test_a_manager_of_another_service_cannot_open_the_form_for_its_draw(
    login_as, org, homecare_draw
):
    # Mo manages the care home only: homecare's draw is not his.
    client = login_as(org.manager)
    response = client.get(RECORD, query_string={"draw": homecare_draw.uuid, "person": "H01"})
    assert response.status_code == 404


def test_another_organisation_cannot_open_the_form_for_a_draw(login_as, other, homecare_draw):
    client = login_as(other.admin)
    response = client.get(RECORD, query_string={"draw": homecare_draw.uuid, "person": "H01"})
    assert response.status_code == 404


def test_a_conversation_page_shows_every_answer_and_its_follow_up(login_as, org, talked):
    page = login_as(org.supervisor).get(f"/voice/{talked['H01'].uuid}")

    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Conversation with H01" in text
    assert "I am treated with respect and dignity." in text
    assert "Strongly agree" in text and "Neither agree nor disagree" in text
    assert "Ask the office to send the rota a week ahead." in text
    assert "/actions/" in text  # the follow-up links to the action it became


def test_a_declined_conversation_page_says_so(login_as, org, talked):
    text = login_as(org.admin).get(f"/voice/{talked['H02'].uuid}").get_data(as_text=True)
    assert "Declined to talk" in text and "was not asked" in text


@pytest.mark.parametrize("who", ["staff", "manager", None])
def test_a_conversation_is_not_found_for_those_who_may_not_see_its_draw(login_as, org, talked, who):
    client = login_as(getattr(org, who) if who else None)
    response = client.get(f"/voice/{talked['H01'].uuid}")
    assert response.status_code == (302 if who is None else 404)


def test_another_organisation_and_unknown_ids_are_not_found(login_as, org, other, talked):
    assert login_as(other.admin).get(f"/voice/{talked['H01'].uuid}").status_code == 404
    client = login_as(org.supervisor)
    assert client.get(f"/voice/{uuid.uuid4()}").status_code == 404
    assert client.get("/voice/not-a-uuid").status_code == 404


def test_the_draw_shows_who_was_asked_and_what_came_of_it(login_as, org, homecare_draw, talked):
    text = login_as(org.supervisor).get(f"/selection/{homecare_draw.uuid}").get_data(as_text=True)

    assert "Who was asked" in text
    assert "2 of 2 followed up" in text
    # H01 agreed with 4 of the 6 statements they gave a view on (one preferred not to say).
    assert "4 of 6 statements agreed with, 1 follow-up" in text
    assert "Declined to talk" in text
    assert f"/voice/{talked['H01'].uuid}" in text
    assert "Record conversation with" not in text  # both followed up


def test_a_draw_nobody_was_asked_from_offers_the_form_for_each_person(login_as, org, homecare_draw):
    text = login_as(org.supervisor).get(f"/selection/{homecare_draw.uuid}").get_data(as_text=True)

    assert "0 of 2 followed up" in text
    assert text.count("Not yet asked.") == 2
    assert f"/voice/record?draw={homecare_draw.uuid}&amp;person=H01" in text


def test_a_draw_of_care_workers_has_no_who_was_asked(login_as, org, db):
    workers = selection.make_draw(db, org.supervisor, org.homecare, "workers", 1, date.today())
    db.commit()
    text = login_as(org.supervisor).get(f"/selection/{workers.uuid}").get_data(as_text=True)
    assert "Who was asked" not in text
