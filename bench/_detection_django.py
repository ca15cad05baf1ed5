"""The Django half of the detection benchmark: ingestion and alert latency.

``bench/detection.py`` calls :func:`django_figures`, which loads the Belgian demo
data into a throw-away database of the configured kind (``throwaway_database``
of ``_gate_django``), adds what the benchmark needs (a sensor token of the
Antwerp port authority, a control-room operator with a session, and one fence
segment with its own camera per intrusion probe), serves the platform with
``port2port serve`` (granian, 2 processes) and measures:

1. **Alert latency**: the rules runner runs as it does in production
   (``detection_run --loop`` in its own process), the operator's browser is
   played by a reader of ``/detection/stream/`` with the session cookie, the
   sensors send a steady background load (fence, camera and ANPR events, in
   batches every 100 ms, open-loop) and every second an intrusion probe: a
   fence alarm and a camera's person detection, which the demo rule
   ``deurganck-intrusion`` turns into an alert. That rule's dedup key is
   ``rule|port|fence segment``, so each probe uses a fence segment (and the
   camera that covers it) of its own and raises a new alert. The latency runs
   from the moment the probe was due to be sent to the moment its alert
   arrives on the stream.
2. **Ingestion over HTTP**: batches of 10,000 events posted to
   ``POST /api/v1/events`` by a few client threads, closed-loop; the figure is
   the number of rows stored (counted in the database at the end) per second
   of the run, and every accepted event must be stored.
3. **Ingestion in the process**: ``services.events_ingest`` called directly on
   the same kind of batches (and, on request, profiled).
"""

from __future__ import annotations

import cProfile
import datetime as dt
import http.client
import io
import itertools
import json
import pstats
import random
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _gate_django import ROOT, _free_port, _setup_django, _wait_for, throwaway_database

PORT = "BEANR"
INTRUSION_RULE = "deurganck-intrusion"
BATCH = 10_000
PLATE_LETTERS = "ABCDEFGHJKLMNPRSTVWXYZ"
CAMERA_LABELS = ("car", "car", "truck", "truck", "person", "bicycle", "bird")


@dataclass
class World:
    """What the benchmark sends from and as."""

    token: str
    cookie: str
    fences: list[str]
    cameras: list[str]
    anpr: list[str]
    #: One (fence, camera) pair of codes per intrusion probe, and the fence ids.
    probes: list[tuple[str, str]]
    probe_fence_ids: list[int]
    env: dict[str, str] = field(default_factory=dict)


def _percentile(ordered: list[float], p: float) -> float:
    if not ordered:
        return float("nan")
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


# ----------------------------------------------------------------- set-up


def world_build(probes: int) -> World:
    """Add the token, the operator and the probe sensors to the demo data."""
    from django.contrib.auth.backends import ModelBackend
    from django.db import transaction
    from django.test import Client

    from port2port.core.models import ApiToken, Organisation, Port, Role, User
    from port2port.core.services import _token_hash, membership_create
    from port2port.detection import services
    from port2port.detection.models import Source

    port = Port.objects.get(locode=PORT)
    authority = next(
        organisation
        for organisation in Organisation.objects.filter(ports=port).order_by("pk")
        if "port_authority" in organisation.roles
    )
    secret = "p2p_detbench_detection-benchmark-sensor-token"  # noqa: S105 - throw-away
    with transaction.atomic():
        ApiToken.objects.create(
            organisation=authority,
            name="detection benchmark sensors",
            prefix=secret[4:12],
            key_hash=_token_hash(secret),
            permissions=[ApiToken.Permission.EVENTS_WRITE],
        )
        operator = User.objects.create(
            username="bench.ccr", first_name="Bench", last_name="Operator"
        )
        membership_create(
            actor=None,
            user=operator,
            organisation=authority,
            role=Role.CONTROL_ROOM_OPERATOR,
            port=port,
        )
        # A line of fence segments north of the demo terminal, each watched by
        # its own camera: a probe's alert cannot fold into another probe's.
        pairs, fence_ids = [], []
        for i in range(probes):
            lon = 4.20 + i * 0.0005
            a, b = [lon, 51.30], [lon + 0.0004, 51.30]
            fence = services.source_create(
                port=port,
                code=f"BENCH-F{i:04d}",
                name=f"Benchmark fence segment {i}",
                kind=Source.Kind.FENCE_SEGMENT,
                geometry={"type": "LineString", "coordinates": [a, b]},
                sensor_ids=[f"bf{i:04d}-1"],
            )
            mast = [lon + 0.0002, 51.2995]
            camera = services.source_create(
                port=port,
                code=f"BENCH-C{i:04d}",
                name=f"Benchmark fence camera {i}",
                kind=Source.Kind.CAMERA,
                geometry={"type": "Polygon", "coordinates": [[mast, a, b, mast]]},
                covers=[fence],
            )
            pairs.append((fence.code, camera.code))
            fence_ids.append(fence.pk)
    client = Client()
    client.force_login(
        operator, backend=f"{ModelBackend.__module__}.{ModelBackend.__name__}"
    )
    from django.conf import settings

    demo = Source.objects.filter(port=port).exclude(code__startswith="BENCH-")
    return World(
        token=secret,
        cookie=f"{settings.SESSION_COOKIE_NAME}="
        f"{client.cookies[settings.SESSION_COOKIE_NAME].value}",
        fences=list(
            demo.filter(kind=Source.Kind.FENCE_SEGMENT).values_list("code", flat=True)
        ),
        cameras=list(
            demo.filter(kind=Source.Kind.CAMERA).values_list("code", flat=True)
        ),
        anpr=list(
            demo.filter(kind=Source.Kind.ANPR_CAMERA).values_list("code", flat=True)
        ),
        probes=pairs,
        probe_fence_ids=fence_ids,
    )


