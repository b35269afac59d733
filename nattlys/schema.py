"""Every table model, imported so SQLModel.metadata is complete (Alembic, tests)."""

from sqlmodel import SQLModel

from server.accounts.models import AuthSession, Invitation, RateCounter, User
from server.accounts.strong_models import EidIdentity, EidLoginState, EidSession, Passkey, WebauthnChallenge
from server.alerts.models import CareGap
from server.audit.models import AuditChainHead, AuditEntry
from server.break_glass.models import BreakGlassAccess
from server.care_circles.models import (
    CareTier,
    CareTierTeam,
    LastResort,
    PrimaryContact,
    Team,
    TeamMembership,
)
from server.chat.models import Conversation, Message, RoutingDecision
from server.checkins.models import Checkin, CheckinAlert, CheckinSchedule, Discharge, ReminderSent
from server.next_of_kin.models import NextOfKinConsent, WorrySignal
from server.outcomes.models import NightOutcome
from server.plans.models import CrisisPlan, CrisisPlanProposal, CrisisPlanVersion
from server.privacy.models import DeletionRequest
from server.push.models import PushSubscription
from server.rosters.models import (
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
