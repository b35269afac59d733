"""The audit log's hash chain: each row carries SHA-256 over its canonical
encoding and the previous row's hash, so a row edited or deleted afterwards
breaks the chain at that row (`nattlys audit verify` names it).

Rows are sealed at commit, not when written: the writer hands each row's
columns to the caller's unit of work, and just before that commits the chain
head is locked (SELECT … FOR UPDATE on PostgreSQL; SQLite already runs one
writer at a time) and the transaction's rows are linked after it and inserted
in one statement. Taking the head lock as the
last step keeps it held only for the commit itself, and since no transaction
takes another lock after it, two writers cannot deadlock on it. The chain
order (`chain_seq`) is the order of commits, which is why it is not the id.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, event, insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import SessionTransaction
from sqlmodel import Session, col, select

from nattlys.audit.models import AuditChainHead, AuditEntry
from nattlys.db import table_of

log = logging.getLogger(__name__)

GENESIS = "0" * 64
# What a row's hash covers, in this order. The id is left out: the chain
# position is the row's identity here.
CHAINED_FIELDS = (
    "chain_seq",
    "at",
    "actor_id",
    "actor_role",
    "actor_team_kinds",
    "patient_id",
    "action",
    "object_type",
    "object_id",
    "request_id",
    "reason",
    "to_team_kinds",
)
# Fields added after rows were first chained: appended to a row's encoding only
# when set, so every older row (where they are NULL) hashes exactly as it did.
# The array's length tells the two encodings apart, and clearing or adding
# such a field afterwards changes the row's hash like any other edit.
LATER_FIELDS = ("details",)
_UNSEALED = "nattlys_audit_unsealed"
_ENTRIES = table_of(AuditEntry)
_HEAD = table_of(AuditChainHead)
# Every audited event takes these three: built once.
_LOCK_HEAD = select(_HEAD.c.seq, _HEAD.c.hash).where(_HEAD.c.id == 1).with_for_update()
_INSERT_ENTRIES = insert(_ENTRIES)
_MOVE_HEAD = update(_HEAD).where(_HEAD.c.id == 1).values(seq=bindparam("new_seq"), hash=bindparam("new_hash"))


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return value


def canonical(row: Mapping[str, Any] | AuditEntry) -> bytes:
    """One byte string per row: a JSON array of CHAINED_FIELDS, UTF-8."""
    get = row.get if isinstance(row, Mapping) else lambda name: getattr(row, name)
    values = [_plain(get(name)) for name in CHAINED_FIELDS]
    later = [get(name) for name in LATER_FIELDS]
    while later and later[-1] is None:
        later.pop()
    values += later
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def link_hash(prev_hash: str, row: Mapping[str, Any] | AuditEntry) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + b"\n" + canonical(row)).hexdigest()


# --- sealing at commit ----------------------------------------------------------------


@dataclass(frozen=True)
class _Unsealed:
    row: dict[str, Any]
    # The savepoint it was written in (None: the transaction itself): rolling
    # that savepoint back takes the row with it.
    savepoint: SessionTransaction | None


def add_to_chain(db: Session, row: dict[str, Any]) -> None:
    """Called by the writer with a row's columns: it is inserted, linked into
    the chain, when `db` commits."""
    db.info.setdefault(_UNSEALED, []).append(_Unsealed(row, db.get_nested_transaction()))


def _locked_head(db: OrmSession) -> tuple[int, str]:
    head = db.execute(_LOCK_HEAD).first()
    if head is not None:
        return head.seq, head.hash
    # No head yet (a new database): start after the newest sealed row, if any.
    last = db.execute(
        select(_ENTRIES.c.id, _ENTRIES.c.chain_seq, _ENTRIES.c.row_hash)
        .where(_ENTRIES.c.chain_seq.is_not(None))
        .order_by(_ENTRIES.c.chain_seq.desc())
        .limit(1)
    ).first()
    if last is not None:
        log.warning("audit chain head was missing; continuing after row %s", last.id)
    try:
        with db.begin_nested():
            db.execute(
                insert(_HEAD).values(
                    id=1, seq=last.chain_seq if last else 0, hash=last.row_hash if last else GENESIS
                )
            )
    except IntegrityError:  # another writer made it first; wait for its lock
        pass
    head = db.execute(_LOCK_HEAD).one()
    return head.seq, head.hash


@event.listens_for(OrmSession, "before_commit")
def _seal(db: OrmSession) -> None:
    if db.in_nested_transaction():
        return  # a savepoint's release: its rows are sealed with the transaction
    rows = [u.row for u in db.info.pop(_UNSEALED, [])]
    if not rows:
        return
    # Everything else first: the head is the last lock this transaction takes,
    # and the rows are inserted after it, each once, complete.
    db.flush()
    seq, running = _locked_head(db)
    for row in rows:
        seq += 1
        row["chain_seq"] = seq
        row["prev_hash"] = running
        row["row_hash"] = running = link_hash(running, row)
    db.execute(_INSERT_ENTRIES, rows)
    db.execute(_MOVE_HEAD, {"new_seq": seq, "new_hash": running})


@event.listens_for(OrmSession, "after_soft_rollback")
def _forget(db: OrmSession, rolled_back: SessionTransaction) -> None:
    if not db.in_transaction():
        db.info.pop(_UNSEALED, None)
        return

    def undone(savepoint: SessionTransaction | None) -> bool:
        while savepoint is not None:
            if savepoint is rolled_back:
                return True
            savepoint = savepoint.parent
        return False

    kept = [u for u in db.info.get(_UNSEALED, []) if not undone(u.savepoint)]
    db.info[_UNSEALED] = kept


# --- verifying ------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    rows: int
    head_seq: int
    head_hash: str
    broken_row_id: int | None = None  # the first row where the chain does not hold
    broken_seq: int | None = None
    problem: str | None = None

    @property
    def intact(self) -> bool:
        return self.problem is None


def _rows(db: Session, *, upto: int, batch: int) -> Iterator[AuditEntry]:
    """The chain in order up to `upto`, a batch per transaction (on SQLite a
    transaction holds the write lock, so writers wait at most one batch)."""
    after = 0
    while after < upto:
        rows = db.exec(
            select(AuditEntry)
            .where(col(AuditEntry.chain_seq) > after, col(AuditEntry.chain_seq) <= upto)
            .order_by(col(AuditEntry.chain_seq))
            .limit(batch)
            .execution_options(populate_existing=True)
        ).all()
        db.commit()
        yield from rows
        if len(rows) < batch:
            return
        last = rows[-1].chain_seq
        assert last is not None  # the query selects sealed rows only
        after = last


def verify(db: Session, *, batch: int = 2000) -> Verdict:
    """Walk the chain from its first row to the head read at the start (rows
    added meanwhile are left for the next run); stop at the first broken row."""
    head = db.exec(select(AuditChainHead).execution_options(populate_existing=True)).first()
    loose = db.exec(
        select(AuditEntry).where(col(AuditEntry.chain_seq).is_(None)).order_by(col(AuditEntry.id))
    ).first()
    newest = db.exec(select(AuditEntry.chain_seq).order_by(col(AuditEntry.chain_seq).desc())).first()
    db.commit()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)

    def broken(row: AuditEntry | None, checked: int, problem: str) -> Verdict:
        return Verdict(
            checked,
            head_seq,
            head_hash,
            broken_row_id=row.id if row else None,
            broken_seq=row.chain_seq if row else None,
            problem=problem,
        )

    if loose is not None:
        return broken(loose, 0, "the row has no place in the chain (written around the audit writer)")
    if head is None:
        return broken(None, 0, "the chain head is missing") if newest else Verdict(0, 0, GENESIS)
    seq, running, checked = 0, GENESIS, 0
    for row in _rows(db, upto=head_seq, batch=batch):
        assert row.chain_seq is not None  # _rows selects sealed rows only
        if row.chain_seq != seq + 1:
            return broken(
                row, checked, f"rows {seq + 1} to {row.chain_seq - 1} of the chain are missing (deleted)"
            )
        if row.prev_hash != running:
            return broken(row, checked, "the row does not follow the one before it (that one was changed)")
        if row.row_hash != link_hash(running, row):
            return broken(row, checked, "the row was changed after it was written")
        seq, running, checked = row.chain_seq, row.row_hash, checked + 1
    if seq != head_seq or running != head_hash:
        return broken(
            None, checked, f"the chain ends at row {seq} but its head is at {head_seq}: rows were deleted"
        )
    return Verdict(checked, head_seq, head_hash)
