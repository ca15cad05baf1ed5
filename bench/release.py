"""``port2port bench release [RELEASES] [RATE] [SECONDS]``: secure container release.

In a throw-away database of the configured kind (SQLite, or PostgreSQL with
DATABASE_URL) loaded with the Belgian demo data, it measures:

1. **Bulk creation**: the shipping agent creates RELEASES (100,000) releases in one
   call of the service layer (``release_create_bulk``: every row validated, ISO
   6346 check digits included, then written in batches with their timeline steps
   and audit entries), timed from the call to its return.
2. **Pick-up checks over HTTP**: some of those releases are made ready to be
   picked up (handed to a haulier, discharged, released by the terminal and by
   customs, a driver assigned: written directly, as setup), the platform is served
   with ``port2port serve`` (granian, 2 processes) and the terminal's gate asks
   ``POST /api/v1/releases/pickups`` at RATE (200) a second for SECONDS (60),
   open-loop: latency counts from the moment each request was due. Each check
   presents the assigned driver's pass, a biometric match and the truck's plate,
   so each one is a pick-up that the platform must allow once and store.

At the end it checks that every allowed answer left its release picked up and
its attempt stored. The last line is one JSON object.
"""

from __future__ import annotations

import datetime as dt
import gc
import http.client
import json
import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _gate_django import (
    ROOT,
    _free_port,
    _setup_django,
    _wait_for,
    settle_database,
    throwaway_database,
)

OWNERS = ("MSCU", "MEDU", "MAEU", "CMAU", "HLXU", "ONEU", "EGLU", "TGHU", "CSQU")