# ----------------------------------------------------------------- events


class Traffic:
    """Realistic sensor events: camera detections, ANPR reads, fence alarms.

    Half camera detections (a person in one of seven), a third ANPR reads, the
    rest heartbeats and, one event in 2,000, a nuisance fence alarm.
    """

    def __init__(self, world: World, prefix: str, seed: int = 5) -> None:
        self.world = world
        self.prefix = prefix
        self.rng = random.Random(seed)
        self.counter = itertools.count()

    def _plate(self) -> str:
        rng = self.rng
        letters = "".join(rng.choice(PLATE_LETTERS) for _ in range(3))
        return f"{rng.randint(1, 2)}{letters}{rng.randint(0, 999):03d}"

    def event(self, at: str) -> dict[str, Any]:
        rng, world = self.rng, self.world
        n = next(self.counter)
        pick = rng.random()
        if pick < 0.50:
            label = rng.choice(CAMERA_LABELS)
            source = rng.choice(world.cameras)
            kind = "camera.object"
            payload: dict[str, Any] = {
                "label": label,
                "score": round(rng.uniform(0.55, 0.97), 2),
                "zones": ["yard"] if label != "bird" else [],
                "event": rng.choice(["new", "update", "end"]),
            }
        elif pick < 0.85:
            source = rng.choice(world.anpr)
            kind = "anpr.read"
            unreadable = rng.random() < 0.03
            payload = {
                "plate": "" if unreadable else self._plate(),
                "country": "BE",
                "confidence": 0.42 if unreadable else round(rng.uniform(0.86, 0.99), 2),
                "direction": rng.choice(["in", "out"]),
            }
        elif pick < 0.9995:
            source = rng.choice(world.fences + world.cameras + world.anpr)
            kind = "heartbeat"
            payload = {}
        else:
            source = rng.choice(world.fences)
            kind = "fence.alarm"
            payload = {
                "sensor": f"s{rng.randint(1, 4)}",
                "alarm": rng.choice(["vibration", "vibration", "wind"]),
                "strength": round(rng.uniform(0.2, 0.6), 2),
            }
        return {
            "source": source,
            "id": f"{self.prefix}-{n}",
            "time": at,
            "kind": kind,
            "payload": payload,
        }

    def batch(self, size: int, at: dt.datetime | None = None) -> list[dict[str, Any]]:
        stamp = (at or dt.datetime.now(dt.UTC)).isoformat()
        return [self.event(stamp) for _ in range(size)]


