"""The CSRF token is masked anew in every place a page carries it, so compressing pages that echo
a request's input beside it does not leak it (BREACH); masked and plain tokens are both accepted
(careobs/csrf.py)."""

from __future__ import annotations

import re

import pytest

from careobs.csrf import PREFIX, mask, unmask
from tests.support.web import decoded_text

TOKENS = re.compile(
    r'(?:name="csrf_token" (?:type="hidden" )?value|name="csrf-token" content)="([^"]+)"'
)


def tokens_in(page: str) -> list[str]:
    found = TOKENS.findall(page) + re.findall(r'value="([^"]+)" name="csrf_token"', page)
    assert found, "the page carries no CSRF token"
    return found


def test_mask_and_unmask_round_trip_and_never_repeat():
    token = "ImFiYzEyMyI.Zx9k2w.signature-part_0123"
    masked = [mask(token) for _ in range(50)]
    assert len(set(masked)) == 50
    assert all(m.startswith(PREFIX) and token not in m for m in masked)
    assert {unmask(m) for m in masked} == {token}


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "plain-token",
        "m1.",
        "m1.!!!not-base64",
        "m1.AAA",
        "m1.AAAA",
        "m1.\udcff",
        "m1.\x00",
    ],
)
def test_anything_not_a_masked_token_is_handed_on_as_it_is(value):
    assert unmask(value) == value


def test_every_place_in_a_page_gets_its_own_mask_and_none_is_the_signed_token(client, auth, data):
    auth.login(data.organisation().supervisor)
    first = client.get("/").get_data(as_text=True)
    again = client.get("/").get_data(as_text=True)
    tokens = tokens_in(first)
    assert len(tokens) >= 2  # the meta tag and the log out form
    assert all(token.startswith(PREFIX) for token in tokens)
    assert len(set(tokens)) == len(tokens)
    assert not set(tokens) & set(tokens_in(again))
    assert len({unmask(token) for token in tokens + tokens_in(again)}) == 1


def test_a_compressed_page_carries_only_masked_tokens(client, auth, data):
    auth.login(data.organisation().supervisor)
    response = client.get("/?echo=ImFiYz", headers={"Accept-Encoding": "br"})
    assert response.headers["Content-Encoding"] == "br"
    assert all(token.startswith(PREFIX) for token in tokens_in(decoded_text(response)))


@pytest.mark.parametrize("how", ["form", "header"])
def test_a_masked_token_is_accepted_by_form_and_by_header(client, auth, data, how):
    acme = data.organisation()
    auth.login(acme.supervisor)
    masked = tokens_in(client.get("/account").get_data(as_text=True))[0]
    if how == "form":
        response = client.post("/logout", data={"csrf_token": masked}, csrf=False)
    else:
        response = client.post("/logout", headers={"X-CSRFToken": masked}, csrf=False)
    assert response.status_code == 302
    assert client.get("/account").status_code == 302  # logged out: sent to log in


@pytest.mark.parametrize(
    "token",
    ["", "m1.", "m1." + "A" * 40, "not-a-token", "m1.\u0000\ud800"],
)
def test_a_wrong_token_is_refused_whatever_its_shape(client, auth, data, token):
    auth.login(data.organisation().supervisor)
    response = client.post("/logout", headers={"X-CSRFToken": token}, csrf=False)
    assert response.status_code == 400
    assert client.get("/account").status_code == 200  # still logged in


def test_a_token_masked_for_another_session_is_refused(app, client, auth, data):
    acme = data.organisation()
    auth.login(acme.supervisor)
    other = app.test_client()
    other_page = other.get("/login").get_data(as_text=True)
    foreign = tokens_in(other_page)[0]
    response = client.post("/logout", headers={"X-CSRFToken": foreign}, csrf=False)
    assert response.status_code == 400
