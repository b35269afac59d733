"""Reading the figures (audited) and recording what happened after a night."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

from sqlmodel import Session, select

from nattlys.accounts.models import User
from nattlys.api.errors import bad_request
from nattlys.audit import writer as audit
from nattlys.clock import OSLO
from nattlys.outcomes import figures
from nattlys.outcomes.models import NightOutcome
from nattlys.outcomes.schemas import (
    Assumptions,
    FigureRow,
    NightOutcomeIn,
    NightOutcomePublic,
    OutcomeFigures,
    TeamRef,
)

# How far back a night may still be recorded.
RECORDABLE_DAYS = 60

ASSUMPTIONS = Assumptions(
    min_patients=figures.MIN_PATIENTS,
    office_hours=f"{figures.OFFICE_START:02d}:00-{figures.OFFICE_END:02d}:00 Europe/Oslo",
    baseline_contact_within_7_days=figures.BASELINE_CONTACT_7_DAYS,
    baseline_source="Helsedirektoratet 2019 (seed 001): 45 % of 15,587 discharged patients had outpatient contact "
    "within 7 days",
    cost_per_round_nok=figures.COST_PER_ROUND_NOK,
    cost_source="Helse Bergen via Askøy/Øygarden (seed 000): NOK 47,493 per round of the acute loop "
    "(ambulance twice, legevakt, police, 2.5 days at the acute ward)",
    cost_avoided_means="nights recorded as 'nothing' x cost per round: an upper estimate that assumes each such "
    "night would otherwise have been one round of the acute loop",
)


def read_figures(
    db: Session, *, viewer: User, at: datetime, months: int, export: bool = False
) -> OutcomeFigures:
    result = figures.compute(db, at=at, months=months)
    audit.record(
        db,
        actor=viewer,
        action="outcomes.export" if export else "outcomes.read",
        object_type="outcome_figures",
        object_id=f"{result.months[0]}..{result.months[-1]}",
    )
    return OutcomeFigures(
        generated_at=at,
        months=result.months,
        teams=[TeamRef(id=None, name=None), *(TeamRef(id=i, name=n) for i, n in result.teams)],
        assumptions=ASSUMPTIONS,
        rows=[
            FigureRow(
                figure=r.figure,
                team_id=r.team_id,
                month=r.month,
                tier=r.tier,
                hour=r.hour,
                patients=r.patients,
                suppressed=r.suppressed,
                values=r.values,
            )
            for r in result.rows
        ],
    )


CSV_COLUMNS = (
    "figure",
    "team_id",
    "team",
    "month",
    "tier",
    "hour",
    "patients",
    "suppressed",
    "measure",
    "value",
)


def as_csv(data: OutcomeFigures) -> str:
    """One line per value, the same numbers as the JSON (empty where suppressed)."""
    names = {t.id: t.name or "" for t in data.teams}
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\r\n")
    out.writerow(CSV_COLUMNS)
    for row in data.rows:
        for measure, value in row.values.items():
            out.writerow(
                [
                    row.figure,
                    "" if row.team_id is None else row.team_id,
                    _safe(names.get(row.team_id, "")),
                    row.month or "",
                    "" if row.tier is None else row.tier,
                    "" if row.hour is None else row.hour,
                    "" if row.patients is None else row.patients,
                    "true" if row.suppressed else "false",
                    measure,
                    "" if value is None else value,
                ]
            )
    return buffer.getvalue()


def _safe(cell: str) -> str:
    """A team name is typed by staff: never let a spreadsheet run it as a formula."""
    return f"'{cell}" if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def record_night(
    db: Session, *, supporter: User, patient: User, body: NightOutcomeIn, at: datetime
) -> NightOutcome:
    """One record per patient and night; recording again changes it."""
    today = at.astimezone(OSLO).date()
    if body.night > today or body.night < today - timedelta(days=RECORDABLE_DAYS):
        raise bad_request("night_out_of_range", f"The night must be within the last {RECORDABLE_DAYS} days.")
    row = db.exec(
        select(NightOutcome).where(NightOutcome.patient_id == patient.id, NightOutcome.night == body.night)
    ).first()
    if row is None:
        row = NightOutcome(patient_id=patient.id, night=body.night, outcome=body.outcome, recorded_at=at)
    row.outcome, row.recorded_by_id, row.recorded_at = body.outcome, supporter.id, at
    db.add(row)
    db.flush()
    audit.record(
        db,
        actor=supporter,
        action="outcome.write",
        object_type="night_outcome",
        object_id=row.id,
        patient_id=patient.id,
    )
    return row


def public(row: NightOutcome) -> NightOutcomePublic:
    return NightOutcomePublic.model_validate(row, from_attributes=True)
