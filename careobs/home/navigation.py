"""What each person sees in the navigation: only the places their role lets them go."""

from __future__ import annotations

from dataclasses import dataclass

from careobs.permissions import can_administer, can_capture, only_a_quality_checker


@dataclass(frozen=True)
class NavItem:
    """One place in the main navigation. ``icon`` names a symbol in static/img/icons.svg."""

    endpoint: str
    label: str
    icon: str


def navigation_for(user) -> list[NavItem]:
    """The navigation entries for a user, in the order they appear."""
    if not user.is_authenticated:
        return []
    items = [NavItem("home.index", "Home", "home")]
    if only_a_quality_checker(user):
        # Their tasks are on Home; the easy-read form lists their co-audits on the device too,
        # offline. No visits, feedback, trends or admin.
        items.append(NavItem("audits.easy_read_page", "Co-audits", "audits"))
        return items
    if can_capture(user):
        items.append(NavItem("quis.index", "QUIS", "quis"))
    items.append(NavItem("visits.index", "Visits", "visits"))
    if can_capture(user):
        items.append(NavItem("feedback.index", "Feedback", "feedback"))
    else:
        items.append(NavItem("feedback.my_feedback", "Feedback", "feedback"))
    if can_administer(user):
        items.append(NavItem("dashboards.index", "Trends", "trends"))
        items.append(NavItem("services.admin_home", "Admin", "admin"))
    return items
