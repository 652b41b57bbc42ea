"""The pair's API and page, the list of open pairs, the lead announcing a pair, and linking a
submitted session to a pair afterwards: every role, bad input, and what each writes."""

from __future__ import annotations

import json
import re
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from careobs.audit.models import AuditEvent
from careobs.quis.models import QuisPair, QuisSession
from careobs.quis.pair_ids import pair_id_for
from tests.support.database import count
from tests.support.quis import interaction, quis_doc
from tests.support.sync import SyncApi

CODE = "K7P2QD"


def paired(service, pair_id, role, **fields):
    return quis_doc(service, pair={"id": str(pair_id), "role": role}, **fields)


@pytest.fixture
def people(org, data, db):
    """Acme, plus Sam (another supervisor of the care home: neither observer nor manager) and
    Beta Care's admin."""
    sam = data.user(org.org, "sam@acme.test", "Sam Second", roles={org.care_home: "supervisor"})
    beta = data.organisation("Beta Care", "beta")
    db.commit()
    return {
        "admin": org.admin,
        "manager": org.manager,
        "supervisor": org.supervisor,
        "sam": sam,
        "staff": org.staff,
        "outsider": org.outsider,
        "beta": beta.admin,
    }


def complete_pair(org, client_as):
    """Sue leads, Mo seconds; both submitted: 2 matched (PS/PS, NP/NR), 1 each seen by one."""
    carla = org.staff_members["Carla Carer"]
    pair_id = pair_id_for(org.care_home.uuid, CODE)
    lead = paired(
        org.care_home,
        pair_id,
        "lead",
        status="submitted",
        area=org.areas["Lounge"],
        interactions=[
            interaction("PS", staff=carla, minute=1),
            interaction("NP", minute=5),
            interaction("N", people=("R02",), minute=9),
        ],
    )
    second = paired(
        org.care_home,
        pair_id,
        "second",
        status="submitted",
        interactions=[
            interaction("PS", staff=carla, minute=1.2),
            interaction("NR", minute=5.1),
            interaction("PC", people=("R01", "R02"), minute=12),
        ],
    )
    assert client_as(org.supervisor)(lead)[0]["status"] == "created"
    assert client_as(org.manager)(second)[0]["status"] == "created"
    return pair_id, lead, second


# ---- GET /api/v1/quis/pairs/<id> ---------------------------------------------------------------

SEES = {"admin", "manager", "supervisor"}


@pytest.mark.parametrize(
    "role", ["admin", "manager", "supervisor", "sam", "staff", "outsider", "beta"]
)
def test_the_result_is_for_its_observers_and_managers_only(org, people, client_as, login_as, role):
    pair_id, _, _ = complete_pair(org, client_as)
    response = login_as(people[role]).get(f"/api/v1/quis/pairs/{pair_id}")
    if role in SEES:
        assert response.status_code == 200
        assert response.get_json()["status"] == "complete"
    else:  # the same answer as for a pair that does not exist
        assert response.status_code == 404
        assert response.get_json()["error"]["code"] == "not_found"


def test_logged_out_unknown_and_bad_ids(org, client_as, login_as, app):
    pair_id, _, _ = complete_pair(org, client_as)
    response = app.test_client().get(f"/api/v1/quis/pairs/{pair_id}")
    assert response.status_code == 401 and response.mimetype == "application/json"
    client = login_as(org.admin)
    assert client.get(f"/api/v1/quis/pairs/{uuid.uuid4()}").status_code == 404
    for bad in ("not-a-uuid", "%00", "1" * 5000):
        assert client.get(f"/api/v1/quis/pairs/{bad}").status_code == 404


