"""Re-encrypt every encrypted column under the newest data key, in small
batches while the service runs.

Each batch is its own short transaction, and each row is written only if it
still holds the value that was read (a concurrent edit wins). A run that stops
half-way loses at most one batch; run it again and it picks up the rows not yet
under the newest key. Plain text from before encryption is encrypted the same way.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from sqlalchemy import Engine, MetaData, Table, column, func, select, table, update
from sqlalchemy import Text as SqlText

from nattlys.crypto import envelope
from nattlys.crypto.columns import ENCRYPTED_TYPES
from nattlys.crypto.keys import KeyRing


@dataclass
class RotationReport:
    rewritten: dict[str, int] = field(default_factory=dict)  # "table.column" -> rows
    skipped_concurrent: int = 0
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.rewritten.values())


def encrypted_columns(metadata: MetaData) -> Iterator[tuple[Table, str]]:
    for tbl in metadata.sorted_tables:
        for col in tbl.columns:
            if isinstance(col.type, ENCRYPTED_TYPES):
                yield tbl, col.name


def _raw(tbl: Table, name: str):
    # Plain text columns, so what is read and written is the stored token.
    return table(tbl.name, column("id"), column(name, SqlText))


def stale_rows(engine: Engine, ring: KeyRing, metadata: MetaData) -> dict[str, int]:
    """Rows per column not yet under the newest key (plain or an older key)."""
    prefix = f"{envelope.PREFIX}{ring.current_id}."
    counts: dict[str, int] = {}
    with engine.connect() as conn:
        for tbl, name in encrypted_columns(metadata):
            raw = _raw(tbl, name)
            value = raw.c[name]
            counts[f"{tbl.name}.{name}"] = conn.execute(
                select(func.count())
                .select_from(raw)
                .where(value.is_not(None), func.substr(value, 1, len(prefix)) != prefix)
            ).scalar_one()
    return counts


def rotate(
    engine: Engine,
    ring: KeyRing,
    metadata: MetaData,
    *,
    batch_size: int = 200,
    pause_seconds: float = 0.0,
    progress: Callable[[str, int], None] | None = None,
) -> RotationReport:
    prefix = f"{envelope.PREFIX}{ring.current_id}."
    report = RotationReport()
    started = time.monotonic()
    for tbl, name in encrypted_columns(metadata):
        raw = _raw(tbl, name)
        value, row_id = raw.c[name], raw.c.id
        label = f"{tbl.name}.{name}"
        report.rewritten[label] = 0
        after = 0
        while True:
            with engine.begin() as conn:
                rows = conn.execute(
                    select(row_id, value)
                    .where(row_id > after, value.is_not(None), func.substr(value, 1, len(prefix)) != prefix)
                    .order_by(row_id)
                    .limit(batch_size)
                ).all()
                for rid, stored in rows:
                    fresh = envelope.encrypt(ring, envelope.decrypt(ring, stored))
                    done = conn.execute(
                        update(raw).where(row_id == rid, value == stored).values({name: fresh})
                    )
                    if done.rowcount:
                        report.rewritten[label] += 1
                    else:
                        report.skipped_concurrent += 1
            if not rows:
                break
            after = rows[-1][0]
            if progress:
                progress(label, report.rewritten[label])
            if pause_seconds:
                time.sleep(pause_seconds)
    report.seconds = time.monotonic() - started
    return report
