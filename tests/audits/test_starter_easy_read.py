"""The starter audit templates ship with easy-read wording for every item (issue 16), written
as easy-read guidance asks: one plain question, short sentences, everyday words, no
abbreviations or contractions, addressed to the person where they can judge it. New
organisations and the demo get it; organisations made before keep their published version."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from careobs import demo
from careobs.audits import starter
from careobs.checklists import service as checklists
from careobs.checklists.models import Checklist
from careobs.db import get_session
from careobs.org.models import Organisation

ITEMS = [(t, item) for t in starter.TEMPLATES for _domain, items in t.domains for item in items]
# Words a person supported would not use, or that name a form, not what happens to them.
JARGON = {
    "mar",
    "emar",
    "prn",
    "ipc",
    "ppe",
    "cqc",
    "gp",
    "nice",
    "protocol",
    "reconcile",
    "reconciliation",
    "administration",
    "administered",
    "safeguarding",
    "covert",
    "capacity",
    "best-interests",
    "restrictive",
    "intervention",
    "incident",
    "incidents",
    "sharps",
    "linen",
    "prescriber",
    "omitted",
}


def test_every_starter_item_has_easy_read_wording():
    assert len(ITEMS) == 54
    assert all(len(item) == 4 and item[3] for _t, item in ITEMS)
    assert len({item[3] for _t, item in ITEMS}) == 54  # none repeated


@pytest.mark.parametrize("item", [item for _t, item in ITEMS], ids=lambda item: item[0][:40])
def test_each_is_one_short_plain_question(item):
    text, _critical, _guidance, easy = item
    assert easy != text
    assert len(easy) <= 300
    assert easy == easy.strip() and easy[0].isupper()
    assert easy.endswith("?") and easy.count("?") == 1, "one question"
    sentences = [s for s in re.split(r"[.?!]", easy) if s.strip()]
    assert all(len(s.split()) <= 15 for s in sentences), "at most 15 words a sentence"
    words = set(re.findall(r"[a-z][a-z'-]*", easy.lower()))
    assert not words & JARGON, words & JARGON
    assert not re.search(r"n't|'re|'ve|'ll|'m\b|'d\b", easy), "no contractions"
    assert not re.search(r"\b[A-Z]{2,}\b", easy), "no abbreviations"
    assert ";" not in easy and "(" not in easy


@pytest.mark.parametrize("template", [starter.CARE_PLAN, starter.MEDICINES_RECORDS])
def test_a_persons_own_audits_speak_to_them(template):
    """A care plan or medicines audit is about one person: every question is put to them."""
    for _domain, items in template.domains:
        for _text, _critical, _guidance, easy in items:
            assert re.search(r"\byou(r)?\b", easy), easy


def wording(db, organisation_id: int, name: str) -> dict[str, str]:
    db.expire_all()
    template = db.scalar(
        sa.select(Checklist).where(
            Checklist.organisation_id == organisation_id, Checklist.name == name
        )
    )
    return {i.text: i.easy_read_text for i in template.versions[0].items}


def test_a_new_organisation_gets_the_wording(app, db, org):
    with app.app_context():
        starter.create_starter_templates(db, org.org.id)
        db.commit()

    care_plan = wording(db, org.org.id, starter.CARE_PLAN.name)
    mar = wording(db, org.org.id, starter.MEDICINES_RECORDS.name)
    ipc = wording(db, org.org.id, starter.INFECTION_CONTROL.name)
    incidents = wording(db, org.org.id, starter.BEHAVIOUR_AND_INCIDENTS.name)

    assert len(care_plan) + len(mar) + len(ipc) + len(incidents) == 54
    assert care_plan["Daily notes show care given as the plan says"] == (
        "Do staff give you the care your plan says?"
    )
    assert mar["Every dose due this week is signed for or has a reason code: no gaps"] == (
        "Do staff write down every time they give you a medicine?"
    )
    assert ipc[
        "Staff seen are bare below the elbows and clean their hands at the right moments"
    ] == ("Do staff wash their hands before helping you?")
    assert incidents["Notifications the service must send to CQC were sent"] == (
        "Did the manager tell the care inspectors when they had to?"
    )
    assert all(care_plan.values()) and all(mar.values())
    assert all(ipc.values()) and all(incidents.values())


def test_the_wording_follows_the_item_into_a_new_draft(app, db, org):
    with app.app_context():
        [care_plan, *_] = starter.create_starter_templates(db, org.org.id)
        draft = checklists.start_draft(db, care_plan, org.admin)
        db.commit()
        v1 = care_plan.versions[0]
        assert [(i.key, i.easy_read_text) for i in draft.items] == [
            (i.key, i.easy_read_text) for i in v1.items
        ]


def test_the_demo_has_the_wording(app, db):
    with app.app_context():
        demo.load_demo(get_session())
    org = db.scalar(sa.select(Organisation).where(Organisation.name == demo.DEMO_ORG))

    care_plan = wording(db, org.id, starter.CARE_PLAN.name)

    assert care_plan["Each need has clear instructions that staff can follow"] == (
        "Does your care plan tell staff clearly how to help you?"
    )
    assert all(care_plan.values())


def test_an_organisation_made_before_keeps_its_published_version(app, db, org):
    """Published versions never change: an organisation whose starter templates were made
    before easy-read wording keeps version 1 as it was; running the starter again (as
    ``careobs init`` and the demo do) leaves it alone."""
    with app.app_context():
        starter.create_starter_templates(db, org.org.id)
        db.commit()
        named = sa.select(Checklist).where(Checklist.name == starter.CARE_PLAN.name)
        for item in db.scalar(named).versions[0].items:
            item.easy_read_text = ""
        db.commit()
        assert starter.create_starter_templates(db, org.org.id) == []
        db.commit()

    assert set(wording(db, org.org.id, starter.CARE_PLAN.name).values()) == {""}
