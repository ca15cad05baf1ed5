"""``port2port audit verify``: recompute the audit chain; ``export``: write it as JSON lines."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from port2port.core.audit import audit_verify
from port2port.core.exports import audit_jsonl
from port2port.core.models import AuditEntry


class Command(BaseCommand):
    help = "Verify or export the tamper-evident audit trail."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="Recompute every hash of the chain.")
        verify.add_argument(
            "--expect-head",
            default="",
            help="The head hash recorded earlier; fails if the chain was cut short.",
        )
        sub.add_parser("export", help="Write every entry as JSON lines to stdout.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "export":
            for line in audit_jsonl(AuditEntry.objects.order_by("seq")):
                self.stdout.write(line, ending="")
            return
        result = audit_verify()
        if not result.ok:
            self.stderr.write(f"Audit chain BROKEN: {result.problem}.")
            self.stderr.write(f"{result.checked} entries before it verified.")
            sys.exit(1)
        expected = options["expect_head"]
        # A recorded head that is no longer in the chain means it was cut short.
        if (
            expected
            and expected != result.head_hash
            and not AuditEntry.objects.filter(hash=expected).exists()
        ):
            self.stderr.write(
                "Audit chain BROKEN: the recorded head hash is no longer in the chain."
            )
            sys.exit(1)
        self.stdout.write(f"Audit chain intact: {result.checked} entries verified.")
        self.stdout.write(f"Head hash: {result.head_hash}")
