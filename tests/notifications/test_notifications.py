"""The in-app notifications behind the bell, and the safeguarding alerts to managers.

After every test, conftest checks that no notification created (title, body, link or push
payload) carries a person code, a staff name, a user's name or an e-mail address."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from careobs.accounts.models import User
from careobs.notifications.models import Notification
from careobs.notifications.service import notify
from careobs.push.models import PushMessage, PushSubscription
from tests.support.feedback import assert_no_personal_data, notifications_of, sync_as
from tests.support.quis import interaction, quis_doc
from tests.support.sync import revise

NEW = '<span class="badge">New</span>'
BELL = '<span class="bell-count">{}<span class="visually-hidden"> unread</span></span>'


def add_notice(db, user: User, link: str = "/feedback/", *, minutes_ago: int = 0, **fields):
    """A notification row for ``user``, created ``minutes_ago`` minutes ago."""
    values = {
        "organisation_id": user.organisation_id,
        "user_id": user.id,
        "kind": "feedback_released",
        "title": "New feedback",
        "body": "You have new feedback about your practice.",
        "link": link if link != "/feedback/" else f"/feedback/{uuid.uuid4()}",
        "created_at": datetime.now(UTC) - timedelta(minutes=minutes_ago),
    }
    notice = Notification(**(values | fields))
    db.add(notice)
    db.commit()
    return notice


def read_at(db, notice: Notification):
    db.expire_all()
    return db.get(Notification, notice.id).read_at


# --- the bell and the list -------------------------------------------------------------------


def test_the_bell_shows_the_unread_count(app, login, db, org, hal):
    client = login(hal)
    page = client.get("/").get_data(as_text=True)
    assert "bell-count" not in page
    assert 'href="/notifications/"' in page

    with app.app_context():
        for n in range(3):
            notify(db, hal, "feedback_released", f"/feedback/{uuid.uuid4()}", dedupe_key=str(n))
        notify(db, org.supervisor, "feedback_acknowledged", f"/feedback/{uuid.uuid4()}")
        db.commit()
    for path in ("/", "/feedback/mine", "/notifications/"):
        header = client.get(path).get_data(as_text=True).split("</header>")[0]
        assert BELL.format(3) in header, path
    assert BELL.format(1) in login(org.supervisor).get("/").get_data(as_text=True)

    first = notifications_of(db, hal)[0]
    assert client.get(f"/notifications/{first.uuid}").status_code == 302
    assert BELL.format(2) in client.get("/").get_data(as_text=True)
    assert client.post("/notifications/read").status_code == 302
    assert "bell-count" not in client.get("/").get_data(as_text=True)


def test_the_list_shows_the_users_notifications_newest_first(login, db, org, hal):
    old = add_notice(db, hal, minutes_ago=60, title="Action due", kind="action_due")
    new = add_notice(db, hal, minutes_ago=1)
    middle = add_notice(db, hal, minutes_ago=30, read_at=datetime.now(UTC), kind="visits_due")
    someone_elses = add_notice(db, org.supervisor)

    html = login(hal).get("/notifications/").get_data(as_text=True)
    positions = [html.find(f"/notifications/{n.uuid}") for n in (new, middle, old)]
    assert -1 not in positions
    assert positions == sorted(positions)
    assert f"/notifications/{someone_elses.uuid}" not in html
    # Unread ones are marked "New" (in text, not only by colour); read ones are not.
    entries = {
        n.uuid: html.split(f"/notifications/{n.uuid}")[1].split("</li>")[0]
        for n in (new, middle, old)
    }
    assert NEW in entries[new.uuid]
    assert NEW in entries[old.uuid]
    assert NEW not in entries[middle.uuid]
    assert "Action due" in entries[old.uuid]
    assert "Mark all as read" in html


def test_an_empty_list_says_so(login, hal):
    html = login(hal).get("/notifications/").get_data(as_text=True)
    assert "No notifications yet." in html
    assert "Mark all as read" not in html


def test_opening_a_notification_marks_it_read_and_goes_to_its_link(login, db, hal):
    notice = add_notice(db, hal)
    client = login(hal)
    response = client.get(f"/notifications/{notice.uuid}")
    assert response.status_code == 302
    assert response.headers["Location"] == notice.link
    first_read = read_at(db, notice)
    assert first_read is not None
    # Opening it again goes to the same place and keeps the first read time.
    response = client.get(f"/notifications/{notice.uuid}")
    assert response.headers["Location"] == notice.link
    assert read_at(db, notice) == first_read


@pytest.mark.parametrize(
    "link",
    [
        "https://evil.example/phish",
        "//evil.example/phish",
        "javascript:alert(1)",
        "feedback/relative",
    ],
)
def test_only_local_links_are_followed(login, db, hal, link):
    notice = add_notice(db, hal, link=link)
    response = login(hal).get(f"/notifications/{notice.uuid}")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert read_at(db, notice) is not None


def test_a_backslash_link_stays_on_this_site(login, db, hal):
    """Browsers read "/\\host" as "//host"; the redirect must not leave the site."""
    notice = add_notice(db, hal, link="/\\evil.example/phish")
    response = login(hal).get(f"/notifications/{notice.uuid}")
    assert response.status_code == 302
    location = response.headers["Location"]
    parts = urlsplit(location)
    assert (parts.scheme, parts.netloc) == ("", "")
    assert location.startswith("/")
    assert not location.startswith("//")
    assert "\\" not in location


def test_another_users_notification_is_404(login, db, org, other, hal):
    theirs = add_notice(db, org.supervisor)
    foreign = add_notice(db, other.supervisor)
    client = login(hal)
    for notice in (theirs, foreign):
        assert client.get(f"/notifications/{notice.uuid}").status_code == 404
        assert read_at(db, notice) is None
    assert client.get(f"/notifications/{uuid.uuid4()}").status_code == 404


def test_mark_all_as_read(login, db, org, hal):
    mine = [add_notice(db, hal, minutes_ago=n) for n in range(3)]
    theirs = add_notice(db, org.supervisor)
    client = login(hal)
    # Without the CSRF token nothing changes.
    assert client.post("/notifications/read", csrf=False).status_code == 400
    assert all(read_at(db, n) is None for n in mine)

    response = client.post("/notifications/read")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/notifications/")
    assert all(read_at(db, n) is not None for n in mine)
    assert read_at(db, theirs) is None
    assert NEW not in client.get("/notifications/").get_data(as_text=True)


def test_pages_need_a_login(client, db, hal):
    notice = add_notice(db, hal)
    for path in ("/notifications/", f"/notifications/{notice.uuid}", "/notifications/settings"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")
    assert read_at(db, notice) is None


def test_the_settings_page(login, hal):
    response = login(hal).get("/notifications/settings")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Turn on notifications" in html
    assert re.search(r"/static/js/push-settings\.[0-9a-f]{12}\.js", html)  # its hashed name


# --- safeguarding alerts ---------------------------------------------------------------------


@pytest.fixture
def people(data, db, org, hal, carla):
    """Who might hear about a concern: managers, supervisors and workers of both services."""
    max_ = data.user(org.org, "max@acme.test", "Max Manager", roles={org.care_home: "manager"})
    ina = data.user(org.org, "ina@acme.test", "Ina Inactive", roles={org.care_home: "manager"})
    hana = data.user(org.org, "hana@acme.test", "Hana Homecare", roles={org.homecare: "manager"})
    sid = data.user(
        org.org,
        "sid@acme.test",
        "Sid Second",
        roles={org.care_home: "supervisor", org.homecare: "supervisor"},
    )
    ina.active = False
    # Mo has a phone subscribed, so the alert is queued as a push too.
    db.add(
        PushSubscription(
            user_id=org.manager.id,
            endpoint="https://push.example/mo-phone",
            p256dh="B" * 87,
            auth="A" * 22,
        )
    )
    db.commit()
    return {
        "mo": org.manager,
        "max": max_,
        "ina": ina,
        "hana": hana,
        "sue": org.supervisor,
        "sid": sid,
        "admin": org.admin,
        "carla": carla,
        "hal": hal,
    }


def alerted(db, people) -> dict[str, list[str]]:
    """Each person's safeguarding notification links."""
    return {
        name: [n.link for n in notifications_of(db, user, "safeguarding")]
        for name, user in people.items()
    }


