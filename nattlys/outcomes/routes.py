"""/api/outcomes (administrators' figures, JSON and CSV) and the "what
happened" record after a night (supporters in the patient's circle)."""

from __future__ import annotations

from flask import Blueprint, Response, g

from nattlys import clock
from nattlys.access import Need
from nattlys.accounts.models import Role, User
from nattlys.api.endpoints import endpoint
from nattlys.db import get_db
from nattlys.outcomes import service
from nattlys.outcomes.schemas import FiguresQuery, NightOutcomeIn, NightOutcomePublic, OutcomeFigures

bp = Blueprint("outcomes", __name__, url_prefix="/api")


@bp.get("/outcomes")
@endpoint(
    "Outcome figures per month and team; groups under 5 patients suppressed (administrators)",
    tag="outcomes",
    query=FiguresQuery,
    response=OutcomeFigures,
    roles=(Role.admin,),
)
def outcome_figures(query: FiguresQuery) -> OutcomeFigures:
    return service.read_figures(get_db(), viewer=g.user, at=clock.now(), months=query.months)


@bp.get("/outcomes.csv")
@endpoint(
    "The outcome figures as CSV, one line per value (administrators)",
    tag="outcomes",
    query=FiguresQuery,
    roles=(Role.admin,),
)
def outcome_figures_csv(query: FiguresQuery) -> Response:
    data = service.read_figures(get_db(), viewer=g.user, at=clock.now(), months=query.months, export=True)
    return Response(
        service.as_csv(data),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="nattlys-outcomes-{data.months[-1]}.csv"',
            "Cache-Control": "no-store",
        },
    )


@bp.post("/patients/<int:patient_id>/night-outcomes")
@endpoint(
    "Record what happened after a night: nothing, legevakt, admission or police (supporters in the circle)",
    tag="outcomes",
    body=NightOutcomeIn,
    response=NightOutcomePublic,
    status=201,
    roles=(Role.supporter,),
    patient=Need.follow_up,
)
def record_night(patient: User, body: NightOutcomeIn) -> NightOutcomePublic:
    db = get_db()
    return service.public(
        service.record_night(db, supporter=g.user, patient=patient, body=body, at=clock.now())
    )
