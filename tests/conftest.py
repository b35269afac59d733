"""Fixtures: app, client, runner, auth, clock, factories and a Socket.IO client.

The suite runs on a temporary SQLite file by default and on PostgreSQL when
TEST_DATABASE_URL is set (TEST_REDIS_URL adds Redis for shared counters). The
schema always comes from the Alembic migrations, never from create_all.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit, urlunsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from nattlys import clock as app_clock
from nattlys import create_app
from nattlys.cli import upgrade_database
from nattlys.config import normalise_database_url
from nattlys.schema import metadata

# Helpers that several test modules share live in plain modules; their asserts
# should say what differed, as pytest makes them do in the test modules.
pytest.register_assert_rewrite(
    "tests.scenes",
    "tests.push_double",
    "tests.authorization_world",
    "tests.csrf_checks",
    "tests.invitation_links",
    "tests.session_cookies",
    "tests.browser.helpers",
    "tests.cluster.clients",
)

from tests.factories import Factories  # noqa: E402 - after the line above


def _give_this_worker_its_own_stores() -> None:
    """Under pytest-xdist (`-n`), each worker process gets its own PostgreSQL
    database and Redis index, so no worker empties another's tables. Set here,
    before any test module reads the two variables."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker:
        return
    number = int(worker.removeprefix("gw"))
    if os.environ.get("TEST_DATABASE_URL"):
        url = make_url(normalise_database_url(os.environ["TEST_DATABASE_URL"]))
        own = url.set(database=f"{url.database}_{worker}")
        admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            if conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": own.database}) is None:
                conn.execute(text(f'CREATE DATABASE "{own.database}"'))
        admin.dispose()
        os.environ["TEST_DATABASE_URL"] = own.render_as_string(hide_password=False)
    if os.environ.get("TEST_REDIS_URL"):
        redis_url = urlsplit(os.environ["TEST_REDIS_URL"])
        index = int(redis_url.path.strip("/") or 0) + number
        assert index < 16, f"Redis has 16 databases; worker {worker} would need index {index}"
        os.environ["TEST_REDIS_URL"] = urlunsplit(redis_url._replace(path=f"/{index}"))


_give_this_worker_its_own_stores()
IN_CI = os.environ.get("CI") == "true"
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "")
PASSWORD = "riktig-hest-batteri"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """For `-n N --dist loadgroup`: a test module runs on one worker, in file
    order, and so do all the cluster tests (their servers share Redis pub/sub,
    which is not split by database index)."""
    cluster = Path(__file__).parent / "cluster"
    for item in items:
        group = "cluster" if item.path.is_relative_to(cluster) else item.path.as_posix()
        item.add_marker(pytest.mark.xdist_group(group))


def pytest_report_header(config: pytest.Config) -> list[str]:
    backend = "PostgreSQL" if TEST_DATABASE_URL else "SQLite"
    redis = "Redis counters" if TEST_REDIS_URL else "database counters"
    return [f"nattlys test database: {backend}; login throttle: {redis}"]


