"""``port2port demo``: migrate, load the Belgian demo data once, serve and work.

It starts the web server and the worker as child processes and stops both
cleanly on Ctrl-C. A second run reuses the data.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from port2port.core.models import Port


class Command(BaseCommand):
    help = (
        "Start the demo platform on http://127.0.0.1:8000 with the Belgian demo data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--no-serve", action="store_true", help="Prepare the data and stop."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO:
            raise CommandError("The demo runs only with P2P_MODE=demo.")
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        (settings.VAR_DIR / "static").mkdir(exist_ok=True)
        call_command("migrate", verbosity=0, interactive=False)
        if not Port.objects.exists():
            self.stdout.write("Loading the Belgian demo data…")
            call_command("seed")
        else:
            self.stdout.write("Reusing the demo data in the database.")
        self._print_accounts(options)
        if options["no_serve"]:
            return
        self._run(options)

    def _print_accounts(self, options: dict[str, Any]) -> None:
        from port2port.core.demo.apps import all_demo_accounts
        from port2port.core.demo.data import DEMO_PASSWORD

        url = f"http://{options['host']}:{options['port']}/"
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Port2Port demo: {url}"))
        self.stdout.write(f"API: {url}api/v1/docs   health: {url}healthz")
        self.stdout.write(f"Demo accounts (password '{DEMO_PASSWORD}'):")
        for username, role, scope in all_demo_accounts():
            self.stdout.write(f"  {username:<18} {role:<32} {scope}")
        self.stdout.write("Press Ctrl-C to stop.")

    def _run(self, options: dict[str, Any]) -> None:
        python = sys.executable
        children = [
            subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
                [
                    python,
                    "-m",
                    "port2port.cli",
                    "serve",
                    "--host",
                    options["host"],
                    "--port",
                    str(options["port"]),
                ]
            ),
            subprocess.Popen([python, "-m", "port2port.cli", "worker"]),  # noqa: S603
        ]
        children += [
            subprocess.Popen([python, "-m", "port2port.cli", name, "--loop"])  # noqa: S603
            for name in settings.DEMO_LOOPS
        ]
        stopping = False

        def stop(signum: int, frame: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping and all(c.poll() is None for c in children):
                time.sleep(0.5)
        finally:
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGINT)
            deadline = time.monotonic() + 10
            for child in children:
                try:
                    child.wait(max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    child.kill()
            self.stdout.write("Stopped.")
