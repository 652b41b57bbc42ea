"""Every selection route, for each role, with hostile input: a clear answer (a form error, 403
or 404), never a server error, and nothing stored unless the draw was sound."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from careobs.audit.models import AuditEvent
from careobs.selection.models import SelectionDraw
from tests.support.selection import draws, errors

BAD_INPUT = {
    # name: (form fields, field with the error, message)
    "count 0": ({"count": "0"}, "count", "Draw between 1 and 50."),
    "count 51": ({"count": "51"}, "count", "Draw between 1 and 50."),
    "count abc": ({"count": "abc"}, "count", "Not a valid integer value."),
    "unknown service": ({"service": str(uuid.uuid4())}, "service", "Not a valid choice."),
    "NUL in service": ({"service": "\x00"}, "service", "Not a valid choice."),
    "NUL in reason": (
        {"reason": "Off sick\x00today"},
        "reason",
        "Remove the invisible control characters from the text.",
    ),
    "reason of 10 000 characters": (
        {"reason": "x" * 10_000},
        "reason",
        "Say why in 5 to 500 characters.",
    ),
    "reason of 4 characters": ({"reason": "sick"}, "reason", "Say why in 5 to 500 characters."),
}
PATHS = ("/selection/", "/selection/people")


def stored(db) -> tuple[int, int]:
    db.expire_all()
    count = sa.select(sa.func.count())
    return (
        db.scalar(count.select_from(SelectionDraw)),
        db.scalar(count.select_from(AuditEvent).where(AuditEvent.action == "selection_drawn")),
    )


@pytest.mark.parametrize("who", ["admin", "manager", "supervisor"])
def test_people_who_may_draw_get_a_form_error_for_each_bad_input(
    who, org, homecare_manager, login_as, db
):
    user = {"admin": org.admin, "manager": homecare_manager, "supervisor": org.supervisor}[who]
    client = login_as(user)
    for path in PATHS:
        for name, (fields, field_id, message) in BAD_INPUT.items():
            data = {"service": str(org.homecare.uuid), "count": "1", **fields}

            response = client.post(path, data=data)

            assert response.status_code == 200, (path, name)
            page = response.get_data(as_text=True)
            assert message in errors(page, field_id), (path, name)
            assert stored(db) == (0, 0), (path, name)
    # the same client can still draw, and then read every page of the draw
    assert client.post(PATHS[0], data={"service": str(org.homecare.uuid), "count": "1"})
    [draw] = draws(db)
    for path in (
        "/selection/",
        "/selection/people",
        "/selection/history",
        f"/selection/{draw.uuid}",
        f"/selection/{draw.uuid}/verify",
    ):
        assert client.get(path).status_code == 200, path
    for path in (
        f"/selection/{uuid.uuid4()}",
        "/selection/not-a-draw",
        f"/selection/{uuid.uuid4()}/verify",
    ):
        assert client.get(path).status_code == 404, path
    for query in ("?kind=%00", "?kind=x&page=abc", "?page=-1", "?service="):
        assert client.get(f"/selection/history{query}").status_code == 200, query
    for query in ("?service=%00", f"?service={uuid.uuid4()}", "?service=x&kind=workers"):
        assert client.get(f"/selection/history{query}").status_code == 404, query


def test_a_care_worker_is_refused_every_route_whatever_the_input(
    org, homecare_manager, login_as, db
):
    login_as(homecare_manager).post(
        PATHS[0], data={"service": str(org.homecare.uuid), "count": "1"}
    )
    [draw] = draws(db)
    client = login_as(org.staff)
    for path in PATHS:
        for name, (fields, _, _) in BAD_INPUT.items():
            data = {"service": str(org.homecare.uuid), "count": "1", **fields}
            assert client.post(path, data=data).status_code == 403, (path, name)
        assert (
            client.post(path, data={"service": str(org.homecare.uuid), "count": "1"}).status_code
            == 403
        )
    for path in (
        *PATHS,
        "/selection/history",
        f"/selection/{draw.uuid}",
        f"/selection/{draw.uuid}/verify",
    ):
        assert client.get(path).status_code == 403, path
    assert stored(db) == (1, 1)


def test_another_organisation_cannot_draw_in_or_see_this_ones_services(
    org, other, homecare_manager, login_as, db
):
    login_as(homecare_manager).post(
        PATHS[0], data={"service": str(org.homecare.uuid), "count": "1"}
    )
    [draw] = draws(db)
    client = login_as(other.admin)
    for path in PATHS:
        for name, (fields, _, _) in {**BAD_INPUT, "valid": ({}, None, None)}.items():
            data = {"service": str(org.homecare.uuid), "count": "1", **fields}
            response = client.post(path, data=data)
            assert response.status_code == 200, (path, name)
            # the service is not theirs, whatever else is wrong
            assert "Not a valid choice." in errors(response.get_data(as_text=True), "service")
    for path in (f"/selection/{draw.uuid}", f"/selection/{draw.uuid}/verify"):
        assert client.get(path).status_code == 404, path
    assert client.get(f"/selection/history?service={org.homecare.uuid}").status_code == 404
    assert "No draws yet." in client.get("/selection/history").get_data(as_text=True)
    assert stored(db) == (1, 1)
