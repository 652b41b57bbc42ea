"""A quality checker's own conversation page links only to what opens for them: the draw and
the follow-up's action (the manager's) are named in words, not linked; the supervisor who made
the draw and the manager still follow both links."""

from __future__ import annotations

import re
import uuid
from html import unescape

import pytest
import sqlalchemy as sa

from careobs.actions.models import Action
from careobs.voice.models import Conversation
from tests.support.voice import conversation_doc, follow_up

HREF = re.compile(r'href="([^"]+)"')


@pytest.fixture
def held(db, homecare_manager, checker, homecare_draw, login_as, client_as) -> Conversation:
    """The manager gives Pat H01 to talk with; Pat records the conversation and a follow-up."""
    response = login_as(homecare_manager).post(
        f"/checkers/draws/{homecare_draw.uuid}/people/H01", data={"checker": checker.uuid.hex}
    )
    assert response.status_code == 302
    document = conversation_doc(
        homecare_draw, "H01", actions=[follow_up("Ask about the evening call times.")]
    )
    [result] = client_as(checker)(document)
    assert result["status"] == "created", result
    return db.scalar(sa.select(Conversation).where(Conversation.uuid == uuid.UUID(document["id"])))


def local_links(page: str) -> list[str]:
    """Every same-site href on a page (fragments and the stylesheet's static files aside)."""
    links = {unescape(h) for h in HREF.findall(page)}
    return sorted(h for h in links if h.startswith("/") and not h.startswith("/static/"))


def test_every_link_on_their_conversation_opens_for_the_checker(checker, held, login_as):
    pat = login_as(checker)
    response = pat.get(f"/voice/{held.uuid}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    links = local_links(page)
    assert links  # the navigation's Home at least
    answered = {href: pat.get(href).status_code for href in links}
    assert {href: code for href, code in answered.items() if code in (403, 404)} == {}
    assert "/selection/" not in page and "/actions/" not in page
    assert "draw 1 of people in Acme Care Homecare" in page  # named, not linked
    assert "Ask about the evening call times." in page


def test_the_supervisor_and_manager_still_follow_the_draw_and_the_action(
    db, org, homecare_manager, homecare_draw, held, login_as
):
    [action] = db.scalars(sa.select(Action).where(Action.service_id == org.homecare.id))
    draw_href = f'href="/selection/{homecare_draw.uuid}"'
    action_href = f'href="/actions/{action.uuid}"'
    for user in (org.supervisor, homecare_manager):
        page = login_as(user).get(f"/voice/{held.uuid}").get_data(as_text=True)
        assert page.count(draw_href) == 2  # "← The draw" and the "From" line
        assert action_href in page
