"""The command line refuses blank names and addresses that are not email addresses, writing
nothing."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from careobs.accounts.models import User
from careobs.org.models import Organisation

STRONG = "a long and unusual phrase"
GOOD = {
    "--organisation": "Hillside Care",
    "--admin-email": "boss@hillside.test",
    "--admin-name": "Bea Boss",
    "--admin-password": STRONG,
}


def count(db, model) -> int:
    db.expire_all()
    return db.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.mark.parametrize(
    ("flag", "value", "message"),
    [
        ("--organisation", "   ", "The organisation name cannot be blank."),
        ("--admin-name", " ", "The admin name cannot be blank."),
        ("--admin-name", "x" * 121, "The admin name must be at most 120 characters."),
        ("--admin-email", "nope", "'nope' is not a valid email address"),
        ("--admin-email", "a@b@c.test", "'a@b@c.test' is not a valid email address"),
    ],
)
def test_init_refuses_bad_input_and_writes_nothing(runner, db, flag, value, message):
    args = {**GOOD, flag: value}

    result = runner.invoke(args=["init", *(part for pair in args.items() for part in pair)])

    assert result.exit_code == 1
    assert message in result.output
    assert count(db, Organisation) == 0
    assert count(db, User) == 0


def test_init_trims_what_it_keeps(runner, db):
    args = {**GOOD, "--organisation": "  Hillside Care ", "--admin-name": " Bea Boss "}

    result = runner.invoke(args=["init", *(part for pair in args.items() for part in pair)])

    assert result.exit_code == 0, result.output
    assert db.scalar(sa.select(Organisation.name)) == "Hillside Care"
    assert db.scalar(sa.select(User.display_name)) == "Bea Boss"


@pytest.mark.parametrize(
    ("email", "name", "message"),
    [
        ("not an email", "Nia New", "'not an email' is not a valid email address"),
        ("nia@acme.test", "  ", "The name cannot be blank."),
    ],
)
def test_user_create_refuses_bad_input_and_writes_nothing(runner, data, db, email, name, message):
    data.organisation()
    before = count(db, User)

    result = runner.invoke(args=["user", "create", email, "--name", name])

    assert result.exit_code == 1
    assert message in result.output
    assert count(db, User) == before


def test_user_reset_link_lifts_a_lockout_and_works_once(runner, data, db, client, app):
    acme = data.organisation()
    email = acme.supervisor.email
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        client.post("/login", data={"email": email, "password": "wrong password here"})
    assert client.post("/login", data={"email": email, "password": "x"}).status_code == 429

    result = runner.invoke(args=["user", "reset-link", email.upper()])

    assert result.exit_code == 0, result.output
    assert f"Password reset link for {email} (valid 72 hours, works once):" in result.output
    token = re.search(r"https?://\S+/password-reset/(\S+)", result.output).group(1)
    new = {"password": "a brand new passphrase", "confirm": "a brand new passphrase"}
    assert client.post(f"/password-reset/{token}", data=new).status_code == 302
    client.post("/logout")
    login = client.post("/login", data={"email": email, "password": new["password"]})
    assert login.status_code == 302
    assert client.get(f"/password-reset/{token}").status_code == 410


def test_user_reset_link_refuses_unknown_users_and_users_without_a_password(runner, data, db):
    acme = data.organisation()
    invited = data.user(acme.org, "invited@acme.test", "Ivy Invited", roles={})
    invited.password_hash = None
    db.commit()

    unknown = runner.invoke(args=["user", "reset-link", "nobody@acme.test"])
    no_password = runner.invoke(args=["user", "reset-link", invited.email])

    assert unknown.exit_code == 1
    assert "No user with the email nobody@acme.test." in unknown.output
    assert no_password.exit_code == 1
    assert "has not set a password yet. Make a new invitation link instead." in no_password.output