def nr_session(org, **fields):
    carla = org.staff_members["Carla Carer"]
    fields.setdefault("status", "submitted")
    return quis_doc(
        org.care_home,
        interactions=[
            interaction("PS", staff=carla, minute=1),
            interaction(
                "NR",
                ["R02"],
                staff=carla,
                minute=4,
                negative_reason="stopped_without_explanation",
                note="R02 told to sit down, no reason given.",
            ),
        ],
        **fields,
    )


def test_a_negative_restrictive_interaction_alerts_the_care_homes_managers_once(
    login, db, org, people
):
    document = nr_session(org)
    sue = sync_as(login(org.supervisor))
    assert sue(document)[0]["status"] == "created"
    link = f"/quis/sessions/{document['id']}"
    expected = {name: [] for name in people} | {"mo": [link], "max": [link]}
    assert alerted(db, people) == expected

    # Resending the same session: no second alert.
    assert sue(document)[0]["status"] == "unchanged"
    assert alerted(db, people) == expected

    (notice,) = notifications_of(db, org.manager, "safeguarding")
    assert notice.title == "Possible safeguarding concern"
    assert notice.body == "A submitted record may show a safeguarding concern. Open it to review."
    # Mo's phone gets a push with the same generic title and the link only.
    db.expire_all()
    (push,) = db.scalars(sa.select(PushMessage))
    assert push.notification_id == notice.id
    assert push.payload == {
        "title": "Possible safeguarding concern",
        "url": f"/notifications/{notice.uuid}",
        "tag": "safeguarding",
    }
    # The manager follows the push to the session, and the bell no longer counts the alert.
    mo = login(org.manager)
    response = mo.get(push.payload["url"])
    assert response.headers["Location"] == link
    assert mo.get(link).status_code == 200
    db.expire_all()
    assert db.get(Notification, notice.id).read_at is not None
    assert assert_no_personal_data(db) == 2