def probe_events(world: World, index: int, at: dt.datetime) -> list[dict[str, Any]]:
    """Return a fence alarm and, two seconds later, a person on the covering camera."""
    fence, camera = world.probes[index]
    return [
        {
            "source": fence,
            "id": f"probe-{index}-fence",
            "time": (at - dt.timedelta(seconds=2)).isoformat(),
            "kind": "fence.alarm",
            "payload": {"sensor": f"bf{index:04d}-1", "alarm": "cut", "strength": 0.9},
        },
        {
            "source": camera,
            "id": f"probe-{index}-camera",
            "time": at.isoformat(),
            "kind": "camera.object",
            "payload": {"label": "person", "score": 0.88, "zones": ["fence"]},
        },
    ]


def _dumps(events: list[dict[str, Any]]) -> bytes:
    return json.dumps({"events": events}, separators=(",", ":")).encode()


# ----------------------------------------------------------------- HTTP


class Platform:
    """The platform served by ``port2port serve`` in a subprocess."""

    def __init__(self, env: dict[str, str], workers: int = 2, threads: int = 4):
        self.port = _free_port()
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [
                sys.executable,
                "manage.py",
                "serve",
                "--port",
                str(self.port),
                "--workers",
                str(workers),
                "--threads",
                str(threads),
            ],
            cwd=ROOT,
            env=env,
        )
        _wait_for(self.port)

    def connection(self, timeout: float = 120) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(20)


def post_events(
    conn: http.client.HTTPConnection, token: str, body: bytes
) -> tuple[int, dict[str, Any]]:
    conn.request(
        "POST",
        "/api/v1/events",
        body=body,
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {token}",
        },
    )
    response = conn.getresponse()
    content = response.read()
    try:
        answer = json.loads(content)
    except ValueError:
        answer = {"error": content[:200].decode(errors="replace")}
    return response.status, answer


def _event_count() -> int:
    from port2port.detection.models import Event

    return Event.objects.count()


