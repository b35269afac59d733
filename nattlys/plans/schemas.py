"""Crisis plan sections, requests and responses.

Every section has a fixed key and a fixed shape. A request names only the
sections it changes, and a named section is replaced as a whole. Unknown keys
anywhere are refused (400 naming the key), so a typo never silently drops a
patient's words.
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from annotated_types import MaxLen
from pydantic import AfterValidator, ConfigDict, StringConstraints, field_validator, model_validator
from sqlmodel import Field, SQLModel

from nattlys.care_circles.models import TeamKind
from nattlys.plans.models import ProposalStatus, VersionKind

# Limits: generous for the patient's own words, small enough for a phone.
MAX_ITEMS = 30
MAX_ITEM_CHARS = 300
MAX_TEXT_CHARS = 4000
MAX_NAME_CHARS = 100
MAX_NOTE_CHARS = 500
MAX_PHONE_CHARS = 20


class SectionKey(StrEnum):
    """The plan's sections, in the order the plan is read."""

    warning_signs = "warning_signs"
    self_help = "self_help"
    people_places = "people_places"
    contacts = "contacts"
    professionals = "professionals"
    safe_surroundings = "safe_surroundings"
    reasons_to_live = "reasons_to_live"
    meeting = "meeting"
    alternatives_to_admission = "alternatives_to_admission"
    self_referral = "self_referral"
    who_does_what = "who_does_what"


SECTION_KEYS: tuple[str, ...] = tuple(k.value for k in SectionKey)
ALL_KINDS: tuple[str, ...] = tuple(k.value for k in TeamKind)
# Shared with every team kind unless the patient says otherwise; the three
# most personal sections stay private until the patient shares them.
PRIVATE_BY_DEFAULT = frozenset({SectionKey.contacts, SectionKey.people_places, SectionKey.reasons_to_live})
DEFAULT_SHARING: dict[str, list[str]] = {
    key: ([] if key in PRIVATE_BY_DEFAULT else list(ALL_KINDS)) for key in SECTION_KEYS
}

_PHONE = re.compile(r"^\+?[0-9 ]+$")


def _phone(value: str) -> str:
    value = " ".join(value.split())
    if not value:
        return value
    if len(value) > MAX_PHONE_CHARS:
        raise ValueError(f"a phone number has at most {MAX_PHONE_CHARS} characters")
    if not _PHONE.match(value) or sum(c.isdigit() for c in value) < 3:
        raise ValueError("a phone number has digits and spaces, optionally starting with +")
    return value


def _drop_blank(items: list[str]) -> list[str]:
    return [item for item in items if item]


Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_TEXT_CHARS)]
Item = Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_ITEM_CHARS)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_NAME_CHARS)]
RequiredName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_NAME_CHARS)
]
Phone = Annotated[str, AfterValidator(_phone)]
ItemList = Annotated[list[Item], MaxLen(MAX_ITEMS), AfterValidator(_drop_blank)]
Contacts = Annotated[list["Contact"], MaxLen(MAX_ITEMS)]
Professionals = Annotated[list["Professional"], MaxLen(MAX_ITEMS)]
WhoList = Annotated[list["WhoDoesWhat"], MaxLen(MAX_ITEMS)]


class _Strict(SQLModel):
    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]  # SQLModel types model_config as its own SQLModelConfig


class Contact(_Strict):
    """Someone the patient can ask for help; the phone number is tap-to-call."""

    name: RequiredName
    relation: Name = ""
    phone: Phone = ""


class Professional(_Strict):
    name: Name = ""
    service: Annotated[str, StringConstraints(strip_whitespace=True, max_length=120)] = ""
    phone: Phone = ""
    hours: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""

    @model_validator(mode="after")
    def _named(self) -> Professional:
        if not self.name and not self.service:
            raise ValueError("give a name or a service")
        return self


class Meeting(_Strict):
    """How I want to be met in a crisis, and what does not help."""

    wants: Text = ""
    does_not_help: Text = ""


class SelfReferral(_Strict):
    """Agreement on self-referral admission (brukerstyrt innleggelse), if any."""

    has_agreement: bool = False
    with_whom: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""
    how_to_ask: Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)] = ""
    max_days: int | None = Field(default=None, ge=1, le=30)


class WhoRole(StrEnum):
    bolig = "bolig"
    kommune = "kommune"
    dps = "dps"
    legevakt = "legevakt"
    next_of_kin = "next_of_kin"
    other = "other"


class WhoDoesWhat(_Strict):
    role: WhoRole
    who: Name = ""
    does: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]


class PlanSections(_Strict):
    """The whole plan content; every section present."""

    warning_signs: ItemList = Field(default_factory=list)
    self_help: ItemList = Field(default_factory=list)
    people_places: ItemList = Field(default_factory=list)
    contacts: Contacts = Field(default_factory=list)
    professionals: Professionals = Field(default_factory=list)
    safe_surroundings: Text = ""
    reasons_to_live: ItemList = Field(default_factory=list)
    meeting: Meeting = Field(default_factory=Meeting)
    alternatives_to_admission: Text = ""
    self_referral: SelfReferral = Field(default_factory=SelfReferral)
    who_does_what: WhoList = Field(default_factory=list)


