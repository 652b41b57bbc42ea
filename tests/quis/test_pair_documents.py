"""A QUIS session document carrying ``pair``: who may join which pair, and the result written
once both sessions are submitted (issue 17)."""

from __future__ import annotations

import json
import uuid

import pytest
import sqlalchemy as sa

from careobs.quis.models import QuisPair, QuisSession
from careobs.quis.pair_ids import pair_id_for
from tests.support.database import count
from tests.support.quis import interaction, quis_doc
from tests.support.sync import revise


def paired(service, pair_id, role, *, code=None, **fields):
    pair = {"id": str(pair_id), "role": role}
    if code is not None:
        pair["code"] = code
    return quis_doc(service, pair=pair, **fields)


def stored(db, document) -> QuisSession | None:
    db.expire_all()
    return db.scalar(sa.select(QuisSession).where(QuisSession.uuid == uuid.UUID(document["id"])))


def pair_row(db, pair_id) -> QuisPair | None:
    db.expire_all()
    return db.scalar(sa.select(QuisPair).where(QuisPair.uuid == pair_id))


def test_lead_and_second_join_one_pair_and_its_result_is_written_once_both_submitted(
    org, db, client_as
):
    carla = org.staff_members["Carla Carer"]
    lounge = org.areas["Lounge"]
    code = "K7P2QD"
    pair_id = pair_id_for(org.care_home.uuid, code)
    lead_items = [
        interaction("PS", staff=carla, minute=1),
        interaction("NP", minute=5),
        interaction("N", people=("R02",), minute=9),
    ]
    second_items = [
        interaction("PS", staff=carla, minute=1.2),  # matches the lead's first
        interaction("NR", minute=5.1),  # matches the lead's second, coded differently
        interaction("PC", people=("R01", "R02"), minute=12),  # the second only
    ]
    lead = paired(org.care_home, pair_id, "lead", code=code, area=lounge, interactions=lead_items)
    second = paired(org.care_home, pair_id, "second", code="k7p-2qd", interactions=second_items)

    assert client_as(org.supervisor)(lead)[0]["status"] == "created"
    pair = pair_row(db, pair_id)
    assert (pair.organisation_id, pair.service_id, pair.area_id) == (
        org.org.id,
        org.care_home.id,
        lounge.id,
    )
    assert pair.code == code and pair.opened_by_id == org.supervisor.id
    assert client_as(org.manager)(second)[0]["status"] == "created"
    assert (stored(db, lead).pair_id, stored(db, lead).pair_role) == (pair.id, "lead")
    assert (stored(db, second).pair_id, stored(db, second).pair_role) == (pair.id, "second")
    assert pair_row(db, pair_id).completed_at is None  # both are drafts

    assert client_as(org.supervisor)(revise(lead, 2, status="submitted"))[0]["status"] == (
        "updated"
    )
    assert pair_row(db, pair_id).completed_at is None  # the second is still a draft
    assert client_as(org.manager)(revise(second, 2, status="submitted"))[0]["status"] == ("updated")

    pair = pair_row(db, pair_id)
    assert pair.completed_at is not None
    assert (pair.matched, pair.lead_only, pair.second_only) == (2, 1, 1)
    assert pair.tolerance_seconds == 30
    expected = [[0] * 5 for _ in range(5)]
    expected[0][0] = 1  # PS / PS
    expected[3][4] = 1  # NP / NR
    assert pair.confusion == expected
    assert count(db, QuisPair) == 1


def test_a_second_arriving_first_makes_the_pair_and_the_lead_joins_it(org, db, client_as):
    pair_id = uuid.uuid4()
    second = paired(org.care_home, pair_id, "second", status="submitted")
    assert client_as(org.manager)(second)[0]["status"] == "created"
    pair = pair_row(db, pair_id)
    assert pair.opened_by_id is None and pair.code is None
    lead = paired(org.care_home, pair_id, "lead", status="submitted")
    assert client_as(org.supervisor)(lead)[0]["status"] == "created"
    pair = pair_row(db, pair_id)
    assert pair.completed_at is not None and pair.matched == 0
    assert count(db, QuisPair) == 1


