"""The Django half of the gate benchmark: snapshot build and decisions over HTTP.

It loads the §3.2 dataset into a throw-away database (a file for SQLite, a
``test_`` database on PostgreSQL), times ``snapshot_build()``, then starts the
platform with ``port2port serve`` (granian) and sends gate decisions at a fixed rate, open-loop, from
this process: latency counts from the moment each request was due, so a slow
answer also delays the ones behind it (no coordinated omission). At the end it
checks that every answered decision is stored in the access log.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "port2port.settings")
    os.environ.setdefault("P2P_MODE", "demo")
    import django

    django.setup()


@contextlib.contextmanager
def throwaway_database() -> Iterator[dict[str, str]]:
    """Create an empty migrated database; yield the environment that reaches it."""
    from django.db import connection

    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env["DJANGO_SETTINGS_MODULE"] = "port2port.settings"
    env["P2P_MODE"] = "demo"
    env["P2P_LOG_LEVEL"] = "WARNING"
    tmp = tempfile.TemporaryDirectory(prefix="p2p-bench-")
    if connection.vendor == "sqlite":
        path = Path(tmp.name) / "port2port.sqlite3"
        connection.settings_dict["TEST"]["NAME"] = str(path)
        env["P2P_VAR_DIR"] = tmp.name
        env.pop("DATABASE_URL", None)
    old_name = connection.creation.create_test_db(
        verbosity=0, autoclobber=True, serialize=False
    )
    if connection.vendor == "postgresql":
        params = connection.settings_dict
        env["DATABASE_URL"] = (
            f"postgres://{params['USER']}@{params['HOST'] or '127.0.0.1'}:"
            f"{params['PORT'] or 5432}/{params['NAME']}"
        )
    try:
        yield env
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        tmp.cleanup()


def load_dataset(data: Any) -> dict[str, Any]:
    """Insert the neutral dataset as platform rows; return what the HTTP run needs."""
    from _gate_dataset import SCHEDULES
    from django.db import transaction
    from django.utils import timezone

    from port2port.access.models import (
        AccessGrant,
        PassActivation,
        PortBan,
        PortPass,
        Schedule,
        SecurityVerification,
        ZonePolicy,
    )
    from port2port.compliance.models import Course, TrainingRecord
    from port2port.core.models import (
        AccessPoint,
        ApiToken,
        Facility,
        Organisation,
        Person,
        Port,
        Zone,
    )
    from port2port.core.services import _token_hash

    batch = 5000
    tz = timezone.get_current_timezone()
    # The dataset is drawn around its own "today"; move it to the real today so
    # that the snapshot, which leaves out what ended before today, holds it all.
    shift = timezone.localdate() - data.today

    def start_of(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day + shift, dt.time.min, tzinfo=tz)

    def moved(day: dt.date) -> dt.date:
        return day + shift

    square = {
        "type": "Polygon",
        "coordinates": [[[4.2, 51.2], [4.3, 51.2], [4.3, 51.3], [4.2, 51.2]]],
    }
    with transaction.atomic():
        port = Port.objects.create(
            locode="BEANR",
            name_en="Antwerp",
            name_nl="Antwerpen",
            name_fr="Anvers",
            kind="seaport",
            centre={"type": "Point", "coordinates": [4.3, 51.27]},
        )
        facility_ids = sorted({f for _, f, _, _ in data.zones})
        organisations = Organisation.objects.bulk_create(
            Organisation(name=f"Operator {f}", roles=["terminal_operator"])
            for f in facility_ids
        )
        facilities = Facility.objects.bulk_create(
            Facility(
                port=port,
                code=f"F{f:04d}",
                name=f"Facility {f}",
                operator=org,
                kind="container",
                boundary=square,
            )
            for f, org in zip(facility_ids, organisations, strict=True)
        )
        facility_of = {
            f: obj.pk for f, obj in zip(facility_ids, facilities, strict=True)
        }
        zone_rows = Zone.objects.bulk_create(
            Zone(
                port=port,
                facility_id=facility_of[f],
                name=f"Zone {z}",
                kind="controlled",
                boundary=square,
            )
            for z, f, _, _ in data.zones
        )
        zone_of = {z[0]: row.pk for z, row in zip(data.zones, zone_rows, strict=True)}
        codes = sorted(
            {c for _, _, _, required in data.zones for c in required}
            | {c for _, c, _ in data.courses}
        )
        Course.objects.bulk_create(Course(code=c, name=c) for c in codes)
        course_of = dict(Course.objects.values_list("code", "pk"))
        ZonePolicy.objects.bulk_create(
            ZonePolicy(
                zone_id=zone_of[z],
                verification_categories=["cargo"] if verification else [],
                courses=list(required),
            )
            for z, _, verification, required in data.zones
        )
        point_rows = AccessPoint.objects.bulk_create(
            (
                AccessPoint(
                    zone_id=zone_of[z],
                    code=f"G{p}",
                    name=f"Gate {p}",
                    kind="turnstile",
                    location={"type": "Point", "coordinates": [4.25, 51.25]},
                )
                for p, z in data.access_points
            ),
            batch_size=batch,
        )
        point_of = {
            p[0]: row.pk for p, row in zip(data.access_points, point_rows, strict=True)
        }
        zone_facility = {z: facility_of[f] for z, f, _, _ in data.zones}
        point_facility = {point_of[p]: zone_facility[z] for p, z in data.access_points}
        schedules = {
            sid: Schedule.objects.create(
                name=name,
                windows=[
                    {
                        "days": list(days),
                        "from": f"{start:02d}:00",
                        "to": f"{end % 24:02d}:00",
                    }
                ],
            ).pk
            for sid, name, start, end, days in SCHEDULES
        }
        employer = organisations[0]
        people = Person.objects.bulk_create(
            (
                Person(
                    first_name="Person",
                    last_name=str(pid),
                    date_of_birth=dt.date(1980, 1, 1),
                    nationality="BE",
                    employer=employer,
                    document_type="id_card",
                    document_number=f"D{pid}",
                )
                for pid, _ in data.persons
            ),
            batch_size=batch,
        )
        person_of = {p[0]: row.pk for p, row in zip(data.persons, people, strict=True)}
        now = timezone.now()
        pass_rows = PortPass.objects.bulk_create(
            (
                PortPass(
                    number=number,
                    person_id=person_of[pid],
                    state="active",
                    issued_by=employer,
                    issued_at=start_of(first),
                    collect_by=moved(first),
                    activated_at=start_of(first),
                    valid_until=start_of(last + dt.timedelta(days=1)),
                )
                for number, pid, first, last, _ in data.passes
            ),
            batch_size=batch,
        )
        PassActivation.objects.bulk_create(
            (
                PassActivation(
                    port_pass_id=row.pk, facility_id=facility_of[f], activated_at=now
                )
                for (_, _, _, _, activated), row in zip(
                    data.passes, pass_rows, strict=True
                )
                for f in activated
            ),
            batch_size=batch,
        )
        AccessGrant.objects.bulk_create(
            (
                AccessGrant(
                    zone_id=zone_of[z],
                    person_id=person_of[pid],
                    schedule_id=schedules[sid],
                    valid_from=start_of(first),
                    valid_until=start_of(last + dt.timedelta(days=1)),
                )
                for pid, z, sid, first, last in data.grants
            ),
            batch_size=batch,
        )
        PortBan.objects.bulk_create(
            PortBan(
                person_id=person_of[pid],
                issued_by=employer,
                starts_on=moved(first),
                ends_on=moved(last),
                legal_reference="bench",
            )
            for pid, first, last in data.bans
        )
        SecurityVerification.objects.bulk_create(
            (
                SecurityVerification(
                    person_id=person_of[pid],
                    category="cargo",
                    status="positive",
                    requested_by=employer,
                    decided_on=moved(first),
                    valid_until=moved(last),
                )
                for pid, _, first, last in data.verifications
            ),
            batch_size=batch,
        )
        TrainingRecord.objects.bulk_create(
            (
                TrainingRecord(
                    person_id=person_of[pid],
                    course_id=course_of[code],
                    completed_on=dt.date(2020, 1, 1),
                    expires_on=moved(last),
                )
                for pid, code, last in data.courses
            ),
            batch_size=batch,
        )
        # One gate token per facility, as each facility's controllers would have.
        tokens = {}
        for f, org in zip(facilities, organisations, strict=True):
            secret = f"p2p_b{f.pk:07d}_benchmark-token-{f.pk}"
            ApiToken.objects.create(
                organisation=org,
                facility=f,
                name="bench",
                prefix=f"b{f.pk:07d}",
                key_hash=_token_hash(secret),
                permissions=["gate:decide"],
            )
            tokens[f.pk] = secret
    return {
        "point_of": point_of,
        "point_facility": point_facility,
        "tokens": tokens,
        "requests": [(number, point_of[p]) for number, p, _ in data.requests],
    }


def settle_database() -> None:
    """Let the database finish with the bulk load before a timed run, as pgbench does.

    A benchmark's setup writes in a minute what production writes over months;
    left alone, the database vacuums, analyses and checkpoints that load during
    the timed run that follows. On PostgreSQL: ``VACUUM ANALYZE`` and a
    ``CHECKPOINT`` (skipped without the privilege); on SQLite: ``ANALYZE`` and a
    checkpoint of the write-ahead log.
    """
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")
            try:
                cursor.execute("CHECKPOINT")
            except Exception as exc:  # noqa: BLE001 - a privilege, not a failure
                print(f"no checkpoint before the run: {exc}", flush=True)
        else:
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    print(
        f"database settled after the load in {time.perf_counter() - started:.1f} s",
        flush=True,
    )


def snapshot_figures() -> dict[str, Any]:
    """Time a full snapshot build of the loaded dataset (best of three)."""
    from port2port.access import gate

    timings = []
    for _ in range(3):
        started = time.perf_counter()
        state = gate.snapshot_build()
        timings.append(time.perf_counter() - started)
    snapshot = state.snapshot
    return {
        "snapshot_build_s": round(min(timings), 2),
        "snapshot_passes": len(snapshot.passes),
        "snapshot_grants": sum(len(g) for g in snapshot.grants.values()),
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the server did not start")


def http_run(
    env: dict[str, str],
    setup: dict[str, Any],
    *,
    rate: int = 500,
    seconds: int = 60,
    threads: int = 24,
    workers: int = 2,
    web_threads: int = 4,
) -> dict[str, Any]:
    """Send decisions at ``rate`` per second for ``seconds``; return the figures."""
    from django.db import connection

    from port2port.access.models import AccessEvent

    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [
            sys.executable,
            "manage.py",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--threads",
            str(web_threads),
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        _wait_for(port)
        requests = setup["requests"]
        total = rate * seconds
        latencies: list[float] = [0.0] * total
        statuses: list[int] = [0] * total
        counter = iter(range(total))
        lock = threading.Lock()
        # Warm every worker (connections, caches) before the clock starts.
        warm = 50
        for i in range(warm):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            number, point = requests[i]
            conn.request(
                "POST",
                f"/api/v1/access-points/{point}/decisions",
                body=json.dumps({"credential": number}),
                headers={
                    "Content-Type": "application/json",
                    "Authorization": f"Bearer {setup['tokens'][setup['point_facility'][point]]}",
                },
            )
            conn.getresponse().read()
            conn.close()
        # This process holds the whole dataset: keep its own garbage collector
        # from walking it mid-run, a pause that would count as the server's.
        gc.collect()
        gc.freeze()
        started = time.perf_counter() + 0.2

        def worker() -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            while True:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return
                due = started + i / rate
                delay = due - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                number, point = requests[i % len(requests)]
                token = setup["tokens"][setup["point_facility"][point]]
                conn.request(
                    "POST",
                    f"/api/v1/access-points/{point}/decisions",
                    body=json.dumps({"credential": number, "biometric": "match"}),
                    headers={
                        "Content-Type": "application/json",
                        "Authorization": f"Bearer {token}",
                    },
                )
                response = conn.getresponse()
                response.read()
                statuses[i] = response.status
                latencies[i] = time.perf_counter() - due

        pool = [threading.Thread(target=worker) for _ in range(threads)]
        for t in pool:
            t.start()
        for t in pool:
            t.join()
        elapsed = time.perf_counter() - started
        ok = sum(1 for s in statuses if s == 200)
        ordered = sorted(latencies)
        stored = AccessEvent.objects.count() - warm
        return {
            "http_decisions_per_s": round(ok / elapsed),
            "http_p50_ms": round(ordered[len(ordered) // 2] * 1000, 1),
            "http_p99_ms": round(ordered[int(len(ordered) * 0.99)] * 1000, 1),
            "http_errors": total - ok,
            "http_stored": stored,
            "http_all_stored": stored == ok,
            "database": connection.vendor,
        }
    finally:
        gc.unfreeze()
        server.terminate()
        server.wait(10)


def django_figures(data: Any, *, rate: int, seconds: int) -> dict[str, Any]:
    """Load the dataset into a throw-away database and measure snapshot and HTTP."""
    _setup_django()
    with throwaway_database() as env:
        started = time.perf_counter()
        setup = load_dataset(data)
        load_s = time.perf_counter() - started
        figures = {"dataset_load_s": round(load_s, 1), **snapshot_figures()}
        settle_database()
        figures.update(http_run(env, setup, rate=rate, seconds=seconds))
    return figures
