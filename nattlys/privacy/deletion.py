"""Erasure on the patient's request: asked for, withdrawn during the waiting
period, then carried out by the scheduler (see README, "Retention")."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from nattlys.accounts.models import User
from nattlys.audit import writer as audit
from nattlys.db import run_after_commit
from nattlys.next_of_kin import service as next_of_kin
from nattlys.privacy import holdings
from nattlys.privacy.models import DeletionRequest

# Days between the request and the erasure, during which the patient may
# withdraw it (a choice made on a bad night can be undone). The privacy notice
# (pwa/app/views/statement.js) and the README say the same number.
WAITING_DAYS = 7


def pending(db: Session, patient_id: int) -> DeletionRequest | None:
    return db.exec(
        select(DeletionRequest).where(
            DeletionRequest.patient_id == patient_id,
            col(DeletionRequest.cancelled_at).is_(None),
            col(DeletionRequest.carried_out_at).is_(None),
        )
    ).first()


def request(db: Session, patient: User, *, at: datetime) -> DeletionRequest:
    """Asking again while a request waits keeps the first date."""
    existing = pending(db, patient.id)
    if existing is not None:
        return existing
    row = DeletionRequest(patient_id=patient.id, requested_at=at, due_at=at + timedelta(days=WAITING_DAYS))
    db.add(row)
    db.flush()
    audit.record(
        db,
        actor=patient,
        action="patient.deletion_request",
        object_type="deletion_request",
        patient_id=patient.id,
        object_id=row.id,
    )
    return row


def withdraw(db: Session, patient: User, *, at: datetime) -> None:
    row = pending(db, patient.id)
    if row is None:
        return
    row.cancelled_at = at
    audit.record(
        db,
        actor=patient,
        action="patient.deletion_withdraw",
        object_type="deletion_request",
        patient_id=patient.id,
        object_id=row.id,
    )


def carry_out_due(db: Session, *, at: datetime) -> int:
    """Erase every patient whose waiting period is over; one transaction each."""
    due = db.exec(
        select(DeletionRequest.id).where(
            DeletionRequest.due_at <= at,
            col(DeletionRequest.cancelled_at).is_(None),
            col(DeletionRequest.carried_out_at).is_(None),
        )
    ).all()
    db.commit()
    for request_id in due:
        row = db.get(DeletionRequest, request_id)
        patient = db.get(User, row.patient_id) if row else None
        if row is None or patient is None or row.carried_out_at or row.cancelled_at:
            db.rollback()
            continue
        next_of_kin.end_all(db, patient_id=patient.id, at=at)
        deleted = holdings.erase(db, patient.id)
        # The row stays so the access log still points at someone; nothing in it says who.
        patient.username = patient.display_name = f"slettet-{patient.id}"
        patient.password_hash = None
        patient.is_active = False
        row.carried_out_at = at
        audit.record(
            db,
            actor=None,
            action="patient.erase",
            object_type="deletion_request",
            patient_id=patient.id,
            object_id=row.id,
            details={"rows_deleted": sum(deleted.values())},
        )
        db.commit()
        run_after_commit()  # her next of kin's open screens and sockets are closed
    bind = db.get_bind()
    if due and bind.dialect.name == "sqlite":
        # Old page images of the erased rows live on in the WAL until a
        # checkpoint; outside a transaction (ours all BEGIN IMMEDIATE).
        raw = bind.engine.raw_connection()
        try:
            raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            raw.close()
    return len(due)
