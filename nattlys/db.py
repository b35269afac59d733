"""Database engine and the one session per request or socket event.

SQLite (the single-machine default) gets WAL, foreign keys, a busy timeout and
BEGIN IMMEDIATE transactions, so a transaction that reads and then writes can
never fail half-way with SQLITE_BUSY. Under gevent the busy timeout would sleep
inside C and freeze every greenlet, so writers in one process also queue on a
cooperative lock before they touch SQLite.
"""

from __future__ import annotations

import functools
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from flask import Flask, current_app, g
from sqlalchemy import DateTime, Engine, Table, create_engine, event
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.pool import QueuePool
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, SQLModel

if TYPE_CHECKING:
    from werkzeug.local import LocalProxy

log = logging.getLogger(__name__)
_ENGINE_KEY = "nattlys_engine"


class DatabaseBusy(RuntimeError):
    pass


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    write_lock = threading.Lock()

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy (not pysqlite) decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA synchronous = NORMAL")
        # Deleted content is overwritten, not left in free pages (a patient's erasure).
        cursor.execute("PRAGMA secure_delete = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        if not write_lock.acquire(timeout=busy_timeout_ms / 1000):
            raise DatabaseBusy("the database stayed busy; try again")
        conn.info["nattlys_write_lock"] = True
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            conn.info.pop("nattlys_write_lock", None)
            write_lock.release()
            raise

    def _release(conn: Any) -> None:
        if conn.info.pop("nattlys_write_lock", None):
            write_lock.release()

    event.listen(engine, "commit", _release)
    event.listen(engine, "rollback", _release)


def private_sqlite_file(database_url: str) -> None:
    """Health data: a SQLite database's folder is made 0700 when it is created
    here, and the file is created 0600 (its WAL and shm files follow the file's
    mode) or narrowed to 0600 if it is readable by others."""
    url = make_url(database_url)
    database = url.database or ""
    if url.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return
    path = Path(database)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not path.exists():
        # Never open (and close) a file this process may already have open in
        # SQLite: closing any descriptor drops the process's locks on it.
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)


# A pooled PostgreSQL connection back from use within this many seconds is
# handed out as it is; one idle for longer is pinged first.
PING_AFTER_IDLE_SECONDS = 10.0
# Connections older than this are replaced (a firewall or the server may have
# dropped them quietly).
POOL_RECYCLE_SECONDS = 1800


def _ping_idle_connections(engine: Engine, *, after_seconds: float) -> None:
    """Pre-ping costs a round trip on every checkout, so on every request and
    every chat event. Only a connection that has sat idle is pinged; one that
    does not answer is replaced before anyone uses it (the pool tries again
    with a new connection). A connection cut while in use, as in a database
    restart under load, fails that request, which answers 503 with
    Retry-After, and the pool drops every connection opened before the cut."""

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["nattlys_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("nattlys_idle_since")
        if idle_since is None or time.monotonic() - idle_since < after_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            raise DisconnectionError("a pooled connection did not answer its ping") from exc


def make_engine(
    database_url: str,
    *,
    busy_timeout_ms: int = 5000,
    pool_size: int = 20,
    max_overflow: int = 10,
    ping_after_idle_seconds: float = PING_AFTER_IDLE_SECONDS,
) -> Engine:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        private_sqlite_file(database_url)
        # Pooled: opening a SQLite connection (and setting its pragmas) costs
        # more than most queries.
        engine = create_engine(
            url,
            poolclass=QueuePool,
            pool_size=8,
            max_overflow=24,
            pool_timeout=busy_timeout_ms / 1000,
            connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000},
        )
        _configure_sqlite(engine, busy_timeout_ms)
        return engine
    engine = create_engine(
        url,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_recycle=POOL_RECYCLE_SECONDS,
        pool_timeout=10,
        connect_args={"connect_timeout": 5},
    )
    _ping_idle_connections(engine, after_seconds=ping_after_idle_seconds)
    return engine


