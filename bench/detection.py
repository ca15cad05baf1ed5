"""``port2port bench detection [NAME=VALUE ...]``: detection and the control room.

The figures of the issue's performance section, on the database configured
(SQLite, or PostgreSQL with DATABASE_URL):

1. **Ingestion** (``ingest_events_per_s``): in a throw-away database with the
   Belgian demo data, the platform is served by ``port2port serve`` (granian, 2
   processes) and ``events`` (300,000) realistic fence, camera and ANPR events
   are posted to ``POST /api/v1/events`` in batches of ``batch`` (10,000) by
   ``clients`` (4) threads of this process with a sensor token; the figure is
   the rows stored (counted at the end; every accepted event must be stored)
   per second of the run. ``ingest_service_events_per_s`` is the rate of
   ``services.events_ingest`` called in this process on ``service`` (100,000)
   events; ``profile=1`` adds a profile of one batch.
2. **Rules engine and AIS** (``rules_events_per_s``, ``ais_sentences_per_s``):
   ``rules_figures`` and ``ais_figures`` of ``_detection_engines`` (no
   framework, no database): 100 rules over ``rules`` (500,000) events, and
   ``ais`` (200,000) NMEA sentences decoded, tracked and geofenced.
3. **Alert latency** (``alert_latency_p99_ms``): with the rules runner running
   as in production (``detection_run --loop``) and a control-room operator
   reading the alert stream ``/detection/stream/`` with a session cookie, the
   sensors send ``rate`` (2,000) events/s for ``seconds`` (60) and, every
   second, a fence alarm and a camera's person detection that the demo rule
   turns into a new alert; the time runs from the moment the pair was due to be
   sent to the moment its alert arrives on the stream (see
   ``_detection_django``).

``engines=0`` or ``django=0`` leave out one half. The last line printed is one
JSON object: the five headline keys first, then every other figure.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent
for _path in (str(_HERE.parent), str(_HERE)):
    if _path not in sys.path:
        sys.path.insert(0, _path)

import _detection_engines as engines  # noqa: E402

DEFAULTS = {
    "events": 300_000,
    "batch": 10_000,
    "clients": 4,
    "service": 100_000,
    "rate": 2_000,
    "seconds": 60,
    "rules": engines.N_EVENTS,
    "ais": engines.N_SENTENCES,
    "profile": 1,
    "engines": 1,
    "django": 1,
}
KEYS = (
    "ingest_events_per_s",
    "rules_events_per_s",
    "ais_sentences_per_s",
    "alert_latency_p99_ms",
    "database",
)


def arguments(argv: list[str]) -> dict[str, int]:
    """Read ``NAME=VALUE`` arguments over the defaults."""
    options = dict(DEFAULTS)
    for item in argv:
        name, _, value = item.partition("=")
        name = name.lstrip("-").replace("-", "_")
        if name not in options or not value:
            raise SystemExit(
                f"unknown argument {item!r}; use NAME=VALUE with NAME one of "
                + ", ".join(f"{k} ({v})" for k, v in DEFAULTS.items())
            )
        options[name] = int(value.replace("_", ""))
    return options


def main() -> None:
    options = arguments(sys.argv[1:])
    print(f"python {sys.version.split()[0]}; {options}", flush=True)
    figures: dict[str, Any] = {}
    started = time.perf_counter()
    if options["engines"]:
        figures.update(engines.rules_figures(options["rules"]))
        figures.update(engines.ais_figures(options["ais"]))
    if options["django"]:
        from _detection_django import django_figures

        figures.update(
            django_figures(
                events=options["events"],
                batch=options["batch"],
                clients=options["clients"],
                service_events=options["service"],
                rate=options["rate"],
                seconds=options["seconds"],
                profile=bool(options["profile"]),
            )
        )
    else:
        from _gate_django import _setup_django
        from django.db import connection

        _setup_django()

        figures["database"] = connection.vendor
    print(f"benchmark ran for {time.perf_counter() - started:.0f} s", flush=True)
    head = {key: figures.get(key) for key in KEYS}
    print(json.dumps({**head, **{k: v for k, v in figures.items() if k not in KEYS}}))


if __name__ == "__main__":
    main()
