"""The offline self-assessment form's page, its evidence suggestions API and its bootstrap entry:
who may open them, what they hold, and hostile input."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from careobs.quis.models import QuisSession
from careobs.selfassess.documents import NO_RATIONALE, NOTHING_SCORED
from careobs.selfassess.ratings import KEY_OF

RECORD = "/self-assessments/record"
SUGGESTIONS = "/api/v1/self-assessments/suggestions"


def person(org, who, request):
    if who is None:
        return None
    if who in ("checker", "homecare_manager"):
        return request.getfixturevalue(who)
    return getattr(org, who)


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("admin", 200),
        ("manager", 200),
        ("supervisor", 200),
        ("homecare_manager", 200),  # a mock inspection of the care home
        ("staff", 403),
        ("checker", 403),
        ("outsider", 403),
        (None, 302),
    ],
)
def test_the_form_opens_for_those_who_may_assess_a_service(login_as, org, request, who, expected):
    response = login_as(person(org, who, request)).get(RECORD)
    assert response.status_code == expected
    if expected == 302:
        assert "/login" in response.headers["Location"]
    if expected != 200:
        return
    page = response.get_data(as_text=True)
    # The five key questions with a jump list, and every statement's code and CQC name.
    for key, name in (("safe", "Safe"), ("well_led", "Well-led")):
        assert f'href="#kq-{key}"' in page and f'data-name="{name}"' in page
    for code in KEY_OF:
        assert f'data-statement="{code}"' in page
    assert '<span class="sa-code">S1</span> Learning culture' in page
    assert '<span class="sa-code">W8</span> Environmental sustainability' in page
    # The scale in words, and "Not assessed" as the default.
    assert '<label for="s-S1-1">1 Significant shortfalls</label>' in page
    assert '<label for="s-S1-4">4 Exceptional standard</label>' in page
    assert 'name="s-S1" value="" checked><label for="s-S1-none">Not assessed</label>' in page
    # The server's own words for the checks made before submitting.
    assert f'data-nothing-scored="{NOTHING_SCORED}"' in page
    assert f'data-no-rationale="{NO_RATIONALE}"' in page
    assert "Interview notes" in page
    assert "<script>" not in page and " style=" not in page


def test_the_page_is_a_capture_page_with_its_scripts_in_the_app_shell(app):
    from careobs.pwa.views import CAPTURE_PAGES, SHELL_FILES

    assert RECORD in CAPTURE_PAGES
    assert {"js/self-assessment-form.js", "js/self-assessment-ratings.js"} <= set(SHELL_FILES)


def add_session(db, org, service, when):
    session = QuisSession(
        uuid=uuid.uuid4(),
        organisation_id=service.organisation_id,
        service_id=service.id,
        status="submitted",
        revision=1,
        content_hash="x" * 64,
        observer_id=org.supervisor.id,
        context="mealtime",
        started_at=when,
        planned_minutes=30,
        frame_minutes=5,
        people=["R01"],
        n_ps=3,
        n_pc=1,
        n_n=0,
        n_np=1,
        n_nr=0,
    )
    db.add(session)
    db.commit()
    return session


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("admin", 200),
        ("manager", 200),
        ("supervisor", 200),
        ("homecare_manager", 200),  # not of the care home: may inspect it, so sees its evidence
        ("staff", 404),
        ("checker", 403),  # only a quality checker: kept to their own pages before any view
        ("outsider", 404),
    ],
)
def test_suggestions_for_the_care_home_by_role(login_as, org, db, request, who, expected):
    session = add_session(db, org, org.care_home, datetime.now(UTC))
    response = login_as(person(org, who, request)).get(
        SUGGESTIONS, query_string={"service_id": str(org.care_home.uuid)}
    )
    assert response.status_code == expected
    body = response.get_json()
    if expected != 200:
        assert body["error"]["code"] == {404: "not_found", 403: "forbidden"}[expected]
        return
    assert body["service_id"] == str(org.care_home.uuid)
    assert datetime.fromisoformat(body["generated_at"]).tzinfo is not None
    assert sorted(body["statements"]) == sorted(KEY_OF)
    c2 = body["statements"]["C2"]
    assert [(s["kind"], s["id"]) for s in c2] == [("quis_session", str(session.uuid))]
    assert c2[0]["label"].endswith(": 5 interactions, 80% positive")
    assert c2[0]["url"] == f"/quis/sessions/{session.uuid}"
    assert body["statements"]["C1"][0]["kind"] == "quis_trend"
    assert body["statements"]["W8"] == []


def test_suggestions_when_logged_out_are_refused(client, org):
    response = client.get(SUGGESTIONS, query_string={"service_id": str(org.care_home.uuid)})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "not-a-uuid",
        "12345",
        "%00",
        f"{uuid.uuid5(uuid.NAMESPACE_URL, 'unknown')}%00",
        "%ED%A0%80",
        "9" * 5000,
    ],
)
def test_a_missing_or_unreadable_service_id_is_a_400(login_as, org, value):
    """Raw in the address: a NUL, a lone surrogate's bytes, a huge number."""
    query = "" if value is None else f"?service_id={value}"
    response = login_as(org.manager).get(SUGGESTIONS + query)
    assert response.status_code == 400
    assert response.get_json()["error"]["message"] == "Give service_id: a service's id."


def test_another_organisations_or_an_unknown_or_a_closed_service_is_a_404(login_as, org, other, db):
    client = login_as(org.admin)
    for service_id in (other.care_home.uuid, uuid.uuid4()):
        response = client.get(SUGGESTIONS, query_string={"service_id": str(service_id)})
        assert response.status_code == 404
    org.homecare.active = False
    db.commit()
    response = client.get(SUGGESTIONS, query_string={"service_id": str(org.homecare.uuid)})
    assert response.status_code == 404


def test_suggestions_hold_only_the_services_own_records(login_as, org, other, db):
    add_session(db, other, other.care_home, datetime.now(UTC))
    body = (
        login_as(org.manager)
        .get(SUGGESTIONS, query_string={"service_id": str(org.care_home.uuid)})
        .get_json()
    )
    assert all(items == [] for items in body["statements"].values())


def test_the_bootstrap_lists_where_each_user_may_assess_and_how(
    login_as, org, request, homecare_manager
):
    def entries(user):
        return login_as(user).get("/api/v1/bootstrap").get_json()["self_assessment_services"]

    home, care = org.care_home, org.homecare

    def entry(service, types):
        return {"id": str(service.uuid), "name": service.name, "kind": service.kind, "types": types}

    both = ["self_assessment", "mock_inspection"]
    # By name: "Acme Care Homecare" before "Acme Care House".
    assert entries(org.admin) == [entry(care, both), entry(home, both)]
    assert entries(org.manager) == [
        entry(care, ["mock_inspection"]),
        entry(home, ["self_assessment"]),
    ]
    assert entries(org.supervisor) == [
        entry(care, ["self_assessment"]),
        entry(home, ["self_assessment"]),
    ]
    # A manager of the homecare service only: a mock inspection of the care home, where they
    # hold no role (so it is not among their bootstrap's ``services``).
    assert entries(homecare_manager) == [
        entry(care, ["self_assessment"]),
        entry(home, ["mock_inspection"]),
    ]
    assert entries(org.staff) == []
    assert entries(request.getfixturevalue("checker")) == []
