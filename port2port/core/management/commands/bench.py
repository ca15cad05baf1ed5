"""``port2port bench NAME``: run the benchmark ``bench/NAME.py`` and print its figures."""

from __future__ import annotations

import runpy
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Run a benchmark from bench/ (e.g. 'port2port bench audit')."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", nargs="?", help="The benchmark to run.")
        parser.add_argument(
            "bench_args", nargs="*", help="Arguments for the benchmark."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        bench_dir = settings.BASE_DIR / "bench"
        available = sorted(
            p.stem
            for p in bench_dir.glob("*.py")
            if not p.stem.startswith(("_", "test_"))
        )
        name = options["name"]
        if not name:
            self.stdout.write("Benchmarks: " + ", ".join(available))
            return
        if name not in available:
            raise CommandError(
                f"No benchmark {name!r}; choose from: {', '.join(available)}"
            )
        sys.argv = [name, *options["bench_args"]]
        runpy.run_path(str(bench_dir / f"{name}.py"), run_name="__main__")
