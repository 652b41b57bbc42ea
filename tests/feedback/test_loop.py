"""The feedback loop end to end: the author edits and releases a draft, the worker reads it,
acknowledges it and replies with a reflection, the author sees each step, and every step is in
the audit log."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from careobs.accounts.models import User
from careobs.audit.models import AuditEvent
from careobs.feedback.models import Feedback
from tests.support.feedback import feedback_for, make_feedback, notifications_of, sync_as


def audit_of(db, feedback: Feedback) -> list[tuple[str, int]]:
    db.expire_all()
    rows = db.execute(
        sa.select(AuditEvent.action, AuditEvent.actor_id)
        .where(AuditEvent.entity_id == str(feedback.uuid))
        .order_by(AuditEvent.id)
    )
    return [tuple(row) for row in rows]


def fresh(db, feedback: Feedback) -> Feedback:
    db.expire_all()
    return db.get(Feedback, feedback.id)


def status_cell(html: str, feedback: Feedback) -> str:
    """The Status column of the author's list, on the row of this feedback."""
    row = html.split(f"/feedback/{feedback.uuid}")[1].split("</tr>")[0]
    return row.split("<td>")[3].split("</td>")[0]


@pytest.fixture
def drafted(login, db, org, hal, visit_doc) -> Feedback:
    """Sue's draft feedback for Hal, from a submitted visit."""
    assert sync_as(login(org.supervisor))(visit_doc())[0]["status"] == "created"
    (feedback,) = feedback_for(db, org.staff_members["Hal Homecare"])
    return feedback


EDITED = {
    "went_well": "You greeted H01 warmly and explained each step.",
    "to_develop": "Check the medicines record before giving anything.",
    "actions": "- Medicines refresher by 31 Dec.",
}


def test_saving_a_draft_keeps_it_a_draft(login, db, org, hal, drafted):
    sue = login(org.supervisor)
    response = sue.post(f"/feedback/{drafted.uuid}/edit", data=EDITED)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/feedback/{drafted.uuid}")
    feedback = fresh(db, drafted)
    assert feedback.status == "draft"
    assert feedback.went_well == EDITED["went_well"]
    assert feedback.to_develop == EDITED["to_develop"]
    assert feedback.actions == EDITED["actions"]
    assert notifications_of(db, hal) == []
    assert "Draft saved." in sue.get(response.headers["Location"]).get_data(as_text=True)
    # The worker cannot see a draft.
    assert login(hal).get(f"/feedback/{drafted.uuid}").status_code == 404
    assert f"/feedback/{drafted.uuid}" not in login(hal).get("/feedback/mine").get_data(
        as_text=True
    )


def test_only_a_save_that_changes_the_text_is_audited_as_an_edit(login, db, org, hal):
    draft = make_feedback(
        db,
        org.supervisor,
        org.staff_members["Hal Homecare"],
        released=False,
        went_well="Greeted H01 by name.\nExplained each step.",
        actions="",
    )
    sue = login(org.supervisor)
    as_drafted = {"went_well": draft.went_well, "to_develop": draft.to_develop, "actions": ""}

    # Saved as it is, and again as a browser sends it (CRLF line breaks): no edit.
    assert sue.post(f"/feedback/{draft.uuid}/edit", data=as_drafted).status_code == 302
    crlf = {**as_drafted, "went_well": draft.went_well.replace("\n", "\r\n")}
    assert sue.post(f"/feedback/{draft.uuid}/edit", data=crlf).status_code == 302
    assert audit_of(db, draft) == []

    # Each field that changes makes one edit, by the author.
    for field in ("went_well", "to_develop", "actions"):
        changed = {**as_drafted, field: f"{as_drafted[field]} Changed.".strip()}
        assert sue.post(f"/feedback/{draft.uuid}/edit", data=changed).status_code == 302
        assert getattr(fresh(db, draft), field) == changed[field]
        assert sue.post(f"/feedback/{draft.uuid}/edit", data=as_drafted).status_code == 302
    assert audit_of(db, draft) == [("feedback_edited", org.supervisor.id)] * 6


