"""``port2port worker``: run background tasks and the platform's continuous loops.

It runs the django-tasks-db worker in this process, writes a heartbeat that
``/healthz`` reports, and runs the registered periodic jobs in a thread (see
``port2port.core.periodic``). Later modules add their loops (event consumers,
alert escalation, retention) to ``LOOPS``.

When ``P2P_MQTT_URL`` is set, the detection module's MQTT consumer runs in a
thread too (named by a dotted path: the registry does not import the apps).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections
from django.utils.module_loading import import_string

from port2port.core.periodic import jobs_run_due, periodic_loop
from port2port.core.services import worker_heartbeat

logger = logging.getLogger(__name__)

MQTT_CONSUMER = "port2port.detection.mqtt.consume"


def _heartbeat_loop(name: str, stop: threading.Event) -> None:
    while not stop.wait(settings.WORKER_HEARTBEAT_SECONDS):
        try:
            worker_heartbeat(name=name)
        except Exception:
            logger.exception("Could not write the worker heartbeat")
        finally:
            close_old_connections()


class Command(BaseCommand):
    help = "Run background tasks and write a heartbeat (Ctrl-C stops it)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=1.0)
        parser.add_argument(
            "--once",
            action="store_true",
            help="Run the periodic jobs that are due and the tasks that are waiting, "
            "then stop.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from django_tasks_db.management.commands.db_worker import Worker

        name = f"{socket.gethostname()}:{os.getpid()}"
        worker_heartbeat(name=name)
        stop = threading.Event()
        beat = threading.Thread(target=_heartbeat_loop, args=(name, stop), daemon=True)
        beat.start()
        if options["once"]:
            jobs_run_due(worker=name)
        else:
            threading.Thread(
                target=periodic_loop,
                kwargs={"worker": name, "stop": stop},
                name="periodic",
                daemon=True,
            ).start()
            if settings.MQTT_URL:
                threading.Thread(
                    target=import_string(MQTT_CONSUMER),
                    kwargs={"stop": stop},
                    name="mqtt",
                    daemon=True,
                ).start()
        worker = Worker(
            queue_names=["*"],
            interval=options["interval"],
            batch=options["once"],
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=name,
            excluded_queue_names=[],
        )
        worker.configure_signals()
        logger.info("Worker %s started", name)
        try:
            worker.run()
        finally:
            stop.set()
            worker.reset_signals()