class SectionsPatch(_Strict):
    """Some sections, each replaced as a whole. Sections left out stay as they are."""

    warning_signs: ItemList | None = None
    self_help: ItemList | None = None
    people_places: ItemList | None = None
    contacts: Contacts | None = None
    professionals: Professionals | None = None
    safe_surroundings: Text | None = None
    reasons_to_live: ItemList | None = None
    meeting: Meeting | None = None
    alternatives_to_admission: Text | None = None
    self_referral: SelfReferral | None = None
    who_does_what: WhoList | None = None

    @field_validator("*", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("send an empty value to clear a section, not null")
        return value

    def changes(self) -> dict[str, Any]:
        """The named sections only, each in full (JSON-ready)."""
        full = self.model_dump(mode="json")
        return {key: full[key] for key in SECTION_KEYS if key in self.model_fields_set}


class SectionsView(SQLModel):
    """Sections as shown to one viewer: a section not shared with them is null."""

    warning_signs: list[str] | None = None
    self_help: list[str] | None = None
    people_places: list[str] | None = None
    contacts: list[Contact] | None = None
    professionals: list[Professional] | None = None
    safe_surroundings: str | None = None
    reasons_to_live: list[str] | None = None
    meeting: Meeting | None = None
    alternatives_to_admission: str | None = None
    self_referral: SelfReferral | None = None
    who_does_what: list[WhoDoesWhat] | None = None


# Requests


class PlanUpdate(_Strict):
    base_version: int = Field(ge=0, description="The version this edit starts from (0 for a new plan)")
    sections: SectionsPatch
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_NOTE_CHARS)] = ""


class SharingUpdate(_Strict):
    sharing: dict[SectionKey, list[TeamKind]] | None = Field(
        default=None, description="Sections to change: the team kinds that may see each. [] = private."
    )
    offline_enabled: bool | None = None

    @field_validator("sharing")
    @classmethod
    def _unique(
        cls, value: dict[SectionKey, list[TeamKind]] | None
    ) -> dict[SectionKey, list[TeamKind]] | None:
        if value is None:
            return value
        return {key: sorted(set(kinds), key=ALL_KINDS.index) for key, kinds in value.items()}


class BaseVersionIn(_Strict):
    base_version: int = Field(ge=0)


class ProposalIn(_Strict):
    base_version: int = Field(ge=0)
    sections: SectionsPatch
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_NOTE_CHARS)] = ""

    @field_validator("sections")
    @classmethod
    def _something(cls, value: SectionsPatch) -> SectionsPatch:
        if not value.model_fields_set:
            raise ValueError("propose a change to at least one section")
        return value


class AgreedInMeetingIn(_Strict):
    base_version: int = Field(ge=0)
    note: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_NOTE_CHARS)
    ] = Field(description="When and with whom it was agreed, e.g. 'Ansvarsgruppemøte 3. mars, Mona og Kari'")


class ProposalQuery(SQLModel):
    status: ProposalStatus | None = None


# Responses


class PersonRef(SQLModel):
    id: int
    display_name: str


class Change(SQLModel):
    field: str | None = None  # a field of meeting/self_referral; null for a text or a list item
    before: Any = None
    after: Any = None


class SectionDiff(SQLModel):
    section: SectionKey
    added: list[Any] = []
    removed: list[Any] = []
    changed: list[Change] = []
    reordered: bool = False


class CrisisPlanPublic(SQLModel):
    patient_id: int
    patient_name: str
    viewer: Literal["patient", "supporter"]
    version: int = Field(description="0 until the plan is first saved")
    updated_at: datetime | None
    updated_by: PersonRef | None
    updated_kind: VersionKind | None
    sections: SectionsView
    visible_sections: list[SectionKey] = Field(
        description="Sections this viewer sees, in display order (for supporters 'meeting' first)"
    )
    # Supporters only: the team kinds through which they see this plan.
    your_team_kinds: list[TeamKind] | None = None
    # The patient only:
    sharing: dict[SectionKey, list[TeamKind]] | None = None
    default_sharing: dict[SectionKey, list[TeamKind]] | None = None
    offline_enabled: bool | None = None
    pending_proposals: int = 0


class SharingPublic(SQLModel):
    sharing: dict[SectionKey, list[TeamKind]]
    default_sharing: dict[SectionKey, list[TeamKind]]
    offline_enabled: bool


class VersionSummary(SQLModel):
    number: int
    kind: VersionKind
    author: PersonRef | None
    author_role: str
    created_at: datetime
    note: str | None
    proposal_id: int | None
    decided_by: PersonRef | None = Field(
        default=None, description="Who approved or confirmed (the patient) or co-signed the meeting agreement"
    )
    restored_from: int | None


class VersionDetail(VersionSummary):
    sections: PlanSections
    previous_number: int | None
    diff: list[SectionDiff] = Field(description="Changes from the previous version")


class ProposalPublic(SQLModel):
    id: int
    status: ProposalStatus
    author: PersonRef | None
    author_team_kinds: list[TeamKind]
    created_at: datetime
    base_version: int
    note: str | None
    sections: SectionsView = Field(description="The proposed sections; the others are null")
    diff: list[SectionDiff] | None = Field(description="Against the current plan, while pending")
    conflicts: list[SectionKey] = Field(
        description="Proposed sections that changed in the plan after the proposal was written"
    )
    decided_at: datetime | None
    decided_by: PersonRef | None
    decision_note: str | None
    resulting_version: int | None
    meeting_recorded_by: PersonRef | None = Field(
        default=None,
        description="Who recorded it as agreed in a meeting (awaiting confirmation or co-signature)",
    )
    meeting_recorded_at: datetime | None = None
