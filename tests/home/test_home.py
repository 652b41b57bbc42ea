"""The home page: each role gets a page suited to it, listing only that user's own services.

Admins see the set-up links for everything, managers the links for their services' people and
staff, supervisors and care workers no admin links at all, and a user with no service is told
to ask for access. Another organisation's services never appear.
"""

from __future__ import annotations

import re

import pytest

from careobs.org.models import Person, Service, StaffMember

ADMIN_ONLY_LINKS = ('href="/admin/services"', 'href="/admin/users/"', 'href="/admin/audit/"')
MANAGER_LINKS = ('href="/admin/people/"', 'href="/admin/staff/"')
NO_SERVICE = "You are not a member of any service yet."


def home(client, auth, user) -> str:
    auth.login(user)
    response = client.get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def service_cards(page: str) -> list[str]:
    """The names of the services shown on the page, in order."""
    return re.findall(r"<h3>([^<]+)</h3>", page)


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_admin_sees_every_service_and_all_set_up_links(client, auth, data):
    acme = data.organisation()

    page = home(client, auth, acme.admin)

    assert "Hello, Ada Admin" in page
    assert service_cards(page) == ["Acme Care Homecare", "Acme Care House"]
    assert "Set up" in page
    for link in (*ADMIN_ONLY_LINKS, *MANAGER_LINKS):
        assert link in page
    assert 'href="/admin/"' in page  # the Admin entry of the navigation
    assert "organisation admin" in page


def test_admin_sees_how_many_active_people_and_staff_each_service_has(client, auth, data, db):
    acme = data.organisation()
    db.get(Person, acme.people["R02"].id).active = False
    db.commit()

    page = home(client, auth, acme.admin)

    assert "1 person supported · 1 member of staff" in page  # the care home: R01 and Carla
    assert "2 people supported · 1 member of staff" in page  # homecare: H01, H02 and Hal


def test_manager_sees_their_service_and_only_the_links_they_may_use(client, auth, data):
    acme = data.organisation()

    page = home(client, auth, acme.manager)

    assert "Hello, Mo Manager" in page
    assert service_cards(page) == ["Acme Care House"]
    assert "you are a manager" in page
    assert "Set up" in page
    for link in MANAGER_LINKS:
        assert link in page
    for link in ADMIN_ONLY_LINKS:
        assert link not in page


def test_supervisor_sees_both_services_and_no_admin_links(client, auth, data):
    acme = data.organisation()

    page = home(client, auth, acme.supervisor)

    assert service_cards(page) == ["Acme Care Homecare", "Acme Care House"]
    assert page.count("you are a supervisor") == 2
    assert "Set up" not in page
    assert 'href="/admin' not in page


def test_care_worker_gets_a_page_without_admin_links_or_counts(client, auth, data):
    acme = data.organisation()

    page = home(client, auth, acme.staff)

    assert "Hello, Stan Staff" in page
    assert service_cards(page) == ["Acme Care House"]
    assert "you are a care worker" in page
    assert 'href="/admin' not in page
    assert "Set up" not in page
    assert "people supported ·" not in page
    assert "My feedback" in page


def test_care_worker_linked_to_a_staff_record_sees_their_name(client, auth, data, db):
    acme = data.organisation()
    db.get(StaffMember, acme.staff_members["Carla Carer"].id).user_id = acme.staff.id
    db.commit()

    page = home(client, auth, acme.staff)

    assert "Written feedback about your practice (Carla Carer)" in page


def test_an_observer_who_is_also_observed_finds_their_own_feedback(client, auth, data, db):
    acme = data.organisation()
    assert "/feedback/mine" not in home(client, auth, acme.supervisor)
    assert "/feedback/mine" not in client.get("/feedback/").get_data(as_text=True)

    db.get(StaffMember, acme.staff_members["Carla Carer"].id).user_id = acme.supervisor.id
    db.commit()

    assert 'href="/feedback/mine">My feedback</a>' in home(client, auth, acme.supervisor)
    feedback_page = client.get("/feedback/").get_data(as_text=True)
    assert 'href="/feedback/mine">My feedback</a> about your own practice' in feedback_page


def test_a_user_in_no_service_is_told_to_ask_for_access(client, auth, data):
    acme = data.organisation()

    page = home(client, auth, acme.outsider)

    assert NO_SERVICE in page
    assert service_cards(page) == []
    assert 'href="/admin' not in page


def test_inactive_services_are_not_listed(client, auth, data, db):
    acme = data.organisation()
    db.get(Service, acme.homecare.id).active = False
    db.commit()

    page = home(client, auth, acme.supervisor)

    assert service_cards(page) == ["Acme Care House"]


@pytest.mark.parametrize("role", ["admin", "manager", "supervisor", "staff", "outsider"])
def test_another_organisations_services_never_appear(client, auth, data, role):
    other = data.organisation("Other Org", prefix="other")
    acme = data.organisation()

    page = home(client, auth, getattr(acme, role))

    assert "Other Org" not in page
    assert other.care_home.uuid.hex not in page
    assert "Acme Care House" in page or role == "outsider"


@pytest.mark.parametrize("role", ["admin", "manager", "supervisor", "staff", "outsider"])
def test_every_role_reaches_its_account_page(client, auth, data, role):
    acme = data.organisation()
    auth.login(getattr(acme, role))

    page = client.get("/account").get_data(as_text=True)

    assert getattr(acme, role).email in page
    assert "Change password" in page