class MovableClock:
    """A clock the test sets and moves; every service reads it via nattlys.clock."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def __call__(self) -> datetime:
        return self.current

    def set(self, moment: datetime) -> None:
        self.current = moment.astimezone(UTC)

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    if TEST_DATABASE_URL:
        url = normalise_database_url(TEST_DATABASE_URL)
        try:
            _reset_postgres(url)
        except Exception as exc:  # a configured database that is down is a failure, not a skip
            pytest.fail(f"TEST_DATABASE_URL is set but PostgreSQL is not reachable: {exc}", pytrace=False)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'nattlys-test.db'}"
    upgrade_database(url)
    return url


@pytest.fixture(scope="session")
def redis_url() -> str:
    if not TEST_REDIS_URL:
        return ""
    import redis

    try:
        redis.Redis.from_url(TEST_REDIS_URL, socket_timeout=2).ping()
    except Exception as exc:
        pytest.fail(f"TEST_REDIS_URL is set but Redis is not reachable: {exc}", pytrace=False)
    return TEST_REDIS_URL


def _empty_tables(engine: Any) -> None:
    tables = list(reversed(metadata.sorted_tables))
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(t.name for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())


def _flush_redis(url: str) -> None:
    if not url:
        return
    import redis

    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter("nattlys:*"))
    if keys:
        client.delete(*keys)


def test_config(database_url: str, redis_url: str, **overrides: Any) -> dict[str, Any]:
    config: dict[str, Any] = {
        "ENV": "testing",
        "SECRET_KEY": "test-secret-key",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SOCKETIO_MESSAGE_QUEUE": "",
        "SOCKETIO_ASYNC_MODE": "threading",
        "PASSWORD_HASH_PROFILE": "fast_for_tests",
        # Tests call realtime.sweep_ended_sessions themselves, at a frozen time.
        "SOCKET_SESSION_SWEEP_SECONDS": 0,
        # The fixed development data key, whatever the outer environment says.
        "DATA_KEYS": "",
        "DATA_KEY_FILE": "",
        # The tests' push service host (a reserved name); test_abuse_limits.py
        # checks the production list itself.
        "PUSH_SERVICE_HOSTS": "push.example.net",
    }
    config.update(overrides)
    return config


test_config.__test__ = False  # type: ignore[attr-defined]  # pytest reads it; mypy knows no function attributes


@pytest.fixture
def clock() -> MovableClock:
    # A Monday evening in November, Oslo time (UTC+1).
    return MovableClock(datetime(2026, 11, 23, 20, 30, tzinfo=UTC))


@pytest.fixture
def make_app(database_url: str, redis_url: str, clock: MovableClock) -> Iterator[Any]:
    """Build extra app instances (e.g. a second "server process") on the same database."""
    apps: list[Flask] = []

    def build(**overrides: Any) -> Flask:
        app = create_app(test_config(database_url, redis_url, **overrides))
        app.test_client_class = ApiClient
        app_clock.install(app, clock)
        apps.append(app)
        return app

    yield build
    from nattlys.db import get_engine

    if apps:
        _empty_tables(get_engine(apps[0]))
        _flush_redis(redis_url)
    for app in apps:
        get_engine(app).dispose()


@pytest.fixture
def app(make_app: Any) -> Flask:
    return make_app()


class ApiClient(FlaskClient):
    """A test client that sends the CSRF token of its session, like the PWA does."""

    csrf_token: str | None = None

    def open(self, *args: Any, **kwargs: Any) -> Any:
        headers = dict(kwargs.pop("headers", None) or {})
        if self.csrf_token and "X-CSRF-Token" not in headers:
            headers["X-CSRF-Token"] = self.csrf_token
        kwargs["headers"] = headers
        response = super().open(*args, **kwargs)
        if response.is_json and isinstance(response.json, dict) and "csrf_token" in response.json:
            self.csrf_token = response.json["csrf_token"]
        return response


@pytest.fixture
def client(app: Flask) -> ApiClient:
    return cast(ApiClient, app.test_client())  # make_app sets test_client_class


@pytest.fixture
def runner(app: Flask) -> Any:
    return app.test_cli_runner()


@pytest.fixture
def db(app: Flask) -> Iterator[Session]:
    """A session for arranging and inspecting data directly."""
    from nattlys.db import get_engine

    with Session(get_engine(app), expire_on_commit=False) as session:
        yield session


@pytest.fixture
def factories(app: Flask, db: Session, clock: MovableClock) -> Factories:
    return Factories(app=app, db=db, password=PASSWORD)


class AuthActions:
    def __init__(self, app: Flask, factories: Factories) -> None:
        self.app = app
        self.factories = factories

    def login(self, client: ApiClient, username: str, password: str = PASSWORD) -> Any:
        """Log in; for staff, also the second factor (set up at the first login)."""
        response: Any = client.post("/api/auth/login", json={"username": username, "password": password})
        assert response.status_code == 200, response.json
        step = response.json.get("second_factor")
        if step == "enrol":
            assert client.post("/api/auth/second-factor/enrol").status_code == 200
        if step is not None:
            response = client.post("/api/auth/second-factor/verify", json={"code": self.totp_code(username)})
            assert response.status_code == 200, response.json
        return response

    def totp_code(self, username: str) -> str:
        """The authenticator app's code now. Tests log the same person in many
        times at one frozen instant, so the used-once rule is set back first."""
        import pyotp
        from sqlmodel import select

        from nattlys.accounts.mfa import totp_secret
        from nattlys.accounts.models import SecondFactor, User

        db = self.factories.db
        user = db.exec(select(User).where(User.username == username.strip().lower())).one()
        factor = db.get(SecondFactor, user.id, populate_existing=True)
        assert factor is not None, "the second factor is set up first"
        factor.last_step = 0
        db.add(factor)
        db.commit()
        with self.app.app_context():
            return pyotp.TOTP(totp_secret(factor)).at(app_clock.now())

    def client_for(self, username: str, password: str = PASSWORD) -> ApiClient:
        client = cast(ApiClient, self.app.test_client())
        self.login(client, username, password)
        return client

    def logout(self, client: ApiClient) -> Any:
        return client.post("/api/auth/logout")


@pytest.fixture
def auth(app: Flask, factories: Factories) -> AuthActions:
    return AuthActions(app, factories)


@pytest.fixture
def socket_client(app: Flask) -> Any:
    """Socket.IO test clients that share a Flask test client's cookies."""
    from nattlys.realtime.connections import socketio

    made: list[Any] = []

    def connect(flask_client: ApiClient, **kwargs: Any) -> Any:
        sio = socketio.test_client(app, flask_test_client=flask_client, **kwargs)
        made.append(sio)
        return sio

    yield connect
    for sio in made:
        if sio.is_connected():
            sio.disconnect()


# --- Chromium, for the browser tests and the PWA-through-nginx cluster test ---------------
# One Playwright per test session: a second sync_playwright() in the same
# process fails, so both folders share these session fixtures.

CHROMIUM = os.environ.get("NATTLYS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not (os.path.exists(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        if os.environ.get("CI") == "true":
            pytest.fail(
                f"CI=true but Chromium is not installed at {CHROMIUM} (.ci/run installs it)", pytrace=False
            )
        pytest.skip(f"Chromium not installed at {CHROMIUM}: apt-get install -y chromium")
    return CHROMIUM


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
