"""Who may see, edit, release, acknowledge and reply to which feedback.

Workers see only their own released feedback; supervisors what they wrote; managers their
services' feedback; nobody sees another organisation's."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from careobs.accounts.models import User
from careobs.audit.models import AuditEvent
from careobs.feedback.models import Feedback
from tests.support.feedback import add_worker_login, make_feedback, notifications_of


@dataclass
class Scene:
    org: object
    other: object
    hal: User  # care worker, homecare
    carla: User  # care worker, care home (the factory staff user)
    sid: User  # a second supervisor, homecare only
    hana: User  # manager of the homecare service
    hal_released: Feedback  # Sue → Hal
    hal_draft: Feedback  # Sue → Hal, not released
    carla_released: Feedback  # Sue → Carla (care home)
    sid_hal: Feedback  # Sid → Hal
    sid_draft: Feedback  # Sid → Hal, not released
    foreign: Feedback  # Other Org: their supervisor → their Hal

    @property
    def acme(self) -> list[Feedback]:
        return [
            self.hal_released,
            self.hal_draft,
            self.carla_released,
            self.sid_hal,
            self.sid_draft,
        ]

    @property
    def everything(self) -> list[Feedback]:
        return [*self.acme, self.foreign]


@pytest.fixture
def scene(data, db, org, other, hal, carla) -> Scene:
    sid = data.user(org.org, "sid@acme.test", "Sid Second", roles={org.homecare: "supervisor"})
    hana = data.user(org.org, "hana@acme.test", "Hana Homecare", roles={org.homecare: "manager"})
    hal_member = org.staff_members["Hal Homecare"]
    add_worker_login(data, db, other, "Hal Homecare", "hal@other.test")
    return Scene(
        org=org,
        other=other,
        hal=hal,
        carla=carla,
        sid=sid,
        hana=hana,
        hal_released=make_feedback(db, org.supervisor, hal_member, went_well="Sue to Hal"),
        hal_draft=make_feedback(
            db, org.supervisor, hal_member, released=False, went_well="Sue to Hal, draft"
        ),
        carla_released=make_feedback(
            db, org.supervisor, org.staff_members["Carla Carer"], went_well="Sue to Carla"
        ),
        sid_hal=make_feedback(db, sid, hal_member, went_well="Sid to Hal"),
        sid_draft=make_feedback(db, sid, hal_member, released=False, went_well="Sid, draft"),
        foreign=make_feedback(
            db, other.supervisor, other.staff_members["Hal Homecare"], went_well="Other Org"
        ),
    )


def links_in(html: str, scene: Scene) -> set[uuid.UUID]:
    return {f.uuid for f in scene.everything if f"/feedback/{f.uuid}" in html}


def check_access(login, user, scene: Scene, visible: list[Feedback]) -> None:
    client = login(user)
    for feedback in scene.everything:
        expected = 200 if feedback in visible else 404
        status = client.get(f"/feedback/{feedback.uuid}").status_code
        assert status == expected, (user.email, feedback.went_well, status)


def untouched(db, scene: Scene) -> None:
    db.expire_all()
    for feedback in scene.everything:
        row = db.get(Feedback, feedback.id)
        assert row.read_at is None
        assert row.acknowledged_at is None
        assert row.reply == ""
        assert row.replied_at is None
    assert (
        db.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action.like("feedback_%"))
        )
        == 0
    )


# --- care workers --------------------------------------------------------------------------


def test_a_worker_sees_only_their_own_released_feedback(login, db, scene):
    hal = login(scene.hal)
    mine = hal.get("/feedback/mine").get_data(as_text=True)
    assert links_in(mine, scene) == {scene.hal_released.uuid, scene.sid_hal.uuid}
    # The author's list is not theirs.
    assert links_in(hal.get("/feedback/").get_data(as_text=True), scene) == set()
    check_access(login, scene.hal, scene, [scene.hal_released, scene.sid_hal])

    carla = login(scene.carla)
    assert links_in(carla.get("/feedback/mine").get_data(as_text=True), scene) == {
        scene.carla_released.uuid
    }
    check_access(login, scene.carla, scene, [scene.carla_released])


def test_a_worker_cannot_edit_or_release(login, db, scene):
    hal = login(scene.hal)
    for feedback in (scene.hal_draft, scene.sid_draft):
        assert hal.get(f"/feedback/{feedback.uuid}/edit").status_code == 404
        response = hal.post(
            f"/feedback/{feedback.uuid}/edit", data={"went_well": "Changed", "release": "1"}
        )
        assert response.status_code == 404
    # Their own released feedback: they may read it, not change it.
    assert hal.get(f"/feedback/{scene.hal_released.uuid}/edit").status_code == 403
    response = hal.post(f"/feedback/{scene.hal_released.uuid}/edit", data={"went_well": "Mine"})
    assert response.status_code == 403
    db.expire_all()
    for feedback in (scene.hal_draft, scene.sid_draft):
        assert db.get(Feedback, feedback.id).status == "draft"
    assert db.get(Feedback, scene.hal_released.id).went_well == "Sue to Hal"
    assert notifications_of(db, scene.hal) == []


def test_a_worker_cannot_acknowledge_or_reply_to_someone_elses(login, db, scene):
    carla = login(scene.carla)
    for feedback in (scene.hal_released, scene.sid_hal, scene.hal_draft, scene.foreign):
        assert carla.post(f"/feedback/{feedback.uuid}/acknowledge").status_code == 404
        response = carla.post(f"/feedback/{feedback.uuid}/reply", data={"reply": "Not mine"})
        assert response.status_code == 404
    # Nor their own before it is released.
    hal = login(scene.hal)
    assert hal.post(f"/feedback/{scene.hal_draft.uuid}/acknowledge").status_code == 404
    assert hal.post(f"/feedback/{scene.hal_draft.uuid}/reply", data={"reply": "x"}).status_code == (
        404
    )
    untouched(db, scene)
    assert notifications_of(db, scene.org.supervisor) == []


def test_a_login_without_a_staff_record_has_no_feedback(login, db, scene):
    outsider = login(scene.org.outsider)
    assert links_in(outsider.get("/feedback/mine").get_data(as_text=True), scene) == set()
    assert links_in(outsider.get("/feedback/").get_data(as_text=True), scene) == set()
    check_access(login, scene.org.outsider, scene, [])


# --- authors and managers --------------------------------------------------------------------


def test_a_supervisor_sees_only_what_they_wrote(login, db, scene):
    sue = login(scene.org.supervisor)
    assert links_in(sue.get("/feedback/").get_data(as_text=True), scene) == {
        scene.hal_released.uuid,
        scene.hal_draft.uuid,
        scene.carla_released.uuid,
    }
    check_access(
        login,
        scene.org.supervisor,
        scene,
        [scene.hal_released, scene.hal_draft, scene.carla_released],
    )
    # Another supervisor's draft cannot be edited or released.
    assert sue.get(f"/feedback/{scene.sid_draft.uuid}/edit").status_code == 404
    response = sue.post(f"/feedback/{scene.sid_draft.uuid}/edit", data={"release": "1"})
    assert response.status_code == 404

    sid = login(scene.sid)
    assert links_in(sid.get("/feedback/").get_data(as_text=True), scene) == {
        scene.sid_hal.uuid,
        scene.sid_draft.uuid,
    }
    check_access(login, scene.sid, scene, [scene.sid_hal, scene.sid_draft])
    # Looking at feedback is not the worker reading it.
    untouched(db, scene)


def test_a_manager_sees_their_services_feedback_only(login, db, scene):
    # Mo manages the care home: Carla's feedback, whoever wrote it.
    mo = login(scene.org.manager)
    assert links_in(mo.get("/feedback/").get_data(as_text=True), scene) == {
        scene.carla_released.uuid
    }
    check_access(login, scene.org.manager, scene, [scene.carla_released])

    # Hana manages homecare: every homecare feedback, drafts included, by any author.
    hana = login(scene.hana)
    homecare = [scene.hal_released, scene.hal_draft, scene.sid_hal, scene.sid_draft]
    assert links_in(hana.get("/feedback/").get_data(as_text=True), scene) == {
        f.uuid for f in homecare
    }
    check_access(login, scene.hana, scene, homecare)
    assert hana.get(f"/feedback/{scene.sid_draft.uuid}/edit").status_code == 200

    # The organisation admin sees all of Acme's, nothing of Other Org's.
    check_access(login, scene.org.admin, scene, scene.acme)
    untouched(db, scene)


def test_another_organisation_sees_nothing(login, db, scene):
    other = scene.other
    for user in (other.admin, other.manager, other.supervisor):
        client = login(user)
        assert (
            links_in(client.get("/feedback/").get_data(as_text=True), scene) - {scene.foreign.uuid}
            == set()
        )
        for feedback in scene.acme:
            assert client.get(f"/feedback/{feedback.uuid}").status_code == 404
            assert client.get(f"/feedback/{feedback.uuid}/edit").status_code == 404
            assert client.post(f"/feedback/{feedback.uuid}/acknowledge").status_code == 404
    # Other Org's Hal sees only his own, never Acme's Hal's.
    other_hal = login("hal@other.test")
    assert links_in(other_hal.get("/feedback/mine").get_data(as_text=True), scene) == {
        scene.foreign.uuid
    }
    # Other Org's supervisor wrote the foreign feedback and sees it.
    assert login(other.supervisor).get(f"/feedback/{scene.foreign.uuid}").status_code == 200
    untouched(db, scene)


def test_only_the_worker_may_acknowledge_or_reply(login, db, scene):
    for user in (scene.org.supervisor, scene.hana, scene.org.admin):
        client = login(user)
        assert client.post(f"/feedback/{scene.hal_released.uuid}/acknowledge").status_code == 403
        response = client.post(
            f"/feedback/{scene.hal_released.uuid}/reply", data={"reply": "On Hal's behalf"}
        )
        assert response.status_code == 403
    untouched(db, scene)
    assert notifications_of(db, scene.org.supervisor) == []
    # The worker may.
    hal = login(scene.hal)
    assert hal.post(f"/feedback/{scene.hal_released.uuid}/acknowledge").status_code == 302
    assert (
        hal.post(
            f"/feedback/{scene.hal_released.uuid}/reply", data={"reply": "Thank you."}
        ).status_code
        == 302
    )
    db.expire_all()
    row = db.get(Feedback, scene.hal_released.id)
    assert row.acknowledged_at is not None
    assert row.reply == "Thank you."


def test_anonymous_users_are_sent_to_log_in(client, db, scene):
    for path in (
        "/feedback/",
        "/feedback/mine",
        f"/feedback/{scene.hal_released.uuid}",
        f"/feedback/{scene.hal_draft.uuid}/edit",
    ):
        response = client.get(path)
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]
    response = client.post(f"/feedback/{scene.hal_released.uuid}/acknowledge")
    assert response.status_code in (302, 401)
    untouched(db, scene)
