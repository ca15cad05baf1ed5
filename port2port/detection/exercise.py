"""Exercise mode: a compliance exercise's scenario played on the live picture.

The compliance module calls :func:`exercise_mode_run` (its
``P2P_EXERCISE_MODE_RUNNER``) when an organiser starts exercise mode. The library
scenario's threat picks a live scenario of ``detection/scenarios``; its steps are
sent as exercise events, the rules judge them at once, and the exercise alerts
that follow are timed on the control room's exercise page. :func:`exercise_times`
gives the after-action report its measured detection and response times.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from port2port.core.errors import Conflict
from port2port.detection import runner, simulator
from port2port.detection.models import Alert
from port2port.rules import from_time

# The library's threats that have a scenario on the live picture.
THREAT_SCENARIOS = {
    "intrusion": "night-intrusion",
    "unauthorised_access": "badge-probing",
    "small_craft": "small-craft-alongside",
}


def exercise_mode_run(
    *,
    exercise_id: int,
    scenario: str,
    injects: list[Any],
    facility_ids: list[int],
) -> dict[str, Any]:
    """Play the live scenario of a library scenario's threat as an exercise."""
    from port2port.compliance.models import Scenario as LibraryScenario

    threat = (
        LibraryScenario.objects.filter(code=scenario)
        .values_list("threat", flat=True)
        .first()
    )
    name = THREAT_SCENARIOS.get(threat or "")
    if name is None:
        raise Conflict(
            _("This scenario's threat has no scenario on the live picture yet.")
        )
    sim = simulator.Simulator()
    if not sim.ready:
        raise Conflict(_("The port has no sensors to play the scenario on."))
    started = sim.run_scenario(
        simulator.scenario_load(name), now=time.time(), exercise=True, wait=False
    )
    while sim.pending:
        sim._due(time.time())
    runner.detection_tick()
    alerts = list(
        Alert.objects.filter(exercise=True, last_seen__gte=from_time(started))
        .order_by("first_seen")
        .values_list("pk", flat=True)
    )
    return {
        "exercise": exercise_id,
        "scenario": name,
        "started": from_time(started).isoformat(),
        "alerts": alerts,
    }


def exercise_times(
    *, port_ids: Iterable[int], start: dt.datetime, end: dt.datetime
) -> tuple[int | None, int | None]:
    """Return the mean detection and response times (s) of exercise alerts.

    Detection: from the alert's first evidence to the alert; response: from the
    alert to its first handling. None when nothing was measured.
    """
    alerts = Alert.objects.filter(
        exercise=True,
        port_id__in=list(port_ids),
        first_seen__gte=start,
        first_seen__lte=end,
    ).values_list("first_seen", "created_at", "handled_at")
    detection, response = [], []
    for first_seen, created_at, handled_at in alerts:
        detection.append(max((created_at - first_seen).total_seconds(), 0.0))
        if handled_at is not None:
            response.append(max((handled_at - created_at).total_seconds(), 0.0))

    def mean(values: list[float]) -> int | None:
        return round(sum(values) / len(values)) if values else None

    return mean(detection), mean(response)
