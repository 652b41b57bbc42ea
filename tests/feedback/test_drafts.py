"""Drafting feedback: from a monitoring visit when it is submitted through /api/v1/sync, and from
a submitted QUIS session with POST /feedback/from-quis/<session id>."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from careobs.feedback.models import Feedback
from careobs.org.models import StaffMember
from careobs.quis.models import QuisSession
from careobs.quis.scoring import COACHING_PROMPTS, NEGATIVE_REASONS
from tests.support.database import count
from tests.support.feedback import feedback_for, notifications_of, sync_as
from tests.support.quis import interaction, quis_doc
from tests.support.sync import revise
from tests.support.visits import action


def _visit_with_findings(visit_doc, checklist, org):
    """A submitted visit with a comment on a met item, a critical item Not met (with a comment),
    a plain item Partly met (no comment), two agreed actions and the supervisor's own text."""
    critical = checklist.critical[0]
    plain = checklist.plain
    met_commented, partly, met_plain, na = plain[0], plain[1], plain[2], plain[3]
    hal = org.staff_members["Hal Homecare"]
    document = visit_doc(
        ratings={critical: "not_met", partly: "partly", na: "na"},
        went_well="Warm greeting; explained each step.",
        to_develop="Slow down at medicines time.",
        actions=[
            action(hal, description="Complete the medicines refresher.", due_on="2026-12-31"),
            action(hal, description="Shadow a senior at a lunchtime call.", due_on=None),
        ],
    )
    answers = document["data"]["answers"]
    answers[met_commented]["comment"] = "Bare below the elbows, hair tied back."
    answers[critical]["comment"] = "Gave tablets before checking the record."
    return document, {
        "critical": checklist.items[critical],
        "partly": checklist.items[partly],
        "met_commented": checklist.items[met_commented],
        "met_plain": checklist.items[met_plain],
        "na": checklist.items[na],
    }


def test_submitted_visit_drafts_one_prefilled_feedback_for_its_worker(
    login, db, org, hal, checklist, visit_doc
):
    document, items = _visit_with_findings(visit_doc, checklist, org)
    sue = login(org.supervisor)
    (result,) = sync_as(sue)(document)
    assert result["status"] == "created", result

    (feedback,) = feedback_for(db, org.staff_members["Hal Homecare"])
    assert feedback.status == "draft"
    assert feedback.released_at is None
    assert feedback.author_id == org.supervisor.id
    assert feedback.service_id == org.homecare.id
    assert feedback.visit.uuid == uuid.UUID(document["id"])
    assert feedback.source_label == "Monitoring visit"

    assert feedback.went_well.splitlines() == [
        "Warm greeting; explained each step.",
        f"{items['met_commented'].text}: Bare below the elbows, hair tied back.",
    ]
    # Items are listed in checklist order: whichever comes first.
    expected_develop = {
        items["critical"].text: (
            f"- {items['critical'].text} (critical): Gave tablets before checking the record."
        ),
        items["partly"].text: f"- {items['partly'].text}",
    }
    order = [i.text for i in checklist.items if i.text in expected_develop]
    assert feedback.to_develop.splitlines() == [
        "Slow down at medicines time.",
        *(expected_develop[text] for text in order),
    ]
    assert items["met_plain"].text not in feedback.to_develop
    assert items["na"].text not in feedback.to_develop
    assert feedback.actions.splitlines() == [
        "- Complete the medicines refresher. (by 31 Dec 2026)",
        "- Shadow a senior at a lunchtime call.",
    ]
    # A draft: the worker is not told yet.
    assert notifications_of(db, hal) == []

    # The author finds it among the drafts to release, pre-filled in the edit form.
    drafts = sue.get("/feedback/?status=draft")
    assert drafts.status_code == 200
    assert f"/feedback/{feedback.uuid}" in drafts.get_data(as_text=True)
    page = sue.get(f"/feedback/{feedback.uuid}/edit")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Bare below the elbows, hair tied back." in html
    assert "(critical): Gave tablets before checking the record." in html
    assert "Complete the medicines refresher. (by 31 Dec 2026)" in html


