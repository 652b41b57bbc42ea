"""The main navigation: each role's places, in order, each with an icon the sprite really draws.

The icons are ``<use href="icons.svg#name">`` references: a name the sprite lacks draws nothing,
silently, so the names in the navigation and in the header are checked against the sprite here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask_login import AnonymousUserMixin

from careobs.home.navigation import navigation_for


def sprite_symbols(app) -> set[str]:
    """The ids of the symbols in static/img/icons.svg (each a whole <symbol>…</symbol>)."""
    sprite = (Path(app.static_folder) / "img" / "icons.svg").read_text(encoding="utf-8")
    assert sprite.count("<symbol ") == sprite.count("</symbol>")
    return set(re.findall(r'<symbol id="([\w-]+)"', sprite))


@pytest.mark.parametrize(
    ("who", "labels"),
    [
        ("admin", ["Home", "QUIS", "Visits", "Feedback", "Trends", "Admin"]),
        ("manager", ["Home", "QUIS", "Visits", "Feedback", "Trends", "Admin"]),
        ("supervisor", ["Home", "QUIS", "Visits", "Feedback"]),
        ("staff", ["Home", "Visits", "Feedback"]),
    ],
)
def test_each_role_sees_its_places_each_with_a_drawn_icon(app, org, who, labels):
    items = navigation_for(getattr(org, who))

    assert [item.label for item in items] == labels
    assert len({item.icon for item in items}) == len(items)  # no two places look alike
    assert {item.icon for item in items} <= sprite_symbols(app)


def test_care_workers_feedback_tab_opens_their_own_feedback(org):
    endpoints = {item.label: item.endpoint for item in navigation_for(org.staff)}

    assert endpoints["Feedback"] == "feedback.my_feedback"


def test_a_visitor_who_is_not_logged_in_has_no_navigation():
    assert navigation_for(AnonymousUserMixin()) == []


def test_every_icon_the_page_frame_uses_is_in_the_sprite(app):
    base = (Path(app.template_folder) / "base.html").read_text(encoding="utf-8")
    used = set(re.findall(r"icon\('([\w-]+)'\)", base))

    assert {"bell", "account", "install", "logout"} <= used
    assert used <= sprite_symbols(app)


def test_every_dashboard_tab_icon_is_in_the_sprite(app):
    tabs = (Path(app.template_folder) / "dashboards" / "_tabs.html").read_text(encoding="utf-8")
    used = set(re.findall(r"\('(\w+)', '\w+'\)", tabs))

    assert used == {"quis", "visits", "coverage", "audits", "compliments"}
    assert used <= sprite_symbols(app)