def http_ingest(
    platform: Platform, world: World, *, events: int, batch: int, clients: int
) -> dict[str, Any]:
    """Post ``events`` in batches from ``clients`` threads; count what is stored."""
    traffic = Traffic(world, "ing", seed=11)
    # Each worker process answers a first small batch before the clock starts.
    for _ in range(4):
        conn = platform.connection()
        status, answer = post_events(conn, world.token, _dumps(traffic.batch(10)))
        conn.close()
        if status != 200:
            raise RuntimeError(f"warm-up batch refused: {status} {answer}")
    started_build = time.perf_counter()
    now = dt.datetime.now(dt.UTC)
    bodies = [
        _dumps(traffic.batch(batch, now - dt.timedelta(seconds=60 - i * 0.1)))
        for i in range(events // batch)
    ]
    sent = len(bodies) * batch
    size = sum(len(b) for b in bodies) / len(bodies)
    print(
        f"ingestion over HTTP: {len(bodies)} batches of {batch:,} events "
        f"({size / 1e6:.2f} MB of JSON each) built in "
        f"{time.perf_counter() - started_build:.1f} s; {clients} client threads",
        flush=True,
    )
    before = _event_count()
    counter = iter(range(len(bodies)))
    lock = threading.Lock()
    results: list[tuple[int, dict[str, Any], float]] = [(0, {}, 0.0)] * len(bodies)

    def client() -> None:
        conn = platform.connection(timeout=300)
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                conn.close()
                return
            t0 = time.perf_counter()
            status, answer = post_events(conn, world.token, bodies[i])
            results[i] = (status, answer, time.perf_counter() - t0)

    started = time.perf_counter()
    pool = [threading.Thread(target=client) for _ in range(clients)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    elapsed = time.perf_counter() - started
    stored = _event_count() - before
    accepted = sum(a.get("accepted", 0) for s, a, _ in results if s == 200)
    failed = [(s, a) for s, a, _ in results if s != 200]
    durations = sorted(d for _, _, d in results)
    figures = {
        "ingest_events_per_s": round(stored / elapsed),
        "ingest_sent": sent,
        "ingest_accepted": accepted,
        "ingest_stored": stored,
        "ingest_all_stored": stored == accepted == sent,
        "ingest_failed_batches": len(failed),
        "ingest_batch_p50_s": round(_percentile(durations, 50), 2),
        "ingest_batch_max_s": round(durations[-1], 2),
        "ingest_batch_mb": round(size / 1e6, 2),
    }
    print(
        f"  {stored:,} of {sent:,} events stored in {elapsed:.1f} s: "
        f"{figures['ingest_events_per_s']:,} events/s; {accepted:,} accepted, "
        f"{len(failed)} batches failed; a batch answered in "
        f"{figures['ingest_batch_p50_s']} s (median), {figures['ingest_batch_max_s']} s"
        f" (slowest); every accepted event stored: {figures['ingest_all_stored']}",
        flush=True,
    )
    if failed:
        print(f"  first failure: {failed[0][0]} {str(failed[0][1])[:300]}", flush=True)
    return figures


# ----------------------------------------------------------------- in process


def service_ingest(
    world: World, *, events: int, batch: int, profile: bool
) -> dict[str, Any]:
    """Call ``events_ingest`` directly on batches; optionally profile one batch."""
    from port2port.core.models import ApiToken
    from port2port.detection import services

    token = ApiToken.objects.get(prefix=world.token[4:12])
    traffic = Traffic(world, "svc", seed=13)
    now = dt.datetime.now(dt.UTC)
    batches = [
        traffic.batch(batch, now - dt.timedelta(seconds=60 - i * 0.1))
        for i in range(max(1, events // batch))
    ]
    before = _event_count()
    elapsed = 0.0
    for chunk in batches:
        t0 = time.perf_counter()
        services.events_ingest(actor=token, events=chunk)
        elapsed += time.perf_counter() - t0
    stored = _event_count() - before
    rate = round(stored / elapsed)
    print(
        f"ingestion in the process (events_ingest called directly): {stored:,} events "
        f"in {elapsed:.1f} s, {rate:,} events/s",
        flush=True,
    )
    figures: dict[str, Any] = {"ingest_service_events_per_s": rate}
    if profile:
        figures.update(service_profile(token, traffic, batch))
    return figures


#: What the profile breaks a batch down into: label, file (its end), function.
_PARTS = (
    ("validation, per event (_event_row)", "detection/services.py", "_event_row"),
    ("  parse_datetime", "utils/dateparse.py", "parse_datetime"),
    ("  translated error texts (gettext)", "utils/translation/__init__.py", "gettext"),
    ("Event() instances (Model.__init__)", "db/models/base.py", "__init__"),
    ("queries before the insert (sources, dedup)", "db/models/query.py", "_fetch_all"),
    ("bulk_create", "db/models/query.py", "bulk_create"),
    ("SQL execution (every query)", "db/backends/utils.py", "_execute"),
    ("commit", "db/transaction.py", "__exit__"),
)


def service_profile(token: Any, traffic: Traffic, batch: int) -> dict[str, Any]:
    """Profile ``events_ingest`` on one batch; print where the time goes."""
    from port2port.detection import services

    chunk = traffic.batch(batch)
    profiler = cProfile.Profile()
    t0 = time.perf_counter()
    profiler.enable()
    services.events_ingest(actor=token, events=chunk)
    profiler.disable()
    wall = time.perf_counter() - t0
    table: dict[tuple[str, int, str], tuple[Any, ...]] = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    total = sum(row[2] for row in table.values())
    print(
        f"profile of one batch of {batch:,} events through events_ingest: "
        f"{wall * 1000:.0f} ms wall ({total * 1000:.0f} ms under the profiler); "
        "cumulative time of:",
        flush=True,
    )
    figures: dict[str, Any] = {"ingest_profile_batch_ms": round(wall * 1000)}
    for label, suffix, name in _PARTS:
        cumulative = max(
            (
                row[3]
                for (filename, _, function), row in table.items()
                if function == name and filename.endswith(suffix)
            ),
            default=0.0,
        )
        print(
            f"  {label:<44} {cumulative * 1000:7.0f} ms  {cumulative / total:5.0%}",
            flush=True,
        )
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(12)
    print("  functions by own time:", flush=True)
    for line in out.getvalue().splitlines():
        if line.strip() and (line.lstrip()[:1].isdigit() or "ncalls" in line):
            print("   " + line.replace(str(ROOT) + "/", "")[:160], flush=True)
    return figures


# ----------------------------------------------------------------- latency


class StreamReader(threading.Thread):
    """The operator's browser: reads the alert stream, notes when each alert came."""

    def __init__(self, platform: Platform, world: World, after: int, seconds: int):
        super().__init__(daemon=True)
        self.platform = platform
        self.world = world
        self.after = after
        self.seconds = seconds
        self.first_seen: dict[int, float] = {}
        self.messages = 0
        self.connected = threading.Event()
        self.stopping = False

    def run(self) -> None:
        while not self.stopping:
            conn = self.platform.connection(timeout=60)
            conn.request(
                "GET",
                f"/detection/stream/?port={PORT}&after={self.after}"
                f"&seconds={self.seconds}",
                headers={
                    "Cookie": self.world.cookie,
                    "Accept": "text/event-stream",
                    "Last-Event-ID": str(self.after),
                },
            )
            response = conn.getresponse()
            if response.status != 200:
                raise RuntimeError(f"the stream answered {response.status}")
            self.connected.set()
            data = ""
            while not self.stopping:
                line = response.readline()
                if not line:
                    break  # The server ended the stream: reconnect.
                text = line.decode().rstrip("\r\n")
                if text.startswith("data:"):
                    data = text[5:].strip()
                elif text == "" and data:
                    received = time.time()
                    alert = json.loads(data)
                    self.messages += 1
                    self.first_seen.setdefault(int(alert["id"]), received)
                    self.after = max(self.after, int(alert["seq"]))
                    data = ""
            conn.close()


def latency_run(
    platform: Platform,
    world: World,
    env: dict[str, str],
    *,
    rate: int,
    seconds: int,
    senders: int = 4,
) -> dict[str, Any]:
    """Background load at ``rate`` events/s, one intrusion probe a second."""
    from port2port.detection import selectors
    from port2port.detection.models import Alert

    runner = subprocess.Popen(
        [sys.executable, "manage.py", "detection_run", "--loop"], cwd=ROOT, env=env
    )
    try:
        reader = StreamReader(
            platform, world, selectors.alert_seq_latest(), seconds + 120
        )
        reader.start()
        if not reader.connected.wait(30):
            raise RuntimeError("the alert stream did not open")
        # Probe 0 warms the runner (its engine is built on the first tick) and
        # shows the whole chain works; it is not counted.
        conn = platform.connection()
        status, answer = post_events(
            conn, world.token, _dumps(probe_events(world, 0, dt.datetime.now(dt.UTC)))
        )
        if status != 200 or answer.get("accepted") != 2:
            raise RuntimeError(f"the warm-up probe was refused: {status} {answer}")
        deadline = time.monotonic() + 60
        while not reader.first_seen and time.monotonic() < deadline:
            time.sleep(0.05)
        if not reader.first_seen:
            raise RuntimeError("the warm-up probe raised no alert on the stream")

        ticks_per_s = 10
        per_batch = max(1, rate // ticks_per_s)
        traffic = Traffic(world, "bg", seed=17)
        total_batches = seconds * ticks_per_s
        counter = iter(range(total_batches))
        lock = threading.Lock()
        bg_lag: list[float] = [0.0] * total_batches
        bg_accepted = [0] * total_batches
        probe_due: dict[int, float] = {}
        probe_ok: dict[int, bool] = {}
        t_start = time.perf_counter() + 0.5
        wall_offset = time.time() - time.perf_counter()

        def background() -> None:
            conn = platform.connection()
            while True:
                with lock:
                    i = next(counter, None)
                if i is None:
                    conn.close()
                    return
                due = t_start + i / ticks_per_s
                delay = due - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                with lock:
                    body = _dumps(traffic.batch(per_batch))
                status, answer = post_events(conn, world.token, body)
                bg_lag[i] = time.perf_counter() - due
                bg_accepted[i] = answer.get("accepted", 0) if status == 200 else 0

        def probes() -> None:
            conn = platform.connection()
            for k in range(1, seconds + 1):
                due = t_start + k - 0.5
                delay = due - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                body = _dumps(probe_events(world, k, dt.datetime.now(dt.UTC)))
                probe_due[k] = due + wall_offset
                status, answer = post_events(conn, world.token, body)
                probe_ok[k] = status == 200 and answer.get("accepted") == 2
            conn.close()

        pool = [threading.Thread(target=background) for _ in range(senders)]
        pool.append(threading.Thread(target=probes))
        for t in pool:
            t.start()
        for t in pool:
            t.join()
        sent_for = time.perf_counter() - t_start
        # Let the last probes come through.
        fence_of = {pk: k for k, pk in enumerate(world.probe_fence_ids)}
        deadline = time.monotonic() + 15
        alerts: dict[int, tuple[int, float]] = {}
        while time.monotonic() < deadline:
            alerts = {}
            for pk, key, created in Alert.objects.filter(
                rule_code=INTRUSION_RULE
            ).values_list("pk", "dedup_key", "created_at"):
                k = fence_of.get(int(key.rsplit("|", 1)[-1]))
                if k:
                    alerts[k] = (pk, created.timestamp())
            if len(alerts) >= seconds and all(
                pk in reader.first_seen for pk, _ in alerts.values()
            ):
                break
            time.sleep(0.2)
        reader.stopping = True
    finally:
        runner.terminate()
        runner.wait(20)
    latencies, to_alert, to_screen = [], [], []
    for k, (pk, stored_at) in alerts.items():
        seen = reader.first_seen.get(pk)
        if seen is None or k not in probe_due:
            continue
        latencies.append(seen - probe_due[k])
        to_alert.append(stored_at - probe_due[k])
        to_screen.append(seen - stored_at)
    latencies.sort()
    to_alert.sort()
    to_screen.sort()
    lag = sorted(bg_lag)
    missing = seconds - len(latencies)
    figures = {
        "alert_latency_p50_ms": round(_percentile(latencies, 50) * 1000),
        "alert_latency_p99_ms": round(_percentile(latencies, 99) * 1000),
        "alert_latency_max_ms": round(latencies[-1] * 1000) if latencies else None,
        "alert_probes": seconds,
        "alert_probes_missing": missing,
        "alert_probes_refused": sum(1 for ok in probe_ok.values() if not ok),
        "alert_stored_p50_ms": round(_percentile(to_alert, 50) * 1000),
        "alert_stored_p99_ms": round(_percentile(to_alert, 99) * 1000),
        "alert_stream_p50_ms": round(_percentile(to_screen, 50) * 1000),
        "alert_stream_p99_ms": round(_percentile(to_screen, 99) * 1000),
        "background_events_per_s": round(sum(bg_accepted) / sent_for),
        "background_batch_p99_ms": round(_percentile(lag, 99) * 1000),
    }
    print(
        f"alert latency: {seconds} s of {rate:,} events/s ({per_batch} events every "
        f"100 ms; {figures['background_events_per_s']:,}/s accepted, batch p99 "
        f"{figures['background_batch_p99_ms']} ms) and one intrusion probe a second",
        flush=True,
    )
    print(
        f"  probe sent -> alert on the stream: p50 {figures['alert_latency_p50_ms']} ms,"
        f" p99 {figures['alert_latency_p99_ms']} ms, max "
        f"{figures['alert_latency_max_ms']} ms ({len(latencies)} of {seconds} probes;"
        f" {missing} missing, {figures['alert_probes_refused']} refused)",
        flush=True,
    )
    print(
        f"  of which probe sent -> alert stored by the runner: p50 "
        f"{figures['alert_stored_p50_ms']} ms, p99 {figures['alert_stored_p99_ms']} ms;"
        f" alert stored -> on the stream: p50 {figures['alert_stream_p50_ms']} ms, "
        f"p99 {figures['alert_stream_p99_ms']} ms ({reader.messages} alert messages"
        " read)",
        flush=True,
    )
    return figures


# ----------------------------------------------------------------- all


def django_figures(
    *,
    events: int,
    batch: int,
    clients: int,
    service_events: int,
    rate: int,
    seconds: int,
    profile: bool,
) -> dict[str, Any]:
    """Run the three Django measurements in one throw-away database."""
    _setup_django()
    from django.core.management import call_command
    from django.db import connection

    with throwaway_database() as env:
        started = time.perf_counter()
        call_command("seed", verbosity=0)
        world = world_build(seconds + 1)
        print(
            f"demo data loaded in {time.perf_counter() - started:.1f} s "
            f"({connection.vendor})",
            flush=True,
        )
        platform = Platform(env)
        try:
            figures = latency_run(platform, world, env, rate=rate, seconds=seconds)
            figures.update(
                http_ingest(
                    platform, world, events=events, batch=batch, clients=clients
                )
            )
        finally:
            platform.stop()
        figures.update(
            service_ingest(world, events=service_events, batch=batch, profile=profile)
        )
        figures["database"] = connection.vendor
    return figures
