"""`nattlys keys`: make a data key, and re-encrypt stored clinical text under the newest one."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from nattlys.crypto import keys, rotate
from nattlys.crypto.keys import DataKeyError, generate
from nattlys.db import get_engine
from nattlys.schema import metadata


@click.group("keys")
def keys_group() -> None:
    """Data keys for clinical text at rest."""


@keys_group.command("generate")
@click.option("--id", "key_id", required=True, help="A name for the key, e.g. 2026-12.")
def keys_generate(key_id: str) -> None:
    """Print a new key entry. Put it FIRST in DATA_KEYS (newest first), keep the old
    ones until `nattlys keys rotate` reports nothing left, and store a copy apart
    from the database and its backups."""

    try:
        click.echo(generate(key_id))
    except DataKeyError as exc:
        raise click.ClickException(str(exc)) from exc


@keys_group.command("rotate")
@click.option("--batch-size", default=200, show_default=True, help="Rows per transaction.")
@click.option("--pause", default=0.0, show_default=True, help="Seconds to wait between batches.")
@with_appcontext
def keys_rotate(batch_size: int, pause: float) -> None:
    """Re-encrypt every row not yet under the newest key (and encrypt plain rows
    from before encryption), in small transactions; safe to stop and run again."""

    ring = keys.current()
    engine = get_engine()
    report = rotate.rotate(engine, ring, metadata, batch_size=max(1, batch_size), pause_seconds=pause)
    for label, count in report.rewritten.items():
        click.echo(f"{label}: {count} re-encrypted")
    rate = report.total / report.seconds if report.seconds else 0.0
    click.echo(
        f"{report.total} rows under key {ring.current_id!r} in {report.seconds:.2f} s ({rate:.0f} rows/s)"
    )
    if report.skipped_concurrent:
        click.echo(f"{report.skipped_concurrent} rows changed meanwhile and were left to the service")
    left = {k: v for k, v in rotate.stale_rows(engine, ring, metadata).items() if v}
    if left:
        click.echo(f"not yet under the newest key: {left}; run again", err=True)
        raise SystemExit(1)
    older = ", ".join(kid for kid, _ in ring.keys[1:]) or "none"
    click.echo(f"nothing left under older keys ({older}); they may now be removed from DATA_KEYS")
