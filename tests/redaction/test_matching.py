"""What a redaction matches: whole words only, across any way of writing a line break; in a
quarantined copy only the texts' own places (ids, ratings and person codes stay); words left
only in a quarantined copy are removed there; the counts are told after it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from careobs.audit.models import AuditEvent
from careobs.feedback.models import Feedback
from careobs.redaction import text
from careobs.sync.models import QuarantinedDocument
from careobs.visits.models import MonitoringVisit
from tests.redaction.conftest import SPANS, form, refs, url
from tests.support.sync import revise

MARK = "[redacted]"


@pytest.mark.parametrize(
    ("stored", "span", "expected"),
    [
        ("Jo and John met Jo.", "Jo", f"{MARK} and John met {MARK}."),
        ("John and Jonah", "Jo", "John and Jonah"),
        ("Call 07700 9001011 or 07700 900101.", "07700 900101", f"Call 07700 9001011 or {MARK}."),
        ("R012 and R01", "R01", f"R012 and {MARK}"),
        ("Saw_Jo", "Jo", "Saw_Jo"),
        ("Mrs Smith(R01)", "Smith", f"Mrs {MARK}(R01)"),
        ("(Jo)x", "(Jo)", f"{MARK}x"),  # an end that is punctuation may touch anything
        ("Zoë and Zoëlle", "Zoë", f"{MARK} and Zoëlle"),
        ("Ring 07700\r\n900101 now", "07700\n900101", f"Ring {MARK} now"),
        ("Ring 07700\n900101 now", "07700\r\n900101", f"Ring {MARK} now"),
        ("Ring 07700\r900101 now", "07700\n900101", f"Ring {MARK} now"),
        ("a.b a+b", "a+b", f"a.b {MARK}"),  # the words are literal, never a pattern
    ],
)
def test_whole_words_across_line_breaks(stored, span, expected):
    new, count = text.redact(stored, span)
    assert new == expected
    assert count == expected.count(MARK)


def test_a_browsers_line_breaks_match_synced_text(app, db, org, visit_doc, client_as, login_as):
    document = visit_doc(went_well="Kind.\nRing her son on 07700\n900101 after six.")
    assert client_as(org.supervisor)(document)[0]["status"] == "created"
    record = db.scalar(sa.select(MonitoringVisit))
    ref = refs(app, db, record)["went_well"]
    posted = login_as(org.admin).post(url("visit", record), data=form(ref, "07700\r\n900101\r\n"))
    assert posted.status_code == 302, posted.get_data(as_text=True)[:2000]
    db.expire_all()
    assert (
        db.get(MonitoringVisit, record.id).went_well == f"Kind.\nRing her son on {MARK} after six."
    )
    assert "900101" not in db.scalar(sa.select(Feedback.went_well))


def test_part_of_a_word_is_left_alone(app, db, org, visit_doc, client_as, login_as):
    document = visit_doc(went_well="John helped Jo; Jo smiled at Johnny.")
    assert client_as(org.supervisor)(document)[0]["status"] == "created"
    record = db.scalar(sa.select(MonitoringVisit))
    ref = refs(app, db, record)["went_well"]
    assert (
        login_as(org.admin).post(url("visit", record), data=form(ref, "Jo", "name")).status_code
        == 302
    )
    db.expire_all()
    assert db.get(MonitoringVisit, record.id).went_well == (
        f"John helped {MARK}; {MARK} smiled at Johnny."
    )
    # and a word that is only ever part of another is not there at all
    again = login_as(org.admin).post(url("visit", record), data=form(ref, "Joh", "name"))
    assert again.status_code == 409


def test_only_the_texts_places_change_in_a_quarantined_copy(
    app, db, org, visit_doc, client_as, login_as
):
    """The person code is H01: removing "H01" from what went well leaves the copy's person
    code, ids and ratings as the device sent them."""
    document = visit_doc(went_well="Saw H01 at home.", to_develop="Ask H01 first.")
    device = client_as(org.supervisor)
    assert device(document)[0]["status"] == "created"
    later = revise(document, 2, person_view={"satisfaction": 3, "comment": "H01 said so."})
    assert device(later)[0]["status"] == "conflict"
    record = db.scalar(sa.select(MonitoringVisit))
    ref = refs(app, db, record)["went_well"]
    assert (
        login_as(org.admin)
        .post(url("visit", record), data=form(ref, "H01", "identifier"))
        .status_code
        == 302
    )
    db.expire_all()
    kept = db.scalar(sa.select(QuarantinedDocument)).data
    assert kept["went_well"] == f"Saw {MARK} at home."
    assert kept["to_develop"] == "Ask H01 first."  # another text: its own redaction
    assert kept["person_view"]["comment"] == "H01 said so."
    assert kept["person_code"] == "H01"
    assert kept["answers"] == later["data"]["answers"]
    assert kept["staff_id"] == later["data"]["staff_id"]
    stored = db.get(MonitoringVisit, record.id)
    assert stored.to_develop == "Ask H01 first."


def test_words_left_only_in_a_quarantined_copy_go_from_it(
    app, db, org, visit_doc, client_as, login_as
):
    document = visit_doc(went_well="Fine.")
    device = client_as(org.supervisor)
    assert device(document)[0]["status"] == "created"
    later = revise(document, 2, went_well="Fine. Ring 07700 900701.")
    assert device(later)[0]["status"] == "conflict"
    record = db.scalar(sa.select(MonitoringVisit))
    admin = login_as(org.admin)
    ref = refs(app, db, record)["went_well"]
    posted = admin.post(url("visit", record), data=form(ref, "07700 900701"), follow_redirects=True)
    assert posted.status_code == 200
    page = posted.get_data(as_text=True)
    assert (
        "The words were no longer in this text. Removed 1 time from 1 copy kept for review." in page
    )
    db.expire_all()
    assert db.scalar(sa.select(QuarantinedDocument)).data["went_well"] == f"Fine. Ring {MARK}."
    assert db.get(MonitoringVisit, record.id).went_well == "Fine."
    summary = db.scalar(sa.select(AuditEvent.summary).where(AuditEvent.action == "text_redacted"))
    assert summary == "What went well — reason: contact; 0 removed; 1 quarantined copy"
    # words that are nowhere: nothing written
    gone = admin.post(url("visit", record), data=form(ref, "07700 900701"))
    assert gone.status_code == 409
    assert db.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "text_redacted")) == 1


def test_the_counts_are_told_after_the_redaction(app, db, org, visit, login_as):
    admin = login_as(org.admin)
    ref = refs(app, db, visit.record)["proposed_action"]
    posted = admin.post(
        url("visit", visit.record), data=form(ref, SPANS["proposed_action"]), follow_redirects=True
    )
    page = posted.get_data(as_text=True)
    assert (
        "Removed 1 time from this text; also 2 times from 2 linked records holding copies"
        " (feedback, actions) and 1 time from 1 copy kept for review." in page
    ), page[:3000]
