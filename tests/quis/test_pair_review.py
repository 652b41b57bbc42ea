"""Paired QUIS after review: the revision rule before a pair is touched, one writer for pair
rows (announce fills what a second's session left empty), linking later only through the
permissions module (one answer for every miss), no second observer who gave feedback, a manager
who did not observe, a quality checker refused everywhere, the page's words for screen
readers, and the OpenAPI's shapes."""

from __future__ import annotations

import html
import re
import uuid

import pytest
import sqlalchemy as sa

from careobs.db import utcnow
from careobs.quis.models import QuisPair
from careobs.quis.pair_ids import pair_id_for
from careobs.quis.service import pair_lock_keys
from tests.quis.test_pair_views import (
    CODE,
    announce,
    complete_pair,
    lead_and_unpaired,
    paired,
    session_of,
    text_of,
)
from tests.support.database import count
from tests.support.quis import interaction, quis_doc
from tests.support.sync import revise


@pytest.fixture
def people(org, data, db):
    """Acme, plus Sam (a supervisor of the care home), Mia (a manager of the care home who
    observes nothing here) and Quinn (a quality checker at the care home)."""
    sam = data.user(org.org, "sam@acme.test", "Sam Second", roles={org.care_home: "supervisor"})
    mia = data.user(org.org, "mia@acme.test", "Mia Manager", roles={org.care_home: "manager"})
    quinn = data.user(
        org.org, "quinn@acme.test", "Quinn Checker", roles={org.care_home: "quality_checker"}
    )
    db.commit()
    return {"sam": sam, "mia": mia, "quinn": quinn}


# ---- the revision rule comes before the pair ---------------------------------------------------


def test_an_older_revision_of_a_paired_draft_is_stale_and_makes_no_pair(org, db, client_as):
    send = client_as(org.supervisor)
    alone = quis_doc(org.care_home)
    assert send(alone)[0]["status"] == "created"
    pair_id = uuid.uuid4()
    joined = revise(alone, 2, pair={"id": str(pair_id), "role": "lead"})
    assert send(joined)[0]["status"] == "updated"
    # The device's older copy (unpaired, edited on another tab) arrives late: stale, not
    # "this observation stays paired".
    older = revise(alone, 1, notes="Edited on the other tab.")
    assert send(older)[0] == {"id": alone["id"], "status": "stale", "revision": 2}
    assert count(db, QuisPair) == 1


def test_an_older_revision_naming_a_new_pair_is_stale_and_makes_no_pair(org, db, client_as):
    send = client_as(org.supervisor)
    alone = quis_doc(org.care_home)
    send(alone)
    assert send(revise(alone, 3, notes="Later."))[0]["status"] == "updated"
    for revision in (1, 3):  # older, and forked from the stored revision
        older = revise(alone, revision, pair={"id": str(uuid.uuid4()), "role": "lead"})
        assert send(older)[0] == {"id": alone["id"], "status": "stale", "revision": 3}
    assert count(db, QuisPair) == 0
    # Nor is an open pair offered for it.
    query = f"/api/v1/quis/pairs?service_id={org.care_home.uuid}"
    assert client_as(org.manager).client.get(query).get_json()["pairs"] == []


def test_another_observer_s_copy_naming_a_pair_is_kept_for_review_and_makes_no_pair(
    org, db, client_as
):
    document = quis_doc(org.care_home)
    client_as(org.supervisor)(document)
    theirs = revise(document, 2, pair={"id": str(uuid.uuid4()), "role": "second"})
    assert client_as(org.manager)(theirs)[0]["status"] == "conflict"
    assert count(db, QuisPair) == 0


def test_a_batch_names_its_pairs_for_the_sync_to_lock_in_one_order():
    pair_id = uuid.uuid4()
    document = quis_doc(str(uuid.uuid4()), pair={"id": str(pair_id).upper(), "role": "lead"})
    assert pair_lock_keys(document["data"]) == [f"quis_pair:{pair_id}"]
    for data in (None, [], {"pair": None}, {"pair": {"id": "x"}}, {"pair": {"id": "1" * 999}}):
        assert pair_lock_keys(data) == []


def test_two_batches_naming_two_pairs_in_opposite_orders_are_both_stored(org, db, client_as):
    first, second = uuid.uuid4(), uuid.uuid4()
    sue, mo = client_as(org.supervisor), client_as(org.manager)
    one = sue(paired(org.care_home, first, "lead"), paired(org.care_home, second, "lead"))
    two = mo(paired(org.care_home, second, "second"), paired(org.care_home, first, "second"))
    assert [r["status"] for r in (*one, *two)] == ["created"] * 4
    assert count(db, QuisPair) == 2


