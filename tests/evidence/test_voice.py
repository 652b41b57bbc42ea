"""The people's voice in the evidence pack: the "I" statements table under Listening to and
involving people, and each statement's agreement under its own quality statement, counted by
hand from the demo's conversations at Rosewood House (careobs.voice.demo: four asked, one
declined, one not available)."""

from __future__ import annotations

from careobs.db import get_session
from careobs.evidence.pack import build
from careobs.org.models import Service
from careobs.voice.questions import QUESTIONS


def pack_for(app, demo, period, name):
    with app.app_context():
        session = get_session()
        pack = build(session, session.get(Service, demo[name].id), *period, period[1])
        return {
            s.code: [(i.title, i.text, i.facts, i.table) for i in s.items]
            for section in pack.sections
            for s in section.statements
        }, pack.counts


def test_the_i_statements_are_in_the_pack_with_hand_counted_agreement(app, demo, period):
    statements, counts = pack_for(app, demo, period, "Rosewood House")

    [table] = [t for title, _x, _f, t in statements["R4"] if title.startswith("People's voice")]
    rows = {row[0]: row[1:] for row in table.rows}
    # SAID[0], [1], [3], [5] of careobs.voice.demo: strongly agree, agree, agree, strongly agree
    assert rows[QUESTIONS[0].text] == [2, 2, 0, 0, 0, 0, 4, 1.0]
    # coordinated: agree, disagree, agree, agree
    assert rows[QUESTIONS[3].text] == [0, 3, 0, 1, 0, 0, 4, 0.75]
    # staying well: agree, agree, prefer not to say, agree → 3 of the 3 with a view
    assert rows[QUESTIONS[6].text] == [0, 3, 0, 0, 0, 1, 4, 1.0]
    assert counts["voice_answers"] == 4 * len(QUESTIONS)

    coordinated = [f for title, _x, f, _t in statements["E3"] if QUESTIONS[3].text in title]
    assert coordinated == [[("Agreeing", "3 of 4")]]
    wellbeing = [f for title, _x, f, _t in statements["E4"] if QUESTIONS[6].text in title]
    assert wellbeing == [[("Agreeing", "3 of 3")]]
