"""Rosters: rotations, overrides, drafts and publishing, through the API."""

# The `setting` fixture is imported by name; test arguments of that name use it.
# ruff: noqa: F811

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import select

from nattlys.audit.models import AuditEntry
from tests.scenes.rosters import (
    RosterCircle,
    oslo,
    publish,
    rotation,
    setting,  # noqa: F401  (the fixture)
    shift,
)


def on_duty_names(client: Any, team: Any, at: datetime) -> list[str]:
    response = client.get(f"/api/teams/{team.id}/on-duty", query_string={"at": at.isoformat()})
    assert response.status_code == 200, response.json
    return [d["display_name"] for d in response.json["on_duty"]]


def test_weekly_rotation_alternates_and_knows_when_the_shift_ends(setting: RosterCircle) -> None:
    s = setting
    publish(s.as_admin, s.bolig, [rotation("Dag", [s.kari, s.ola], [shift("08:00", "22:00")])])
    # 2026-11-02 is a Monday: Kari has the first week, Ola the second.
    assert on_duty_names(s.as_admin, s.bolig, oslo(2026, 11, 4, 12)) == ["Kari"]
    assert on_duty_names(s.as_admin, s.bolig, oslo(2026, 11, 11, 12)) == ["Ola"]
    assert on_duty_names(s.as_admin, s.bolig, oslo(2026, 11, 18, 21, 59)) == ["Kari"]
    assert on_duty_names(s.as_admin, s.bolig, oslo(2026, 11, 18, 22, 0)) == []
    assert on_duty_names(s.as_admin, s.bolig, oslo(2026, 11, 1, 12)) == []  # before the start date
    duty = s.as_admin.get(
        f"/api/teams/{s.bolig.id}/on-duty", query_string={"at": oslo(2026, 11, 4, 12).isoformat()}
    ).json["on_duty"][0]
    assert duty["shift_ends_at"] == "2026-11-04T21:00:00Z"


def test_patient_on_duty_goes_tier_by_tier(setting: RosterCircle, auth: Any) -> None:
    s = setting
    publish(s.as_admin, s.bolig, [rotation("Dag", [s.kari], [shift("08:00", "18:00")])])
    publish(s.as_admin, s.kommune, [rotation("Kveld", [s.ingrid], [shift("15:30", "23:00")])])
    mona = auth.client_for("mona")
    at = oslo(2026, 11, 25, 19).isoformat()
    body = mona.get(f"/api/patients/{s.mona.id}/on-duty", query_string={"at": at}).json
    assert [[d["display_name"] for d in t["on_duty"]] for t in body["tiers"]] == [[], ["Ingrid"], []]
    assert body["first_tier_on_duty"] == 1
    assert [t["teams"][0]["kind"] for t in body["tiers"]] == ["bolig", "kommune", "dps"]


def test_sickness_override_changes_on_duty_now_in_every_process(
    setting: RosterCircle, make_app: Any, auth: Any, clock: Any
) -> None:
    s = setting
    publish(s.as_admin, s.bolig, [rotation("Dag", [s.kari], [shift("08:00", "22:00")])])
    clock.set(oslo(2026, 11, 25, 19))
    s = replace(s, as_admin=auth.client_for("admin"))  # staff sessions end after 12 hours
    other_process = make_app().test_client()
    auth.login(other_process, "kari")
    assert on_duty_names(other_process, s.bolig, clock()) == ["Kari"]  # warms that process's snapshot
    created = s.as_admin.post(
        f"/api/teams/{s.bolig.id}/overrides",
        json={
            "kind": "replace",
            "user_id": s.ola.id,
            "replaces_user_id": s.kari.id,
            "reason": "sickness",
            "starts_at": "2026-11-25T18:00:00",
            "ends_at": "2026-11-26T08:00:00",
        },
    )
    assert created.status_code == 201, created.json
    assert created.json["replaces_name"] == "Kari"
    assert on_duty_names(other_process, s.bolig, clock()) == ["Ola"]
    duty = other_process.get(f"/api/teams/{s.bolig.id}/on-duty").json["on_duty"][0]
    assert duty["replaces_name"] == "Kari"
    assert duty["shift_ends_at"] == "2026-11-25T21:00:00Z"  # the shift's end, within the override
    removed = s.as_admin.delete(f"/api/teams/{s.bolig.id}/overrides/{created.json['id']}")
    assert removed.status_code == 204
    assert on_duty_names(other_process, s.bolig, clock()) == ["Kari"]


