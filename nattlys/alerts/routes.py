"""/api/alerts (acknowledging, what the patient is told), /api/gaps (the
administrator's log of nights alone) and /api/duty (who can be reached)."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, g
from sqlmodel import Field, SQLModel

from nattlys import access, clock
from nattlys.accounts.models import Role
from nattlys.alerts import escalation, gaps, reach
from nattlys.alerts.schemas import AlertStatus, GapRow, MyReach, OpenAlert, Reachability, SupporterReach
from nattlys.api.endpoints import endpoint
from nattlys.db import get_db

bp = Blueprint("alerts", __name__, url_prefix="/api")


class MyRouting(SQLModel):
    """Who can answer me now, and where tonight's alert about me stands."""

    reachability: Reachability
    alert: AlertStatus | None = None


class GapQuery(SQLModel):
    weeks: int = Field(default=4, ge=1, le=26)


@bp.get("/alerts/me")
@endpoint(
    "Who can answer me now (team kinds on duty) and where tonight's alert stands (patients)",
    tag="alerts",
    response=MyRouting,
    roles=(Role.patient,),
)
def my_routing() -> MyRouting:
    db, now = get_db(), clock.now()
    return MyRouting(
        reachability=reach.reachability(db, g.user.id, now),
        alert=escalation.latest_for_patient(db, patient=g.user, at=now),
    )


@bp.get("/alerts/open")
@endpoint(
    "Alerts offered to me that nobody has taken yet (supporters on duty)",
    tag="alerts",
    response=list[OpenAlert],
    roles=(Role.supporter,),
)
def open_alerts() -> list[OpenAlert]:
    return escalation.open_for(get_db(), supporter=g.user, at=clock.now())


@bp.post("/alerts/<int:alert_id>/ack")
@endpoint(
    'Take an alert ("Jeg tar den"): it stops escalating (supporters on duty for the patient)',
    tag="alerts",
    status=204,
    roles=(Role.supporter,),
    errors=(400, 401, 403, 404, 409, 413, 429),
)
def acknowledge(alert_id: int) -> None:
    escalation.acknowledge(get_db(), supporter=g.user, alert_id=alert_id, at=clock.now())


@bp.get("/gaps")
@endpoint(
    "Times a patient was alone or waited unanswered, with what they were shown (administrators)",
    tag="alerts",
    query=GapQuery,
    response=list[GapRow],
    roles=(Role.admin,),
)
def gap_log(query: GapQuery) -> list[GapRow]:
    now = clock.now()
    return gaps.list_gaps(get_db(), viewer=g.user, since=now - timedelta(weeks=query.weeks), at=now)


@bp.get("/duty/reachability")
@endpoint(
    "Supporters on duty now and whether the app is open or push works (admins: all; supporters: own teams)",
    tag="alerts",
    response=list[SupporterReach],
    roles=(Role.admin, Role.supporter),
)
def on_duty_reach() -> list[SupporterReach]:
    db = get_db()
    teams = None if g.user.role == Role.admin else access.supporter_team_ids(db, g.user.id)
    return reach.on_duty_reach(db, team_ids=teams, at=clock.now())


@bp.get("/duty/me")
@endpoint(
    "Whether I am on duty now and can be reached when the app is closed (supporters)",
    tag="alerts",
    response=MyReach,
    roles=(Role.supporter,),
)
def my_reach() -> MyReach:
    return reach.my_reach(get_db(), user=g.user, at=clock.now())
