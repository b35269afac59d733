"""What the care circle says about one patient, read without deciding
anything: through which team kinds a supporter knows her, and her circle's
own number to call (the last resort). Lower than access, duty and alerts,
which all ask it."""

from __future__ import annotations

from sqlmodel import Session, col, select

from nattlys.care_circles.models import (
    CareTier,
    CareTierTeam,
    LastResort,
    PrimaryContact,
    Team,
    TeamMembership,
)
from nattlys.care_circles.schemas import LastResortIn


def team_kinds_in_circle(db: Session, *, supporter_id: int, patient_id: int) -> list[str]:
    """The team kinds through which a supporter sees this patient, in tier
    order: their teams in the circle; a named primary contact also gets the
    kinds of all their teams."""
    rows = db.exec(
        select(CareTier.position, Team.kind)
        .join(CareTierTeam, col(CareTierTeam.tier_id) == col(CareTier.id))
        .join(Team, col(Team.id) == col(CareTierTeam.team_id))
        .join(TeamMembership, col(TeamMembership.team_id) == col(Team.id))
        .where(CareTier.patient_id == patient_id, TeamMembership.user_id == supporter_id)
        .order_by(col(CareTier.position))
    ).all()
    kinds = list(dict.fromkeys(kind for _, kind in rows))
    if db.get(PrimaryContact, (patient_id, supporter_id)) is not None:
        own = db.exec(
            select(Team.kind)
            .join(TeamMembership, col(TeamMembership.team_id) == col(Team.id))
            .where(TeamMembership.user_id == supporter_id)
        ).all()
        kinds += [k for k in own if k not in kinds]
    return kinds


def last_resort(db: Session, patient_id: int) -> LastResortIn | None:
    """As stored, for the care circle's own screens (what the patient is shown
    comes from the roster snapshot: nattlys.rosters.duty.last_resort)."""
    row = db.exec(
        select(LastResort.label, LastResort.phone).where(LastResort.patient_id == patient_id)
    ).first()
    if row is None:
        return None
    label, phone = row
    return LastResortIn(label=label, phone=phone)