def test_the_complete_result_as_the_contract_gives_it(org, client_as, login_as):
    pair_id, _, _ = complete_pair(org, client_as)
    body = login_as(org.manager).get(f"/api/v1/quis/pairs/{pair_id}").get_json()
    table = [[0] * 5 for _ in range(5)]
    table[0][0] = 1
    table[3][4] = 1
    assert body["status"] == "complete" and body["id"] == str(pair_id)
    assert body["matched"] == 2
    assert body["unmatched"] == {"lead": 1, "second": 1}
    assert body["agreement"] == 0.5
    assert body["confusion"] == table
    # By hand: n = 2, PS/PS and NP/NR. Lead's margins PS ½, NP ½; second's PS ½, NR ½.
    # κ = (p_o − p_e) / (1 − p_e), p_o = Σ p_ij w_ij, p_e = Σ p_i· p_·j w_ij:
    #   unweighted: p_o = ½, p_e = ¼·w(PS,PS) = ¼                      → κ = ¼ / ¾ = 1/3
    #   A4:  p_o = (1 + 0.75)/2 = 0.875, p_e = ¼(1 + 0 + 0 + 0.75) = 0.4375 → κ = 7/9
    #   linear (1 − d/4): p_o = (1 + ¾)/2 = 0.875, p_e = ¼(1 + 0 + ¼ + ¾) = ½ → κ = ¾
    #   quadratic (1 − d²/16): p_o = (1 + 15/16)/2 = 31/32,
    #     p_e = ¼(1 + 0 + 7/16 + 15/16) = 19/32                      → κ = (12/32)/(13/32) = 12/13
    assert body["kappa"] == pytest.approx(
        {"unweighted": 1 / 3, "a4": 7 / 9, "linear": 3 / 4, "quadratic": 12 / 13}
    )
    # Each interval is κ ± 1.96 SE cut to [−1, 1] (the variance's own unit tests hold the SEs
    # against an independent Fleiss computation); with two pairs every interval is wide.
    for name, value in body["kappa"].items():
        low, high = body["ci95"][name]
        assert -1 <= low < value < high <= 1
        if low > -1 and high < 1:
            assert value - low == pytest.approx(high - value)
    # Unweighted SE by hand (Fleiss, Cohen and Everitt 1969): w̄_PS· = w̄_·PS = ½, the rest 0;
    # Σ p_ij (w_ij − (w̄_i· + w̄_·j)(1 − κ))² = ½(1 − 1·⅔)² + ½(0 − 0)² = 1/18;
    # (κ − p_e(1 − κ))² = (⅓ − ⅙)² = 1/36; var = (1/18 − 1/36) / (2 · (¾)²) = 2/81,
    # SE = √2/9 = 0.15713, so ⅓ ± 1.959964 · 0.15713 = [0.02535, 0.64131].
    assert body["ci95"]["unweighted"] == pytest.approx([0.025355, 0.641312], abs=1e-5)
    # The weighted ones reach 1 and are cut there (lower bounds as the module computes them).
    assert body["ci95"]["a4"] == pytest.approx([0.538239, 1.0], abs=1e-5)
    assert body["ci95"]["linear"] == pytest.approx([0.490143, 1.0], abs=1e-5)
    assert body["ci95"]["quadratic"] == pytest.approx([0.824670, 1.0], abs=1e-5)


def test_a_waiting_pair_has_no_figures(org, client_as, login_as):
    pair_id = uuid.uuid4()
    client_as(org.supervisor)(paired(org.care_home, pair_id, "lead", status="submitted"))
    body = login_as(org.supervisor).get(f"/api/v1/quis/pairs/{pair_id}").get_json()
    assert body == {
        "id": str(pair_id),
        "status": "waiting",
        "matched": None,
        "unmatched": None,
        "agreement": None,
        "kappa": None,
        "ci95": None,
        "confusion": None,
    }


def test_the_openapi_describes_the_pair(client, app):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "pair" in spec["components"]["schemas"]["QuisSession"]["properties"]
    assert {"/api/v1/quis/pairs", "/api/v1/quis/pairs/{pair_id}"} <= set(spec["paths"])


# ---- announcing and listing open pairs ---------------------------------------------------------


def announce(client, org, code=CODE, **override):
    body = {
        "id": str(pair_id_for(org.care_home.uuid, code)),
        "service_id": str(org.care_home.uuid),
        "area_id": str(org.areas["Lounge"].uuid),
        "code": code,
    }
    body.update(override)
    return client.post("/api/v1/quis/pairs", json=body)


