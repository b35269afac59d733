"""/api/me/export and /api/me/deletion: the patient's own copy and erasure."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Literal

from flask import Blueprint, Response, g
from pydantic import BaseModel, ConfigDict

from nattlys import clock
from nattlys.accounts.models import Role
from nattlys.api.endpoints import endpoint
from nattlys.audit import writer as audit
from nattlys.db import get_db
from nattlys.privacy import deletion, export

bp = Blueprint("privacy", __name__, url_prefix="/api/me")


class ExportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    format: Literal["json", "html"]
    lang: Literal["nb", "en"] = "nb"


class DeletionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    confirm: Literal[True]


class DeletionStatus(BaseModel):
    pending: bool
    waiting_days: int = deletion.WAITING_DAYS
    requested_at: datetime | None = None
    due_at: datetime | None = None


@bp.post("/export")
@endpoint(
    "Download everything Nattlys holds about me (JSON, or a readable HTML page)",
    tag="privacy",
    body=ExportIn,
    roles=(Role.patient,),
)
def my_export(body: ExportIn) -> Response:
    db = get_db()
    at = clock.now()
    copy = export.build(db, g.user, at=at)
    audit.record(
        db,
        actor=g.user,
        action="patient.export",
        object_type="export",
        patient_id=g.user.id,
        details={"format": body.format},
    )
    stamp = at.strftime("%Y-%m-%d")
    if body.format == "json":
        content, mimetype = json.dumps(copy, ensure_ascii=False, indent=1), "application/json"
    else:
        content, mimetype = export.render_html(copy, body.lang), "text/html"
    return Response(
        content,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="nattlys-{stamp}.{body.format}"'},
    )


def _status() -> DeletionStatus:
    row = deletion.pending(get_db(), g.user.id)
    if row is None:
        return DeletionStatus(pending=False)
    return DeletionStatus(pending=True, requested_at=row.requested_at, due_at=row.due_at)


@bp.get("/deletion")
@endpoint("My deletion request, if any", tag="privacy", response=DeletionStatus, roles=(Role.patient,))
def my_deletion() -> DeletionStatus:
    return _status()


@bp.post("/deletion")
@endpoint(
    "Ask for everything about me to be deleted after the waiting period",
    tag="privacy",
    body=DeletionIn,
    response=DeletionStatus,
    status=201,
    roles=(Role.patient,),
)
def request_deletion(body: DeletionIn) -> DeletionStatus:
    deletion.request(get_db(), g.user, at=clock.now())
    return _status()


@bp.delete("/deletion")
@endpoint("Withdraw my deletion request", tag="privacy", status=204, roles=(Role.patient,))
def withdraw_deletion() -> None:
    deletion.withdraw(get_db(), g.user, at=clock.now())
