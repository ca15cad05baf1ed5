"""Benchmark the gate-decision engine against Cedar (cedarpy) and casbin.

Run as ``python bench/gate.py [N]`` from the repository root, or as
``port2port bench gate [N]`` (N requests, 20,000 by default). The engine, Cedar
and casbin part needs no Django and no database: it builds the workload of
research/performance.md §3.2 in memory (``bench/_gate_dataset.py``) and gives
the same policy to the three engines:

- ours: ``port2port.gate.decide`` on an engine ``Snapshot``;
- Cedar, the "idiomatic" model of §3.2: four generic permits (one per
  schedule) and forbids for the ban, the pass validity, the verification and
  each of the 20 courses; grant validity lives in the entity graph (a person is
  a member of an access level only on days the grant is valid), so the entity
  store holds one day and Cedar is compared on requests of that day;
- casbin ``FastEnforcer`` indexed by zone, the RBAC + ABAC model of §3.2.

Our engine is timed on all N requests, Cedar and casbin on 5,000 (their set-up
is slow), with the same harness: after a warm-up of 200 calls, passes of one
call per request give decisions per second, and passes with ``perf_counter_ns``
around each call give p50 and p99; each figure is the best of three passes, as
``timeit`` does, because this 2-core machine is shared (garbage collection on). The Cedar and
casbin request dicts are built before timing (ours converts the instant to local
time inside ``decide``), which favours them. The last line printed is a JSON
object with every figure.
"""

from __future__ import annotations

import datetime as dt
import gc
import importlib.metadata
import json
import statistics
import subprocess
import sys
import tempfile
import time
import zoneinfo
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent
for _path in (str(_HERE.parent), str(_HERE)):
    if _path not in sys.path:
        sys.path.insert(0, _path)

import _gate_dataset as ds  # noqa: E402
import casbin  # noqa: E402
import cedarpy  # noqa: E402

from port2port.gate import Reason, decide  # noqa: E402

COMPARE_N = 5_000
WARM_UP = 200

# ----------------------------------------------------------------- timing


def _percentile(sorted_ns: Sequence[int], p: float) -> float:
    k = min(len(sorted_ns) - 1, max(0, round(p / 100 * (len(sorted_ns) - 1))))
    return sorted_ns[k] / 1e3


REPEAT = 3


def _passes(
    run_untimed: Callable[[], None], run_timed: Callable[[], list[int]]
) -> dict[str, float]:
    """Return the best of ``REPEAT`` throughput passes and of ``REPEAT`` timed passes.

    Best-of-N with the garbage collector paused during each pass (both as
    ``timeit`` does) keeps other processes on this shared 2-core machine and
    collections of the benchmark's own large heap (the dataset, the entity
    stores) out of the figures; every engine is measured the same way.
    """
    walls = []
    for _ in range(REPEAT):
        gc.collect()
        gc.disable()
        started = time.perf_counter()
        run_untimed()
        walls.append(time.perf_counter() - started)
        gc.enable()
    best: dict[str, float] | None = None
    for _ in range(REPEAT):
        gc.collect()
        gc.disable()
        started = time.perf_counter()
        latencies = run_timed()
        timed_wall = time.perf_counter() - started
        gc.enable()
        latencies.sort()
        figures = {
            "n": len(latencies),
            "per_s": len(latencies) / min(walls),
            "timed_per_s": len(latencies) / timed_wall,
            "p50_us": _percentile(latencies, 50),
            "p99_us": _percentile(latencies, 99),
            "max_us": latencies[-1] / 1e3,
            "mean_us": statistics.fmean(latencies) / 1e3,
        }
        if best is None or figures["p99_us"] < best["p99_us"]:
            best = figures
    assert best is not None
    return best


def time_calls(call: Callable[[Any], object], items: Sequence[Any]) -> dict[str, float]:
    """Time ``call(item)`` over ``items``: throughput, then per-call latency.

    After a warm-up, passes without a clock read per call give decisions per
    second; passes with ``perf_counter_ns`` around each call give the latency
    percentiles (their own rate, slower by the clock reads, is kept too).
    """
    for item in items[:WARM_UP]:
        call(item)

    def untimed() -> None:
        for item in items:
            call(item)

    def timed() -> list[int]:
        clock = time.perf_counter_ns
        latencies = []
        for item in items:
            t0 = clock()
            call(item)
            latencies.append(clock() - t0)
        return latencies

    return _passes(untimed, timed)


