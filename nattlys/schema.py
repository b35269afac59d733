"""Every table model, imported so SQLModel.metadata is complete (Alembic, tests)."""

from sqlmodel import SQLModel

from nattlys.accounts.models import AuthSession, Invitation, RateCounter, User
from nattlys.accounts.strong_models import EidIdentity, EidLoginState, EidSession, Passkey, WebauthnChallenge
from nattlys.alerts.models import CareGap
from nattlys.audit.models import AuditChainHead, AuditEntry
from nattlys.break_glass.models import BreakGlassAccess
from nattlys.care_circles.models import (
    CareTier,
    CareTierTeam,
    LastResort,
    PrimaryContact,
    Team,
    TeamMembership,
)
from nattlys.chat.models import Conversation, Message, RoutingDecision
from nattlys.checkins.models import Checkin, CheckinAlert, CheckinSchedule, Discharge, ReminderSent
from nattlys.next_of_kin.models import NextOfKinConsent, WorrySignal
from nattlys.outcomes.models import NightOutcome
from nattlys.plans.models import CrisisPlan, CrisisPlanProposal, CrisisPlanVersion
from nattlys.privacy.models import DeletionRequest
from nattlys.push.models import PushSubscription
from nattlys.rosters.models import (
    CalendarFeed,
    HandoffNotice,
    RosterGeneration,
    RosterOverride,
    RosterVersion,
    Rotation,
    RotationMember,
    RotationShift,
)

metadata = SQLModel.metadata

__all__ = [
    "AuditChainHead",
    "AuditEntry",
    "AuthSession",
    "BreakGlassAccess",
    "CalendarFeed",
    "CareGap",
    "CareTier",
    "CareTierTeam",
    "Checkin",
    "CheckinAlert",
    "CheckinSchedule",
    "Conversation",
    "CrisisPlan",
    "CrisisPlanProposal",
    "CrisisPlanVersion",
    "DeletionRequest",
    "Discharge",
    "EidIdentity",
    "EidLoginState",
    "EidSession",
    "HandoffNotice",
    "Invitation",
    "LastResort",
    "Message",
    "NextOfKinConsent",
    "NightOutcome",
    "Passkey",
    "PrimaryContact",
    "PushSubscription",
    "RateCounter",
    "ReminderSent",
    "RosterGeneration",
    "RosterOverride",
    "RosterVersion",
    "Rotation",
    "RotationMember",
    "RotationShift",
    "RoutingDecision",
    "Team",
    "TeamMembership",
    "User",
    "WebauthnChallenge",
    "WorrySignal",
    "metadata",
]
