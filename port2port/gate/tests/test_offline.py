"""Offline allow and deny lists for a gate controller."""

from __future__ import annotations

import datetime as dt

import pytest

from port2port.gate import PassState, PointDirection, ZoneKind, offline_lists
from port2port.gate.tests.builders import DAY, NOW, World, hm, local, window

ZONE = 100
RESTRICTED = 101
GATE = 1000
RESTRICTED_GATE = 1010
EXIT_ONLY = 1002
DAY_SHIFT = 1
NIGHT_SHIFT = 2

# Tuesday 22 April 2025, midnight in Brussels (22:00 UTC on Monday).
MIDNIGHT = local(2025, 4, 22)


def world() -> World:
    w = World()
    w.zone(ZONE)
    w.zone(RESTRICTED, kind=ZoneKind.RESTRICTED, security_level=2)
    w.point(GATE, ZONE)
    w.point(RESTRICTED_GATE, RESTRICTED)
    w.point(EXIT_ONLY, ZONE, direction=PointDirection.OUT)
    w.schedule(DAY_SHIFT, window(range(5), hm(6), hm(18)))
    w.schedule(NIGHT_SHIFT, window(range(5), hm(22), hm(6)))
    w.person(1, "Ann Peeters")
    w.pass_("P-ANN", 1)
    w.grant(1, ZONE, schedule_id=DAY_SHIFT)
    w.grant(1, RESTRICTED)
    w.person(2, "Bram Visser")
    w.pass_("P-BRAM", 2)
    w.grant(2, ZONE, schedule_id=NIGHT_SHIFT)
    w.person(3, "Cas Jansen")
    w.visit(30, 3, start=local(2025, 4, 22, 9), end=local(2025, 4, 22, 11, 30))
    w.day_pass("tok-cas", 30, 3)
    w.person(4, "Dirk Lost")
    w.pass_("P-DIRK", 4, state=PassState.LOST)
    w.grant(4, ZONE)
    w.person(5, "Eva Banned", bans=[(local(2025, 4, 22, 20), NOW + 30 * DAY)])
    w.pass_("P-EVA", 5)
    w.grant(5, ZONE)
    w.person(6, "Frank Elsewhere")
    w.pass_("P-FRANK", 6)
    return w


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> str:
    return dt.datetime(year, month, day, hour, minute, tzinfo=dt.UTC).isoformat()


def test_the_allow_list_gives_exact_windows_per_credential() -> None:
    lists = offline_lists(world().snapshot(), GATE, start=MIDNIGHT, hours=24)
    assert lists["access_point"] == GATE
    assert lists["valid_from"] == utc(2025, 4, 21, 22)
    assert lists["valid_until"] == utc(2025, 4, 22, 22)
    assert lists["allow"] == [
        {
            "credential": "DP:tok-cas",
            "person_id": 3,
            "name": "Cas Jansen",
            "windows": [[utc(2025, 4, 22, 7), utc(2025, 4, 22, 9, 30)]],
            "biometric": False,
        },
        {
            "credential": "P-ANN",
            "person_id": 1,
            "name": "Ann Peeters",
            # 06:00 to 18:00 in Brussels (UTC+2).
            "windows": [[utc(2025, 4, 22, 4), utc(2025, 4, 22, 16)]],
            "biometric": False,
        },
        {
            "credential": "P-BRAM",
            "person_id": 2,
            "name": "Bram Visser",
            # The end of Monday's night, then the start of Tuesday's.
            "windows": [
                [utc(2025, 4, 21, 22), utc(2025, 4, 22, 4)],
                [utc(2025, 4, 22, 20), utc(2025, 4, 22, 22)],
            ],
            "biometric": False,
        },
        {
            "credential": "P-EVA",
            "person_id": 5,
            "name": "Eva Banned",
            # Until the ban starts at 20:00 in Brussels.
            "windows": [[utc(2025, 4, 21, 22), utc(2025, 4, 22, 18)]],
            "biometric": False,
        },
    ]


def test_the_deny_list_holds_blocked_passes_and_banned_holders() -> None:
    lists = offline_lists(world().snapshot(), GATE, start=MIDNIGHT, hours=24)
    assert lists["deny"] == [
        {"credential": "P-DIRK", "reason": "PASS_LOST"},
        {"credential": "P-EVA", "reason": "PORT_BAN"},
    ]


def test_a_ban_after_the_period_is_not_listed() -> None:
    lists = offline_lists(world().snapshot(), GATE, start=MIDNIGHT, hours=12)
    assert lists["deny"] == [{"credential": "P-DIRK", "reason": "PASS_LOST"}]


def test_the_controller_is_told_when_to_demand_a_biometric_match() -> None:
    lists = offline_lists(world().snapshot(), RESTRICTED_GATE, start=MIDNIGHT, hours=6)
    assert [
        (e["credential"], e["biometric"], e["windows"]) for e in lists["allow"]
    ] == [("P-ANN", True, [[utc(2025, 4, 21, 22), utc(2025, 4, 22, 4)]])]


def test_an_exit_only_point_lets_every_candidate_out() -> None:
    lists = offline_lists(world().snapshot(), EXIT_ONLY, start=MIDNIGHT, hours=2)
    assert [e["credential"] for e in lists["allow"]] == [
        "P-ANN",
        "P-BRAM",
        "P-DIRK",
        "P-EVA",
    ]


def test_the_lists_are_deterministic() -> None:
    snapshot = world().snapshot()
    first = offline_lists(snapshot, GATE, start=MIDNIGHT, hours=48)
    assert offline_lists(snapshot, GATE, start=MIDNIGHT, hours=48) == first
    credentials = [entry["credential"] for entry in first["allow"]]
    assert credentials == sorted(credentials)


def test_windows_follow_summer_time() -> None:
    w = world()
    w.update_pass("P-ANN", valid_from=NOW - 365 * DAY)
    w.grants[(1, ZONE)] = []
    w.grant(1, ZONE, schedule_id=DAY_SHIFT, valid_from=NOW - 365 * DAY)
    # Monday 31 March 2025, the day after clocks went forward.
    lists = offline_lists(w.snapshot(), GATE, start=local(2025, 3, 30, 12), hours=36)
    ann = next(e for e in lists["allow"] if e["credential"] == "P-ANN")
    assert ann["windows"] == [[utc(2025, 3, 31, 4), utc(2025, 3, 31, 16)]]


@pytest.mark.parametrize(
    ("point", "start", "hours", "message"),
    [
        (GATE, MIDNIGHT.replace(tzinfo=None), 24, "timezone-aware"),
        (GATE, MIDNIGHT, 0, "positive"),
        (9999, MIDNIGHT, 24, "not in the snapshot"),
    ],
)
def test_bad_arguments_are_refused(
    point: int, start: dt.datetime, hours: int, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        offline_lists(world().snapshot(), point, start=start, hours=hours)
