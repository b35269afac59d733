"""/api/me/audit ("who has seen my data") and /api/audit (administrators)."""

from __future__ import annotations

from flask import Blueprint, g
from sqlmodel import Field, SQLModel

from nattlys.accounts.models import Role
from nattlys.api.endpoints import endpoint
from nattlys.audit import service
from nattlys.audit.schemas import AuditEntryPublic
from nattlys.db import get_db

bp = Blueprint("audit", __name__, url_prefix="/api")


class AuditPage(SQLModel):
    limit: int = Field(default=100, ge=1, le=500)
    before_id: int | None = Field(default=None, ge=1)


class AuditQuery(AuditPage):
    patient_id: int | None = Field(default=None, ge=1)
    actor_id: int | None = Field(default=None, ge=1)


@bp.get("/me/audit")
@endpoint(
    "Who has seen or changed my data (patients)",
    tag="audit",
    query=AuditPage,
    response=list[AuditEntryPublic],
    roles=(Role.patient,),
)
def my_audit(query: AuditPage) -> list[AuditEntryPublic]:
    return service.entries(
        get_db(),
        patient_id=g.user.id,
        exclude_actor_id=g.user.id,
        limit=query.limit,
        before_id=query.before_id,
    )


@bp.get("/audit")
@endpoint(
    "Review the audit log (administrators)",
    tag="audit",
    query=AuditQuery,
    response=list[AuditEntryPublic],
    roles=(Role.admin,),
)
def review_audit(query: AuditQuery) -> list[AuditEntryPublic]:
    return service.review(
        get_db(),
        viewer=g.user,
        patient_id=query.patient_id,
        actor_id=query.actor_id,
        limit=query.limit,
        before_id=query.before_id,
    )
