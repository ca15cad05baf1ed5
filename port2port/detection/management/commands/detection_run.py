"""``port2port detection_run``: judge new events with the rules and raise alerts."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from port2port.detection import runner


class Command(BaseCommand):
    help = "Pull gate denials and judge new events (with --loop: every second)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="Run until stopped.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            while True:
                try:
                    runner.detection_tick()
                finally:
                    close_old_connections()
                if not options["loop"]:
                    return
                time.sleep(settings.DETECTION_RULES_POLL_SECONDS)
        except KeyboardInterrupt:
            # Ctrl-C (or ``port2port demo`` stopping): the cursor is committed.
            return