def time_engine(snapshot: Any, requests: Sequence[Any]) -> dict[str, float]:
    """Like ``time_calls`` with ``decide`` called directly (no wrapper function)."""
    for request, at in requests[:WARM_UP]:
        decide(snapshot, request, at=at)

    def untimed() -> None:
        for request, at in requests:
            decide(snapshot, request, at=at)

    def timed() -> list[int]:
        clock = time.perf_counter_ns
        latencies = []
        for request, at in requests:
            t0 = clock()
            decide(snapshot, request, at=at)
            latencies.append(clock() - t0)
        return latencies

    return _passes(untimed, timed)


def show(name: str, figures: dict[str, float]) -> None:
    print(
        f"  {name:<38} {figures['per_s']:>9,.0f}/s "
        f"({figures['timed_per_s']:>9,.0f}/s timed)  p50 {figures['p50_us']:6.1f} µs"
        f"  p99 {figures['p99_us']:6.1f} µs  max {figures['max_us']:7.1f} µs"
        f"  (n={figures['n']:,})",
        flush=True,
    )


# ----------------------------------------------------------------- context


def _local_context(
    data: ds.GateDataset,
) -> list[dict[str, int]]:
    """Return the local day (ordinal), hour and weekday of every request."""
    tz = zoneinfo.ZoneInfo(data.timezone)
    out = []
    for _, _, at in data.requests:
        local = at.astimezone(tz)
        out.append(
            {
                "day": local.date().toordinal(),
                "hour": local.hour,
                "dow": local.weekday(),
            }
        )
    return out


def _schedule_condition(schedule_id: int) -> list[str]:
    _, _, hour_from, hour_to, days = ds.SCHEDULES[schedule_id]
    parts = []
    if (hour_from, hour_to) != (0, 24):
        if hour_from < hour_to:
            parts.append(f"context.hour >= {hour_from} && context.hour < {hour_to}")
        else:
            parts.append(f"(context.hour >= {hour_from} || context.hour < {hour_to})")
    if len(days) < 7:
        parts.append(f"[{', '.join(map(str, days))}].contains(context.dow)")
    return parts


def _access_level(zone_id: int, schedule_id: int) -> str:
    return f"Z{zone_id}/S{schedule_id}"


# ----------------------------------------------------------------- cedar

# Cedar's forbid policy ids, and the engine reasons they correspond to.
_CEDAR_REASONS = {
    Reason.PORT_BAN: "port_ban",
    Reason.PASS_EXPIRED: "pass_expired",
    Reason.PASS_NOT_ACTIVE: "pass_expired",
    Reason.VERIFICATION_MISSING: "verification_missing",
    Reason.TRAINING_MISSING: "training",
    Reason.TRAINING_EXPIRED: "training",
}


def cedar_policies() -> str:
    """Return the idiomatic model: 4 schedule permits, 3 + 20 forbids."""
    out = []
    for schedule_id, name, *_ in ds.SCHEDULES:
        conditions = [
            f"principal in resource.al{schedule_id}",
            *_schedule_condition(schedule_id),
        ]
        out.append(
            f'@id("schedule:{name}")\n'
            f'permit(principal, action == Action::"enter", resource) '
            f"when {{ {' && '.join(conditions)} }};"
        )
    out.append(
        '@id("port_ban")\nforbid(principal, action, resource) when { principal.banned };'
    )
    out.append(
        '@id("pass_expired")\nforbid(principal, action, resource) unless '
        "{ principal.pass_from <= context.day && context.day <= principal.pass_until };"
    )
    out.append(
        '@id("verification_missing")\nforbid(principal, action, resource) when '
        "{ resource.requires_verification && !(principal.verif_from <= context.day"
        " && context.day <= principal.verif_until) };"
    )
    for c in range(ds.N_COURSES):
        code = f"C{c:02d}"
        out.append(
            f'@id("training:{code}")\nforbid(principal, action, resource) when '
            f'{{ resource.courses.contains("{code}") && !(principal.courses has "{code}"'
            f' && principal.courses["{code}"] >= context.day) }};'
        )
    return "\n".join(out)


