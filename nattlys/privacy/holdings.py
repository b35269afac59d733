"""Which rows hold something about a patient, found from the schema itself so
a table added later is exported and erased without anyone remembering to.

A row is the patient's when its `patient_id` (or `user_id`) is the patient, or
when it hangs (by foreign key) off such a row: messages off the conversation,
plan versions off the plan, and so on.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Table, or_, select
from sqlmodel import Session

from nattlys.schema import metadata

# Kept after erasure (see README, "Retention"): the account row, anonymised, so
# the access log still points at someone; the access log; the request itself.
KEPT_TABLES = frozenset({"users", "audit_entries", "deletion_requests"})
# Never handed out, not even to the person: secrets and their hashes.
SECRET_COLUMNS = {
    "users": {"password_hash"},
    "auth_sessions": {"id", "csrf_token"},
    "calendar_feeds": {"token_hash"},
    "invitations": {"token_hash"},
    "push_subscriptions": {"p256dh", "auth"},
}
_OWNER_COLUMNS = ("patient_id", "user_id")


Memo = dict[str, "ColumnElement[bool] | None"]


def _condition(table: Table, patient_id: int, memo: Memo) -> ColumnElement[bool] | None:
    """Which rows of `table` are the patient's; None: the table holds none."""
    if table.name not in memo:
        if table.name == "users":
            memo[table.name] = table.c.id == patient_id
            return memo[table.name]
        parts: list[ColumnElement[bool]] = [table.c[n] == patient_id for n in _OWNER_COLUMNS if n in table.c]
        for fk in table.foreign_keys:
            parent = fk.column.table
            if parent.name in ("users", table.name) or parent.name in KEPT_TABLES:
                continue
            parent_condition = _condition(parent, patient_id, memo)
            if parent_condition is not None:
                parts.append(fk.parent.in_(select(fk.column).where(parent_condition)))
        memo[table.name] = or_(*parts) if parts else None
    return memo[table.name]


def owned_tables(patient_id: int) -> list[tuple[Table, ColumnElement[bool]]]:
    """(table, which rows are the patient's), parents before children."""
    memo: Memo = {}
    found = []
    for table in metadata.sorted_tables:
        condition = _condition(table, patient_id, memo)
        if condition is not None:
            found.append((table, condition))
    return found


def _plain(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def everything(db: Session, patient_id: int) -> dict[str, list[dict[str, Any]]]:
    """Every row held about the patient, decrypted, secrets left out."""
    held: dict[str, list[dict[str, Any]]] = {}
    for table, condition in owned_tables(patient_id):
        hidden = SECRET_COLUMNS.get(table.name, set())
        columns = [c for c in table.columns if c.name not in hidden]
        order = list(table.primary_key.columns)
        rows = db.execute(select(*columns).where(condition).order_by(*order)).mappings().all()
        if rows:
            held[table.name] = [{k: _plain(v) for k, v in row.items()} for row in rows]
    return held


def erase(db: Session, patient_id: int) -> dict[str, int]:
    """Delete every row of the patient outside KEPT_TABLES, children first.
    Returns rows deleted per table."""
    deleted: dict[str, int] = {}
    for table, condition in reversed(owned_tables(patient_id)):
        if table.name in KEPT_TABLES:
            continue
        count = db.exec(table.delete().where(condition)).rowcount
        if count:
            deleted[table.name] = count
    return deleted