def test_the_lead_announces_a_pair_once_and_others_see_it_open(org, people, login_as, db):
    sue = login_as(org.supervisor)
    first = announce(sue, org)
    assert first.status_code == 201
    assert announce(sue, org).status_code == 200  # idempotent
    assert count(db, QuisPair) == 1
    pair = db.scalar(sa.select(QuisPair))
    assert (pair.code, pair.opened_by_id, pair.area_id) == (
        CODE,
        org.supervisor.id,
        org.areas["Lounge"].id,
    )
    query = f"/api/v1/quis/pairs?service_id={org.care_home.uuid}"
    listed = login_as(people["sam"]).get(query).get_json()["pairs"]
    assert listed == [
        {
            "id": str(pair.uuid),
            "code": CODE,
            "service_id": str(org.care_home.uuid),
            "area_id": str(org.areas["Lounge"].uuid),
            "lead": "Sue Supervisor",
            "opened_at": pair.created_at.isoformat(),
        }
    ]
    dining = f"{query}&area_id={org.areas['Dining room'].uuid}"
    assert login_as(people["sam"]).get(dining).get_json()["pairs"] == []
    assert sue.get(query).get_json()["pairs"] == []  # not one's own
    assert login_as(org.staff).get(query).status_code == 403
    beta = login_as(people["beta"]).get(query)
    assert beta.status_code == 200 and beta.get_json()["pairs"] == []
    # Joined by a second observer: no longer open.
    SyncApi(login_as(org.manager))(paired(org.care_home, pair.uuid, "second"))
    assert login_as(people["sam"]).get(query).get_json()["pairs"] == []


def test_a_pair_opened_over_12_hours_ago_is_no_longer_offered(org, people, login_as, db):
    announce(login_as(org.supervisor), org)
    pair = db.scalar(sa.select(QuisPair))
    pair.created_at -= timedelta(hours=12, minutes=1)
    db.commit()
    query = f"/api/v1/quis/pairs?service_id={org.care_home.uuid}"
    assert login_as(people["sam"]).get(query).get_json()["pairs"] == []


@pytest.mark.parametrize(
    "query",
    ["", "?service_id=nope", "?service_id=%00", f"?service_id={'9' * 400}", "?area_id=x"],
)
def test_listing_with_bad_ids_is_400(org, login_as, query):
    response = login_as(org.supervisor).get(f"/api/v1/quis/pairs{query}")
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("override", "status"),
    [
        ({"code": "K7P2Q\x00"}, 400),
        ({"code": 10**400}, 400),
        ({"id": str(uuid.uuid4())}, 400),  # not the id made from the code
        ({"id": "not-a-uuid"}, 400),
        ({"id": None}, 400),
        ({"area_id": str(uuid.uuid4())}, 400),
        ({"service_id": "x"}, 400),
        ({"service_id": str(uuid.uuid4())}, 404),
    ],
)
def test_announcing_bad_input_is_refused_and_writes_nothing(org, login_as, db, override, status):
    response = announce(login_as(org.supervisor), org, **override)
    assert response.status_code == status, response.get_data(as_text=True)
    assert count(db, QuisPair) == 0


def test_announcing_hostile_bodies(org, login_as, db, people):
    client = login_as(org.supervisor)
    deep = "[" * 100_000 + "]" * 100_000
    fields = {"id": str(pair_id_for(org.care_home.uuid, CODE)), "service_id": "S"}
    surrogate = json.dumps(fields).replace('"S"', f'"{org.care_home.uuid}", "code": "\\ud800K7P2Q"')
    for body in (deep, "not json", '"a string"', json.dumps({"id": {"id": {}}}), surrogate):
        response = client.post(
            "/api/v1/quis/pairs", data=body, headers={"Content-Type": "application/json"}
        )
        assert 400 <= response.status_code < 500
    assert client.post("/api/v1/quis/pairs", data="x").status_code == 415
    assert announce(login_as(org.staff), org).status_code == 403
    # Another organisation cannot announce at Acme's service (it is not theirs to see).
    assert announce(login_as(people["beta"]), org).status_code == 404
    body = {
        "id": str(pair_id_for(org.care_home.uuid, CODE)),
        "service_id": str(org.care_home.uuid),
        "code": CODE,
    }
    assert client.post("/api/v1/quis/pairs", json=body, csrf=False).status_code == 400
    assert count(db, QuisPair) == 0