def cedar_entities(data: ds.GateDataset, day: dt.date) -> list[dict[str, Any]]:
    """Return the entity store for ``day``: grants valid that day are memberships."""
    banned = {pid for pid, first, last in data.bans if first <= day <= last}
    verification = {pid: (first, last) for pid, _, first, last in data.verifications}
    courses: dict[int, dict[str, int]] = {}
    for pid, code, last in data.courses:
        courses.setdefault(pid, {})[code] = last.toordinal()
    levels: dict[int, list[dict[str, str]]] = {}
    for pid, zone_id, schedule_id, first, last in data.grants:
        if first <= day <= last:
            levels.setdefault(pid, []).append(
                {"type": "AccessLevel", "id": _access_level(zone_id, schedule_id)}
            )
    entities: list[dict[str, Any]] = []
    for number, pid, first, last, _ in data.passes:
        verif_from, verif_until = verification.get(pid, (dt.date.max, dt.date.min))
        entities.append(
            {
                "uid": {"type": "Person", "id": number},
                "attrs": {
                    "banned": pid in banned,
                    "pass_from": first.toordinal(),
                    "pass_until": last.toordinal(),
                    "verif_from": verif_from.toordinal(),
                    "verif_until": verif_until.toordinal(),
                    "courses": courses.get(pid, {}),
                },
                "parents": levels.get(pid, []),
            }
        )
    zones = {zone[0]: zone for zone in data.zones}
    for point_id, zone_id in data.access_points:
        _, _, requires_verification, required = zones[zone_id]
        attrs: dict[str, Any] = {
            "requires_verification": requires_verification,
            "courses": list(required),
        }
        for schedule_id, *_ in ds.SCHEDULES:
            attrs[f"al{schedule_id}"] = {
                "__entity": {
                    "type": "AccessLevel",
                    "id": _access_level(zone_id, schedule_id),
                }
            }
        entities.append(
            {
                "uid": {"type": "Gate", "id": str(point_id)},
                "attrs": attrs,
                "parents": [{"type": "Zone", "id": f"Z{zone_id}"}],
            }
        )
    for zone_id in zones:
        entities.append(
            {"uid": {"type": "Zone", "id": f"Z{zone_id}"}, "attrs": {}, "parents": []}
        )
        for schedule_id, *_ in ds.SCHEDULES:
            entities.append(
                {
                    "uid": {
                        "type": "AccessLevel",
                        "id": _access_level(zone_id, schedule_id),
                    },
                    "attrs": {},
                    "parents": [],
                }
            )
    return entities


def cedar_request(
    number: str, point_id: int, context: dict[str, int]
) -> dict[str, Any]:
    return {
        "principal": {"type": "Person", "id": number},
        "action": {"type": "Action", "id": "enter"},
        "resource": {"type": "Gate", "id": str(point_id)},
        "context": context,
    }


# ----------------------------------------------------------------- casbin

CASBIN_MODEL = """
[request_definition]
r = sub, obj, act, env

[policy_definition]
p = sub, obj, act, hfrom, hto, days

[role_definition]
g = _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act && in_sched(r.env, p.hfrom, p.hto, p.days) && grant_valid(r.sub, p.sub, r.env) && !g(r.sub, "BANNED") && subject_ok(r.sub, r.obj, r.env)
"""