def init_app(app: Flask) -> None:
    engine = make_engine(
        app.config["DATABASE_URL"],
        busy_timeout_ms=app.config["SQLITE_BUSY_TIMEOUT_MS"],
        pool_size=app.config["DATABASE_POOL_SIZE"],
        max_overflow=app.config["DATABASE_MAX_OVERFLOW"],
    )
    app.extensions[_ENGINE_KEY] = engine
    app.teardown_appcontext(_close_session)


def app_object() -> Flask:
    """The app behind the `current_app` proxy, to hand to a thread, greenlet or
    collector that outlives this context (Flask types the proxy as `Flask`)."""
    return cast("LocalProxy[Flask]", current_app)._get_current_object()


def get_engine(app: Flask | None = None) -> Engine:
    return (app or current_app).extensions[_ENGINE_KEY]


def get_db() -> Session:
    """The session of the current request, socket event or CLI command."""
    if "db" not in g:
        g.db = Session(get_engine(), expire_on_commit=False)
    return g.db


def _close_session(_exc: BaseException | None) -> None:
    db: Session | None = g.pop("db", None)
    if db is not None:
        db.close()


@contextmanager
def standalone_session(app: Flask | None = None) -> Iterator[Session]:
    """A session outside any request (scheduler jobs, CLI helpers)."""
    with Session(get_engine(app), expire_on_commit=False) as session:
        yield session


class UTCDateTime(TypeDecorator[datetime]):
    """Stores naive UTC (portable to SQLite) and always returns aware UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use nattlys.clock.now()")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def stored_id(row: SQLModel) -> int:
    """The primary key of a row that has been flushed, checked: a new row's `id` is
    None until the database gives it one (the models type it `int` for loaded rows)."""
    row_id = getattr(row, "id", None)
    if row_id is None:
        raise ValueError(f"{type(row).__name__} has no id yet: flush it before using its id")
    return int(row_id)


def table_of(model: type[SQLModel]) -> Table:
    """The Core table behind a table model (bulk inserts, dialect upserts); SQLModel
    does not declare the `__table__` SQLAlchemy gives the class."""
    table = sa_inspect(model).local_table
    assert isinstance(table, Table)
    return table


def insert_on_conflict(db: Session, model: type[SQLModel]) -> postgresql.Insert | sqlite.Insert:
    """INSERT into a table model's table in the dialect of `db`'s database, so the
    statement can say ON CONFLICT (both dialects write it the same way)."""
    dialect = postgresql if db.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(table_of(model))


def insert_once(
    db: Session, model: type[SQLModel], *, unique: tuple[str, ...]
) -> postgresql.Insert | sqlite.Insert:
    """INSERT … ON CONFLICT (unique) DO NOTHING RETURNING id in `db`'s dialect,
    built once per process (it runs on hot paths): execute it with the row as
    its parameters; no id back means the row was there already."""
    return _insert_once(db.get_bind().dialect.name, model, unique)


@functools.cache
def _insert_once(
    dialect_name: str, model: type[SQLModel], unique: tuple[str, ...]
) -> postgresql.Insert | sqlite.Insert:
    table = table_of(model)
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    return dialect.insert(table).on_conflict_do_nothing(index_elements=list(unique)).returning(table.c.id)


NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION


@contextmanager
def unit_of_work(db: Session) -> Iterator[Session]:
    """One unit of work, for a request, a socket event or one item of a
    scheduled job: commit what the block did, then run what it left for after
    the commit (live events, pushes). On any error, roll back, drop that work
    and let the error go on; an error that says `commit = True` (a counted
    failed login) keeps what was written, but still drops the after-commit work."""
    try:
        yield db
        db.commit()
    except BaseException as exc:
        if getattr(exc, "commit", False) is True:
            db.commit()
        else:
            db.rollback()
        g.pop("after_commit", None)
        raise
    callbacks: list[Callable[[], None]] = g.pop("after_commit", [])
    for callback in callbacks:
        try:
            callback()
        except Exception:
            # What was committed stands, and is answered as done; a live
            # event that could not go out must not stop the push after it.
            log.exception("work after commit failed")


def after_commit(callback: Callable[[], None]) -> None:
    """Run `callback` once the current unit of work has committed (e.g. emit a
    Socket.IO event only for data that is really stored); dropped on rollback."""
    g.setdefault("after_commit", []).append(callback)