# ---- the pair's page ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", ["admin", "manager", "supervisor", "sam", "staff", "outsider", "beta"]
)
def test_the_page_is_for_its_observers_and_managers_only(org, people, client_as, login_as, role):
    pair_id, _, _ = complete_pair(org, client_as)
    response = login_as(people[role]).get(f"/quis/pairs/{pair_id}")
    assert response.status_code == (200 if role in SEES else 404)


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def test_the_page_says_the_result_in_words(org, client_as, login_as):
    pair_id, lead, second = complete_pair(org, client_as)
    page = text_of(login_as(org.manager).get(f"/quis/pairs/{pair_id}"))
    assert "The observers coded 1 of 2 matched interactions the same: 50.0%." in page
    assert "Verdict: too few to judge" in page
    assert "Fleiss, Cohen and Everitt (1969)" in page
    assert "0.8 or more is very good, 0.6 to 0.8 good, 0.4 to 0.6 moderate" in page
    assert "Lead observer Sue Supervisor" in page and "Second observer Mo Manager" in page
    assert "1 interaction recorded by the lead observer only" in page
    assert "Total (second) 1 0 0 0 1 2" in page  # column totals, then n
    assert "Negative protective (NP) 0 0 0 0 1 1" in page
    # Seen by one only: the lead's N for R02 at 12:09 (UTC = London in November), the second's
    # PC for R01, R02 at 12:12.
    assert "12:09:00 R02 Neutral Not named" in page
    assert "12:12:00 R01, R02 Positive care Not named" in page
    html = login_as(org.manager).get(f"/quis/pairs/{pair_id}").get_data(as_text=True)
    assert '<th scope="col">' in html and "<caption" in html
    assert f'href="/quis/sessions/{lead["id"]}"' in html
    assert f'href="/quis/sessions/{second["id"]}"' in html


def test_each_session_page_links_to_its_pair(org, client_as, login_as):
    pair_id, lead, second = complete_pair(org, client_as)
    lead_page = login_as(org.supervisor).get(f"/quis/sessions/{lead['id']}")
    assert "Paired observation (lead observer)" in text_of(lead_page)
    assert f'href="/quis/pairs/{pair_id}"' in lead_page.get_data(as_text=True)
    second_page = login_as(org.manager).get(f"/quis/sessions/{second['id']}")
    assert "Paired observation (second observer)" in text_of(second_page)


def test_a_waiting_page_says_what_it_waits_for(org, client_as, login_as):
    pair_id = uuid.uuid4()
    client_as(org.supervisor)(paired(org.care_home, pair_id, "lead"))
    page = text_of(login_as(org.supervisor).get(f"/quis/pairs/{pair_id}"))
    assert "Waiting" in page and "Not arrived yet" in page
    assert "once both observers have submitted" in page


# ---- linking a session afterwards --------------------------------------------------------------


def lead_and_unpaired(org, people, client_as, *, lead_status="submitted"):
    """Mo leads pair CODE (submitted); Sam recorded the same lunch unpaired and submitted."""
    pair_id = pair_id_for(org.care_home.uuid, CODE)
    lead = paired(
        org.care_home,
        pair_id,
        "lead",
        status=lead_status,
        interactions=[interaction("PS", minute=1), interaction("NP", minute=4)],
    )
    alone = quis_doc(
        org.care_home,
        status="submitted",
        started_at="2026-11-27T12:20:00+00:00",
        ended_at="2026-11-27T12:50:00+00:00",
        interactions=[interaction("PS", minute=1.1)],
    )
    assert client_as(org.manager)(lead)[0]["status"] == "created"
    assert client_as(people["sam"])(alone)[0]["status"] == "created"
    return pair_id, lead, alone


def session_of(db, document) -> QuisSession:
    db.expire_all()
    return db.scalar(sa.select(QuisSession).where(QuisSession.uuid == uuid.UUID(document["id"])))


def test_linking_from_the_list_makes_the_second_and_completes_the_pair(
    org, people, client_as, login_as, db
):
    pair_id, _lead, alone = lead_and_unpaired(org, people, client_as)
    sam = login_as(people["sam"])
    page = sam.get(f"/quis/sessions/{alone['id']}")
    assert "Mo Manager, started 27 Nov 2026, 12:00" in text_of(page)

    response = sam.post(f"/quis/pairs/link/{alone['id']}", data={"pair": str(pair_id)})

    assert response.status_code == 302
    assert response.headers["Location"] == f"/quis/pairs/{pair_id}"
    session = session_of(db, alone)
    assert session.pair_role == "second" and session.pair.uuid == pair_id
    pair = session.pair
    assert pair.completed_at is not None and (pair.matched, pair.lead_only) == (1, 1)
    (event,) = db.scalars(sa.select(AuditEvent).where(AuditEvent.action == "quis_session_paired"))
    assert event.actor_id == people["sam"].id