def casbin_enforcer(data: ds.GateDataset, workdir: Path) -> Any:
    """Return a FastEnforcer for the data (bans cover every request day here)."""
    (workdir / "gate_model.conf").write_text(CASBIN_MODEL)
    with (workdir / "gate_policy.csv").open("w") as f:
        for zone_id, *_ in data.zones:
            for schedule_id, _, hour_from, hour_to, days in ds.SCHEDULES:
                f.write(
                    f"p, {_access_level(zone_id, schedule_id)}, Z{zone_id}, enter, "
                    f"{hour_from}, {hour_to}, {''.join(map(str, days))}\n"
                )
        number_of = {pid: number for number, pid, *_ in data.passes}
        for pid, zone_id, schedule_id, *_ in data.grants:
            f.write(f"g, {number_of[pid]}, {_access_level(zone_id, schedule_id)}\n")
        for pid, *_ in data.bans:
            f.write(f"g, {number_of[pid]}, BANNED\n")
    enforcer = casbin.FastEnforcer(
        str(workdir / "gate_model.conf"),
        str(workdir / "gate_policy.csv"),
        cache_key_order=[1],
    )

    validity = {
        (number_of[pid], _access_level(zone_id, schedule_id)): (
            first.toordinal(),
            last.toordinal(),
        )
        for pid, zone_id, schedule_id, first, last in data.grants
    }
    passes = {
        number: (first.toordinal(), last.toordinal())
        for number, _, first, last, _ in data.passes
    }
    verification = {
        number_of[pid]: (first.toordinal(), last.toordinal())
        for pid, _, first, last in data.verifications
    }
    courses: dict[str, dict[str, int]] = {}
    for pid, code, last in data.courses:
        courses.setdefault(number_of[pid], {})[code] = last.toordinal()
    zones = {f"Z{zone_id}": (req_ver, req) for zone_id, _, req_ver, req in data.zones}

    def in_sched(env: dict[str, int], hour_from: str, hour_to: str, days: str) -> bool:
        hf, ht, hour = int(hour_from), int(hour_to), env["hour"]
        if str(env["dow"]) not in days:
            return False
        return hf <= hour < ht if hf < ht else (hour >= hf or hour < ht)

    def grant_valid(number: str, level: str, env: dict[str, int]) -> bool:
        span = validity.get((number, level))
        return span is not None and span[0] <= env["day"] <= span[1]

    def subject_ok(number: str, zone: str, env: dict[str, int]) -> bool:
        day = env["day"]
        first, last = passes[number]
        if not first <= day <= last:
            return False
        requires_verification, required = zones[zone]
        if requires_verification:
            span = verification.get(number)
            if span is None or not span[0] <= day <= span[1]:
                return False
        held = courses.get(number, {})
        return all(held.get(code, -1) >= day for code in required)

    enforcer.add_function("in_sched", in_sched)
    enforcer.add_function("grant_valid", grant_valid)
    enforcer.add_function("subject_ok", subject_ok)
    return enforcer


# ----------------------------------------------------------------- run