def test_remove_and_add_overrides(setting: RosterCircle, factories: Any) -> None:
    s = setting
    publish(s.as_admin, s.bolig, [rotation("Dag", [s.kari], [shift("08:00", "22:00")])])
    factories.override(s.bolig, s.kari, kind="remove", starts_at=oslo(2026, 11, 25, 8), hours=14)
    factories.override(s.bolig, s.ola, kind="add", starts_at=oslo(2026, 11, 25, 20), hours=6)
    assert on_duty_names(s.as_admin, s.bolig, oslo(2026, 11, 25, 12)) == []
    assert on_duty_names(s.as_admin, s.bolig, oslo(2026, 11, 25, 21)) == ["Ola"]
    assert on_duty_names(s.as_admin, s.bolig, oslo(2026, 11, 26, 1)) == ["Ola"]  # add runs past the roster
    assert on_duty_names(s.as_admin, s.bolig, oslo(2026, 11, 26, 12)) == ["Kari"]


def test_a_supporter_who_leaves_the_team_or_is_disabled_is_never_on_duty(setting: RosterCircle) -> None:
    s = setting
    publish(
        s.as_admin,
        s.bolig,
        [rotation("Dag", [s.kari, s.ola], [shift("00:00", "00:00", next_day=True)], period_days=1)],
    )
    at = oslo(2026, 11, 2, 12)  # Kari's day
    assert on_duty_names(s.as_admin, s.bolig, at) == ["Kari"]
    assert s.as_admin.patch(f"/api/users/{s.kari.id}", json={"is_active": False}).status_code == 200
    assert on_duty_names(s.as_admin, s.bolig, at) == []
    assert s.as_admin.patch(f"/api/users/{s.kari.id}", json={"is_active": True}).status_code == 200
    assert (
        s.as_admin.put(f"/api/teams/{s.bolig.id}/members", json={"user_ids": [s.ola.id]}).status_code == 200
    )
    assert on_duty_names(s.as_admin, s.bolig, at) == []


def test_draft_is_invisible_until_published(setting: RosterCircle) -> None:
    s = setting
    publish(s.as_admin, s.bolig, [rotation("Dag", [s.kari], [shift("08:00", "22:00")])])
    at = oslo(2026, 11, 25, 12)
    draft = s.as_admin.put(
        f"/api/teams/{s.bolig.id}/roster/draft",
        json={"rotations": [rotation("Dag", [s.ola], [shift("08:00", "22:00")])]},
    )
    assert draft.status_code == 200
    assert on_duty_names(s.as_admin, s.bolig, at) == ["Kari"]
    roster = s.as_admin.get(f"/api/teams/{s.bolig.id}/roster").json
    assert roster["published"]["rotations"][0]["members"][0]["display_name"] == "Kari"
    assert roster["draft"]["rotations"][0]["members"][0]["display_name"] == "Ola"
    assert (
        s.as_admin.post(
            f"/api/teams/{s.bolig.id}/roster/publish", json={"confirm_uncovered": True}
        ).status_code
        == 200
    )
    assert on_duty_names(s.as_admin, s.bolig, at) == ["Ola"]
    after = s.as_admin.get(f"/api/teams/{s.bolig.id}/roster").json
    assert (
        after["draft"] is None and after["published"]["rotations"][0]["members"][0]["display_name"] == "Ola"
    )


def test_publishing_an_evening_gap_needs_confirmation_and_is_logged(
    setting: RosterCircle, db: Any, clock: Any, auth: Any
) -> None:
    s = setting
    clock.set(oslo(2026, 11, 23, 9))
    s = replace(s, as_admin=auth.client_for("admin"))
    night = [shift("20:00", "08:00", next_day=True), shift("08:00", "20:00")]
    publish(s.as_admin, s.dps, [rotation("Døgn", [s.silje], night)])
    # DPS covers every hour: a bolig roster with evening holes leaves nobody uncovered.
    ok = publish(s.as_admin, s.bolig, [rotation("Dag", [s.kari], [shift("08:00", "16:00")])], confirm=False)
    assert ok.status_code == 200, ok.json
    # Now DPS drops Wednesday nights: Mona would have nobody then.
    gap = [shift("20:00", "08:00", days=[0, 1, 3, 4, 5, 6], next_day=True), shift("08:00", "20:00")]
    refused = publish(s.as_admin, s.dps, [rotation("Døgn", [s.silje], gap)], confirm=False)
    assert refused.status_code == 409
    assert refused.json["error"] == "uncovered_hours"
    assert any(f["loc"] == ["patients", str(s.mona.id)] for f in refused.json["fields"])
    assert s.as_admin.get(f"/api/teams/{s.dps.id}/roster").json["draft"] is not None  # still a draft
    assert on_duty_names(s.as_admin, s.dps, oslo(2026, 11, 25, 23)) == ["Silje"]
    confirmed = s.as_admin.post(f"/api/teams/{s.dps.id}/roster/publish", json={"confirm_uncovered": True})
    assert confirmed.status_code == 200
    assert on_duty_names(s.as_admin, s.dps, oslo(2026, 11, 25, 23)) == []
    logged = db.exec(select(AuditEntry).where(AuditEntry.action == "roster.publish_uncovered")).all()
    assert len(logged) == 1 and (logged[0].details or {}).get("patients") == 1