def test_both_observers_of_a_pair_seeing_restraint_alert_each_manager_once(login, db, org, people):
    """A paired observation is one period seen twice: the first session submitted alerts, the
    other (here the second observer's, seeing the same restraint) does not alert again."""
    from careobs.quis.pair_ids import pair_id_for

    pair = {"id": str(pair_id_for(org.care_home.uuid, "K7P2QD")), "code": "K7P2QD"}
    lead = nr_session(org, pair=pair | {"role": "lead"})
    second = nr_session(org, pair=pair | {"role": "second"})
    assert sync_as(login(org.supervisor))(lead)[0]["status"] == "created"
    sid = people["sid"]
    assert sync_as(login(sid))(second)[0]["status"] == "created"

    link = f"/quis/sessions/{lead['id']}"
    expected = {name: [] for name in people} | {"mo": [link], "max": [link]}
    assert alerted(db, people) == expected


def test_a_session_without_nr_or_not_yet_submitted_alerts_nobody(login, db, org, people):
    carla = org.staff_members["Carla Carer"]
    sue = sync_as(login(org.supervisor))
    protective = quis_doc(
        org.care_home,
        status="submitted",
        interactions=[interaction("NP", staff=carla, negative_reason="task_focused")],
    )
    draft = nr_session(org, status="draft")
    assert [r["status"] for r in sue(protective, draft)] == ["created", "created"]
    assert db.scalar(sa.select(sa.func.count()).select_from(Notification)) == 0

    # The draft with an NR is submitted later: now the managers hear, once.
    submitted = revise(draft, revision=2, status="submitted")
    assert sue(submitted)[0]["status"] == "updated"
    assert sue(submitted)[0]["status"] == "unchanged"
    link = f"/quis/sessions/{draft['id']}"
    assert alerted(db, people) == {name: [] for name in people} | {"mo": [link], "max": [link]}


def test_a_critical_item_not_met_alerts_the_homecare_managers(
    login, db, org, people, checklist, visit_doc
):
    document = visit_doc(ratings={checklist.critical[0]: "not_met"})
    sue = sync_as(login(org.supervisor))
    assert sue(document)[0]["status"] == "created"
    link = f"/visits/{document['id']}"
    expected = {name: [] for name in people} | {"hana": [link]}
    assert alerted(db, people) == expected
    assert sue(document)[0]["status"] == "unchanged"
    assert alerted(db, people) == expected

    (notice,) = notifications_of(db, people["hana"], "safeguarding")
    assert notice.title == "Possible safeguarding concern"
    hana = login(people["hana"])
    assert hana.get(f"/notifications/{notice.uuid}").headers["Location"] == link
    assert hana.get(link).status_code == 200
    # The worker's feedback is still a draft: Hal has heard nothing at all.
    assert notifications_of(db, people["hal"]) == []
    assert assert_no_personal_data(db) == 1


def test_a_visit_without_a_critical_failure_alerts_nobody(
    login, db, org, people, checklist, visit_doc
):
    sue = sync_as(login(org.supervisor))
    partly_critical = visit_doc(ratings={checklist.critical[0]: "partly"})
    plain_not_met = visit_doc(
        ratings={checklist.plain[0]: "not_met", checklist.plain[1]: "not_met"}
    )
    draft = visit_doc(ratings={checklist.critical[0]: "not_met"}, status="draft")
    results = sue(partly_critical, plain_not_met, draft)
    assert [r["status"] for r in results] == ["created"] * 3
    assert alerted(db, people) == {name: [] for name in people}


def test_released_feedback_and_alert_together_name_nobody(
    login, db, org, people, checklist, visit_doc
):
    """A red visit released at once: the worker's notice and the managers' alert, both generic."""
    document = visit_doc(
        ratings={checklist.critical[0]: "not_met"},
        release_feedback=True,
        went_well="Hal greeted H01 by name.",
        to_develop="Hal did not check the record for H01.",
    )
    assert sync_as(login(org.supervisor))(document)[0]["status"] == "created"
    (released,) = notifications_of(db, people["hal"])
    assert released.title == "New feedback"
    assert released.body == "You have new feedback about your practice."
    assert [n.kind for n in notifications_of(db, people["hana"])] == ["safeguarding"]
    assert assert_no_personal_data(db) == 2
