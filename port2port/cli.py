"""The ``port2port`` command: Django's management commands under one name.

``port2port demo``, ``serve``, ``worker``, ``seed``, ``audit verify``,
``bench NAME`` and every other management command.
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "port2port.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["port2port", *sys.argv[1:]])


if __name__ == "__main__":
    main()
