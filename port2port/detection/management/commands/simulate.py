"""``port2port simulate``: live simulated sensor traffic and scenario exercises.

``simulate --loop`` (run by ``port2port demo``) sends the demo port's ordinary
traffic every couple of seconds and injects the night-time intrusion scenario
every few minutes. ``simulate --scenario NAME`` runs one scenario from
``detection/scenarios/``; with ``--exercise`` its events are marked as an
exercise, judged at once, and the alerts they raised are reported with their
detection time.
"""

from __future__ import annotations

import random
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, close_old_connections

from port2port.detection import demo, runner, simulator
from port2port.detection.models import Alert, Source
from port2port.rules import from_time

IDLE_SECONDS = 30.0


class Command(BaseCommand):
    help = "Send simulated sensor traffic for the demo port, or run a scenario."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="Run until stopped.")
        parser.add_argument("--interval", type=float, default=2.0)
        parser.add_argument(
            "--scenario-every",
            type=float,
            default=300.0,
            help="Seconds between two injected intrusions in the loop (0: none).",
        )
        parser.add_argument(
            "--scenario",
            help=f"Run one scenario: {', '.join(simulator.scenario_names())}.",
        )
        parser.add_argument(
            "--exercise", action="store_true", help="Mark the scenario as an exercise."
        )
        parser.add_argument(
            "--now",
            action="store_true",
            help="Send the scenario at once (its times end now) instead of in real time.",
        )
        parser.add_argument("--list", action="store_true", help="List the scenarios.")
        parser.add_argument("--seed", type=int, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["list"]:
            for name in simulator.scenario_names():
                scenario = simulator.scenario_load(name)
                self.stdout.write(f"{name:<24} {scenario.title}")
            return
        rng = random.Random(options["seed"])  # noqa: S311 - simulated traffic
        if options["scenario"]:
            try:
                scenario = simulator.scenario_load(options["scenario"])
            except simulator.ScenarioError as exc:
                raise CommandError(str(exc)) from None
            self._scenario(scenario, rng, options)
            return
        if options["loop"]:
            self._loop(rng, options)
        else:
            sim = self._simulator(rng)
            if sim is None:
                raise CommandError("The demo port has no sensors: run `seed` first.")
            sim.tick(time.time(), options["interval"])
            self._report(sim)

    def _simulator(self, rng: random.Random) -> simulator.Simulator | None:
        sim = simulator.Simulator(rng=rng)
        if sim.ready:
            return sim
        # A demo database loaded before the detection module had no sensors.
        if settings.DEMO and not Source.objects.filter(port__locode=demo.PORT).exists():
            try:
                demo.seed()
            except Exception as exc:  # noqa: BLE001 - the registry may be missing
                self.stderr.write(f"Cannot load the detection demo data: {exc}")
                return None
            sim = simulator.Simulator(rng=rng)
        return sim if sim.ready else None

    def _report(self, sim: simulator.Simulator) -> None:
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(sim.counts.by_kind.items()))
        self.stdout.write(
            f"{sim.counts.events} events ({kinds}); "
            f"{sim.counts.sentences} AIS sentences; "
            f"{sim.counts.scenarios} scenarios."
        )

    def _loop(self, rng: random.Random, options: dict[str, Any]) -> None:
        interval = max(options["interval"], 0.2)
        every = options["scenario_every"]
        sim = None
        next_scenario = time.time() + min(every, 60.0)
        last = time.time()
        try:
            while True:
                try:
                    if sim is None:
                        sim = self._simulator(rng)
                        if sim is None:
                            time.sleep(IDLE_SECONDS)
                            continue
                        self.stdout.write("Simulating the demo port's sensors.")
                    now = time.time()
                    if every > 0 and now >= next_scenario:
                        next_scenario = now + every
                        sim.schedule(
                            simulator.scenario_load(simulator.LIVE_SCENARIO),
                            start=now,
                            exercise=options["exercise"],
                        )
                    sim.tick(now, now - last)
                    last = now
                except DatabaseError as exc:
                    # A busy database (SQLite under the demo's load): try again.
                    self.stderr.write(f"simulate: {exc}")
                finally:
                    close_old_connections()
                time.sleep(interval)
        except KeyboardInterrupt:
            if sim is not None:
                self._report(sim)

    def _scenario(
        self,
        scenario: simulator.Scenario,
        rng: random.Random,
        options: dict[str, Any],
    ) -> None:
        sim = self._simulator(rng)
        if sim is None:
            raise CommandError("The demo port has no sensors: run `seed` first.")
        exercise = options["exercise"]
        wait = not options["now"]
        self.stdout.write(f"{scenario.name}: {scenario.title}")
        before = Alert.objects.order_by("-seq").values_list("seq", flat=True).first()
        start = sim.run_scenario(
            scenario, now=time.time(), exercise=exercise, wait=wait
        )
        while sim.pending:
            time.sleep(0.5)
            sim._due(time.time())
        runner.detection_tick()
        alerts = Alert.objects.filter(seq__gt=before or 0, exercise=exercise).order_by(
            "first_seen"
        )
        self._report(sim)
        if not alerts:
            self.stdout.write("No alert was raised.")
        for alert in alerts:
            # When the evidence was complete, counted from the first step; in real
            # time, also how long the platform took to raise the alert after it.
            # A repeat folds into an open alert of an earlier run: its last match.
            seen = alert.first_seen
            if seen < from_time(start):
                seen = alert.last_seen
            detected = (seen - from_time(start)).total_seconds()
            line = (
                f"Alert #{alert.pk} [{alert.severity}] {alert.title} "
                f"({alert.rule_code}): detected {detected:.0f} s into the scenario"
            )
            if wait:
                latency = (alert.created_at - seen).total_seconds()
                line += f", raised {latency:.1f} s later"
            self.stdout.write(line)
