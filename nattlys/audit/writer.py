"""The one audit writer. Rows join the caller's transaction, so a write and its
audit row are committed together or not at all; at commit they are linked
into the hash chain (nattlys/audit/chain.py)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask import g, has_request_context
from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from nattlys import clock
from nattlys.accounts.models import Role, User
from nattlys.audit import chain
from nattlys.care_circles.models import Team, TeamMembership

# The machine facts a row may carry in `details`, in the order they are read
# out, each put into words by the app from audit.details.<field> (numbers,
# dates, device names and lists of plan sections as they are); fields of a few
# fixed values name each value's words under audit.detail_values.<field>.
# A test holds the catalogues to this.
DETAIL_FIELDS = (
    "version",
    "restored_from",
    "sections_shown",
    "sections_changed",
    "sections_proposed",
    "sections_shared",
    "offline_copy",
    "proposals_shown",
    "awaiting",
    "gaps_confirmed",
    "patients",
    "up_to_message",
    "until",
    "break_glass",
    "format",
    "rows_deleted",
    "device",
    "factor",
    "notify_on_red",
    "may_signal_worry",
)
DETAIL_VALUES = {
    "offline_copy": frozenset({"on", "off"}),
    "awaiting": frozenset({"confirmation_or_co_sign"}),
    "format": frozenset({"json", "html"}),
    "factor": frozenset({"totp"}),
    "notify_on_red": frozenset({"yes", "no"}),
    "may_signal_worry": frozenset({"yes", "no"}),
}


def _checked(details: dict[str, Any] | None) -> dict[str, Any] | None:
    """Details with no field or value the app could not put into words."""
    if not details:
        return None
    unknown = {f for f, v in details.items() if f not in DETAIL_FIELDS or v not in DETAIL_VALUES.get(f, (v,))}
    if unknown:
        raise ValueError(f"audit details without words in the catalogues: {sorted(unknown)}")
    return details


# Asked for every chat message's recipients: built once.
_ROLES_AND_TEAM_KINDS = (
    select(User.id, User.role, Team.kind)
    .outerjoin(TeamMembership, col(TeamMembership.user_id) == col(User.id))
    .outerjoin(Team, col(Team.id) == col(TeamMembership.team_id))
    .where(col(User.id).in_(bindparam("user_ids", expanding=True)))
)


def _roles_and_team_kinds(db: Session, user_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """Each user's role and, for supporters, their team kinds now
    ("bolig,kommune"), kept with the row as they were: one statement."""
    found: dict[int, tuple[str, set[str]]] = {}
    for user_id, role, kind in db.exec(
        _ROLES_AND_TEAM_KINDS, params={"user_ids": sorted(set(user_ids))}
    ).all():
        kinds = found.setdefault(user_id, (str(role), set()))[1]
        if kind is not None and role == Role.supporter:
            kinds.add(str(kind))
    return {i: (role, ",".join(sorted(kinds))) for i, (role, kinds) in found.items()}


def _row(
    *,
    actor_id: int | None,
    actor_role: str,
    actor_team_kinds: str,
    action: str,
    object_type: str,
    patient_id: int | None,
    object_id: int | str | None,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
    to_team_kinds: Iterable[str] = (),
) -> dict[str, Any]:
    return {
        "at": clock.now(),
        "actor_id": actor_id,
        "actor_role": actor_role,
        "actor_team_kinds": actor_team_kinds,
        "patient_id": patient_id,
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id) if object_id is not None else None,
        "request_id": g.get("request_id") if has_request_context() else None,
        "reason": reason,
        "details": _checked(details),
        "to_team_kinds": ",".join(sorted(set(to_team_kinds))),
    }


def record(
    db: Session,
    *,
    actor: User | None,
    action: str,
    object_type: str,
    patient_id: int | None = None,
    object_id: int | str | None = None,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
    by_system: bool = False,
    to_team_kinds: Iterable[str] = (),
    known: Mapping[int, tuple[str, str]] | None = None,
) -> None:
    """One row, written when `db` commits. `actor` None is someone not logged
    in (a failed login), or, with `by_system`, the server itself (a routing
    decision by the roster). `reason` is only ever words a person typed;
    machine facts go in `details` (keys named in audit.details of the
    catalogues, values numbers, strings or lists of them). `known`, as for
    `record_each`: a supporter's team kinds as they are now, if the caller has
    them; otherwise they are read here."""
    actor_id = actor.id if actor else None
    kinds = ""
    if actor is not None and actor.role == Role.supporter:
        if known is not None and actor.id in known:
            kinds = known[actor.id][1]
        else:
            kinds = _roles_and_team_kinds(db, [actor.id]).get(actor.id, ("", ""))[1]
    row = _row(
        actor_id=actor_id,
        actor_role=str(actor.role) if actor else ("system" if by_system else "anonymous"),
        actor_team_kinds=kinds,
        action=action,
        object_type=object_type,
        patient_id=patient_id,
        object_id=object_id,
        reason=reason,
        details=details,
        to_team_kinds=to_team_kinds,
    )
    chain.add_to_chain(db, row)


def record_each(
    db: Session,
    *,
    actor_ids: Iterable[int],
    action: str,
    object_type: str,
    patient_id: int | None,
    object_id: int | str | None = None,
    known: Mapping[int, tuple[str, str]] | None = None,
) -> None:
    """The same event for several people at once (each one got the data).
    `known`: the role and team kinds of some of them as they are now (from the
    roster snapshot); the others are read here."""
    ids = sorted(set(actor_ids))
    if not ids:
        return
    known = known or {}
    actors = {i: known[i] for i in ids if i in known}
    if unknown := [i for i in ids if i not in known]:
        actors.update(_roles_and_team_kinds(db, unknown))
    for actor_id in sorted(actors):
        role, kinds = actors[actor_id]
        row = _row(
            actor_id=actor_id,
            actor_role=role,
            actor_team_kinds=kinds,
            action=action,
            object_type=object_type,
            patient_id=patient_id,
            object_id=object_id,
        )
        chain.add_to_chain(db, row)