def test_coverage_grid_shows_fallback_and_gap_hours(setting: RosterCircle) -> None:
    s = setting
    publish(s.as_admin, s.bolig, [rotation("Dag", [s.kari], [shift("08:00", "18:00")])])
    publish(s.as_admin, s.kommune, [rotation("Kveld", [s.ingrid], [shift("15:30", "23:00")])])
    body = s.as_admin.get("/api/coverage", query_string={"start": "2026-11-25", "days": 1}).json
    assert len(body["hours"]) == 24
    mona = next(p for p in body["patients"] if p["display_name"] == "Mona")
    # 00-08 nobody, 08-18 bolig, 18-23 kommune only, 23-24 nobody.
    assert mona["grid"] == "g" * 8 + "c" * 10 + "f" * 5 + "g"
    assert mona["gaps"][0] == {"starts_at": "2026-11-24T23:00:00Z", "ends_at": "2026-11-25T07:00:00Z"}
    kommune = next(t for t in body["teams"] if t["team"]["id"] == s.kommune.id)
    assert kommune["grid"][15] == "p" and kommune["grid"][16:23] == "c" * 7 and kommune["grid"][23] == "-"


@pytest.mark.parametrize(
    ("rotations", "field"),
    [
        ([{"shifts": [shift("22:00", "08:00")]}], "shifts"),  # ends before it starts, not marked next day
        ([{"shifts": [shift("20:00", "21:00", next_day=True)]}], "shifts"),  # over 24 hours
        ([{"timezone": "Europe/Atlantis"}], "timezone"),
        ([{"member_ids": []}], "member_ids"),
        ([{"shifts": [shift("08:00", "16:00", days=[7])]}], "weekdays"),
    ],
)
def test_bad_rotations_are_refused_naming_the_field_and_change_nothing(
    setting: RosterCircle, rotations: list[dict[str, Any]], field: str
) -> None:
    s = setting
    good = rotation("Dag", [s.kari], [shift("08:00", "22:00")])
    assert (
        s.as_admin.put(f"/api/teams/{s.bolig.id}/roster/draft", json={"rotations": [good]}).status_code == 200
    )
    bad = {**good, **rotations[0]}
    response = s.as_admin.put(f"/api/teams/{s.bolig.id}/roster/draft", json={"rotations": [good, bad]})
    assert response.status_code == 400
    assert any(field in [*f["loc"], f["message"].split(":")[0]] for f in response.json["fields"]), (
        response.json
    )
    draft = s.as_admin.get(f"/api/teams/{s.bolig.id}/roster").json["draft"]
    assert len(draft["rotations"]) == 1


def test_rotation_members_must_be_in_the_team(setting: RosterCircle) -> None:
    s = setting
    response = s.as_admin.put(
        f"/api/teams/{s.bolig.id}/roster/draft",
        json={"rotations": [rotation("Dag", [s.ingrid], [shift("08:00", "22:00")])]},
    )
    assert response.status_code == 400
    assert response.json["fields"][0]["loc"] == ["rotations", "0", "member_ids"]


def test_overlapping_overrides_for_the_same_person_are_refused(setting: RosterCircle) -> None:
    s = setting
    base = {"kind": "remove", "user_id": s.kari.id, "reason": "sickness"}
    first = s.as_admin.post(
        f"/api/teams/{s.bolig.id}/overrides",
        json={**base, "starts_at": "2026-11-25T08:00:00", "ends_at": "2026-11-27T08:00:00"},
    )
    assert first.status_code == 201
    clash = s.as_admin.post(
        f"/api/teams/{s.bolig.id}/overrides",
        json={
            "kind": "replace",
            "user_id": s.ola.id,
            "replaces_user_id": s.kari.id,
            "starts_at": "2026-11-26T20:00:00",
            "ends_at": "2026-11-27T20:00:00",
        },
    )
    assert clash.status_code == 400 and clash.json["error"] == "overlapping_override"
    backwards = s.as_admin.post(
        f"/api/teams/{s.bolig.id}/overrides",
        json={
            **base,
            "user_id": s.ola.id,
            "starts_at": "2026-11-28T08:00:00",
            "ends_at": "2026-11-27T08:00:00",
        },
    )
    assert backwards.status_code == 400 and backwards.json["fields"][0]["loc"] == ["ends_at"]
    listed = s.as_admin.get(
        f"/api/teams/{s.bolig.id}/overrides",
        query_string={"start": "2026-11-20T00:00:00Z", "days": 30},
    ).json
    assert len(listed) == 1


