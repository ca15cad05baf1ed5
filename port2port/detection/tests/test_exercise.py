"""Exercise alerts: shown apart, left out of the figures, and timed."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from conftest import World
from port2port.core.models import User
from port2port.detection import selectors, services
from port2port.detection.models import Alert

pytestmark = pytest.mark.django_db


def _raise(world: World, key: str, *, exercise: bool, evidence_s: float) -> Alert:
    return services.alert_raise(
        port_id=world.antwerp.pk,
        rule_code="intrusion",
        title=f"Intrusion {key}",
        severity="high",
        dedup_key=key,
        at=timezone.now() - dt.timedelta(seconds=evidence_s),
        exercise=exercise,
    )


def test_exercise_alerts_are_left_out_of_the_figures(
    world: World, bob: User, bob_client: Client
) -> None:
    _raise(world, "real", exercise=False, evidence_s=10)
    _raise(world, "drill", exercise=True, evidence_s=10)
    figures = selectors.alert_statistics_for_user(
        actor=bob, port=world.antwerp, since=timezone.now() - dt.timedelta(hours=1)
    )
    assert (figures["total"], figures["open"], figures["by_severity"]) == (
        1,
        1,
        {"high": 1},
    )
    page = bob_client.get("/detection/?port=BEANR").content.decode()
    assert "Last 24 hours: 1 alerts, 1 open (exercises excluded)." in page
    assert "alert-item--exercise" in page


def test_the_exercise_report_times_detection_and_response(
    world: World, bob: User, bob_client: Client
) -> None:
    drill = _raise(world, "drill", exercise=True, evidence_s=12)
    _raise(world, "slow", exercise=True, evidence_s=30)
    _raise(world, "real", exercise=False, evidence_s=5)
    with time_machine.travel(drill.created_at + dt.timedelta(seconds=45)):
        services.alert_acknowledge(actor=bob, alert=drill)
    timings = selectors.exercise_timings_for_user(
        actor=bob,
        port=world.antwerp,
        start=timezone.now() - dt.timedelta(hours=1),
        end=timezone.now() + dt.timedelta(minutes=1),
    )
    rows = [
        (r["alert"].title, round(r["detection_s"]), r["response_s"])
        for r in timings["rows"]
    ]
    assert rows == [("Intrusion slow", 30, None), ("Intrusion drill", 12, 45.0)]
    assert (timings["mean_response_s"], timings["unhandled"]) == (45.0, 1)
    page = bob_client.get("/detection/exercise/?port=BEANR").content.decode()
    assert "Intrusion drill" in page
    assert "Intrusion real" not in page
    assert '<dd id="ex-response">45.0 s</dd>' in page


def test_another_port_sees_no_exercise(world: World, charlie_client: Client) -> None:
    _raise(world, "drill", exercise=True, evidence_s=12)
    page = charlie_client.get("/detection/exercise/?port=BEANR").content.decode()
    assert "Intrusion drill" not in page
