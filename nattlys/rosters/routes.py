"""/api rosters: drafts, publishing, overrides, on duty, coverage, own shifts, iCal."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from flask import Blueprint, Response, current_app, g, request
from sqlmodel import col, select, update

from nattlys import access, clock
from nattlys.access import Need
from nattlys.accounts.models import Role, User
from nattlys.accounts.sessions import token_digest
from nattlys.api.endpoints import endpoint
from nattlys.api.errors import not_found
from nattlys.audit import writer as audit
from nattlys.care_circles.models import Team, TeamKind
from nattlys.care_circles.schemas import TeamRef
from nattlys.care_circles.service import get_team, list_patients
from nattlys.clock import OSLO
from nattlys.db import get_db, stored_id
from nattlys.rosters import coverage, duty, editing, ical, overrides, shifts, snapshot
from nattlys.rosters.models import CalendarFeed
from nattlys.rosters.schemas import (
    AtQuery,
    CalendarFeedPublic,
    CalendarFeedStatus,
    CoverageByNightPublic,
    CoveragePublic,
    CoverageQuery,
    Interval,
    MyShiftPublic,
    NightCoverageQuery,
    NightGapsQuery,
    OverrideIn,
    OverridePublic,
    PatientCoverage,
    PatientNightGaps,
    PatientOnDutyPublic,
    PeriodQuery,
    PublishIn,
    RosterDraftIn,
    RosterVersionPublic,
    TeamCoverage,
    TeamOnDutyPublic,
    TeamRosterPublic,
    TeamShiftPublic,
)

bp = Blueprint("rosters", __name__)


def _at(query: AtQuery) -> datetime:
    return clock.as_utc(query.at) if query.at else clock.now()


def _period(query: PeriodQuery) -> tuple[datetime, datetime]:
    start = clock.as_utc(query.start) if query.start else clock.now()
    return start, start + timedelta(days=query.days)


def _team_ref(team: Team) -> TeamRef:
    return TeamRef(id=team.id, name=team.name, kind=TeamKind(team.kind))


@bp.get("/api/teams/<int:team_id>/roster")
@endpoint("A team's published roster and its draft", tag="rosters", response=TeamRosterPublic)
def get_roster(team_id: int) -> TeamRosterPublic:
    db = get_db()
    access.require_team_view(db, g.user, team_id)
    team = get_team(db, team_id)
    return TeamRosterPublic(
        team=_team_ref(team),
        published=editing.version_public(db, editing.published_version(db, team_id)),
        draft=editing.version_public(db, editing.draft_version(db, team_id)),
    )


@bp.post("/api/teams/<int:team_id>/roster/draft")
@endpoint(
    "Start a draft (a copy of the published roster)",
    tag="rosters",
    response=RosterVersionPublic,
    status=201,
    roles=(Role.admin,),
)
def create_draft(team_id: int) -> RosterVersionPublic | None:
    db = get_db()
    draft = editing.start_draft(db, actor=g.user, team=get_team(db, team_id), at=clock.now())
    return editing.version_public(db, draft)


@bp.put("/api/teams/<int:team_id>/roster/draft")
@endpoint(
    "Replace the draft's rotations",
    tag="rosters",
    body=RosterDraftIn,
    response=RosterVersionPublic,
    roles=(Role.admin,),
)
def put_draft(team_id: int, body: RosterDraftIn) -> RosterVersionPublic | None:
    db = get_db()
    draft = editing.replace_draft(db, actor=g.user, team=get_team(db, team_id), data=body, at=clock.now())
    return editing.version_public(db, draft)


@bp.delete("/api/teams/<int:team_id>/roster/draft")
@endpoint("Discard the draft", tag="rosters", status=204, roles=(Role.admin,))
def delete_draft(team_id: int) -> None:
    db = get_db()
    editing.discard_draft(db, actor=g.user, team=get_team(db, team_id))


@bp.post("/api/teams/<int:team_id>/roster/publish")
@endpoint(
    "Publish the draft; evening or night gaps need confirm_uncovered",
    tag="rosters",
    body=PublishIn,
    response=RosterVersionPublic,
    roles=(Role.admin,),
    errors=(409,),
)
def publish_roster(team_id: int, body: PublishIn) -> RosterVersionPublic | None:
    db = get_db()
    version = editing.publish(
        db, actor=g.user, team=get_team(db, team_id), confirm_uncovered=body.confirm_uncovered, at=clock.now()
    )
    return editing.version_public(db, version)


@bp.get("/api/teams/<int:team_id>/overrides")
@endpoint("Overrides in a period", tag="rosters", query=PeriodQuery, response=list[OverridePublic])
def get_overrides(team_id: int, query: PeriodQuery) -> list[OverridePublic]:
    db = get_db()
    access.require_team_view(db, g.user, team_id)
    get_team(db, team_id)
    start, end = _period(query)
    return [
        overrides.override_public(db, o)
        for o in overrides.list_overrides(db, team_id=team_id, start=start, end=end)
    ]


@bp.post("/api/teams/<int:team_id>/overrides")
@endpoint(
    "Add an override (sickness, leave, swap) for a period",
    tag="rosters",
    body=OverrideIn,
    response=OverridePublic,
    status=201,
    roles=(Role.admin,),
)
def post_override(team_id: int, body: OverrideIn) -> OverridePublic:
    db = get_db()
    override = overrides.add_override(db, actor=g.user, team=get_team(db, team_id), data=body, at=clock.now())
    return overrides.override_public(db, override)


@bp.delete("/api/teams/<int:team_id>/overrides/<int:override_id>")
@endpoint("Remove an override", tag="rosters", status=204, roles=(Role.admin,))
def delete_override(team_id: int, override_id: int) -> None:
    db = get_db()
    overrides.remove_override(db, actor=g.user, team=get_team(db, team_id), override_id=override_id)


@bp.get("/api/teams/<int:team_id>/on-duty")
@endpoint("Who is on duty for a team at an instant", tag="rosters", query=AtQuery, response=TeamOnDutyPublic)
def team_on_duty(team_id: int, query: AtQuery) -> TeamOnDutyPublic:
    db = get_db()
    access.require_team_view(db, g.user, team_id)
    return duty.on_duty_team(db, team_id=team_id, at=_at(query))


@bp.get("/api/teams/<int:team_id>/shifts")
@endpoint(
    "Who is on duty when, for a period (calendar view)",
    tag="rosters",
    query=PeriodQuery,
    response=list[TeamShiftPublic],
)
def team_shifts(team_id: int, query: PeriodQuery) -> list[TeamShiftPublic]:
    db = get_db()
    access.require_team_view(db, g.user, team_id)
    get_team(db, team_id)
    start, end = _period(query)
    snap = snapshot.snapshot(db)
    spans = shifts.duty_spans(snap.roster(team_id), start, end)
    out = [
        TeamShiftPublic(user_id=uid, display_name=snap.names.get(uid, ""), starts_at=s, ends_at=e)
        for uid, periods in spans.items()
        for s, e in periods
    ]
    return sorted(out, key=lambda x: (x.starts_at, x.display_name))


@bp.get("/api/on-duty")
@endpoint(
    "Who is on duty now in every team (administrators) or in my teams",
    tag="rosters",
    query=AtQuery,
    response=list[TeamOnDutyPublic],
    roles=(Role.admin, Role.supporter),
)
def all_on_duty(query: AtQuery) -> list[TeamOnDutyPublic]:
    db = get_db()
    snap = snapshot.snapshot(db)
    team_ids = [info.id for info in coverage.teams_in_tier_order(snap)]
    if g.user.role == Role.supporter:
        mine = set(access.supporter_team_ids(db, g.user.id))
        team_ids = [t for t in team_ids if t in mine]
    at = _at(query)
    return [duty.on_duty_team(db, team_id=t, at=at, snap=snap) for t in team_ids]


@bp.get("/api/patients/<int:patient_id>/on-duty")
@endpoint(
    "Who is on duty for a patient, tier by tier",
    tag="rosters",
    query=AtQuery,
    response=PatientOnDutyPublic,
    patient=Need.on_duty,
)
def patient_on_duty(patient: User, query: AtQuery) -> PatientOnDutyPublic:
    db = get_db()
    if g.user.id != patient.id:
        audit.record(
            db,
            actor=g.user,
            action="on_duty.read",
            object_type="care_circle",
            object_id=patient.id,
            patient_id=patient.id,
        )
    return duty.on_duty(db, patient_id=patient.id, at=_at(query))


@bp.get("/api/patients/on-duty")
@endpoint(
    "Who is on duty now for each of my patients (administrators: every patient), tier by tier",
    tag="rosters",
    query=AtQuery,
    response=list[PatientOnDutyPublic],
    roles=(Role.admin, Role.supporter),
)
def patients_on_duty(query: AtQuery) -> list[PatientOnDutyPublic]:
    db = get_db()
    only = None if g.user.role == Role.admin else access.patient_ids_in_circles_of(db, g.user.id)
    snap = snapshot.snapshot(db)
    at = _at(query)
    out = []
    for patient in list_patients(db, viewer=g.user, only_ids=only, action="on_duty.read"):
        out.append(duty.on_duty(db, patient_id=patient.id, at=at, snap=snap))
    return out


@bp.get("/api/coverage")
@endpoint(
    "Hours where patients have nobody on duty, or only a later tier",
    tag="rosters",
    query=CoverageQuery,
    response=CoveragePublic,
    roles=(Role.admin,),
)
def get_coverage(query: CoverageQuery) -> CoveragePublic:
    db = get_db()
    start_day = query.start or clock.now().astimezone(OSLO).date()
    if query.team_id is not None:
        get_team(db, query.team_id)
        if editing.draft_version(db, query.team_id) is None:
            raise not_found("This team has no draft roster.")
        snap = snapshot.load_snapshot(db, draft_team_id=query.team_id)
    else:
        snap = snapshot.snapshot(db)
    begin, end = coverage.window(start_day, query.days)
    scan = coverage.CoverageScan(snap, begin, end)
    hours = coverage.hour_starts(begin, end)
    listed = list_patients(db, viewer=g.user, action="coverage.read")
    nights = coverage.night_gaps(
        snap,
        [stored_id(p) for p in listed],
        first_evening=start_day,
        evenings=query.days,
        now=clock.now(),
    )
    patients = []
    for patient in listed:
        gaps, fallbacks = scan.patient(snap.circles.get(patient.id, ()))
        patients.append(
            PatientCoverage(
                patient_id=patient.id,
                display_name=patient.display_name,
                grid=coverage.grid(hours, gaps, fallbacks),
                gaps=[Interval(starts_at=s, ends_at=e) for s, e in gaps],
                fallbacks=[Interval(starts_at=s, ends_at=e) for s, e in fallbacks],
                night_gaps=coverage.night_gaps_public(nights[patient.id]),
            )
        )
    teams = [
        TeamCoverage(team=info.ref(), grid=coverage.team_grid(hours, scan.team(info.id)))
        for info in coverage.teams_in_tier_order(snap)
    ]
    return CoveragePublic(starts_at=begin, ends_at=end, hours=hours, patients=patients, teams=teams)


@bp.get("/api/coverage/nights")
@endpoint(
    "Each patient's evening and night hours with nobody on duty in the coming weeks, summarised",
    tag="rosters",
    query=NightGapsQuery,
    response=list[PatientNightGaps],
    roles=(Role.admin,),
)
def get_night_gaps(query: NightGapsQuery) -> list[PatientNightGaps]:
    db = get_db()
    patients = list_patients(db, viewer=g.user, action="coverage.read")
    found = coverage.coming_night_gaps(
        snapshot.snapshot(db),
        [stored_id(p) for p in patients],
        now=clock.now(),
        weeks=query.weeks,
    )
    return [
        PatientNightGaps(
            patient_id=p.id,
            display_name=p.display_name,
            gaps=coverage.night_gaps_public(found[p.id]),
        )
        for p in patients
    ]


@bp.get("/api/coverage/by-night")
@endpoint(
    "Night by night (16:00-08:00) for up to 42 nights: each team's minutes with nobody on duty, "
    "and the patients with nobody in any tier; default this month",
    tag="rosters",
    query=NightCoverageQuery,
    response=CoverageByNightPublic,
    roles=(Role.admin,),
)
def get_coverage_by_night(query: NightCoverageQuery) -> CoverageByNightPublic:
    db = get_db()
    today = clock.now().astimezone(OSLO).date()
    first, last = coverage.night_range(query.first, query.last, today=today)
    patients = list_patients(db, viewer=g.user, action="coverage.read")
    return coverage.coverage_by_night_public(
        snapshot.snapshot(db),
        [p.id for p in patients],
        first=first,
        last=last,
        today=today,
    )


@bp.get("/api/me/shifts")
@endpoint(
    "My coming shifts, and whom I take over from",
    tag="rosters",
    query=PeriodQuery,
    response=list[MyShiftPublic],
    roles=(Role.supporter,),
)
def my_shifts(query: PeriodQuery) -> list[MyShiftPublic]:
    db = get_db()
    start, end = _period(query)
    now = clock.now()
    notice = timedelta(minutes=current_app.config["HANDOFF_NOTICE_MINUTES"])
    return [
        MyShiftPublic(
            team=s.team.ref(),
            starts_at=s.starts_at,
            ends_at=s.ends_at,
            takes_over_from=list(s.takes_over_from),
            starts_soon=now <= s.starts_at <= now + notice,
            on_duty_now=s.starts_at <= now < s.ends_at,
        )
        for s in shifts.shifts_of(db, user_id=g.user.id, start=start, end=end)
    ]


@bp.post("/api/me/calendar-feed")
@endpoint(
    "A new private iCal feed URL of my shifts; the old one stops working",
    tag="rosters",
    response=CalendarFeedPublic,
    status=201,
    roles=(Role.supporter,),
)
def new_calendar_feed() -> CalendarFeedPublic:
    db = get_db()
    now = clock.now()
    db.exec(
        update(CalendarFeed)
        .where(col(CalendarFeed.user_id) == g.user.id, col(CalendarFeed.revoked_at).is_(None))
        .values(revoked_at=now)
    )
    token = secrets.token_urlsafe(32)
    db.add(CalendarFeed(user_id=g.user.id, token_hash=token_digest(token), created_at=now))
    base = current_app.config.get("PUBLIC_BASE_URL") or request.host_url
    return CalendarFeedPublic(url=f"{base.rstrip('/')}/calendar/{token}.ics")


@bp.get("/api/me/calendar-feed")
@endpoint(
    "Whether my iCal feed is on (the URL itself is shown only when made)",
    tag="rosters",
    response=CalendarFeedStatus,
    roles=(Role.supporter,),
)
def calendar_feed_status() -> CalendarFeedStatus:
    feed = (
        get_db()
        .exec(
            select(CalendarFeed).where(
                CalendarFeed.user_id == g.user.id, col(CalendarFeed.revoked_at).is_(None)
            )
        )
        .first()
    )
    return CalendarFeedStatus(active=feed is not None, created_at=feed.created_at if feed else None)


@bp.delete("/api/me/calendar-feed")
@endpoint("Turn off my iCal feed", tag="rosters", status=204, roles=(Role.supporter,))
def revoke_calendar_feed() -> None:
    db = get_db()
    db.exec(
        update(CalendarFeed)
        .where(col(CalendarFeed.user_id) == g.user.id, col(CalendarFeed.revoked_at).is_(None))
        .values(revoked_at=clock.now())
    )


@bp.get("/calendar/<token>.ics")
def calendar_feed(token: str) -> Any:
    """The feed token is the only credential here, and it opens nothing else."""
    from nattlys.accounts.models import User

    db = get_db()
    feed = db.exec(
        select(CalendarFeed).where(
            CalendarFeed.token_hash == token_digest(token), col(CalendarFeed.revoked_at).is_(None)
        )
    ).first()
    user = db.get(User, feed.user_id) if feed else None
    if feed is None or user is None or not user.is_active:
        db.rollback()
        return Response("Not found\n", status=404, mimetype="text/plain")
    now = clock.now()
    upcoming = shifts.shifts_of(
        db, user_id=stored_id(user), start=now - timedelta(days=14), end=now + timedelta(days=56)
    )
    db.rollback()
    events = [
        (
            f"{s.team.id}-{s.starts_at.strftime('%Y%m%dT%H%M%SZ')}-{user.id}@nattlys",
            f"Vakt: {s.team.name}",
            s.starts_at,
            s.ends_at,
            "Overtar fra: " + ", ".join(s.takes_over_from) if s.takes_over_from else "",
        )
        for s in upcoming
    ]
    body = ical.calendar(name=f"Nattlys vakter – {user.display_name}", events=events, stamp=now)
    response = Response(body, mimetype="text/calendar")
    response.headers["Cache-Control"] = "private, max-age=300"
    return response
