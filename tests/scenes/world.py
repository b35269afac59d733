"""The one care circle the scenes share, typed: Mona's circle from the demo,
bolig (Kari, Ola) -> kommune (Ingrid) -> DPS (Silje), built by
`build_care_circle` with the options each scene needs (fewer tiers, an
outsider in another bolig, a second patient, a primary contact, numbered
names); `publish_rosters` staffs it as the demo does, and `extend` makes it
a scene type that adds fields, such as logged-in clients."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date
from typing import Any, TypeVar

from nattlys.accounts.models import User
from nattlys.care_circles.models import Team, TeamKind
from tests.factories import Factories

BOLIG, KOMMUNE, DPS = TeamKind.bolig, TeamKind.kommune, TeamKind.dps

# The demo's supporters, each in one team, and the teams' names.
TEAM_OF: Mapping[str, TeamKind] = {"kari": BOLIG, "ola": BOLIG, "ingrid": KOMMUNE, "silje": DPS}
DEMO_TEAM_NAMES: Mapping[TeamKind, str | None] = {
    BOLIG: "Bolig Askøy",
    KOMMUNE: "Askøy kommune",
    DPS: "Øyane DPS",
}
NUMBERED_TEAMS: Mapping[TeamKind, str | None] = {BOLIG: None, KOMMUNE: None, DPS: None}


@dataclass(frozen=True, kw_only=True)
class CareCircle:
    """A patient's care circle: her tiers of teams, the supporters in them by
    first name, and the people around it that a scene asked for."""

    patient: User
    tiers: tuple[Team, ...]  # one team a tier, the first tier first
    teams: Mapping[TeamKind, Team]  # every team of the circle's supporters, in the circle or not
    supporters: Mapping[str, User]  # by first name: "kari", "ola", "ingrid", "silje"
    contacts: tuple[User, ...] = ()  # her named primary contacts
    outsiders: tuple[User, ...] = ()  # supporters in a bolig outside the circle
    other_patients: tuple[User, ...] = ()  # patients of other circles ("per")
    admins: tuple[User, ...] = ()

    @property
    def mona(self) -> User:
        return self.patient

    @property
    def per(self) -> User:
        return _first(self.other_patients, "another patient")

    @property
    def outsider(self) -> User:
        return _first(self.outsiders, "an outsider")

    @property
    def admin(self) -> User:
        return _first(self.admins, "an administrator")

    @property
    def kari(self) -> User:
        return self.supporters["kari"]

    @property
    def ola(self) -> User:
        return self.supporters["ola"]

    @property
    def ingrid(self) -> User:
        return self.supporters["ingrid"]

    @property
    def silje(self) -> User:
        return self.supporters["silje"]

    @property
    def bolig(self) -> Team:
        return self.teams[BOLIG]

    @property
    def kommune(self) -> Team:
        return self.teams[KOMMUNE]

    @property
    def dps(self) -> Team:
        return self.teams[DPS]


def _first(people: tuple[User, ...], what: str) -> User:
    assert people, f"this care circle was built without {what}"
    return people[0]


def _username(display_name: str) -> str:
    return display_name.split()[0].lower()


def build_care_circle(
    factories: Factories,
    *,
    supporters: Sequence[str] = ("kari", "ola", "ingrid", "silje"),
    tiers: Sequence[TeamKind] = (BOLIG, KOMMUNE, DPS),
    team_names: Mapping[TeamKind, str | None] = DEMO_TEAM_NAMES,
    named: bool = True,
    surname: str = "",
    patient: str = "Mona",
    outsider: tuple[str, str] | None = None,
    outsider_team: str = "Annen bolig",
    other_patient: str | None = None,
    other_patient_tiers: Sequence[TeamKind] = (),
    contacts: Sequence[str] = (),
    admin: bool = False,
) -> CareCircle:
    """Mona's circle, written to the database.

    `supporters` are created in that order, each in her demo team (TEAM_OF);
    the teams of `tiers` form the circle, the other supporters' teams stand
    outside it. With `named`, usernames are the first names in lower case
    ("kari", "mona", "admin"); without, the factories' numbered ones.
    `patient` and `other_patient` are display names; the supporters' are
    their first names, plus `surname`.
    `outsider` is (username, display name) of a supporter in `outsider_team`,
    a bolig outside the circle; `other_patient` a second patient, in the
    circle `other_patient_tiers`; `contacts` Mona's named primary contacts.
    Users are created first (supporters, outsider, patients), then the
    teams, the circles and last the administrator."""
    people = {
        name: factories.supporter(name if named else None, display_name=f"{name.capitalize()}{surname}")
        for name in supporters
    }
    stranger = factories.supporter(outsider[0], display_name=outsider[1]) if outsider else None
    mona = factories.patient(_username(patient) if named else None, display_name=patient)
    per = factories.patient(_username(other_patient), display_name=other_patient) if other_patient else None
    kinds = list(dict.fromkeys([*tiers, *(TEAM_OF[name] for name in supporters)]))
    teams = {
        kind: factories.team(
            kind, members=[people[n] for n in supporters if TEAM_OF[n] == kind], name=team_names[kind]
        )
        for kind in kinds
    }
    if stranger is not None:
        factories.team(BOLIG, members=[stranger], name=outsider_team)
    factories.care_circle(mona, [[teams[kind]] for kind in tiers], contacts=[people[n] for n in contacts])
    if per is not None and other_patient_tiers:
        factories.care_circle(per, [[teams[kind]] for kind in other_patient_tiers])
    return CareCircle(
        patient=mona,
        tiers=tuple(teams[kind] for kind in tiers),
        teams=teams,
        supporters=people,
        contacts=tuple(people[n] for n in contacts),
        outsiders=(stranger,) if stranger else (),
        other_patients=(per,) if per else (),
        admins=(factories.admin("admin" if named else None),) if admin else (),
    )


def publish_rosters(factories: Factories, c: CareCircle, *, start_date: date | None = None) -> None:
    """The demo's rosters for the circle's teams: bolig Kari 08-22 and Ola
    22-08, kommune Ingrid 15:30-23, DPS Silje round the clock."""
    shifts = {
        BOLIG: [("kari", "08:00", "22:00", False), ("ola", "22:00", "08:00", True)],
        KOMMUNE: [("ingrid", "15:30", "23:00", False)],
        DPS: [("silje", "00:00", "00:00", True)],
    }
    for team in c.tiers:
        rotations = [
            ([c.supporters[name]], [(start, end, next_day)])
            for name, start, end, next_day in shifts[team.kind]
        ]
        factories.published_roster(team, rotations, start_date=start_date)


Scene = TypeVar("Scene", bound=CareCircle)


def extend(c: CareCircle, scene: type[Scene], **more: Any) -> Scene:
    """The circle as a scene that adds fields (logged-in clients) to it."""
    return scene(**{f.name: getattr(c, f.name) for f in fields(c)}, **more)
