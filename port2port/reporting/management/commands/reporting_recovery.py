"""``manage.py reporting_recovery``: make an organisation's recovery key, or use it.

``generate --organisation ID --out FILE`` makes a new key pair, keeps the public
half and writes the private half to FILE (created, never overwritten, readable
by its owner only). Take the file offline: print it or store it on a removable
medium in a safe, and delete it from the server.

``restore --key FILE [--user NAME]`` gives back access to the reports that the
recovery key opens: to every current reader of their groups who lacks it, or to
one handler. Use it when a handler left or forgot their password.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from port2port.core.errors import NotFound
from port2port.core.models import Organisation, User
from port2port.reporting import crypto, services


class Command(BaseCommand):
    help = "Generate an organisation's offline recovery key, or restore access with it."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        generate = sub.add_parser("generate", help="Make a new recovery key.")
        generate.add_argument("--organisation", type=int, required=True)
        generate.add_argument("--out", required=True, help="File for the private key")
        restore = sub.add_parser("restore", help="Restore access with a recovery key.")
        restore.add_argument("--key", required=True, help="File of the private key")
        restore.add_argument("--user", default="", help="Only this handler")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "generate":
            self._generate(options["organisation"], Path(options["out"]))
        else:
            self._restore(Path(options["key"]), options["user"])

    def _generate(self, organisation_id: int, out: Path) -> None:
        organisation = Organisation.objects.filter(pk=organisation_id).first()
        if organisation is None:
            raise CommandError(f"No organisation {organisation_id}.")
        if out.exists():
            raise CommandError(f"{out} exists; choose a new file.")
        recovery, private = services.recovery_key_create(organisation=organisation)
        descriptor = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(crypto.private_key_pem(private))
        self.stdout.write(
            f"Recovery key of {organisation.name}: {recovery.fingerprint}\n"
            f"The private key is in {out}. Keep it offline and delete it here."
        )

    def _restore(self, key_file: Path, username: str) -> None:
        try:
            private = crypto.private_key_from_pem(key_file.read_bytes())
        except (OSError, crypto.CryptoError) as exc:
            raise CommandError(f"Cannot read the recovery key: {exc}") from None
        user = None
        if username:
            user = User.objects.filter(username=username).first()
            if user is None:
                raise CommandError(f"No user {username}.")
        try:
            made = services.recovery_restore(private=private, user=user)
        except NotFound as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"Report keys given back: {made}.")
