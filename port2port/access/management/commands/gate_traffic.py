"""``port2port gate_traffic``: simulated badge and plate reads at the demo gates.

Every few seconds a pass holder badges at a gate of a facility that activated
the pass, a truck is read at a vehicle lane, and now and then someone presents
a suspended, banned or unknown card: the decisions go through the real engine
and land in the access log, so the gate pages have live traffic.
"""

from __future__ import annotations

import random
import signal
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections

from port2port.access import gate
from port2port.access.models import PassActivation, PortPass, TruckAppointment
from port2port.core.models import AccessPoint


class Command(BaseCommand):
    help = "Simulate gate traffic for the demo (P2P_MODE=demo only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="Run until stopped.")
        parser.add_argument(
            "--count", type=int, default=20, help="Reads without --loop."
        )
        parser.add_argument(
            "--interval", type=float, default=2.0, help="Seconds between reads."
        )
        parser.add_argument("--seed", type=int, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO:
            raise CommandError("Simulated traffic runs only with P2P_MODE=demo.")
        rng = random.Random(options["seed"])  # noqa: S311 - simulated traffic, not security
        running = True

        def stop(signum: int, frame: object) -> None:
            nonlocal running
            running = False

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        done = 0
        while running and (options["loop"] or done < options["count"]):
            try:
                self._one(rng)
            finally:
                close_old_connections()
            done += 1
            time.sleep(options["interval"] if options["loop"] else 0)

    def _one(self, rng: random.Random) -> None:
        roll = rng.random()
        if roll < 0.2:
            self._truck(rng)
            return
        activation = (
            PassActivation.objects.filter(port_pass__state=PortPass.State.ACTIVE)
            .order_by("?")
            .select_related("port_pass")
            .first()
        )
        if activation is None:
            return
        credential = activation.port_pass.number
        if roll > 0.95:
            credential = "P2P" + "".join(rng.choice("0123456789") for _ in range(12))
        elif roll > 0.9:
            odd = (
                PortPass.objects.exclude(state=PortPass.State.ACTIVE)
                .order_by("?")
                .values_list("number", flat=True)
                .first()
            )
            credential = odd or credential
        point = (
            AccessPoint.objects.filter(zone__facility_id=activation.facility_id)
            .exclude(kind=AccessPoint.Kind.VEHICLE_LANE)
            .order_by("?")
            .first()
        )
        if point is None:
            return
        gate.gate_decide(
            access_point_id=point.pk,
            credential=credential,
            plate=None,
            biometric=rng.choice(["match", "match", "match", "not_checked"]),
            direction=rng.choice(["in", "in", "out"]),
        )

    def _truck(self, rng: random.Random) -> None:
        appointment = TruckAppointment.objects.order_by("?").first()
        if appointment is None:
            return
        point = AccessPoint.objects.filter(
            zone__facility_id=appointment.facility_id,
            kind=AccessPoint.Kind.VEHICLE_LANE,
        ).first()
        if point is None:
            return
        gate.gate_decide(
            access_point_id=point.pk, credential=None, plate=appointment.plate
        )
