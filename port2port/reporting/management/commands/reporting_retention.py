"""``manage.py reporting_retention``: delete the reports closed past the retention period.

The worker runs the same job (``reporting.retention``) every hour; this command
runs it at once.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from port2port.reporting.services import retention_run


class Command(BaseCommand):
    help = "Delete closed reports, files included, after the retention period."

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = retention_run()
        self.stdout.write(f"Reports deleted: {deleted}.")