def test_a_critical_partly_met_item_is_marked_critical_too(login, db, org, checklist, visit_doc):
    critical = checklist.critical[1]
    (result,) = sync_as(login(org.supervisor))(visit_doc(ratings={critical: "partly"}))
    assert result["status"] == "created"
    (feedback,) = feedback_for(db, org.staff_members["Hal Homecare"])
    assert feedback.to_develop.splitlines() == [f"- {checklist.items[critical].text} (critical)"]
    assert feedback.went_well == "Warm greeting; explained each step."
    assert feedback.actions == ""


def test_resending_the_visit_does_not_draft_a_second(login, db, org, hal, visit_doc):
    document = visit_doc()
    sync = sync_as(login(org.supervisor))
    assert sync(document)[0]["status"] == "created"
    assert sync(document)[0]["status"] == "unchanged"
    conflicting = revise(document, 2, went_well="Something else entirely.")
    assert sync(conflicting)[0]["status"] == "conflict"
    assert len(feedback_for(db, org.staff_members["Hal Homecare"])) == 1
    assert count(db, Feedback) == 1


def test_a_draft_visit_drafts_nothing_until_it_is_submitted(login, db, org, visit_doc):
    document = visit_doc(status="draft")
    sync = sync_as(login(org.supervisor))
    assert sync(document)[0]["status"] == "created"
    assert count(db, Feedback) == 0
    assert sync(revise(document, revision=2, status="submitted"))[0]["status"] == "updated"
    assert len(feedback_for(db, org.staff_members["Hal Homecare"])) == 1


def test_release_feedback_true_releases_at_once_and_notifies_the_worker(
    login, db, org, hal, visit_doc
):
    document = visit_doc(release_feedback=True)
    sync = sync_as(login(org.supervisor))
    assert sync(document)[0]["status"] == "created"
    (feedback,) = feedback_for(db, org.staff_members["Hal Homecare"])
    assert feedback.status == "released"
    assert feedback.released_at is not None

    (notice,) = notifications_of(db, hal)
    assert notice.kind == "feedback_released"
    assert notice.title == "New feedback"
    assert notice.link == f"/feedback/{feedback.uuid}"
    assert notice.read_at is None
    # Resending changes nothing and tells nobody twice.
    assert sync(document)[0]["status"] == "unchanged"
    assert len(notifications_of(db, hal)) == 1
    # Nobody else heard about it (no critical item was missed).
    assert notifications_of(db, org.supervisor) == []

    worker = login(hal)
    assert f"/feedback/{feedback.uuid}" in worker.get("/feedback/mine").get_data(as_text=True)


def test_release_feedback_other_than_true_leaves_a_draft(login, db, org, hal, visit_doc):
    sync = sync_as(login(org.supervisor))
    assert sync(visit_doc(release_feedback="yes"))[0]["status"] == "created"
    (feedback,) = feedback_for(db, org.staff_members["Hal Homecare"])
    assert feedback.status == "draft"
    assert notifications_of(db, hal) == []


def test_released_feedback_for_a_worker_without_a_login_notifies_nobody(login, db, org, visit_doc):
    sync = sync_as(login(org.supervisor))
    assert sync(visit_doc(release_feedback=True))[0]["status"] == "created"
    (feedback,) = feedback_for(db, org.staff_members["Hal Homecare"])
    assert feedback.status == "released"
    assert notifications_of(db, org.supervisor) == []


# --- from a QUIS session -----------------------------------------------------------------------


def _dee(db, org) -> StaffMember:
    dee = StaffMember(
        organisation_id=org.org.id,
        service_id=org.care_home.id,
        name="Dee Day",
        job_role="Senior carer",
    )
    db.add(dee)
    db.commit()
    return dee


def _session(org, dee, **fields):
    carla = org.staff_members["Carla Carer"]
    fields.setdefault("status", "submitted")
    return quis_doc(
        org.care_home,
        interactions=[
            interaction("PC", staff=carla, minute=1),
            interaction("NR", staff=carla, minute=3, negative_reason="task_focused"),
            interaction("PS", staff=carla, minute=5, note="Chatted about her garden."),
            interaction(
                "NP",
                staff=carla,
                minute=7,
                negative_reason="talked_over",
                note="Spoke to a colleague over R02.",
            ),
            interaction("PS", staff=carla, minute=9),
            interaction("PC", staff=dee, minute=11),
            interaction("N", staff=None, minute=12),
        ],
        **fields,
    )


