"""``port2port mqtt_consume``: feed MQTT messages to the event pipeline.

``port2port worker`` runs the same consumer in a thread when ``P2P_MQTT_URL`` is
set; this command runs it alone (one more consumer process; with a shared
subscription in ``P2P_MQTT_TOPICS`` several of them share the load).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from port2port.detection import mqtt


class Command(BaseCommand):
    help = "Consume the MQTT topic map into events until stopped (Ctrl-C)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--url", default="", help="The broker (default: P2P_MQTT_URL)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["url"]:
            settings.MQTT_URL = options["url"]
        if not settings.MQTT_URL:
            raise CommandError("Set P2P_MQTT_URL (mqtt://host:1883) or pass --url.")
        try:
            mqtt.consume()
        except KeyboardInterrupt:
            self.stdout.write("Stopped.")