def test_my_shifts_show_whom_i_take_over_from(setting: RosterCircle, auth: Any, clock: Any) -> None:
    s = setting
    night = rotation("Natt", [s.ola], [shift("20:00", "08:00", next_day=True)])
    day = rotation("Dag", [s.kari], [shift("08:00", "20:00")])
    publish(s.as_admin, s.bolig, [day, night])
    clock.set(oslo(2026, 11, 25, 19, 15))
    ola = auth.client_for("ola")
    shifts = ola.get("/api/me/shifts", query_string={"days": 2}).json
    assert shifts[0]["starts_at"] == "2026-11-25T19:00:00Z"
    assert shifts[0]["ends_at"] == "2026-11-26T07:00:00Z"
    assert shifts[0]["takes_over_from"] == ["Kari"]
    assert shifts[0]["starts_soon"] is True
    assert shifts[1]["starts_soon"] is False
    assert [x["on_duty_now"] for x in shifts] == [False, False]
    clock.set(oslo(2026, 11, 25, 20, 0))  # the night shift has begun
    shifts = auth.client_for("ola").get("/api/me/shifts", query_string={"days": 2}).json
    assert [x["on_duty_now"] for x in shifts] == [True, False]


def test_supporters_see_only_their_own_teams_rosters(setting: RosterCircle, auth: Any) -> None:
    s = setting
    kari = auth.client_for("kari")
    assert kari.get(f"/api/teams/{s.bolig.id}/roster").status_code == 200
    assert kari.get(f"/api/teams/{s.dps.id}/roster").status_code == 403
    assert [t["team"]["name"] for t in kari.get("/api/on-duty").json] == ["Bolig Askøy"]


def test_overrides_without_offset_are_read_in_oslo_time(setting: RosterCircle) -> None:
    s = setting
    created = s.as_admin.post(
        f"/api/teams/{s.bolig.id}/overrides",
        json={
            "kind": "add",
            "user_id": s.ola.id,
            "starts_at": "2026-07-01T20:00:00",
            "ends_at": "2026-07-02T08:00:00",
        },
    )
    assert created.json["starts_at"] == "2026-07-01T18:00:00Z"  # summer time, UTC+2
    assert datetime.fromisoformat(created.json["ends_at"]) - datetime.fromisoformat(
        created.json["starts_at"]
    ) == timedelta(hours=12)
    assert created.json["starts_at"] != datetime(2026, 7, 1, 20, tzinfo=UTC).isoformat()


def test_a_shift_in_progress_reports_its_real_start_and_handoff(
    setting: RosterCircle, auth: Any, clock: Any
) -> None:
    s = setting
    night = rotation("Natt", [s.ola], [shift("20:00", "08:00", next_day=True)])
    day = rotation("Dag", [s.kari], [shift("08:00", "20:00")])
    publish(s.as_admin, s.bolig, [day, night])
    clock.set(oslo(2026, 11, 25, 23, 10))
    s = replace(s, as_admin=auth.client_for("admin"))
    shifts = auth.client_for("ola").get("/api/me/shifts", query_string={"days": 1}).json
    assert shifts[0]["starts_at"] == "2026-11-25T19:00:00Z"
    assert shifts[0]["takes_over_from"] == ["Kari"]
    calendar = s.as_admin.get(f"/api/teams/{s.bolig.id}/shifts", query_string={"days": 1}).json
    assert calendar[0]["display_name"] == "Ola" and calendar[0]["starts_at"] == "2026-11-25T19:00:00Z"


def test_handoff_push_is_sent_once_per_shift_before_it_starts(
    setting: RosterCircle, auth: Any, clock: Any, app: Any, make_app: Any, monkeypatch: Any
) -> None:
    import nattlys.push.service as push
    from nattlys.db import get_db
    from nattlys.rosters.shifts import send_handoff_notices

    s = setting
    publish(s.as_admin, s.bolig, [rotation("Natt", [s.ola], [shift("20:00", "08:00", next_day=True)])])
    sent: list[tuple[list[int], Any]] = []
    monkeypatch.setattr(push, "queue", lambda ids, message: sent.append((sorted(ids), message)))

    def run(on_app: Any) -> int:
        with on_app.app_context():
            db = get_db()
            count = send_handoff_notices(db, at=clock(), notice=timedelta(minutes=60))
            db.commit()
            return count

    clock.set(oslo(2026, 11, 25, 18, 50))  # 70 minutes before: too early
    assert run(app) == 0
    clock.set(oslo(2026, 11, 25, 19, 5))
    assert run(app) == 1
    assert run(make_app()) == 0  # a restarted (or second) scheduler sends nothing again
    clock.set(oslo(2026, 11, 25, 19, 30))
    assert run(app) == 0
    assert [ids for ids, _ in sent] == [[s.ola.id]]
    assert sent[0][1].title == "shift_starts"
