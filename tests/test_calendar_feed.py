"""The private iCal feed of a supporter's own shifts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import icalendar

from nattlys.care_circles.models import TeamKind

OSLO = ZoneInfo("Europe/Oslo")


def _roster(admin: Any, team: Any, members: list[Any]) -> None:
    rotation = {
        "name": "Natt",
        "start_date": "2026-10-20",
        "period_days": 1,
        "member_ids": [m.id for m in members],
        "shifts": [
            {"weekdays": [0, 1, 2, 3, 4, 5, 6], "start": "20:00", "end": "08:00", "ends_next_day": True}
        ],
    }
    assert admin.put(f"/api/teams/{team.id}/roster/draft", json={"rotations": [rotation]}).status_code == 200
    assert (
        admin.post(f"/api/teams/{team.id}/roster/publish", json={"confirm_uncovered": True}).status_code
        == 200
    )


def test_feed_imports_into_a_standard_parser_with_oslo_times(factories: Any, auth: Any, clock: Any) -> None:
    clock.set(datetime(2026, 10, 20, 12, tzinfo=OSLO))
    kari = factories.supporter("kari", display_name="Kari")
    ola = factories.supporter("ola", display_name="Ola")
    team = factories.team(TeamKind.dps, members=[kari, ola], name="Øyane DPS akutt")
    factories.admin("admin")
    _roster(auth.client_for("admin"), team, [kari, ola])
    kari_client = auth.client_for("kari")
    url = kari_client.post("/api/me/calendar-feed").json["url"]
    path = url.split("://", 1)[1].split("/", 1)[1]
    anonymous = auth.app.test_client()
    response = anonymous.get("/" + path)
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert b"\r\n" in response.data
    cal = icalendar.Calendar.from_ical(response.data)
    events = [c for c in cal.walk("VEVENT")]
    assert events, "Kari has every other night"
    starts = sorted(e.decoded("DTSTART") for e in events)
    assert all(s.tzinfo is not None and s.astimezone(OSLO).hour == 20 for s in starts)
    assert all(str(e.get("DTSTART").params.get("TZID")) == "Europe/Oslo" for e in events)
    # The fall-back night (Saturday 24 October 2026) is Kari's: 13 hours.
    long_night = [
        e for e in events if e.decoded("DTSTART").astimezone(OSLO).date().isoformat() == "2026-10-24"
    ]
    assert (
        long_night
        and (
            long_night[0].decoded("DTEND").astimezone(UTC) - long_night[0].decoded("DTSTART").astimezone(UTC)
        ).total_seconds()
        == 13 * 3600
    )
    assert "Øyane DPS akutt" in str(events[0].get("SUMMARY"))
    assert len(cal.walk("VTIMEZONE")) == 1


def test_feed_token_grants_nothing_else_and_can_be_revoked(factories: Any, auth: Any) -> None:
    factories.supporter("kari")
    kari = auth.client_for("kari")
    url = kari.post("/api/me/calendar-feed").json["url"]
    path = "/" + url.split("://", 1)[1].split("/", 1)[1]
    token = path.rsplit("/", 1)[1].removesuffix(".ics")
    stranger = auth.app.test_client()
    stranger.set_cookie("nattlys_session", token)
    assert stranger.get("/api/auth/session").status_code == 401
    assert stranger.get(path).status_code == 200
    newer = kari.post("/api/me/calendar-feed").json["url"]
    assert newer != url
    assert stranger.get(path).status_code == 404  # the old link stopped working
    assert kari.delete("/api/me/calendar-feed").status_code == 204
    assert stranger.get("/" + newer.split("://", 1)[1].split("/", 1)[1]).status_code == 404