# ---- announcing fills in what a second's session left empty ------------------------------------


def test_announcing_a_pair_a_second_made_first_fills_its_opener_area_and_code(
    org, db, client_as, login_as
):
    pair_id = pair_id_for(org.care_home.uuid, CODE)
    client_as(org.manager)(paired(org.care_home, pair_id, "second"))
    made = db.scalar(sa.select(QuisPair))
    assert (made.code, made.opened_by_id, made.area_id) == (None, None, None)

    assert announce(login_as(org.supervisor), org).status_code == 200

    db.expire_all()
    pair = db.scalar(sa.select(QuisPair))
    assert (pair.code, pair.opened_by_id, pair.area_id) == (
        CODE,
        org.supervisor.id,
        org.areas["Lounge"].id,
    )
    # Announced again by someone else: nothing it has is replaced.
    assert announce(login_as(org.admin), org, area_id=None).status_code == 200
    db.expire_all()
    assert db.scalar(sa.select(QuisPair.opened_by_id)) == org.supervisor.id


def test_a_pair_id_held_at_another_service_is_answered_as_a_code_not_of_the_pair(org, db, login_as):
    client = login_as(org.supervisor)
    mismatch = announce(client, org, id=str(uuid.uuid4()))
    db.add(
        QuisPair(
            uuid=pair_id_for(org.care_home.uuid, CODE),
            organisation_id=org.org.id,
            service_id=org.homecare.id,
            created_at=utcnow(),
        )
    )
    db.commit()
    taken = announce(client, org)
    assert (taken.status_code, taken.get_json()) == (mismatch.status_code, mismatch.get_json())
    assert taken.status_code == 400
    db.expire_all()
    assert db.scalar(sa.select(QuisPair.service_id)) == org.homecare.id
    assert db.scalar(sa.select(QuisPair.opened_by_id)) is None


# ---- linking later -----------------------------------------------------------------------------

NO_PAIR = "No paired observation you may link to has this code at this service."


def test_a_session_that_gave_feedback_cannot_be_linked_as_the_second(
    org, people, client_as, login_as, db
):
    pair_id = pair_id_for(org.care_home.uuid, CODE)
    client_as(org.manager)(paired(org.care_home, pair_id, "lead", status="submitted"))
    carla = org.staff_members["Carla Carer"]
    alone = quis_doc(
        org.care_home,
        status="submitted",
        feedback=[{"staff_id": str(carla.uuid), "went_well": "Kind", "to_develop": ""}],
    )
    assert client_as(people["sam"])(alone)[0]["status"] == "created"
    response = login_as(people["sam"]).post(
        f"/quis/pairs/link/{alone['id']}", data={"pair": str(pair_id)}
    )
    assert response.status_code == 409
    assert (
        "This session gave feedback to staff, so it cannot be the second observer's record."
        in html.unescape(text_of(response))
    )
    assert session_of(db, alone).pair_id is None


def test_every_pair_one_may_not_link_to_gets_the_same_answer(org, people, client_as, login_as, db):
    pair_id, _lead, alone = lead_and_unpaired(org, people, client_as)
    sam = login_as(people["sam"])
    path = f"/quis/pairs/link/{alone['id']}"
    # A pair at the homecare service (the admin leads it; Sam observes only at the care home).
    elsewhere = pair_id_for(org.homecare.uuid, "ABCDEF")
    client_as(org.admin)(paired(org.homecare, elsewhere, "lead", status="submitted"))
    # A pair at the care home whose lead started at 14:00, over an hour after Sam's 12:20.
    late = pair_id_for(org.care_home.uuid, "GHJKMN")
    late_lead = paired(
        org.care_home,
        late,
        "lead",
        status="submitted",
        started_at="2026-11-27T14:00:00+00:00",
        ended_at="2026-11-27T14:30:00+00:00",
    )
    assert client_as(org.supervisor)(late_lead)[0]["status"] == "created"
    answers = []
    for form in (
        {"pair": str(uuid.uuid4())},  # no such pair
        {"code": "AAAAAA"},  # no pair has this code here
        {"pair": str(elsewhere)},  # at another service
        {"pair": str(late)},  # its lead outside the session's hour
        {"code": "GHJKMN"},  # the same, by its code
    ):
        response = sam.post(path, data=form)
        answers.append(response.status_code)
        assert NO_PAIR in text_of(response), form
    assert answers == [400] * 5
    assert session_of(db, alone).pair_id is None
    # Within the hour (12:00 against 12:20): linked.
    assert sam.post(path, data={"pair": str(pair_id)}).status_code == 302


