"""The database layer: SQLite settings, write transactions, schema and sessions."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask, g
from sqlalchemy import text
from sqlmodel import Session, select

import nattlys.db as server_db
from nattlys.accounts.models import User
from nattlys.db import get_db, get_engine
from nattlys.schema import metadata


def _is_sqlite(app: Flask) -> bool:
    return get_engine(app).dialect.name == "sqlite"


@pytest.fixture
def sqlite_app(app: Flask) -> Flask:
    if not _is_sqlite(app):
        pytest.skip("SQLite-specific: the app is on PostgreSQL")
    return app


def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(sqlite_app: Flask) -> None:
    with get_engine(sqlite_app).connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000


def test_sqlite_busy_timeout_follows_the_setting(make_app: Any) -> None:
    app = make_app(SQLITE_BUSY_TIMEOUT_MS=1234)
    if not _is_sqlite(app):
        pytest.skip("SQLite-specific: the app is on PostgreSQL")
    with get_engine(app).connect() as conn:
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 1234


def test_sqlite_enforces_foreign_keys(sqlite_app: Flask) -> None:
    with Session(get_engine(sqlite_app)) as session:
        with pytest.raises(Exception, match="FOREIGN KEY"):
            session.execute(text("INSERT INTO team_memberships (team_id, user_id) VALUES (987654, 987654)"))
            session.commit()
        session.rollback()


def _raw_connection(app: Flask) -> sqlite3.Connection:
    path = get_engine(app).url.database
    assert path
    return sqlite3.connect(path, timeout=0, isolation_level=None)


def test_a_transaction_that_starts_with_a_read_already_holds_the_write_lock(sqlite_app: Flask) -> None:
    """BEGIN IMMEDIATE: a transaction that reads and later writes cannot fail
    half-way with "database is locked", because it takes the lock up front."""
    raw = _raw_connection(sqlite_app)
    try:
        with Session(get_engine(sqlite_app)) as session:
            session.exec(select(User)).all()  # only a read so far
            with pytest.raises(sqlite3.OperationalError, match="database is locked"):
                raw.execute("BEGIN IMMEDIATE")
            with pytest.raises(sqlite3.OperationalError, match="database is locked"):
                raw.execute(
                    "INSERT INTO rate_counters (key, window_start, count) VALUES ('x', '2026-01-01', 1)"
                )
            session.rollback()
        # Once the session's transaction has ended, others may write again.
        raw.execute("BEGIN IMMEDIATE")
        raw.execute("ROLLBACK")
    finally:
        raw.close()


def test_readers_are_not_blocked_by_a_writer(sqlite_app: Flask, factories: Any) -> None:
    factories.patient("wal-reader")
    raw = _raw_connection(sqlite_app)
    try:
        with Session(get_engine(sqlite_app)) as session:
            session.exec(select(User)).all()
            # WAL: a plain read elsewhere still works while the writer holds its lock.
            rows = raw.execute("SELECT username FROM users WHERE username = 'wal-reader'").fetchall()
            assert rows == [("wal-reader",)]
            session.rollback()
    finally:
        raw.close()


def test_the_migrated_schema_matches_the_models(app: Flask) -> None:
    with get_engine(app).connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": False}
        )
        differences = compare_metadata(context, metadata)
    assert differences == []


def test_every_model_table_exists_after_migration(app: Flask) -> None:
    with get_engine(app).connect() as conn:
        context = MigrationContext.configure(conn)
        existing = set(context.dialect.get_table_names(conn))
    assert set(metadata.tables) <= existing


class _TrackedSession(Session):
    made: list[_TrackedSession] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.closed_count = 0
        _TrackedSession.made.append(self)

    def close(self) -> None:
        self.closed_count += 1
        super().close()


def test_one_session_per_request_closed_at_teardown(
    app: Flask, factories: Any, auth: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    supporter = factories.supporter()
    patient = factories.patient()
    factories.care_circle(patient, [[factories.team(members=[supporter])]])
    client = auth.client_for(supporter.username)

    _TrackedSession.made = []
    monkeypatch.setattr(server_db, "Session", _TrackedSession)
    # Session lookup, access check, audit write and commit all happen here.
    response = client.get(f"/api/patients/{patient.id}")
    assert response.status_code == 200
    assert len(_TrackedSession.made) == 1
    assert _TrackedSession.made[0].closed_count == 1


def test_the_request_session_is_removed_when_the_context_ends(app: Flask) -> None:
    with app.test_request_context("/api/auth/session"):
        first = get_db()
        assert get_db() is first, "the same session all through one request"
        first.exec(select(User)).all()
        assert "db" in g
    with app.test_request_context("/api/auth/session"):
        assert "db" not in g
        assert get_db() is not first


def test_migration_files_are_named_in_the_order_they_run() -> None:
    """A reader (or a reviewer of a release) reads the folder top to bottom and
    sees the schema's history in the order it is applied. Revision ids stay as
    first released, so databases already migrated upgrade as before."""
    from pathlib import Path

    from alembic.script import ScriptDirectory

    from nattlys.cli import alembic_config

    scripts = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(scripts.get_heads()) == 1
    run_order = [Path(s.path).name for s in reversed(list(scripts.walk_revisions()))]
    assert run_order == sorted(run_order)
    assert [name[:4] for name in run_order] == [f"{n:04d}" for n in range(1, len(run_order) + 1)]


@pytest.fixture
def postgresql_url(database_url: str) -> str:
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL-specific: the tests run on SQLite")
    return database_url


def _backend_pid(engine: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def test_a_pooled_connection_cut_while_idle_is_replaced_before_anyone_uses_it(postgresql_url: str) -> None:
    engine = server_db.make_engine(postgresql_url, pool_size=1, max_overflow=0, ping_after_idle_seconds=0)
    try:
        cut = _backend_pid(engine)
        with server_db.make_engine(postgresql_url).connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": cut})
        # The next request on this process gets a working connection, not an error.
        assert _backend_pid(engine) != cut
    finally:
        engine.dispose()


def test_a_connection_back_from_use_a_moment_ago_is_not_pinged(
    postgresql_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = server_db.make_engine(postgresql_url, pool_size=1, max_overflow=0)
    pings: list[Any] = []
    monkeypatch.setattr(engine.dialect, "do_ping", pings.append)
    try:
        first = _backend_pid(engine)
        for _ in range(3):  # back-to-back chat events: no extra round trip each
            assert _backend_pid(engine) == first
        assert pings == []
    finally:
        engine.dispose()