def test_a_second_role_already_held_is_refused_and_nothing_is_written(org, db, client_as, data):
    other = data.user(org.org, "sam@acme.test", "Sam Second", roles={org.care_home: "supervisor"})
    db.commit()
    pair_id = uuid.uuid4()
    client_as(org.supervisor)(paired(org.care_home, pair_id, "lead"))
    client_as(org.manager)(paired(org.care_home, pair_id, "second"))
    late = paired(org.care_home, pair_id, "second")

    (result,) = client_as(other)(late)

    assert result["status"] == "invalid"
    assert result["errors"] == {
        "pair.role": ["Another observer is already the second observer of this pair."]
    }
    assert stored(db, late) is None


def test_one_observer_cannot_hold_both_roles(org, db, client_as):
    pair_id = uuid.uuid4()
    client_as(org.supervisor)(paired(org.care_home, pair_id, "lead"))
    mine = paired(org.care_home, pair_id, "second")

    (result,) = client_as(org.supervisor)(mine)

    assert result["status"] == "invalid"
    assert "a pair needs two people" in result["errors"]["pair.role"][0]
    assert stored(db, mine) is None


def test_the_observer_who_announced_a_pair_cannot_be_its_second(org, db, client_as, login_as):
    pair_id = pair_id_for(org.care_home.uuid, "K7P2QD")
    body = {"id": str(pair_id), "service_id": str(org.care_home.uuid), "code": "K7P2QD"}
    assert login_as(org.supervisor).post("/api/v1/quis/pairs", json=body).status_code == 201
    mine = paired(org.care_home, pair_id, "second")
    (result,) = client_as(org.supervisor)(mine)
    assert result["errors"] == {
        "pair.role": ["You are already the other observer of this pair: a pair needs two people."]
    }
    assert client_as(org.manager)(paired(org.care_home, pair_id, "second"))[0]["status"] == (
        "created"
    )


def test_a_pair_of_another_service_or_organisation_is_refused(org, db, client_as, data):
    pair_id = uuid.uuid4()
    client_as(org.supervisor)(paired(org.homecare, pair_id, "lead"))
    at_home = paired(org.care_home, pair_id, "second")
    (result,) = client_as(org.manager)(at_home)
    assert result == {
        "id": at_home["id"],
        "status": "invalid",
        "errors": {"pair.id": ["This paired observation is at another service."]},
    }

    beta = data.organisation("Beta Care", "beta")
    theirs = paired(beta.care_home, pair_id, "second")
    (result,) = client_as(beta.supervisor)(theirs)
    assert result["status"] == "invalid"
    assert result["errors"] == {"pair.id": ["This paired observation is at another service."]}
    assert stored(db, at_home) is None and stored(db, theirs) is None
    assert pair_row(db, pair_id).organisation_id == org.org.id


def test_a_code_must_belong_to_the_pair_at_this_service(org, db, client_as):
    right = pair_id_for(org.care_home.uuid, "K7P2QD")
    elsewhere = pair_id_for(org.homecare.uuid, "K7P2QD")
    for pair_id, code in ((elsewhere, "K7P2QD"), (right, "K7P2QE")):
        document = paired(org.care_home, pair_id, "lead", code=code)
        (result,) = client_as(org.supervisor)(document)
        assert result["errors"] == {
            "pair.code": ["This code does not belong to this pair at this service."]
        }
    assert count(db, QuisPair) == 0 and count(db, QuisSession) == 0


def test_a_second_observer_sending_feedback_is_invalid_at_feedback(org, db, client_as):
    carla = org.staff_members["Carla Carer"]
    document = paired(
        org.care_home,
        uuid.uuid4(),
        "second",
        interactions=[interaction("PS", staff=carla)],
        feedback=[{"staff_id": str(carla.uuid), "went_well": "Kind", "release": True}],
    )
    (result,) = client_as(org.manager)(document)
    assert result["status"] == "invalid"
    assert list(result["errors"]) == ["feedback"]
    assert count(db, QuisPair) == 0 and count(db, QuisSession) == 0
    # The lead may send feedback; an empty list from a second is no feedback.
    assert client_as(org.manager)(revise(document, feedback=[]))[0]["status"] == "created"


