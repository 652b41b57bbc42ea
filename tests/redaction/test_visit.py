"""Removing personal data from a submitted monitoring visit: every text of it, the records
copied from it, its quarantined copy; never the words in the audit log or the export."""

from __future__ import annotations

import sqlalchemy as sa

from careobs.actions.models import Action
from careobs.capture import addenda
from careobs.feedback.models import Feedback
from careobs.visits.models import MonitoringVisit
from tests.redaction.conftest import (
    SPANS,
    audit_summaries,
    export_text,
    form,
    quarantined_text,
    refs,
    url,
)

MARK = "[redacted]"


def test_every_text_of_a_visit_is_redacted_everywhere(app, db, org, visit, login_as):
    with app.app_context():
        addenda.add(
            db,
            addenda.MONITORING_VISIT,
            db.merge(visit.record),
            org.supervisor,
            "Corrected 07700 900105 to the right number",
            "The right number is 07700 900106.",
        )
        db.commit()
    spans = {**SPANS, "addendum": "07700 900106", "addendum_reason": "07700 900105"}
    assert all(s in quarantined_text(db) for s in SPANS.values())
    assert visit.record.privacy_flags  # the phone numbers were flagged when it was stored
    admin = login_as(org.admin)
    page = admin.get(url("visit", visit.record)).get_data(as_text=True)
    assert all(s in page for s in spans.values())

    for key, ref in refs(app, db, visit.record).items():
        response = admin.post(url("visit", visit.record), data=form(ref, spans[key]))
        assert response.status_code == 302, (key, response.get_data(as_text=True)[:2000])

    db.expire_all()
    stored = db.get(MonitoringVisit, visit.record.id)
    texts = [
        stored.person_comment,
        stored.went_well,
        stored.to_develop,
        stored.answers[0].comment if stored.answers[0].comment else "",
        *(a.comment for a in stored.answers),
        *(a.description for a in stored.actions),
        *(a.text for a in addenda.of(db, addenda.MONITORING_VISIT, stored)),
        *(a.reason for a in addenda.of(db, addenda.MONITORING_VISIT, stored)),
        *(a.description for a in db.scalars(sa.select(Action))),
        *(t for f in db.scalars(sa.select(Feedback)) for t in (f.went_well, f.to_develop)),
    ]
    joined = "\n".join(texts)
    assert not [s for s in spans.values() if s in joined]
    assert joined.count(MARK) >= len(spans)
    assert stored.person_comment == "Ring her son on [redacted]."
    assert stored.privacy_flags == []  # worked out again from what is left
    assert stored.content_hash  # kept: the device's copy is still recognised
    assert not [s for s in spans.values() if s in quarantined_text(db)]
    assert MARK in quarantined_text(db)
    summaries = audit_summaries(db)
    assert len([s for s in summaries if "(with " not in s]) == len(spans)
    assert not [s for s in summaries for span in spans.values() if span in s]
    assert any(s.startswith("The person's view — reason: contact; 1 removed") for s in summaries)
    export = export_text(app, org.admin)
    assert not [s for s in spans.values() if s in export]
    assert "text_redacted" in export


def test_all_of_a_text_becomes_one_mark(app, db, org, visit, login_as):
    admin = login_as(org.admin)
    ref = refs(app, db, visit.record)["went_well"]
    assert admin.post(url("visit", visit.record), data=form(ref)).status_code == 302
    db.expire_all()
    assert db.get(MonitoringVisit, visit.record.id).went_well == MARK
    # the words were copied into the worker's feedback draft: gone there too
    assert "Kind and calm" not in db.scalar(sa.select(Feedback.went_well))
    # and nothing is left to remove in that text: it is no longer offered
    page = admin.get(url("visit", visit.record)).get_data(as_text=True)
    assert f'value="{ref}"' not in page
    again = admin.post(url("visit", visit.record), data=form(ref))
    assert again.status_code == 400


def test_every_occurrence_in_the_text_goes(app, db, org, visit_doc, client_as, login_as):
    document = visit_doc(went_well="Mrs Smith smiled. Mrs Smith ate well.")
    assert client_as(org.supervisor)(document)[0]["status"] == "created"
    record = db.scalar(sa.select(MonitoringVisit))
    admin = login_as(org.admin)
    ref = refs(app, db, record)["went_well"]
    assert admin.post(url("visit", record), data=form(ref, "Mrs Smith", "name")).status_code == 302
    db.expire_all()
    assert db.get(MonitoringVisit, record.id).went_well == f"{MARK} smiled. {MARK} ate well."
    assert audit_summaries(db)[-1].startswith("What went well — reason: name; 2 removed")