def run_engines(n_requests: int = ds.N_REQUESTS) -> dict[str, Any]:
    """Run the three engines on the same requests; return the headline figures."""
    started = time.perf_counter()
    data = ds.build_dataset(n_requests=n_requests)
    built = time.perf_counter()
    snapshot = ds.dataset_snapshot(data)
    snapshot_s = time.perf_counter() - built
    requests = ds.dataset_requests(data)
    print(
        f"workload: {len(data.persons):,} people, {len(data.zones)} zones, "
        f"{len(data.access_points):,} access points, {len(data.grants):,} grants, "
        f"{len(data.bans)} bans, {len(requests):,} requests; drawn in "
        f"{built - started:.1f} s, engine snapshot built in {snapshot_s:.1f} s",
        flush=True,
    )

    print(
        "policy given to all three engines: port ban; pass valid on the local day;"
        " a grant for the gate's zone valid on the local day whose schedule covers"
        " the local weekday and hour; the security verification the zone asks for,"
        " valid that day; every course the zone asks for, held and not expired."
        " The workload uses nothing else (no visits, vehicles, anti-passback,"
        " biometrics, escorts or security levels; passes are activated where their"
        " holders have grants), so the engines must agree on every request."
    )
    ours = [decide(snapshot, request, at=at) for request, at in requests]
    print(f"grant rate {sum(d.allowed for d in ours) / len(ours):.1%}")
    print("\n[ours] port2port.gate.decide, all requests")
    engine = time_engine(snapshot, requests)
    show("decide(), single calls", engine)

    contexts = _local_context(data)
    today = data.today.toordinal()

    # Cedar: the same-day requests (the entity store encodes one day's grants).
    same_day = [i for i, c in enumerate(contexts) if c["day"] == today][:COMPARE_N]
    policies = cedarpy.PolicySet.from_str(cedar_policies())
    t0 = time.perf_counter()
    entity_json = json.dumps(cedar_entities(data, data.today))
    entities = cedarpy.Entities.from_json_str(entity_json)
    cedar_load_s = time.perf_counter() - t0
    print(
        f"\n[cedar] cedarpy {_version('cedarpy')}: 4 permits + "
        f"{3 + ds.N_COURSES} forbids; {len(entities):,} entities "
        f"({len(entity_json) / 1e6:.0f} MB JSON) built and parsed in {cedar_load_s:.1f} s"
    )
    del entity_json
    cedar_items = [
        cedar_request(data.requests[i][0], data.requests[i][1], contexts[i])
        for i in same_day
    ]
    cedar_mismatches = 0
    reason_mismatches = 0
    for i, item in zip(same_day, cedar_items, strict=True):
        result = cedarpy.is_authorized(item, policies, entities)
        if result.allowed != ours[i].allowed:
            cedar_mismatches += 1
        names = result.diagnostics.id_annotations_by_reason
        theirs = (
            set()
            if result.allowed
            else {names.get(r, r).split(":")[0] for r in result.diagnostics.reasons}
        )
        mine = {_CEDAR_REASONS[r] for r in ours[i].reasons if r in _CEDAR_REASONS}
        if theirs != mine:
            reason_mismatches += 1
    print(
        f"  compared on {len(same_day):,} requests of {data.today} (the entity "
        f"store's day): {cedar_mismatches} allow/deny mismatches, "
        f"{reason_mismatches} forbid-reason-set mismatches"
    )
    cedar = time_calls(
        lambda item: cedarpy.is_authorized(item, policies, entities), cedar_items
    )
    show("cedarpy.is_authorized, single calls", cedar)
    engine_same_day = time_engine(snapshot, [requests[i] for i in same_day])
    show("ours on the same requests", engine_same_day)

    # casbin: the first requests (it takes the day from the request context).
    compare = list(range(min(COMPARE_N, len(requests))))
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        enforcer = casbin_enforcer(data, Path(tmp))
        casbin_load_s = time.perf_counter() - t0
    print(
        f"\n[casbin] casbin {_version('casbin')} FastEnforcer "
        f"(indexed by zone): {len(data.zones) * len(ds.SCHEDULES):,} p-lines + "
        f"{len(data.grants) + len(data.bans):,} g-lines loaded in {casbin_load_s:.1f} s"
    )
    zone_of = dict(data.access_points)
    casbin_items = [
        (data.requests[i][0], f"Z{zone_of[data.requests[i][1]]}", "enter", contexts[i])
        for i in compare
    ]
    casbin_mismatches = sum(
        1
        for i, item in zip(compare, casbin_items, strict=True)
        if enforcer.enforce(*item) != ours[i].allowed
    )
    print(
        f"  compared on the first {len(compare):,} requests (all days): "
        f"{casbin_mismatches} allow/deny mismatches"
    )
    casbin_figures = time_calls(lambda item: enforcer.enforce(*item), casbin_items)
    show("FastEnforcer.enforce, single calls", casbin_figures)
    engine_first = time_engine(snapshot, [requests[i] for i in compare])
    show("ours on the same requests", engine_first)

    return {
        "engine_decisions_per_s": round(engine["per_s"]),
        "engine_p50_us": round(engine["p50_us"], 2),
        "engine_p99_us": round(engine["p99_us"], 2),
        "cedar_decisions_per_s": round(cedar["per_s"]),
        "cedar_p50_us": round(cedar["p50_us"], 2),
        "cedar_p99_us": round(cedar["p99_us"], 2),
        "casbin_decisions_per_s": round(casbin_figures["per_s"]),
        "casbin_p50_us": round(casbin_figures["p50_us"], 2),
        "casbin_p99_us": round(casbin_figures["p99_us"], 2),
        "speedup_vs_cedar": round(engine["per_s"] / cedar["per_s"], 1),
        "speedup_vs_casbin": round(engine["per_s"] / casbin_figures["per_s"], 1),
        "mismatches": cedar_mismatches + casbin_mismatches,
        "cedar_mismatches": cedar_mismatches,
        "casbin_mismatches": casbin_mismatches,
        "cedar_compared": len(same_day),
        "casbin_compared": len(compare),
    }


