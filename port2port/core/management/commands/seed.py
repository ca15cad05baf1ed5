"""``manage.py seed``: load the Belgian demo data into an empty registry."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from port2port.core.demo.apps import all_demo_accounts, app_demo_modules
from port2port.core.demo.data import DEMO_PASSWORD
from port2port.core.demo.seed import SeedError, seed_demo
from port2port.core.models import Port


class Command(BaseCommand):
    help = (
        "Load the Belgian demo data (ports, committees, organisations, facilities, "
        "people, vehicles and demo accounts) into an empty registry."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when ports are already registered.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # The demo accounts share a published password: never in production.
        if not settings.DEMO:
            raise CommandError("The demo data loads only with P2P_MODE=demo.")
        if options["if_empty"] and Port.objects.exists():
            self.stdout.write(
                "Ports are already registered: the demo data was not loaded."
            )
            return
        started = time.perf_counter()
        try:
            counts = seed_demo(stdout=self.stdout)
        except SeedError as exc:
            raise CommandError(
                f"{exc} Use --if-empty to skip a loaded database."
            ) from None
        # Each domain app may add its own demo data in ``<app>/demo.py``, found by
        # name so that the registry does not depend on the apps built on it.
        for name, module in app_demo_modules():
            self.stdout.write(f"{name}…")
            counts.update(module.seed(stdout=self.stdout))
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(f"Loaded the Belgian demo data in {elapsed:.1f} s:")
        )
        for name, count in counts.items():
            self.stdout.write(f"  {name.replace('_', ' '):<27} {count:>6,}")
        self.stdout.write(f"Demo accounts (password '{DEMO_PASSWORD}'):")
        for username, role, scope in all_demo_accounts():
            self.stdout.write(f"  {username:<18} {role:<32} {scope}")
