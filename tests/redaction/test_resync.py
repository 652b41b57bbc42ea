"""A device that still holds the words cannot bring them back: the same revision, a higher one,
or another person's copy of a redacted visit leaves [redacted] in place, and any copy kept for
review holds the redacted text."""

from __future__ import annotations

import sqlalchemy as sa

from careobs.sync.models import QuarantinedDocument
from careobs.visits.models import MonitoringVisit
from tests.redaction.conftest import SPANS, form, quarantined_text, refs, url
from tests.support.sync import revise


def _redact_all(app, db, org, visit, login_as) -> None:
    admin = login_as(org.admin)
    for key, ref in refs(app, db, visit.record).items():
        assert admin.post(url("visit", visit.record), data=form(ref, SPANS[key])).status_code == 302


def _stored(db, visit) -> MonitoringVisit:
    db.expire_all()
    return db.get(MonitoringVisit, visit.record.id)


def _no_words_anywhere(db, visit) -> None:
    stored = _stored(db, visit)
    texts = [stored.person_comment, stored.went_well, stored.to_develop]
    texts += [a.comment for a in stored.answers] + [a.description for a in stored.actions]
    assert not [s for s in SPANS.values() if s in "\n".join(texts)]
    assert not [s for s in SPANS.values() if s in quarantined_text(db)]


def test_the_same_copy_again_is_unchanged(app, db, org, visit, login_as, client_as):
    _redact_all(app, db, org, visit, login_as)
    kept = db.scalar(sa.select(sa.func.count()).select_from(QuarantinedDocument))
    device = client_as(org.supervisor)
    assert device(visit.document)[0]["status"] == "unchanged"
    # the same content under a higher revision: still the stored document's content
    assert device(revise(visit.document, 5))[0]["status"] == "unchanged"
    _no_words_anywhere(db, visit)
    assert db.scalar(sa.select(sa.func.count()).select_from(QuarantinedDocument)) == kept


def test_the_quarantined_copy_sent_again_is_recognised(app, db, org, visit, login_as, client_as):
    _redact_all(app, db, org, visit, login_as)
    later = revise(
        visit.document, 2, to_develop=visit.document["data"]["to_develop"] + " Also more."
    )
    result = client_as(org.supervisor)(later)[0]
    assert result["status"] == "conflict"
    assert db.scalar(sa.select(sa.func.count()).select_from(QuarantinedDocument)) == 1
    _no_words_anywhere(db, visit)


def test_a_higher_revision_with_the_words_is_kept_redacted(
    app, db, org, visit, login_as, client_as
):
    _redact_all(app, db, org, visit, login_as)
    newer = revise(visit.document, 3, went_well=visit.document["data"]["went_well"] + " And more.")
    assert client_as(org.supervisor)(newer)[0]["status"] == "conflict"
    copies = list(db.scalars(sa.select(QuarantinedDocument).order_by(QuarantinedDocument.id)))
    assert len(copies) == 2
    assert copies[-1].data["went_well"] == _stored(db, visit).went_well
    assert copies[-1].data["person_view"]["comment"] == "Ring her son on [redacted]."
    assert "[redacted]" in copies[-1].data["answers"][0]["comment"]
    assert "[redacted]" in copies[-1].data["actions"][0]["description"]
    _no_words_anywhere(db, visit)


def test_another_persons_copy_is_kept_redacted(
    app, db, org, visit, login_as, client_as, homecare_manager
):
    _redact_all(app, db, org, visit, login_as)
    assert client_as(org.admin)(visit.document)[0]["status"] == "unchanged"
    theirs = revise(visit.document, 1, to_develop="Different words " + SPANS["to_develop"])
    assert client_as(org.admin)(theirs)[0]["status"] == "conflict"
    _no_words_anywhere(db, visit)
