"""Alembic environment. The URL comes from the caller (`nattlys db upgrade`)
or from DATABASE_URL; SQLite uses batch mode so ALTERs work there too."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import create_engine, pool

from nattlys.config import DEFAULT_SQLITE_PATH, normalise_database_url
from nattlys.db import private_sqlite_file
from nattlys.schema import metadata

config = context.config


def _url() -> str:
    url = config.attributes.get("database_url") or os.environ.get("DATABASE_URL")
    return normalise_database_url(url or f"sqlite:///{DEFAULT_SQLITE_PATH}")


def run_migrations_offline() -> None:
    context.configure(
        url=_url(),
        target_metadata=metadata,
        literal_binds=True,
        compare_type=True,
        render_as_batch=_url().startswith("sqlite"),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    private_sqlite_file(_url())
    engine = create_engine(_url(), poolclass=pool.NullPool)
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=metadata,
        compare_type=True,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