def django_figures(rate: int, seconds: int) -> dict[str, Any]:
    """Return the snapshot build time and the HTTP figures of the platform itself.

    ``_gate_django`` loads the same workload into a throw-away database of the
    configured kind (SQLite, or PostgreSQL with DATABASE_URL), times a snapshot
    build, then serves the platform with ``port2port serve`` and sends decisions at ``rate``
    per second for ``seconds``.
    """
    from _gate_django import django_figures as measure

    return measure(ds.build_dataset(), rate=rate, seconds=seconds)


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "?"


ENGINES_MARK = "ENGINE FIGURES "


def engines_in_own_process(n: int) -> dict[str, Any]:
    """Run ``run_engines`` in a fresh interpreter and return its figures.

    The three engines are framework-free; measured inside the Django process
    that ``port2port bench`` runs in, our engine ran about a third slower than in
    a plain interpreter (the same code and requests), which is not the engines'
    doing. All three are measured in that one fresh process.
    """
    child = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, str(Path(__file__).resolve()), "--engines", str(n)],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    figures: dict[str, Any] = {}
    for line in child.stdout.splitlines():
        if line.startswith(ENGINES_MARK):
            figures = json.loads(line[len(ENGINES_MARK) :])
        else:
            print(line)
    return figures


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--engines":
        figures = run_engines(int(sys.argv[2]))
        print(ENGINES_MARK + json.dumps(figures), flush=True)
        return
    n = int(sys.argv[1]) if len(sys.argv) > 1 else ds.N_REQUESTS
    print(
        f"python {sys.version.split()[0]}, cedarpy {_version('cedarpy')}, "
        f"casbin {_version('casbin')}",
        flush=True,
    )
    started = time.perf_counter()
    figures = engines_in_own_process(n)
    print(f"\nengine part took {time.perf_counter() - started:.0f} s")
    rate = int(sys.argv[2]) if len(sys.argv) > 2 else 500
    seconds = int(sys.argv[3]) if len(sys.argv) > 3 else 60
    started = time.perf_counter()
    figures.update(django_figures(rate, seconds))
    print(f"database part took {time.perf_counter() - started:.0f} s")
    print(
        f"HTTP: {figures['http_decisions_per_s']} decisions/s, p99 "
        f"{figures['http_p99_ms']} ms on {figures['database']}; snapshot from the "
        f"database built in {figures['snapshot_build_s']} s; every answered "
        f"decision stored: {figures['http_all_stored']}"
    )
    print(
        "speed-ups compare our decisions/s on all requests with Cedar's on its "
        "same-day subset and casbin's on the first requests (both printed above "
        "next to ours on the same subsets)"
    )
    print(
        f"\nours {figures['engine_decisions_per_s']:,}/s (p99 "
        f"{figures['engine_p99_us']} µs): {figures['speedup_vs_cedar']}x cedarpy "
        f"({figures['cedar_decisions_per_s']:,}/s), {figures['speedup_vs_casbin']}x "
        f"casbin ({figures['casbin_decisions_per_s']:,}/s); "
        f"{figures['mismatches']} mismatches"
    )
    keys = [
        "engine_decisions_per_s",
        "engine_p99_us",
        "cedar_decisions_per_s",
        "casbin_decisions_per_s",
        "speedup_vs_cedar",
        "speedup_vs_casbin",
        "mismatches",
        "http_decisions_per_s",
        "http_p99_ms",
        "snapshot_build_s",
        "database",
    ]
    extra = {key: value for key, value in figures.items() if key not in keys}
    print(json.dumps({**{key: figures[key] for key in keys}, **extra}))


if __name__ == "__main__":
    main()