def test_the_page_offers_only_pairs_within_the_session_s_hour(org, people, client_as, login_as):
    _pair_id, _lead, alone = lead_and_unpaired(org, people, client_as)
    late = paired(
        org.care_home,
        uuid.uuid4(),
        "lead",
        started_at="2026-11-27T13:21:00+00:00",
        ended_at="2026-11-27T13:40:00+00:00",
    )
    client_as(org.supervisor)(late)
    page = text_of(login_as(people["sam"]).get(f"/quis/sessions/{alone['id']}"))
    assert "Mo Manager, started 27 Nov 2026, 12:00" in page
    assert "Sue Supervisor, started" not in page


# ---- who sees a pair ---------------------------------------------------------------------------


def test_a_manager_who_did_not_observe_sees_the_pair(org, people, client_as, login_as):
    pair_id, _, _ = complete_pair(org, client_as)
    mia = login_as(people["mia"])
    assert mia.get(f"/api/v1/quis/pairs/{pair_id}").get_json()["status"] == "complete"
    assert "Lead observer Sue Supervisor" in text_of(mia.get(f"/quis/pairs/{pair_id}"))


def test_a_quality_checker_is_refused_everywhere(org, people, client_as, login_as, db):
    pair_id, _, _ = complete_pair(org, client_as)
    quinn = login_as(people["quinn"])
    # Quality checkers have no QUIS pages or API at all: 403, as for every QUIS page.
    assert quinn.get(f"/quis/pairs/{pair_id}").status_code == 403
    api = quinn.get(f"/api/v1/quis/pairs/{pair_id}")
    assert api.status_code == 403 and api.mimetype == "application/json"
    assert quinn.get(f"/api/v1/quis/pairs?service_id={org.care_home.uuid}").status_code == 403
    assert announce(quinn, org, code="ABCDEF").status_code == 403
    _, _, alone = lead_and_unpaired_other(org, people, client_as)
    link = quinn.post(f"/quis/pairs/link/{alone['id']}", data={"code": "BCDEFG"})
    assert link.status_code == 403
    assert count(db, QuisPair) == 2  # complete_pair's and the lead's below; none announced
    assert session_of(db, alone).pair_id is None


def lead_and_unpaired_other(org, people, client_as):
    """Mo's submitted lead of pair BCDEFG and Sam's unpaired submitted session."""
    pair_id = pair_id_for(org.care_home.uuid, "BCDEFG")
    lead = paired(org.care_home, pair_id, "lead", status="submitted")
    alone = quis_doc(org.care_home, status="submitted", interactions=[interaction("PS")])
    client_as(org.manager)(lead)
    client_as(people["sam"])(alone)
    return pair_id, lead, alone


# ---- the page's words --------------------------------------------------------------------------


def test_the_confusion_table_reads_aloud(org, client_as, login_as):
    pair_id, _, _ = complete_pair(org, client_as)
    page = login_as(org.manager).get(f"/quis/pairs/{pair_id}").get_data(as_text=True)
    assert "<abbr" not in page
    assert '<th scope="col">Lead observer (rows) / second observer (columns)</th>' in page
    assert '<span class="visually-hidden">Second observer: Positive social </span>' in page
    assert "A4-weighted means near misses count part-way" in text_of_html(page)
    assert "A4-weighted (near misses count part-way)" in text_of_html(page)


def text_of_html(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


# ---- the OpenAPI -------------------------------------------------------------------------------


def test_the_openapi_gives_the_result_s_shapes(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    result = spec["components"]["schemas"]["QuisPair"]["properties"]
    for name in ("unweighted", "a4", "linear", "quadratic"):
        interval = result["ci95"]["properties"][name]
        assert (interval["minItems"], interval["maxItems"]) == (2, 2)
    confusion = result["confusion"]
    assert (confusion["minItems"], confusion["maxItems"]) == (5, 5)
    assert (confusion["items"]["minItems"], confusion["items"]["maxItems"]) == (5, 5)
    assert confusion["items"]["items"]["type"] == "integer"
    unmatched = result["unmatched"]
    assert unmatched["required"] == ["lead", "second"]
    assert "null" in unmatched["type"] and "waiting" in unmatched["description"]
    announce_answers = spec["paths"]["/api/v1/quis/pairs"]["post"]["responses"]
    assert "409" not in announce_answers
