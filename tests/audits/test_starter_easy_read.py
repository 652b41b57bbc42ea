"""The starter audit templates ship with easy-read wording for every item (issue 16), written
as easy-read guidance asks: one plain question, short sentences, everyday words, no
abbreviations or contractions, addressed to the person where they can judge it. New
organisations and the demo get it; organisations made before keep their published version, and
``careobs starter-easy-read`` writes it into a draft of each for an admin to publish."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from careobs import demo
from careobs.audit.models import AuditEvent
from careobs.audits import starter
from careobs.checklists import service as checklists
from careobs.checklists.models import Checklist, ChecklistVersion
from careobs.db import get_session
from careobs.org.models import Organisation
from tests.support.database import count
from tests.support.demo import load_demo_once

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
        load_demo_once(get_session())
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


@pytest.fixture
def made_before(app, db, org) -> Checklist:
    """An organisation whose starter templates were made before easy-read wording: the Care
    plan audit's version 1 has none (the other three have theirs)."""
    with app.app_context():
        starter.create_starter_templates(db, org.org.id)
        care_plan = db.scalar(sa.select(Checklist).where(Checklist.name == starter.CARE_PLAN.name))
        for item in care_plan.versions[0].items:
            item.easy_read_text = ""
        db.commit()
        return care_plan


def versions(db, checklist: Checklist) -> list[tuple[int, bool, list[str]]]:
    db.expire_all()
    return [(v.number, v.is_draft, [i.easy_read_text for i in v.items]) for v in checklist.versions]


def test_the_starter_wording_is_drafted_for_an_organisation_made_before(app, db, org, made_before):
    with app.app_context():
        drafts = starter.draft_easy_read(db, org.org.id, org.admin)
        db.commit()
        again = starter.draft_easy_read(db, org.org.id, org.admin)
        db.commit()

    expected = [easy for _d, items in starter.CARE_PLAN.domains for *_rest, easy in items]
    assert [(d.checklist.name, d.number) for d in drafts] == [(starter.CARE_PLAN.name, 2)]
    assert versions(db, made_before) == [(1, False, [""] * 14), (2, True, expected)]
    assert expected[0] == "Does your care plan say what is important to you?"
    assert again == []
    summaries = db.scalars(
        sa.select(AuditEvent.summary).where(AuditEvent.action == "checklist_easy_read_drafted")
    ).all()
    assert summaries == ["Care plan audit v2: starter easy-read wording for 14 items"]
    # The other three had theirs: no draft for them.
    assert count(db, ChecklistVersion) == 5


def test_wording_an_admin_wrote_and_their_draft_are_kept(app, db, org, made_before):
    with app.app_context():
        draft = checklists.start_draft(db, made_before, org.admin)
        draft.items[0].easy_read_text = "Does your plan say who you are?"
        draft.items[1].text = "The person helped write the plan"  # reworded: the same key
        db.commit()
        [written] = starter.draft_easy_read(db, org.org.id, org.admin)
        db.commit()
        assert written.id == draft.id

    _number, _draft, wording = versions(db, made_before)[1]
    assert wording[:2] == [
        "Does your plan say who you are?",
        "Did you, or someone you chose, help to write your care plan?",
    ]
    assert all(wording) and len(versions(db, made_before)) == 2


def test_careobs_starter_easy_read(runner, db, org, made_before):
    first = runner.invoke(args=["starter-easy-read", "--organisation", org.org.name])
    second = runner.invoke(args=["starter-easy-read", "--organisation", org.org.name])

    assert first.exit_code == 0, first.output
    assert first.output == (
        "Care plan audit: written into draft version 2.\n"
        "Read each draft in /admin/checklists/ and publish it to use the wording.\n"
    )
    assert second.output == (
        "Every starter template already has its easy-read wording; nothing written.\n"
    )
    assert versions(db, made_before)[1][0:2] == (2, True)


def test_careobs_starter_easy_read_names_an_unknown_organisation(runner, db, org):
    result = runner.invoke(args=["starter-easy-read", "--organisation", "Nobody Ltd"])

    assert result.exit_code != 0
    assert "No organisation called 'Nobody Ltd'." in result.output