def test_linking_by_code_waits_for_a_draft_lead(org, people, client_as, login_as, db):
    _pair_id, lead, alone = lead_and_unpaired(org, people, client_as, lead_status="draft")
    sam = login_as(people["sam"])
    response = sam.post(f"/quis/pairs/link/{alone['id']}", data={"code": "k7p 2qd"})
    assert response.status_code == 302
    session = session_of(db, alone)
    assert session.pair_role == "second" and session.pair.completed_at is None
    # The lead submits later: the sync writes the result.
    lead = {**lead, "revision": 2, "data": {**lead["data"], "status": "submitted"}}
    assert client_as(org.manager)(lead)[0]["status"] == "updated"
    assert session_of(db, alone).pair.completed_at is not None


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({}, "Choose a paired observation"),
        ({"pair": "not-a-uuid"}, "Choose a paired observation"),
        ({"pair": "\x00"}, "Choose a paired observation"),
        ({"pair": "1" * 10_000}, "Choose a paired observation"),
        ({"code": "O0O0O0"}, "Choose a paired observation"),
        ("code=%ED%A0%80", "Choose a paired observation"),  # a lone surrogate, UTF-8'd
        ("pair=%00&code=%00", "Choose a paired observation"),
        ({"code": "AAAAAA"}, "No paired observation you may link to has this code"),
        ({"pair": str(uuid.uuid4())}, "No paired observation you may link to has this code"),
    ],
)
def test_linking_bad_input_is_400_and_writes_nothing(
    org, people, client_as, login_as, db, form, message
):
    _, _, alone = lead_and_unpaired(org, people, client_as)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    response = login_as(people["sam"]).post(
        f"/quis/pairs/link/{alone['id']}",
        data=form,
        headers=headers if isinstance(form, str) else None,
    )
    assert response.status_code == 400
    assert message in text_of(response)
    assert session_of(db, alone).pair_id is None


def test_who_may_link(org, people, client_as, login_as, db):
    pair_id, lead, alone = lead_and_unpaired(org, people, client_as)
    path = f"/quis/pairs/link/{alone['id']}"
    form = {"pair": str(pair_id)}
    assert login_as(org.manager).post(path, data=form).status_code == 403  # sees it, not theirs
    assert login_as(org.admin).post(path, data=form).status_code == 403
    assert login_as(org.supervisor).post(path, data=form).status_code == 404  # cannot see it
    assert login_as(org.staff).post(path, data=form).status_code == 403
    assert login_as(org.outsider).post(path, data=form).status_code == 403
    assert login_as(people["beta"]).post(path, data=form).status_code == 404
    assert login_as(None).post(path, data=form).status_code in (302, 401)
    assert login_as(people["sam"]).post(path, data=form, csrf=False).status_code == 400
    assert session_of(db, alone).pair_id is None
    # The lead's own session is paired already; a draft cannot be linked.
    assert (
        login_as(org.manager).post(f"/quis/pairs/link/{lead['id']}", data=form).status_code == 403
    )
    draft = quis_doc(org.care_home)
    client_as(people["sam"])(draft)
    assert (
        login_as(people["sam"]).post(f"/quis/pairs/link/{draft['id']}", data=form).status_code
        == 403
    )


def test_linking_to_a_pair_with_a_second_or_one_s_own_is_refused(
    org, people, client_as, login_as, db
):
    pair_id, _lead, alone = lead_and_unpaired(org, people, client_as)
    client_as(org.supervisor)(paired(org.care_home, pair_id, "second"))
    response = login_as(people["sam"]).post(
        f"/quis/pairs/link/{alone['id']}", data={"pair": str(pair_id)}
    )
    # A pair one may not join is answered as one that does not exist (no existence leak).
    assert response.status_code == 400
    assert "No paired observation you may link to has this code" in text_of(response)
    # Mo's own unpaired session cannot become the second of a pair Mo opened.
    mo = login_as(org.manager)
    other = {
        "id": str(pair_id_for(org.care_home.uuid, "ABCDEF")),
        "service_id": str(org.care_home.uuid),
        "code": "ABCDEF",
    }
    assert mo.post("/api/v1/quis/pairs", json=other).status_code == 201
    mine = quis_doc(org.care_home, status="submitted")
    client_as(org.manager)(mine)
    response = mo.post(f"/quis/pairs/link/{mine['id']}", data={"code": "ABCDEF"})
    assert response.status_code == 400
    assert "No paired observation you may link to has this code" in text_of(response)
    assert session_of(db, alone).pair_id is None and session_of(db, mine).pair_id is None
