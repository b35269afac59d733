"""Factories for users, teams and care circles, written straight to the database."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from sqlmodel import Session

from nattlys import clock
from nattlys.accounts.models import Role, User
from nattlys.care_circles.models import (
    CareTier,
    CareTierTeam,
    PrimaryContact,
    Team,
    TeamKind,
    TeamMembership,
)
from nattlys.next_of_kin.models import NextOfKinConsent
from nattlys.rosters.generation import bump_generation
from nattlys.rosters.models import RosterOverride, RosterStatus, RosterVersion

_counter = itertools.count(1)


@dataclass
class Factories:
    app: Flask
    db: Session
    password: str
    _hash: str | None = field(default=None, repr=False)

    def _password_hash(self) -> str:
        if self._hash is None:
            with self.app.app_context():
                from nattlys.accounts.passwords import hash_password

                self._hash = hash_password(self.password)
        return self._hash

    def user(self, role: Role, username: str | None = None, **fields: Any) -> User:
        n = next(_counter)
        user = User(
            username=username or f"{role.value}{n}",
            display_name=fields.pop("display_name", f"{role.value.title()} {n}"),
            role=role,
            password_hash=fields.pop("password_hash", self._password_hash()),
            **fields,
        )
        self.db.add(user)
        self.db.commit()
        return user

    def patient(self, username: str | None = None, **fields: Any) -> User:
        return self.user(Role.patient, username, **fields)

    def supporter(self, username: str | None = None, **fields: Any) -> User:
        return self.user(Role.supporter, username, **fields)

    def admin(self, username: str | None = None, **fields: Any) -> User:
        return self.user(Role.admin, username, **fields)

    def next_of_kin(
        self,
        patient: User,
        *,
        sections: Sequence[str] = (),
        notify_on_red: bool = False,
        may_signal_worry: bool = False,
        **fields: Any,
    ) -> tuple[User, NextOfKinConsent]:
        """A next of kin with a password, and the patient's consent in force."""
        kin = self.user(Role.next_of_kin, **fields)
        consent = NextOfKinConsent(
            patient_id=patient.id,
            next_of_kin_id=kin.id,
            sections=list(sections),
            notify_on_red=notify_on_red,
            may_signal_worry=may_signal_worry,
            created_at=clock.now(),
        )
        self.db.add(consent)
        self.db.commit()
        return kin, consent

    def team(
        self, kind: TeamKind = TeamKind.bolig, *, members: Sequence[User] = (), name: str | None = None
    ) -> Team:
        team = Team(name=name or f"Team {kind.value} {next(_counter)}", kind=kind)
        self.db.add(team)
        self.db.flush()
        for member in members:
            self.db.add(TeamMembership(team_id=team.id, user_id=member.id))
        self.db.commit()
        return team

    def care_circle(self, patient: User, tiers: list[list[Team]], contacts: Sequence[User] = ()) -> None:
        for position, teams in enumerate(tiers):
            tier = CareTier(patient_id=patient.id, position=position)
            self.db.add(tier)
            self.db.flush()
            for team in teams:
                self.db.add(CareTierTeam(tier_id=tier.id, team_id=team.id))
        for contact in contacts:
            self.db.add(PrimaryContact(patient_id=patient.id, supporter_id=contact.id))
        self.db.commit()

    def draft_roster(self, team: Team) -> RosterVersion:
        version = RosterVersion(team_id=team.id, status=RosterStatus.draft, created_at=clock.now())
        self.db.add(version)
        self.db.commit()
        return version

    def override(
        self,
        team: Team,
        user: User,
        *,
        kind: str = "add",
        starts_at: datetime,
        hours: float = 4,
        replaces: User | None = None,
    ) -> RosterOverride:
        override = RosterOverride(
            team_id=team.id,
            kind=kind,
            user_id=user.id,
            replaces_user_id=replaces.id if replaces else None,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=hours),
            reason="other",
            created_at=clock.now(),
        )
        self.db.add(override)
        bump_generation(self.db)
        self.db.commit()
        return override

    def published_roster(
        self,
        team: Team,
        rotations: list[tuple[list[User], list[tuple[str, str, bool]]]],
        start_date: Any = None,
    ) -> None:
        """A published roster: each rotation is (members, [(start, end, ends_next_day)]), every day,
        weekly turns from Monday 2 November 2026 (or `start_date`)."""
        from datetime import date, time

        from nattlys.rosters.models import Rotation, RotationMember, RotationShift

        version = RosterVersion(
            team_id=team.id,
            status=RosterStatus.published,
            created_at=clock.now(),
            published_at=clock.now(),
        )
        self.db.add(version)
        self.db.flush()
        for n, (members, shifts) in enumerate(rotations):
            rotation = Rotation(
                version_id=version.id, name=f"R{n}", start_date=start_date or date(2026, 11, 2), period_days=7
            )
            self.db.add(rotation)
            self.db.flush()
            for position, member in enumerate(members):
                self.db.add(RotationMember(rotation_id=rotation.id, position=position, user_id=member.id))
            for start, end, next_day in shifts:
                self.db.add(
                    RotationShift(
                        rotation_id=rotation.id,
                        weekdays=0b1111111,
                        start_time=time.fromisoformat(start),
                        end_time=time.fromisoformat(end),
                        ends_next_day=next_day,
                    )
                )
        bump_generation(self.db)
        self.db.commit()

    def conversation(self, patient: User, *, holder: User | None = None) -> Any:
        from nattlys.chat.models import Conversation, ConversationState

        now = clock.now()
        conv = Conversation(
            patient_id=patient.id,
            state=ConversationState.held if holder else ConversationState.idle,
            holder_id=holder.id if holder else None,
            offered_to=[],
            created_at=now,
            updated_at=now,
        )
        self.db.add(conv)
        self.db.commit()
        return conv

    def discharge(self, patient: User, discharge_date: Any, *, by: User | None = None) -> Any:
        from nattlys.checkins.models import Discharge

        row = Discharge(
            patient_id=patient.id,
            discharge_date=discharge_date,
            recorded_by_id=by.id if by else None,
            recorded_at=clock.now(),
        )
        self.db.add(row)
        self.db.commit()
        return row

    def checkin_schedule(self, patient: User, **fields: Any) -> Any:
        """A saved check-in schedule; fields as in CheckinSchedule (times as datetime.time)."""
        from nattlys.checkins.models import CheckinSchedule

        row = CheckinSchedule(patient_id=patient.id, updated_at=clock.now(), **fields)
        self.db.add(row)
        self.db.commit()
        return row

    def crisis_plan(
        self,
        patient: User,
        sections: dict[str, Any] | None = None,
        *,
        sharing: dict[str, list[str]] | None = None,
    ) -> Any:
        """A crisis plan; with `sections`, version 1 written by the patient."""
        from nattlys.plans.models import CrisisPlan, CrisisPlanVersion, VersionKind
        from nattlys.plans.schemas import PlanSections

        plan = CrisisPlan(patient_id=patient.id, created_at=clock.now(), sharing=sharing or {})
        self.db.add(plan)
        self.db.flush()
        if sections is not None:
            content = PlanSections.model_validate(sections).model_dump(mode="json")
            self.db.add(
                CrisisPlanVersion(
                    plan_id=plan.id,
                    number=1,
                    content=content,
                    kind=VersionKind.edit,
                    author_id=patient.id,
                    author_role=patient.role,
                    created_at=clock.now(),
                )
            )
            plan.current_version = 1
        self.db.commit()
        return plan

    def crisis_proposal(self, plan: Any, supporter: User, changes: dict[str, Any]) -> Any:
        """A pending proposal on the plan's current version."""
        from nattlys.plans.models import CrisisPlanProposal
        from nattlys.plans.schemas import SectionsPatch

        proposal = CrisisPlanProposal(
            plan_id=plan.id,
            author_id=supporter.id,
            base_version=plan.current_version,
            changes=SectionsPatch.model_validate(changes).changes(),
            created_at=clock.now(),
        )
        self.db.add(proposal)
        self.db.commit()
        return proposal