def test_from_quis_drafts_one_per_staff_member_named(login, db, org, carla):
    dee = _dee(db, org)
    document = _session(org, dee)
    sue = login(org.supervisor)
    assert sync_as(sue)(document)[0]["status"] == "created"

    response = sue.post(f"/feedback/from-quis/{document['id']}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/feedback/?status=draft")
    page = sue.get(response.headers["Location"]).get_data(as_text=True)
    assert "Feedback drafted for 2 members of staff." in page

    (for_carla,) = feedback_for(db, org.staff_members["Carla Carer"])
    (for_dee,) = feedback_for(db, dee)
    assert count(db, Feedback) == 2
    session = db.scalar(sa.select(QuisSession).where(QuisSession.uuid == uuid.UUID(document["id"])))
    for feedback in (for_carla, for_dee):
        assert feedback.status == "draft"
        assert feedback.quis_session_id == session.id
        assert feedback.author_id == org.supervisor.id
        assert feedback.service_id == org.care_home.id
        assert feedback.source_label == "QUIS observation"

    # Positive social moments first, then kind care; notes of social moments quoted.
    assert for_carla.went_well.splitlines() == [
        "2 positive social interactions seen, where you treated people as individuals "
        "beyond the task.",
        "- 12:05: Chatted about her garden.",
        "1 kind, respectful care interaction.",
    ]
    # Negative interactions with their reason labels, then the coaching prompts.
    lines = for_carla.to_develop.splitlines()
    assert lines[0] == f"- 12:03 Negative restrictive: {NEGATIVE_REASONS['task_focused']}"
    assert lines[1] == (
        f"- 12:07 Negative protective: {NEGATIVE_REASONS['talked_over']} "
        "(Spoke to a colleague over R02.)"
    )
    assert lines[2].startswith("Things that help: ")
    for prompt in COACHING_PROMPTS:
        assert prompt in lines[2]
    assert len(lines) == 3

    assert for_dee.went_well == "1 kind, respectful care interaction."
    assert for_dee.to_develop == ""
    assert "Things that help" not in for_dee.to_develop

    # Nobody is told about drafts.
    assert notifications_of(db, carla) == []

    # Asking again does not draft twice.
    assert sue.post(f"/feedback/from-quis/{document['id']}").status_code == 302
    assert count(db, Feedback) == 2


def test_from_quis_on_a_draft_session_is_409(login, db, org):
    document = _session(org, _dee(db, org), status="draft")
    sue = login(org.supervisor)
    assert sync_as(sue)(document)[0]["status"] == "created"
    response = sue.post(f"/feedback/from-quis/{document['id']}")
    assert response.status_code == 409
    assert count(db, Feedback) == 0


def test_from_quis_with_no_staff_named_says_so_and_drafts_nothing(login, db, org):
    document = quis_doc(
        org.care_home,
        status="submitted",
        interactions=[interaction("PS", minute=1), interaction("NP", minute=2)],
    )
    sue = login(org.supervisor)
    assert sync_as(sue)(document)[0]["status"] == "created"
    response = sue.post(f"/feedback/from-quis/{document['id']}", follow_redirects=True)
    assert response.status_code == 200
    assert "No member of staff was named in this session" in response.get_data(as_text=True)
    assert response.request.path == f"/quis/sessions/{document['id']}"
    assert count(db, Feedback) == 0


def test_from_quis_for_an_unknown_or_unseen_session_is_404(login, db, org, other, carla):
    document = _session(org, _dee(db, org))
    assert sync_as(login(org.supervisor))(document)[0]["status"] == "created"
    assert login(org.supervisor).post(f"/feedback/from-quis/{uuid.uuid4()}").status_code == 404
    # The care worker, a supervisor of another organisation and the homecare-only users
    # cannot see the session.
    for user in (carla, other.supervisor, other.admin, org.outsider):
        assert login(user).post(f"/feedback/from-quis/{document['id']}").status_code == 404
    assert count(db, Feedback) == 0
    # The care home's manager may.
    assert login(org.manager).post(f"/feedback/from-quis/{document['id']}").status_code == 302
    assert count(db, Feedback) == 2
    assert {f.author_id for f in db.scalars(sa.select(Feedback))} == {org.manager.id}
