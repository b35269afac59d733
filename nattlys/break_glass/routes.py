"""Break-glass access: a supporter opens, the patient sees, administrators review."""

from __future__ import annotations

from flask import Blueprint, g

from nattlys import clock
from nattlys.access import Need
from nattlys.accounts.models import Role, User
from nattlys.api.endpoints import endpoint
from nattlys.break_glass import service
from nattlys.break_glass.schemas import (
    BreakGlassIn,
    BreakGlassPublic,
    BreakGlassReview,
    ReviewIn,
    ReviewQuery,
)
from nattlys.db import get_db

bp = Blueprint("break_glass", __name__, url_prefix="/api")
TAG = "break-glass"


@bp.post("/patients/<int:patient_id>/break-glass")
@endpoint(
    "Open a patient's check-ins for a short time with a stated reason (supporters in the circle who are "
    "not on duty); the patient is told at once",
    tag=TAG,
    body=BreakGlassIn,
    response=BreakGlassPublic,
    status=201,
    roles=(Role.supporter,),
    errors=(409,),
    patient=Need.break_glass,
)
def open_access(patient: User, body: BreakGlassIn) -> BreakGlassPublic:
    db = get_db()
    return service.open_access(db, supporter=g.user, patient=patient, reason=body.reason, at=clock.now())


@bp.get("/me/break-glass")
@endpoint(
    "Who has used break-glass access to my data, why and until when (patients)",
    tag=TAG,
    response=list[BreakGlassPublic],
    roles=(Role.patient,),
)
def mine() -> list[BreakGlassPublic]:
    return service.for_patient(get_db(), patient=g.user, at=clock.now())


@bp.get("/break-glass")
@endpoint(
    "Break-glass openings for review (administrators)",
    tag=TAG,
    query=ReviewQuery,
    response=list[BreakGlassReview],
    roles=(Role.admin,),
)
def review_list(query: ReviewQuery) -> list[BreakGlassReview]:
    return service.for_review(get_db(), viewer=g.user, unreviewed=query.unreviewed, at=clock.now())


@bp.post("/break-glass/<int:opening_id>/review")
@endpoint(
    "Mark a break-glass opening as reviewed (administrators)",
    tag=TAG,
    body=ReviewIn,
    response=BreakGlassReview,
    roles=(Role.admin,),
)
def review(opening_id: int, body: ReviewIn) -> BreakGlassReview:
    return service.mark_reviewed(
        get_db(), admin=g.user, opening_id=opening_id, note=body.note, at=clock.now()
    )