def test_an_over_long_edit_is_refused_with_a_message(login, db, org, drafted):
    before = fresh(db, drafted).went_well
    sue = login(org.supervisor)
    response = sue.post(
        f"/feedback/{drafted.uuid}/edit", data={**EDITED, "went_well": "x" * 20001, "release": "1"}
    )
    assert response.status_code == 200
    assert "Field cannot be longer than 20000 characters." in response.get_data(as_text=True)
    feedback = fresh(db, drafted)
    assert feedback.status == "draft"
    assert feedback.went_well == before


def test_the_whole_loop(login, db, org, hal, drafted):
    sue = login(org.supervisor)
    worker = login(hal)

    # 1. The author edits and releases the draft.
    edit_page = sue.get(f"/feedback/{drafted.uuid}/edit")
    assert edit_page.status_code == 200
    assert "Release to Hal Homecare" in edit_page.get_data(as_text=True)
    response = sue.post(f"/feedback/{drafted.uuid}/edit", data={**EDITED, "release": "1"})
    assert response.status_code == 302
    page = sue.get(response.headers["Location"]).get_data(as_text=True)
    assert "Feedback released. The care worker has been notified." in page
    assert "Not yet read" in page
    feedback = fresh(db, drafted)
    assert feedback.status == "released"
    assert feedback.released_at is not None
    assert feedback.went_well == EDITED["went_well"]
    (released_notice,) = notifications_of(db, hal)
    assert released_notice.kind == "feedback_released"
    assert released_notice.title == "New feedback"
    assert released_notice.link == f"/feedback/{feedback.uuid}"
    # Released feedback can no longer be edited.
    assert sue.get(f"/feedback/{feedback.uuid}/edit").status_code == 403
    assert sue.post(f"/feedback/{feedback.uuid}/edit", data=EDITED).status_code == 403
    assert status_cell(sue.get("/feedback/").get_data(as_text=True), feedback) == "Not yet read"
    assert f"/feedback/{feedback.uuid}" in sue.get("/feedback/?status=unread").get_data(
        as_text=True
    )
    # The author opening it is not a read receipt.
    assert fresh(db, feedback).read_at is None

    # 2. The worker's "My feedback" lists it as new.
    mine = worker.get("/feedback/mine").get_data(as_text=True)
    entry = mine.split(f"/feedback/{feedback.uuid}")[1].split("</li>")[0]
    assert '<span class="badge">New</span>' in entry
    assert "Monitoring visit" in entry
    assert "not yet acknowledged" in entry

    # 3. Opening it records the read receipt once.
    page = worker.get(f"/feedback/{feedback.uuid}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert EDITED["went_well"] in html
    assert EDITED["to_develop"] in html
    assert "I have read and understood this" in html
    read_at = fresh(db, feedback).read_at
    assert read_at is not None
    assert worker.get(f"/feedback/{feedback.uuid}").status_code == 200
    assert fresh(db, feedback).read_at == read_at
    assert audit_of(db, feedback).count(("feedback_read", hal.id)) == 1
    # Opening the feedback also counts as reading its notification.
    (released_notice,) = notifications_of(db, hal)
    assert released_notice.read_at is not None
    mine = worker.get("/feedback/mine").get_data(as_text=True)
    entry = mine.split(f"/feedback/{feedback.uuid}")[1].split("</li>")[0]
    assert "New" not in entry
    assert status_cell(sue.get("/feedback/").get_data(as_text=True), feedback) == "Read"
    assert '<span class="badge">Read</span>' in sue.get(f"/feedback/{feedback.uuid}").get_data(
        as_text=True
    )
    assert f"/feedback/{feedback.uuid}" not in sue.get("/feedback/?status=unread").get_data(
        as_text=True
    )

    # 4. "I have read and understood this": recorded, and the author is told.
    response = worker.post(f"/feedback/{feedback.uuid}/acknowledge")
    assert response.status_code == 302
    html = worker.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your acknowledgement has been recorded." in html
    assert "You acknowledged this on" in html
    assert "I have read and understood this" not in html
    acknowledged_at = fresh(db, feedback).acknowledged_at
    assert acknowledged_at is not None
    (ack_notice,) = notifications_of(db, org.supervisor)
    assert ack_notice.kind == "feedback_acknowledged"
    assert ack_notice.title == "Feedback acknowledged"
    assert ack_notice.link == f"/feedback/{feedback.uuid}"
    # Acknowledging again changes nothing.
    assert worker.post(f"/feedback/{feedback.uuid}/acknowledge").status_code == 302
    assert fresh(db, feedback).acknowledged_at == acknowledged_at
    assert len(notifications_of(db, org.supervisor)) == 1
    assert status_cell(sue.get("/feedback/").get_data(as_text=True), feedback) == "Acknowledged"
    mine = worker.get("/feedback/mine").get_data(as_text=True)
    entry = mine.split(f"/feedback/{feedback.uuid}")[1].split("</li>")[0]
    assert "· acknowledged" in entry
    assert "not yet acknowledged" not in entry

    # 5. An empty reflection is refused with a message; nothing is saved.
    for empty in ("", "   \n  "):
        response = worker.post(f"/feedback/{feedback.uuid}/reply", data={"reply": empty})
        assert response.status_code == 400
        assert "This field is required." in response.get_data(as_text=True)
        after = fresh(db, feedback)
        assert after.reply == ""
        assert after.replied_at is None
        assert len(notifications_of(db, org.supervisor)) == 1
    too_long = worker.post(f"/feedback/{feedback.uuid}/reply", data={"reply": "x" * 5001})
    assert too_long.status_code == 400
    assert fresh(db, feedback).replied_at is None

    # 6. A reflection is recorded and the author is told.
    reflection = "  I will check the record every time, and ask a senior if unsure.  "
    response = worker.post(f"/feedback/{feedback.uuid}/reply", data={"reply": reflection})
    assert response.status_code == 302
    html = worker.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your reflection has been sent." in html
    assert "Your reflection" in html
    after = fresh(db, feedback)
    assert after.reply == reflection.strip()
    assert after.replied_at is not None
    notices = notifications_of(db, org.supervisor, "feedback_replied")
    assert len(notices) == 1
    assert notices[0].title == "Reply to your feedback"
    assert notices[0].link == f"/feedback/{feedback.uuid}"

    # 7. The author's list shows "Replied"; the page shows the reflection, and opening it
    # counts as reading the author's notifications about it.
    assert status_cell(sue.get("/feedback/").get_data(as_text=True), feedback) == "Replied"
    assert all(n.read_at is None for n in notifications_of(db, org.supervisor))
    page = sue.get(f"/feedback/{feedback.uuid}").get_data(as_text=True)
    assert "Reflection from Hal Homecare" in page
    assert reflection.strip() in page
    assert all(n.read_at is not None for n in notifications_of(db, org.supervisor))

    # 8. The audit log has one event for each step, by the right person.
    assert audit_of(db, feedback) == [
        ("feedback_drafted", org.supervisor.id),
        ("feedback_edited", org.supervisor.id),
        ("feedback_released", org.supervisor.id),
        ("feedback_read", hal.id),
        ("feedback_acknowledged", hal.id),
        ("feedback_replied", hal.id),
    ]
    # The worker got one notice (the release); the author one per step.
    assert [n.kind for n in notifications_of(db, hal)] == ["feedback_released"]
    assert [n.kind for n in notifications_of(db, org.supervisor)] == [
        "feedback_acknowledged",
        "feedback_replied",
    ]


def test_acknowledging_unopened_feedback_records_the_read_receipt_too(login, db, org, hal, drafted):
    sue = login(org.supervisor)
    assert sue.post(f"/feedback/{drafted.uuid}/edit", data={"release": "1"}).status_code == 302
    assert login(hal).post(f"/feedback/{drafted.uuid}/acknowledge").status_code == 302
    feedback = fresh(db, drafted)
    assert feedback.read_at is not None
    assert feedback.acknowledged_at is not None
    assert [a for a, _ in audit_of(db, feedback)] == [
        "feedback_drafted",
        "feedback_released",  # released as drafted: no edit
        "feedback_read",
        "feedback_acknowledged",
    ]


def test_releasing_twice_notifies_once(app, login, db, org, hal, drafted):
    from careobs.feedback import service

    sue = login(org.supervisor)
    assert sue.post(f"/feedback/{drafted.uuid}/edit", data={"release": "1"}).status_code == 302
    with app.app_context():
        service.release(db, fresh(db, drafted), org.supervisor)
        db.commit()
    assert len(notifications_of(db, hal)) == 1
    assert [a for a, _ in audit_of(db, drafted)] == ["feedback_drafted", "feedback_released"]


def test_releasing_to_a_worker_without_a_login_says_nobody_was_notified(login, db, org):
    member = org.staff_members["Carla Carer"]  # no login linked in this test
    draft = make_feedback(db, org.supervisor, member, released=False)
    sue = login(org.supervisor)

    response = sue.post(f"/feedback/{draft.uuid}/edit", data={**EDITED, "release": "1"})

    page = sue.get(response.headers["Location"]).get_data(as_text=True)
    assert "Feedback released. The care worker has been notified." not in page
    assert "Carla Carer has no careobs login, so nobody was notified" in page
    feedback = fresh(db, draft)
    assert feedback.status == "released"
    assert feedback.progress == "Not yet read: they have no login"
    assert status_cell(sue.get("/feedback/").get_data(as_text=True), feedback) == (
        "Not yet read: they have no login"
    )


def test_feedback_to_a_worker_whose_login_is_deactivated_says_so(login, db, org, hal):
    draft = make_feedback(db, org.supervisor, org.staff_members["Hal Homecare"], released=False)
    db.get(User, hal.id).active = False
    db.commit()
    sue = login(org.supervisor)

    response = sue.post(f"/feedback/{draft.uuid}/edit", data={**EDITED, "release": "1"})

    page = sue.get(response.headers["Location"]).get_data(as_text=True)
    assert "Hal Homecare&#39;s careobs login is deactivated, so nobody was notified" in page
    assert notifications_of(db, hal) == []
    feedback = fresh(db, draft)
    assert feedback.status == "released"
    assert feedback.progress == "Not yet read: their login is deactivated"
    page = login(org.supervisor).get("/feedback/").get_data(as_text=True)
    assert status_cell(page, feedback) == "Not yet read: their login is deactivated"


def test_identifiers_in_feedback_are_flagged_to_the_author_not_the_worker(login, db, org, hal):
    member = org.staff_members["Hal Homecare"]
    feedback = make_feedback(db, org.supervisor, member, went_well="Mrs Jones was smiling.")
    sue = login(org.supervisor)

    page = sue.get(f"/feedback/{feedback.uuid}").get_data(as_text=True)
    edit = sue.get(
        f"/feedback/{make_feedback(db, org.supervisor, member, released=False).uuid}/edit"
    )

    assert "Possible personal information" in page
    assert "a name with a title (Mr, Mrs, ...)" in page
    worker_page = login(hal).get(f"/feedback/{feedback.uuid}").get_data(as_text=True)
    assert "Possible personal information" not in worker_page
    assert re.search(r'<textarea [^>]*data-privacy="" [^>]*id="reply"', worker_page)
    html = edit.get_data(as_text=True)
    assert html.count("data-privacy") == 3
    assert re.search(r"/static/js/privacy-fields\.[0-9a-f]{12}\.js", html)  # its hashed name