def test_a_stored_draft_stays_in_its_pair_and_role(org, db, client_as):
    pair_id, other_pair = uuid.uuid4(), uuid.uuid4()
    lead = paired(org.care_home, pair_id, "lead")
    client_as(org.supervisor)(lead)
    send = client_as(org.supervisor)

    moved = revise(lead, 2, pair={"id": str(other_pair), "role": "lead"})
    assert send(moved)[0]["errors"] == {
        "pair.id": ["This observation already belongs to another paired observation."]
    }
    switched = revise(lead, 2, pair={"id": str(pair_id), "role": "second"})
    assert send(switched)[0]["errors"] == {
        "pair.role": ["This observation was sent as the lead observer; that cannot change."]
    }
    left = revise(lead, 2, pair=None)
    assert send(left)[0]["errors"] == {
        "pair": ["This observation is part of a paired observation and stays so."]
    }
    assert count(db, QuisPair) == 1  # the refused move made no pair
    assert send(revise(lead, 2, notes="Still paired."))[0]["status"] == "updated"
    assert stored(db, lead).pair_role == "lead"
    # An unpaired draft may join a pair in a later revision.
    alone = quis_doc(org.care_home)
    send(alone)
    joined = revise(alone, 2, pair={"id": str(other_pair), "role": "lead"})
    assert send(joined)[0]["status"] == "updated"
    assert stored(db, joined).pair_role == "lead"


HOSTILE = [
    ("pair", "K7P2QD"),
    ("pair", ["lead"]),
    ("pair.id", {"role": "lead"}),
    ("pair.id", {"id": "not-a-uuid", "role": "lead"}),
    ("pair.id", {"id": "\x00", "role": "lead"}),
    ("pair.id", {"id": 10**30, "role": "lead"}),
    ("pair.role", {"id": str(uuid.uuid4()), "role": "boss"}),
    ("pair.role", {"id": str(uuid.uuid4()), "role": ["lead"]}),
    ("pair.role", {"id": str(uuid.uuid4()), "role": None}),
    ("pair.code", {"id": str(uuid.uuid4()), "role": "lead", "code": "K7P2Q\x00"}),
    ("pair.code", {"id": str(uuid.uuid4()), "role": "lead", "code": "O0I1L2"}),
    ("pair.code", {"id": str(uuid.uuid4()), "role": "lead", "code": "K" * 10_000}),
    ("pair.code", {"id": str(uuid.uuid4()), "role": "lead", "code": 123456}),
]


@pytest.mark.parametrize(("field", "value"), HOSTILE, ids=[f"{n}" for n in range(len(HOSTILE))])
def test_hostile_pairs_are_invalid_at_their_field_and_write_nothing(
    org, db, client_as, field, value
):
    document = quis_doc(org.care_home, pair=value)
    (result,) = client_as(org.supervisor)(document)
    assert result["status"] == "invalid"
    assert field in result["errors"], result["errors"]
    assert count(db, QuisPair) == 0 and count(db, QuisSession) == 0


def test_lone_surrogates_and_deep_pairs_are_refused_without_an_error_page(org, db, login_as):
    client = login_as(org.supervisor)
    deep: object = "lead"
    for _ in range(200):
        deep = {"role": deep}
    surrogate = {"id": str(uuid.uuid4()), "role": "lead", "code": "\ud800AAAAA"}
    broken = "Contains a broken character (an unpaired surrogate), which cannot be stored."
    for pair, errors in (
        (surrogate, {"pair.code": [broken]}),
        (deep, {"pair.id": ["Must be a UUID."], "pair.role": ["Must be one of: lead, second."]}),
    ):
        document = quis_doc(org.care_home, pair=pair)
        body = json.dumps({"documents": [document]})
        response = client.post(
            "/api/v1/sync", data=body, headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 200
        assert response.get_json()["results"] == [
            {"id": document["id"], "status": "invalid", "errors": errors}
        ]
    assert count(db, QuisPair) == 0 and count(db, QuisSession) == 0
