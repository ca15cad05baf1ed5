"""The ``port2port`` command: Django's management commands under one name.

``port2port demo``, ``serve``, ``worker``, ``seed``, ``audit verify``,
``bench NAME`` and every other management command.
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "port2port.settings")
    if sys.argv[1:2] == ["bench"]:
        # Benchmarks run in throw-away databases with the demo data, so they need
        # none of a production installation's secrets.
        os.environ.setdefault("P2P_MODE", "demo")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["port2port", *sys.argv[1:]])


if __name__ == "__main__":
    main()
