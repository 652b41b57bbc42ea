"""Configuration from the environment: production refuses weak keys and uses secure cookies, a
generated key survives restarts, the health check reports a dead database, and SQLite
connections enforce foreign keys and use WAL.

Each test builds its own app from a clean environment with the instance folder in a temporary
directory, so nothing here depends on the test database or touches the checkout.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import secrets
import stat

import pytest
import sqlalchemy as sa
from werkzeug.middleware.proxy_fix import ProxyFix

from careobs import config, create_app
from careobs.config import ConfigError
from tests import key_race

ENVIRONMENT = (
    "SECRET_KEY",
    "DATABASE_URL",
    "CAREOBS_ENV",
    "CAREOBS_PROXY_FIX",
    "CAREOBS_SESSION_DAYS",
    "CAREOBS_LOGIN_MAX_FAILURES_PER_ACCOUNT",
    "CAREOBS_LOGIN_MAX_FAILURES_PER_IP",
)


@pytest.fixture
def instance(monkeypatch, tmp_path):
    """A clean environment whose instance folder is a temporary directory."""
    for name in ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    folder = tmp_path / "instance"
    monkeypatch.setenv("CAREOBS_INSTANCE_PATH", str(folder))
    return folder


@pytest.fixture
def make_app(instance):
    """Builds apps from the current environment and closes their database pools afterwards."""
    apps = []

    def make(config: dict | None = None):
        app = create_app(config)
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.extensions["careobs.engine"].dispose()


def strong_key() -> str:
    return secrets.token_hex(32)


# Production settings


@pytest.mark.parametrize(
    "weak_key", ["changeme", "dev", "SECRET", "test", "0123456789abcdef", "k" * 31]
)
def test_production_refuses_a_weak_secret_key(monkeypatch, make_app, weak_key):
    monkeypatch.setenv("CAREOBS_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", weak_key)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        make_app()


@pytest.mark.parametrize(
    "repetitive_key", ["ab" * 20, "a" * 64, "0123456780" * 4, "Passw0rd" * 5, "xyzxyz!!" * 8]
)
def test_production_refuses_a_long_key_of_too_few_different_characters(
    monkeypatch, make_app, repetitive_key
):
    monkeypatch.setenv("CAREOBS_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", repetitive_key)
    with pytest.raises(ConfigError) as refused:
        make_app()
    message = str(refused.value)
    distinct = len(set(repetitive_key))
    plural = "s" if distinct != 1 else ""
    assert f"this SECRET_KEY uses only {distinct} different character{plural} " in message
    assert "(at least 10 are needed)" in message
    assert "secrets.token_hex(32)" in message


def test_production_accepts_a_long_key_of_ten_different_characters(monkeypatch, make_app):
    monkeypatch.setenv("CAREOBS_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "0123456789" * 4)
    assert make_app().secret_key == "0123456789" * 4


def test_production_refuses_a_weak_key_passed_to_create_app(monkeypatch, make_app):
    monkeypatch.setenv("CAREOBS_ENV", "Production")
    monkeypatch.setenv("SECRET_KEY", strong_key())
    with pytest.raises(ConfigError):
        make_app({"SECRET_KEY": "changeme"})


def test_production_with_a_strong_key_uses_secure_cookies_and_hsts(monkeypatch, make_app):
    monkeypatch.setenv("CAREOBS_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", strong_key())
    app = make_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    assert app.config["PREFERRED_URL_SCHEME"] == "https"
    response = app.test_client().get("/login", base_url="https://careobs.example")
    assert response.status_code == 200
    [cookie] = response.headers.getlist("Set-Cookie")
    assert "; Secure" in cookie
    assert "; HttpOnly" in cookie
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_production_generates_a_strong_key_when_none_is_given(monkeypatch, make_app, instance):
    monkeypatch.setenv("CAREOBS_ENV", "production")
    app = make_app()
    assert len(app.secret_key) == 64
    assert (instance / "secret_key").read_text() == app.secret_key


def test_development_cookies_are_not_marked_secure_and_there_is_no_hsts(monkeypatch, make_app):
    monkeypatch.setenv("SECRET_KEY", "dev")
    app = make_app()
    assert app.config["SESSION_COOKIE_SECURE"] is False
    response = app.test_client().get("/login")
    [cookie] = response.headers.getlist("Set-Cookie")
    assert "Secure" not in cookie
    assert "Strict-Transport-Security" not in response.headers


# The secret key


def test_generated_key_is_kept_in_the_instance_folder_and_reused(make_app, instance):
    first = make_app()
    key_file = instance / "secret_key"
    assert key_file.read_text() == first.secret_key
    assert len(first.secret_key) == 64
    int(first.secret_key, 16)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    second = make_app()
    assert second.secret_key == first.secret_key


def test_session_signed_before_a_restart_is_still_valid_after(make_app):
    before = make_app().test_client()
    before.get("/login")
    cookie = before.get_cookie("session")
    after = make_app().test_client()
    after.set_cookie("session", cookie.value)
    with after.session_transaction() as session:
        assert session.get("csrf_token")


def test_each_instance_folder_gets_its_own_key(monkeypatch, make_app, tmp_path):
    first = make_app()
    monkeypatch.setenv("CAREOBS_INSTANCE_PATH", str(tmp_path / "another-instance"))
    assert make_app().secret_key != first.secret_key


def test_secret_key_from_the_environment_wins_and_nothing_is_written(
    monkeypatch, make_app, instance
):
    key = strong_key()
    monkeypatch.setenv("SECRET_KEY", key)
    assert make_app().secret_key == key
    assert not (instance / "secret_key").exists()


def test_processes_starting_together_share_one_generated_key(instance, tmp_path):
    """Like gunicorn -w 4 on a fresh install: every worker looks for the key at the same time.

    The race is run in several fresh instance folders, as one start rarely loses it.
    """
    processes, rounds = 6, 8
    folders = [tmp_path / f"instance-{n}" for n in range(rounds)]
    ctx = multiprocessing.get_context("spawn")  # fork in a threaded process is unsafe
    barrier, results = ctx.Barrier(processes), ctx.Queue()
    args = ([str(f) for f in folders], barrier, results)
    workers = [ctx.Process(target=key_race.start_together, args=args) for _ in range(processes)]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=120) for _ in range(processes * rounds)]
    for worker in workers:
        worker.join(timeout=30)

    assert [w.exitcode for w in workers] == [0] * processes
    assert [o for o in outcomes if o[1] != "ok"] == []
    for folder in folders:
        keys = {key for where, _, key in outcomes if where == str(folder)}
        assert len(keys) == 1, folder
        [key] = keys
        assert len(key) == 64
        assert (folder / "secret_key").read_text() == key
        assert [p.name for p in folder.iterdir()] == ["secret_key"]  # no candidates left


def test_a_process_that_loses_the_race_reads_the_winners_key(monkeypatch, instance):
    """The key file appears after this process looked for it and before it could link its own."""
    generate = secrets.token_hex

    def another_process_wins(nbytes=None):
        key = generate(nbytes)
        key_file = instance / "secret_key"
        if not key_file.exists():
            key_file.write_text("the-winners-key")
        return key

    monkeypatch.setattr(config.secrets, "token_hex", another_process_wins)
    assert config.from_environment(instance)["SECRET_KEY"] == "the-winners-key"
    assert sorted(p.name for p in instance.iterdir()) == ["secret_key"]


def test_without_hard_links_the_key_is_created_exclusively(monkeypatch, make_app, instance):
    def no_links(*_args):
        raise PermissionError("hard links are not allowed here")

    monkeypatch.setattr(config.os, "link", no_links)
    app = make_app()
    key_file = instance / "secret_key"
    assert key_file.read_text() == app.secret_key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert make_app().secret_key == app.secret_key
    assert sorted(p.name for p in instance.iterdir()) == ["secret_key"]


def test_an_empty_key_file_is_refused_with_a_clear_message(monkeypatch, make_app, instance):
    monkeypatch.setattr(config, "KEY_WAIT_SECONDS", 0.1)
    instance.mkdir(parents=True)
    (instance / "secret_key").write_text("")
    with pytest.raises(ConfigError, match=r"secret key file .* is empty\. Delete it"):
        make_app()


def test_a_key_being_written_by_another_process_is_waited_for(monkeypatch, instance):
    instance.mkdir(parents=True)
    key_file = instance / "secret_key"
    key_file.write_text("")
    reads = []
    read = config._read_key

    def written_on_third_look(path):
        reads.append(path)
        if len(reads) == 3:
            path.write_text("written-meanwhile")
        return read(path)

    monkeypatch.setattr(config, "_read_key", written_on_third_look)
    assert config.from_environment(instance)["SECRET_KEY"] == "written-meanwhile"
    assert os.listdir(instance) == ["secret_key"]


# Other settings from the environment


def test_session_lifetime_comes_from_the_environment(monkeypatch, make_app):
    monkeypatch.setenv("CAREOBS_SESSION_DAYS", "3")
    assert make_app().config["PERMANENT_SESSION_LIFETIME"].days == 3


@pytest.mark.parametrize(
    "name",
    [
        "CAREOBS_SESSION_DAYS",
        "CAREOBS_LOGIN_MAX_FAILURES_PER_ACCOUNT",
        "CAREOBS_LOGIN_MAX_FAILURES_PER_IP",
    ],
)
def test_number_settings_that_are_not_numbers_are_refused(monkeypatch, make_app, name):
    monkeypatch.setenv(name, "fourteen")
    with pytest.raises(ConfigError, match=name):
        make_app()


def test_proxy_headers_are_trusted_only_when_asked(monkeypatch, make_app):
    assert not isinstance(make_app().wsgi_app, ProxyFix)
    monkeypatch.setenv("CAREOBS_PROXY_FIX", "0")
    assert not isinstance(make_app().wsgi_app, ProxyFix)
    monkeypatch.setenv("CAREOBS_PROXY_FIX", "1")
    wrapped = make_app().wsgi_app
    assert isinstance(wrapped, ProxyFix)
    assert wrapped.x_for == 1


# The health check


def test_health_check_answers_503_json_when_the_database_is_unreachable(make_app):
    app = make_app({"DATABASE_URL": "sqlite:////nonexistent-dir/x.db"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["status"] == "error"
    assert body["database"] == "unreachable"
    assert body["reason"] == "OperationalError"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_health_check_answers_ok_when_the_database_answers(make_app, tmp_path):
    app = make_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'health.db'}"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


# SQLite connections


@pytest.fixture
def sqlite_engine(make_app, tmp_path) -> sa.Engine:
    app = make_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'pragmas.db'}"})
    return app.extensions["careobs.engine"]


def pragma(conn, name: str):
    return conn.exec_driver_sql(f"PRAGMA {name}").scalar()


def test_sqlite_file_connections_enforce_foreign_keys_and_use_wal(sqlite_engine):
    with sqlite_engine.connect() as first, sqlite_engine.connect() as second:
        for conn in (first, second):
            assert pragma(conn, "foreign_keys") == 1
            assert pragma(conn, "journal_mode") == "wal"
            assert pragma(conn, "busy_timeout") == 5000


def test_sqlite_refuses_a_row_pointing_at_nothing(sqlite_engine):
    with sqlite_engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE parent (id INTEGER PRIMARY KEY)")
        conn.exec_driver_sql(
            "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent(id))"
        )
    with pytest.raises(sa.exc.IntegrityError), sqlite_engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO child (parent_id) VALUES (42)")
    with sqlite_engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM child").scalar() == 0


def test_a_serving_app_keeps_its_start_up_objects_out_of_full_collections(make_app):
    gc.unfreeze()
    try:
        make_app({"TESTING": True})
        assert gc.get_freeze_count() == 0  # tests build many apps: nothing is frozen for them
        make_app()
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