def container_numbers(count: int, seed: int = 6346) -> list[str]:
    """Return ``count`` distinct valid ISO 6346 container numbers."""
    from stdnum import iso6346

    rng = random.Random(seed)
    serials = rng.sample(range(1_000_000), count // len(OWNERS) + 1)
    numbers = []
    for i in range(count):
        base = f"{OWNERS[i % len(OWNERS)]}{serials[i // len(OWNERS)]:06d}"
        numbers.append(base + iso6346.calc_check_digit(base))
    return numbers


def _world() -> dict[str, Any]:
    """Pick the demo's agent, forwarder, haulier and terminal; add drivers and a token."""
    from django.utils import timezone

    from port2port.access.models import PassActivation, PortPass
    from port2port.core.models import ApiToken, Facility, Organisation, Person, User
    from port2port.core.services import _token_hash

    now = timezone.now()
    agent_org = Organisation.objects.get(name="Meridian Liner Agency NV")
    forwarder = Organisation.objects.get(name="Brabo Freight NV")
    haulier = Organisation.objects.get(name="Maes Logistics BV")
    terminal = (
        Facility.objects.filter(port__locode="BEANR", kind=Facility.Kind.CONTAINER)
        .order_by("code")
        .first()
    )
    assert terminal is not None
    drivers = []
    for i in range(50):
        person = Person.objects.create(
            first_name="Bench",
            last_name=f"Driver {i:02d}",
            date_of_birth=dt.date(1980, 1, 1) + dt.timedelta(days=97 * i),
            employer=haulier,
        )
        port_pass = PortPass.objects.create(
            person=person,
            number=f"P2PBENCH{i:07d}",
            state=PortPass.State.ACTIVE,
            issued_by=haulier,
            issued_at=now - dt.timedelta(days=30),
            collect_by=(now + dt.timedelta(days=150)).date(),
            activated_at=now - dt.timedelta(days=29),
            valid_until=now + dt.timedelta(days=365),
        )
        PassActivation.objects.create(
            port_pass=port_pass, facility=terminal, activated_at=now
        )
        drivers.append((person.pk, port_pass.number, f"1BEN{i:03d}"))
    secret = f"p2p_rb{terminal.pk:06d}_release-benchmark-token"
    ApiToken.objects.create(
        prefix=secret[4:12],
        key_hash=_token_hash(secret),
        name="release benchmark gate",
        organisation_id=terminal.operator_id,
        facility=terminal,
        permissions=[ApiToken.Permission.GATE_DECIDE],
    )
    return {
        "agent_org": agent_org,
        "agent": User.objects.get(username="agent.meridian"),
        "forwarder": forwarder,
        "haulier": haulier,
        "terminal": terminal,
        "drivers": drivers,
        "token": secret,
    }


def bulk_figures(world: dict[str, Any], count: int) -> tuple[dict[str, Any], list[int]]:
    """Create ``count`` releases in one service call; return the figures and ids."""
    from django.utils import timezone

    from port2port.release import services
    from port2port.release.models import Release

    now = timezone.now()
    existing = set(Release.objects.values_list("container_number", flat=True))
    numbers = [n for n in container_numbers(count + len(existing)) if n not in existing]
    rows = [
        services.ReleaseInput(
            container_number=number,
            terminal_id=world["terminal"].pk,
            holder_id=world["forwarder"].pk,
            valid_until=now + dt.timedelta(days=14),
            bills_of_lading=(f"MEDUBL{i:08d}",),
            reference=f"BENCH-{i:06d}",
        )
        for i, number in enumerate(numbers[:count])
    ]
    before = Release.objects.count()
    started = time.perf_counter()
    result = services.release_create_bulk(
        actor=world["agent"], agent=world["agent_org"], rows=rows
    )
    elapsed = time.perf_counter() - started
    created = Release.objects.count() - before
    print(
        f"bulk: {created:,} releases created in {elapsed:.1f} s "
        f"({created / elapsed:,.0f}/s) through release_create_bulk",
        flush=True,
    )
    return {
        "bulk_create_100k_s": round(elapsed, 1),
        "bulk_created": created,
    }, result.ids


def make_pickable(world: dict[str, Any], ids: list[int]) -> list[dict[str, str]]:
    """Hand releases to the haulier with all lights green and a driver each."""
    from django.db import transaction
    from django.utils import timezone

    from port2port.release.models import DriverAssignment, Release

    now = timezone.now()
    drivers = world["drivers"]
    requests = []
    with transaction.atomic():
        Release.objects.filter(pk__in=ids).update(
            holder=world["haulier"],
            discharged_at=now,
            terminal_released_at=now,
            customs_status=Release.CustomsStatus.RELEASED,
            light=Release.Light.GREEN,
        )
        assignments = []
        numbers = dict(
            Release.objects.filter(pk__in=ids).values_list("pk", "container_number")
        )
        for i, pk in enumerate(ids):
            person_id, pass_number, plate = drivers[i % len(drivers)]
            assignments.append(
                DriverAssignment(
                    release_id=pk,
                    transport_operator=world["haulier"],
                    driver_id=person_id,
                    pass_number=pass_number,
                    plate=plate,
                )
            )
            requests.append(
                {
                    "container_number": numbers[pk],
                    "credential": pass_number,
                    "biometric": "match",
                    "plate": plate,
                }
            )
        DriverAssignment.objects.bulk_create(assignments, batch_size=2000)
    return requests


def http_figures(
    env: dict[str, str],
    world: dict[str, Any],
    requests: list[dict[str, str]],
    *,
    rate: int,
    seconds: int,
    threads: int = 16,
) -> dict[str, Any]:
    """Ask pick-up checks at ``rate`` per second; return throughput and latency."""
    from django.db import connection

    from port2port.release.models import PickupAttempt, Release

    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [
            sys.executable,
            "manage.py",
            "serve",
            "--port",
            str(port),
            "--workers",
            "2",
            "--threads",
            "4",
        ],
        cwd=ROOT,
        env=env,
    )
    headers = {
        "Content-Type": "application/json",
        "Authorization": f"Bearer {world['token']}",
    }
    warm = 20
    total = rate * seconds
    try:
        _wait_for(port)
        for body in requests[:warm]:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            conn.request("POST", "/api/v1/releases/pickups", json.dumps(body), headers)
            conn.getresponse().read()
            conn.close()
        work = requests[warm : warm + total]
        latencies = [0.0] * len(work)
        answers: list[bool | None] = [None] * len(work)
        counter = iter(range(len(work)))
        lock = threading.Lock()
        # Keep this process's garbage collector from pausing the clients mid-run.
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
                conn.request(
                    "POST", "/api/v1/releases/pickups", json.dumps(work[i]), headers
                )
                response = conn.getresponse()
                content = response.read()
                latencies[i] = time.perf_counter() - due
                if response.status == 200:
                    answers[i] = bool(json.loads(content)["allowed"])

        pool = [threading.Thread(target=worker) for _ in range(threads)]
        for t in pool:
            t.start()
        for t in pool:
            t.join()
        elapsed = time.perf_counter() - started
    finally:
        gc.unfreeze()
        server.terminate()
        server.wait(10)
    answered = sum(1 for a in answers if a is not None)
    allowed = sum(1 for a in answers if a)
    ordered = sorted(latencies)
    picked = Release.objects.filter(status=Release.Status.PICKED_UP).filter(
        container_number__in=[w["container_number"] for w in work]
    )
    attempts = PickupAttempt.objects.filter(
        container_number__in=[w["container_number"] for w in work]
    ).count()
    figures = {
        "pickup_checks_per_s": round(answered / elapsed),
        "pickup_p50_ms": round(ordered[len(ordered) // 2] * 1000, 1),
        "pickup_p99_ms": round(ordered[int(len(ordered) * 0.99)] * 1000, 1),
        "pickup_allowed": allowed,
        "pickup_errors": len(work) - answered,
        "pickup_all_stored": attempts == answered and picked.count() == allowed,
        "database": connection.vendor,
    }
    print(
        f"pick-ups over HTTP: {figures['pickup_checks_per_s']}/s, p50 "
        f"{figures['pickup_p50_ms']} ms, p99 {figures['pickup_p99_ms']} ms; "
        f"{allowed:,} of {len(work):,} allowed, {figures['pickup_errors']} errors; "
        f"every attempt stored and every allowed release picked up: "
        f"{figures['pickup_all_stored']}",
        flush=True,
    )
    return figures


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    rate = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    seconds = int(sys.argv[3]) if len(sys.argv) > 3 else 60
    _setup_django()
    from django.core.management import call_command

    with throwaway_database() as env:
        started = time.perf_counter()
        call_command("seed", verbosity=0)
        print(f"demo data loaded in {time.perf_counter() - started:.1f} s", flush=True)
        world = _world()
        figures, ids = bulk_figures(world, count)
        needed = 20 + rate * seconds
        if len(ids) < needed:
            raise SystemExit(f"create at least {needed} releases for this run")
        requests = make_pickable(world, ids[:needed])
        settle_database()
        os.environ.setdefault("P2P_LOG_LEVEL", "WARNING")
        figures.update(http_figures(env, world, requests, rate=rate, seconds=seconds))
    keys = ["bulk_create_100k_s", "pickup_checks_per_s", "pickup_p99_ms", "database"]
    extra = {key: value for key, value in figures.items() if key not in keys}
    print(json.dumps({**{key: figures[key] for key in keys}, **extra}))


if __name__ == "__main__":
    main()
