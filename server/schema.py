"""Every table model, imported so SQLModel.metadata is complete (Alembic, tests)."""

from sqlmodel import SQLModel

from server.accounts.models import AuthSession, Invitation, RateCounter, User
from server.alerts.models import CareGap
from server.audit.models import AuditEntry
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
from server.plans.models import CrisisPlan, CrisisPlanProposal, CrisisPlanVersion
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
    "AuditEntry",
    "AuthSession",
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
    "Discharge",
    "HandoffNotice",
    "Invitation",
    "LastResort",
    "Message",
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
    "metadata",
]
