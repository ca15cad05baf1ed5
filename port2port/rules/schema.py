"""Rules as plain dicts: the form that is stored, imported and exported as YAML.

:func:`rule_from_dict` validates a dict and returns the rule, or raises
:class:`RuleError` listing every problem with its path (``when.time_of_day.from:
'25:00' is not a time of day``). :func:`rule_to_dict` returns the dict form,
leaving out what equals the default, so that ``rule_from_dict(rule_to_dict(r))
== r``. The dicts hold only strings, numbers, booleans, lists and dicts, so they
go through ``yaml.safe_dump`` and ``json.dumps`` as they are.

Times of day are written ``"HH:MM"``. YAML 1.1 reads an unquoted ``22:00`` as
the sexagesimal number 1320, which is also its number of minutes after
midnight, so a whole number is accepted as minutes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Any, TypeVar

from port2port.rules.model import (
    AIS_POSITION,
    ALL_WEEKDAYS,
    ANY_VESSEL,
    FIELD_ROOTS,
    LARGE_SHIP,
    MINUTES_PER_DAY,
    SMALL_CRAFT,
    WEEKDAY_NAMES,
    AbsenceRule,
    ApproachRule,
    ConditionRule,
    CorrelationRule,
    CountRule,
    EventFilter,
    FieldTest,
    GeofenceRule,
    LoiterRule,
    Op,
    Relation,
    Rule,
    RuleBase,
    Scalar,
    Severity,
    TimeOfDay,
    VesselFilter,
    WatchlistRule,
)

__all__ = ["RULE_KINDS", "RuleError", "rule_from_dict", "rule_to_dict", "rule_validate"]

#: The values of ``kind`` (``geofence`` takes a ``trigger`` too).
RULE_KINDS = (
    "condition",
    "correlation",
    "count",
    "watchlist",
    "geofence",
    "absence",
)
GEOFENCE_TRIGGERS = ("enter", "loiter", "approach")

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}")
_HHMM = re.compile(r"(\d{1,2}):(\d{2})")
MAX_WINDOW_S = 7 * 24 * 3600.0
MAX_DISTANCE_M = 50_000.0


class RuleError(ValueError):
    """A rule dict that is not valid; ``errors`` lists each problem."""

    def __init__(self, errors: list[str], rule_id: str | None = None) -> None:
        self.errors = errors
        self.rule_id = rule_id
        prefix = f"rule {rule_id!r}: " if rule_id else "rule: "
        super().__init__(prefix + "; ".join(errors))


class _Missing:
    pass


_MISSING = _Missing()
E = TypeVar("E", bound=StrEnum)


class _Reader:
    """Reads one mapping, recording errors with their path instead of raising."""

    def __init__(self, data: object, path: str, errors: list[str]) -> None:
        self.path = path
        self.errors = errors
        self.seen: set[str] = set()
        if isinstance(data, Mapping):
            self.data: Mapping[str, Any] = data
        else:
            self.error("", f"must be a mapping, not {_type_name(data)}")
            self.data = {}

    def where(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def error(self, key: str, message: str) -> None:
        where = self.where(key) if key else self.path
        self.errors.append(f"{where}: {message}" if where else message)

    def has(self, key: str) -> bool:
        return key in self.data

    def raw(self, key: str) -> Any:
        self.seen.add(key)
        return self.data.get(key, _MISSING)

    def child(self, key: str) -> _Reader | None:
        value = self.raw(key)
        if value is _MISSING:
            return None
        return _Reader(value, self.where(key), self.errors)

    def text(self, key: str, default: str | _Missing = _MISSING) -> str:
        value = self.raw(key)
        if value is _MISSING:
            if isinstance(default, _Missing):
                self.error(key, "is required")
                return ""
            return default
        if not isinstance(value, str):
            self.error(key, f"must be text, not {_type_name(value)}")
            return ""
        return value

    def flag(self, key: str, default: bool) -> bool:
        value = self.raw(key)
        if value is _MISSING:
            return default
        if not isinstance(value, bool):
            self.error(key, f"must be true or false, not {_type_name(value)}")
            return default
        return value

    def number(
        self,
        key: str,
        default: float | _Missing | None = _MISSING,
        *,
        low: float = 0.0,
        high: float = float("inf"),
        low_inclusive: bool = False,
    ) -> float | None:
        value = self.raw(key)
        if value is _MISSING or (value is None and default is None):
            if isinstance(default, _Missing):
                self.error(key, "is required")
                return None
            return default
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.error(key, f"must be a number, not {_type_name(value)}")
            return None
        number = float(value)
        too_low = number < low if low_inclusive else number <= low
        if too_low or number > high or number != number:
            relation = "at least" if low_inclusive else "more than"
            bound = f" and at most {_plain(high)}" if high != float("inf") else ""
            self.error(key, f"must be {relation} {_plain(low)}{bound}, not {value!r}")
            return None
        return number

    def integer(self, key: str, default: int, *, low: int, high: int) -> int:
        value = self.raw(key)
        if value is _MISSING:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(key, f"must be a whole number, not {_type_name(value)}")
            return default
        if not low <= value <= high:
            self.error(key, f"must be between {low} and {high}, not {value}")
            return default
        return int(value)

    def choice(self, key: str, enum: type[E], default: E | _Missing = _MISSING) -> E:
        value = self.raw(key)
        if value is _MISSING and not isinstance(default, _Missing):
            return default
        try:
            return enum(value)
        except ValueError:
            allowed = ", ".join(member.value for member in enum)
            shown = "nothing" if value is _MISSING else repr(value)
            self.error(key, f"must be one of {allowed}, not {shown}")
            return next(iter(enum))

    def names(self, key: str, *, required: bool = False) -> frozenset[str]:
        """Read a list of identifiers (a single one is accepted as a list)."""
        return frozenset(self.name_list(key, required=required))

    def name_list(self, key: str, *, required: bool = False) -> tuple[str, ...]:
        value = self.raw(key)
        if value is _MISSING or value is None:
            if required:
                self.error(key, "is required")
            return ()
        items = [value] if isinstance(value, str | int) else value
        if not isinstance(items, list | tuple):
            self.error(key, f"must be a list, not {_type_name(value)}")
            return ()
        out: list[str] = []
        for index, item in enumerate(items):
            if isinstance(item, bool) or not isinstance(item, str | int):
                self.error(f"{key}[{index}]", f"must be text, not {_type_name(item)}")
            elif str(item).strip() == "":
                self.error(f"{key}[{index}]", "must not be empty")
            else:
                out.append(str(item))
        if required and not out and not items:
            self.error(key, "must not be empty")
        return tuple(dict.fromkeys(out))

    def path_value(self, key: str, default: str | _Missing | None = _MISSING) -> str:
        value = self.raw(key)
        if value is _MISSING or value is None:
            if isinstance(default, _Missing):
                self.error(key, "is required")
                return "payload.x"
            return default or ""
        problem = _path_problem(value)
        if problem or not isinstance(value, str):
            self.error(key, problem)
            return "payload.x"
        return value

    def paths(self, key: str, *, required: bool = False) -> tuple[str, ...]:
        value = self.raw(key)
        if value is _MISSING or value is None:
            if required:
                self.error(key, "is required")
            return ()
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list | tuple) or (required and not items):
            self.error(key, "must be a non-empty list of field paths")
            return ()
        out: list[str] = []
        for index, item in enumerate(items):
            problem = _path_problem(item)
            if problem:
                self.error(f"{key}[{index}]", problem)
            else:
                out.append(str(item))
        return tuple(dict.fromkeys(out))

    def finish(self) -> None:
        for key in self.data:
            if key not in self.seen:
                self.error(str(key), "is not a known field")


def _type_name(value: object) -> str:
    if value is None:
        return "null"
    return {
        bool: "true/false",
        int: "a number",
        float: "a number",
        str: "text",
        list: "a list",
        tuple: "a list",
        dict: "a mapping",
    }.get(type(value), type(value).__name__)


def _plain(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


def _path_problem(value: object) -> str:
    """Return why ``value`` is not a field path, or an empty string."""
    if not isinstance(value, str) or not value:
        return f"must be a field path such as payload.plate, not {value!r}"
    root, _, rest = value.partition(".")
    if root not in FIELD_ROOTS:
        roots = ", ".join(FIELD_ROOTS)
        return f"{value!r} must start with one of {roots}"
    if root == "payload" and (not rest or "" in rest.split(".")):
        return f"{value!r} must name a payload field (payload.name)"
    if root != "payload" and rest:
        return f"{value!r}: only payload fields have parts"
    return ""


def _is_scalar(value: object) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _scalar(value: object) -> Scalar:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"{value!r} is not a scalar")


# ----------------------------------------------------------------- reading


def _time_of_day_value(reader: _Reader, key: str, *, end: bool) -> int:
    value = reader.raw(key)
    if value is _MISSING:
        reader.error(key, "is required")
        return 0
    if isinstance(value, int) and not isinstance(value, bool):
        minutes = value
    elif isinstance(value, str) and (found := _HHMM.fullmatch(value.strip())):
        hours, mins = int(found.group(1)), int(found.group(2))
        minutes = hours * 60 + mins if mins < 60 else -1
    else:
        reader.error(key, f"{value!r} is not a time of day HH:MM")
        return 0
    top = MINUTES_PER_DAY if end else MINUTES_PER_DAY - 1
    lowest = 1 if end else 0
    if not lowest <= minutes <= top:
        reader.error(key, f"{value!r} is not a time of day between 00:00 and 24:00")
        return 0
    return minutes


def _time_of_day(reader: _Reader) -> TimeOfDay | None:
    start = _time_of_day_value(reader, "from", end=False)
    end = _time_of_day_value(reader, "to", end=True)
    weekdays: set[int] = set()
    raw = reader.raw("weekdays")
    if raw is not _MISSING:
        items = raw if isinstance(raw, list | tuple) else [raw]
        for index, item in enumerate(items):
            if isinstance(item, str) and item.lower()[:3] in WEEKDAY_NAMES:
                weekdays.add(WEEKDAY_NAMES.index(item.lower()[:3]))
            elif isinstance(item, int) and not isinstance(item, bool) and 0 <= item < 7:
                weekdays.add(item)
            else:
                reader.error(
                    f"weekdays[{index}]",
                    f"{item!r} is not a weekday (mon..sun or 0..6)",
                )
        if not items:
            reader.error("weekdays", "must not be empty")
    reader.finish()
    try:
        return TimeOfDay(start, end, frozenset(weekdays) or ALL_WEEKDAYS)
    except ValueError as error:
        reader.error("", str(error))
        return None


def _tests(reader: _Reader) -> tuple[FieldTest, ...]:
    tests: list[FieldTest] = []
    for path, spec in reader.data.items():
        reader.seen.add(path)
        problem = _path_problem(path)
        if problem:
            reader.error(str(path), problem)
            continue
        if isinstance(spec, Mapping):
            if not spec:
                reader.error(path, "needs at least one test")
            for op_name, value in spec.items():
                try:
                    op = Op(op_name)
                except ValueError:
                    allowed = ", ".join(op.value for op in Op)
                    reader.error(
                        f"{path}.{op_name}", f"is not a test; use one of {allowed}"
                    )
                    continue
                test = _test(reader, f"{path}.{op_name}", path, op, value)
                if test is not None:
                    tests.append(test)
        elif isinstance(spec, list | tuple):
            test = _test(reader, path, path, Op.IN, spec)
            if test is not None:
                tests.append(test)
        else:
            test = _test(reader, path, path, Op.EQUALS, spec)
            if test is not None:
                tests.append(test)
    return tuple(tests)


def _test(
    reader: _Reader, where: str, path: str, op: Op, value: object
) -> FieldTest | None:
    if op in (Op.IN, Op.NOT_IN):
        if not isinstance(value, list | tuple) or not value:
            reader.error(where, "must be a non-empty list")
            return None
        if not all(_is_scalar(item) for item in value):
            reader.error(where, "must list only text, numbers, true/false or null")
            return None
        return FieldTest(path, op, tuple(value))
    if op is Op.EXISTS:
        if not isinstance(value, bool):
            reader.error(where, "must be true or false")
            return None
        return FieldTest(path, op, value)
    if op in (Op.GTE, Op.LTE):
        if isinstance(value, bool) or not isinstance(value, int | float):
            reader.error(where, f"must be a number, not {_type_name(value)}")
            return None
        return FieldTest(path, op, value)
    if not _is_scalar(value):
        reader.error(
            where,
            f"must be text, a number, true/false or null, not {_type_name(value)}",
        )
        return None
    return FieldTest(path, op, _scalar(value))


def _filter(
    reader: _Reader | None, *, default_kinds: frozenset[str] = frozenset()
) -> EventFilter:
    if reader is None:
        if not default_kinds:
            raise AssertionError("a required filter is checked by the caller")
        return EventFilter(kinds=default_kinds)
    kinds = reader.names("kinds") or default_kinds
    if not kinds:
        reader.error("kinds", "is required (one or more event kinds)")
        kinds = frozenset({"?"})
    tod_reader = reader.child("time_of_day")
    time_of_day = _time_of_day(tod_reader) if tod_reader is not None else None
    where_reader = reader.child("where")
    tests = _tests(where_reader) if where_reader is not None else ()
    event_filter = EventFilter(
        kinds=kinds,
        zones=reader.names("zones"),
        sources=reader.names("sources"),
        time_of_day=time_of_day,
        min_security_level=reader.integer("min_security_level", 0, low=0, high=3),
        tests=tests,
    )
    reader.finish()
    return event_filter


def _required_filter(reader: _Reader, key: str) -> EventFilter:
    child = reader.child(key)
    if child is None:
        reader.error(key, "is required")
        return EventFilter(kinds=frozenset({"?"}))
    return _filter(child)


def _vessel(reader: _Reader, key: str, default: VesselFilter) -> VesselFilter:
    child = reader.child(key)
    if child is None:
        return default
    types: set[int] = set()
    raw = child.raw("ship_types")
    if raw is not _MISSING:
        items = raw if isinstance(raw, list | tuple) else [raw]
        for index, item in enumerate(items):
            if isinstance(item, int) and not isinstance(item, bool) and 0 <= item < 256:
                types.add(item)
            else:
                child.error(
                    f"ship_types[{index}]", f"{item!r} is not an AIS ship type 0..255"
                )
    vessel = VesselFilter(
        ship_types=frozenset(types),
        min_length_m=child.number("min_length_m", None, high=1000.0),
        max_length_m=child.number("max_length_m", None, high=1000.0),
        include_unknown=child.flag("include_unknown", False),
    )
    child.finish()
    return vessel


def _base(reader: _Reader) -> dict[str, Any]:
    rule_id = reader.text("id")
    if rule_id and not _ID.fullmatch(rule_id):
        reader.error(
            "id",
            f"{rule_id!r} must be 1 to 100 letters, digits or . _ : - "
            "starting with a letter or digit",
        )
    aggregate = reader.number(
        "aggregate_s", 600.0, high=MAX_WINDOW_S, low_inclusive=True
    )
    return {
        "id": rule_id,
        "name": reader.text("name", ""),
        "description": reader.text("description", ""),
        "severity": reader.choice("severity", Severity, Severity.MEDIUM),
        "enabled": reader.flag("enabled", True),
        "ports": reader.names("ports"),
        "aggregate_s": 600.0 if aggregate is None else aggregate,
        "dedup_by": reader.paths("dedup_by"),
    }


def _window(reader: _Reader, key: str) -> float:
    value = reader.number(key, high=MAX_WINDOW_S)
    return 1.0 if value is None else value


def _condition(reader: _Reader, base: dict[str, Any]) -> Rule:
    return ConditionRule(**base, when=_required_filter(reader, "when"))


def _correlation(reader: _Reader, base: dict[str, Any]) -> Rule:
    relation = reader.choice("relation", Relation, Relation.SAME_PORT)
    distance = reader.number("distance_m", None, high=MAX_DISTANCE_M)
    field = reader.path_value("field", None) or None
    if relation is Relation.DISTANCE and distance is None:
        reader.error("distance_m", "is required when the relation is distance")
        distance = 1.0
    if relation is not Relation.DISTANCE and reader.has("distance_m"):
        reader.error("distance_m", "is only used when the relation is distance")
    if relation is Relation.SAME_VALUE and field is None:
        reader.error("field", "is required when the relation is same_value")
    if relation is not Relation.SAME_VALUE and reader.has("field"):
        reader.error("field", "is only used when the relation is same_value")
    return CorrelationRule(
        **base,
        first=_required_filter(reader, "first"),
        then=_required_filter(reader, "then"),
        within_s=_window(reader, "within_s"),
        relation=relation,
        distance_m=distance,
        field=field,
        ordered=reader.flag("ordered", False),
    )


def _count(reader: _Reader, base: dict[str, Any]) -> Rule:
    return CountRule(
        **base,
        match=_required_filter(reader, "match"),
        within_s=_window(reader, "within_s"),
        threshold=_required_int(reader, "threshold", low=1, high=100_000),
        group_by=reader.path_value("group_by"),
        distinct=reader.path_value("distinct", None) or None,
    )


def _required_int(reader: _Reader, key: str, *, low: int, high: int) -> int:
    if not reader.has(key):
        reader.error(key, "is required")
        return low
    return reader.integer(key, low, low=low, high=high)


def _watchlist(reader: _Reader, base: dict[str, Any]) -> Rule:
    return WatchlistRule(
        **base,
        match=_required_filter(reader, "match"),
        fields=reader.paths("fields", required=True),
        lists=reader.name_list("lists", required=True),
    )


_AIS_KINDS = frozenset({AIS_POSITION})


def _geofence(reader: _Reader, base: dict[str, Any]) -> Rule:
    trigger = reader.raw("trigger")
    match = _filter(reader.child("match"), default_kinds=_AIS_KINDS)
    key = reader.path_value("key", "payload.mmsi")
    areas = reader.names("areas")
    area_kinds = reader.names("area_kinds")
    if trigger == "enter":
        if not areas and not area_kinds:
            reader.error("areas", "name at least one area (areas or area_kinds)")
        return GeofenceRule(
            **base,
            match=match,
            key=key,
            areas=areas,
            area_kinds=area_kinds,
            vessel=_vessel(reader, "vessel", ANY_VESSEL),
        )
    if trigger == "loiter":
        return LoiterRule(
            **base,
            match=match,
            key=key,
            max_speed_kn=reader.number("max_speed_kn", 1.0, high=50.0) or 1.0,
            duration_s=reader.number("duration_s", 1200.0, high=MAX_WINDOW_S) or 1.0,
            areas=areas,
            area_kinds=area_kinds,
            outside=reader.names("outside"),
            outside_kinds=reader.names("outside_kinds"),
            max_gap_s=reader.number("max_gap_s", 600.0, high=MAX_WINDOW_S) or 1.0,
            vessel=_vessel(reader, "vessel", ANY_VESSEL),
        )
    if trigger == "approach":
        return ApproachRule(
            **base,
            match=match,
            key=key,
            distance_m=reader.number("distance_m", 50.0, high=MAX_DISTANCE_M) or 1.0,
            craft=_vessel(reader, "craft", SMALL_CRAFT),
            target=_vessel(reader, "target", LARGE_SHIP),
            moored_max_speed_kn=reader.number(
                "moored_max_speed_kn", 0.5, high=50.0, low_inclusive=True
            )
            or 0.0,
            target_stale_s=reader.number("target_stale_s", 600.0, high=MAX_WINDOW_S)
            or 1.0,
            areas=areas,
            area_kinds=area_kinds,
        )
    shown = "nothing" if trigger is _MISSING else repr(trigger)
    reader.error(
        "trigger", f"must be one of {', '.join(GEOFENCE_TRIGGERS)}, not {shown}"
    )
    return GeofenceRule(**base, match=match, areas=frozenset({"?"}))


def _absence(reader: _Reader, base: dict[str, Any]) -> Rule:
    return AbsenceRule(
        **base,
        sources=reader.names("sources"),
        source_kinds=reader.names("source_kinds"),
        heartbeat_s=reader.number("heartbeat_s", None, high=MAX_WINDOW_S),
        kinds=reader.names("kinds"),
    )


_READERS: Mapping[str, Callable[[_Reader, dict[str, Any]], Rule]] = {
    "condition": _condition,
    "correlation": _correlation,
    "count": _count,
    "watchlist": _watchlist,
    "geofence": _geofence,
    "absence": _absence,
}


def rule_validate(data: object) -> list[str]:
    """Return every problem of a rule dict (an empty list when it is valid)."""
    errors: list[str] = []
    _read(data, errors)
    return errors


def rule_from_dict(data: object) -> Rule:
    """Return the rule a dict describes, or raise :class:`RuleError`."""
    errors: list[str] = []
    rule = _read(data, errors)
    if errors or rule is None:
        rule_id = data.get("id") if isinstance(data, Mapping) else None
        raise RuleError(errors, rule_id if isinstance(rule_id, str) else None)
    return rule


def _read(data: object, errors: list[str]) -> Rule | None:
    reader = _Reader(data, "", errors)
    if errors:
        return None
    base = _base(reader)
    kind = reader.raw("kind")
    build = _READERS.get(kind) if isinstance(kind, str) else None
    if build is None:
        shown = "nothing" if kind is _MISSING else repr(kind)
        reader.error("kind", f"must be one of {', '.join(RULE_KINDS)}, not {shown}")
        return None
    if kind != "geofence" and reader.has("trigger"):
        reader.raw("trigger")
        reader.error("trigger", "is only used by geofence rules")
    rule = build(reader, base)
    reader.finish()
    return rule


# ----------------------------------------------------------------- writing


def _num(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _sorted(names: frozenset[str]) -> list[str]:
    return sorted(names)


def _filter_dict(event_filter: EventFilter) -> dict[str, Any]:
    out: dict[str, Any] = {"kinds": _sorted(event_filter.kinds)}
    if event_filter.zones:
        out["zones"] = _sorted(event_filter.zones)
    if event_filter.sources:
        out["sources"] = _sorted(event_filter.sources)
    tod = event_filter.time_of_day
    if tod is not None:
        window: dict[str, Any] = {"from": _hhmm(tod.start), "to": _hhmm(tod.end)}
        if tod.weekdays != ALL_WEEKDAYS:
            window["weekdays"] = [WEEKDAY_NAMES[day] for day in sorted(tod.weekdays)]
        out["time_of_day"] = window
    if event_filter.min_security_level:
        out["min_security_level"] = event_filter.min_security_level
    if event_filter.tests:
        where: dict[str, Any] = {}
        for test in event_filter.tests:
            value: Any = (
                list(test.value) if isinstance(test.value, tuple) else test.value
            )
            if test.op in (Op.EQUALS, Op.IN) and test.path not in where:
                where[test.path] = value
            else:
                spec = where.get(test.path)
                if not isinstance(spec, dict):
                    spec = {} if spec is None else {_shorthand_op(spec): spec}
                    where[test.path] = spec
                spec[test.op.value] = value
        out["where"] = where
    return out


def _shorthand_op(value: object) -> str:
    return Op.IN.value if isinstance(value, list) else Op.EQUALS.value


def _vessel_dict(vessel: VesselFilter) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if vessel.ship_types:
        out["ship_types"] = sorted(vessel.ship_types)
    if vessel.min_length_m is not None:
        out["min_length_m"] = _num(vessel.min_length_m)
    if vessel.max_length_m is not None:
        out["max_length_m"] = _num(vessel.max_length_m)
    if vessel.include_unknown:
        out["include_unknown"] = True
    return out


def _set(out: dict[str, Any], key: str, value: object, default: object) -> None:
    if value != default:
        if isinstance(value, frozenset):
            out[key] = sorted(value)
        elif isinstance(value, tuple):
            out[key] = list(value)
        elif isinstance(value, float):
            out[key] = _num(value)
        elif isinstance(value, StrEnum):
            out[key] = value.value
        else:
            out[key] = value


def rule_to_dict(rule: Rule) -> dict[str, Any]:
    """Return the dict form of a rule, without the fields that hold defaults."""
    out: dict[str, Any] = {"id": rule.id, "kind": _kind_of(rule)}
    if isinstance(rule, GeofenceRule):
        out["trigger"] = "enter"
    elif isinstance(rule, LoiterRule):
        out["trigger"] = "loiter"
    elif isinstance(rule, ApproachRule):
        out["trigger"] = "approach"
    base = RuleBase(id=rule.id)
    for key in ("name", "description", "severity", "enabled", "ports"):
        _set(out, key, getattr(rule, key), getattr(base, key))
    _set(out, "aggregate_s", rule.aggregate_s, base.aggregate_s)
    _set(out, "dedup_by", rule.dedup_by, ())
    if isinstance(rule, ConditionRule):
        out["when"] = _filter_dict(rule.when)
    elif isinstance(rule, CorrelationRule):
        out["first"] = _filter_dict(rule.first)
        out["then"] = _filter_dict(rule.then)
        out["within_s"] = _num(rule.within_s)
        _set(out, "relation", rule.relation, Relation.SAME_PORT)
        _set(out, "distance_m", rule.distance_m, None)
        _set(out, "field", rule.field, None)
        _set(out, "ordered", rule.ordered, False)
    elif isinstance(rule, CountRule):
        out["match"] = _filter_dict(rule.match)
        out["within_s"] = _num(rule.within_s)
        out["threshold"] = rule.threshold
        out["group_by"] = rule.group_by
        _set(out, "distinct", rule.distinct, None)
    elif isinstance(rule, WatchlistRule):
        out["match"] = _filter_dict(rule.match)
        out["fields"] = list(rule.fields)
        out["lists"] = list(rule.lists)
    elif isinstance(rule, GeofenceRule | LoiterRule | ApproachRule):
        _geofence_dict(rule, out)
    else:
        _set(out, "sources", rule.sources, frozenset())
        _set(out, "source_kinds", rule.source_kinds, frozenset())
        _set(out, "heartbeat_s", rule.heartbeat_s, None)
        _set(out, "kinds", rule.kinds, frozenset())
    return out


def _geofence_dict(
    rule: GeofenceRule | LoiterRule | ApproachRule, out: dict[str, Any]
) -> None:
    if rule.match != EventFilter(kinds=_AIS_KINDS):
        out["match"] = _filter_dict(rule.match)
    _set(out, "key", rule.key, "payload.mmsi")
    _set(out, "areas", rule.areas, frozenset())
    _set(out, "area_kinds", rule.area_kinds, frozenset())
    if isinstance(rule, GeofenceRule):
        if rule.vessel != ANY_VESSEL:
            out["vessel"] = _vessel_dict(rule.vessel)
    elif isinstance(rule, LoiterRule):
        defaults = LoiterRule(id=rule.id, match=rule.match)
        for key in (
            "max_speed_kn",
            "duration_s",
            "outside",
            "outside_kinds",
            "max_gap_s",
        ):
            _set(out, key, getattr(rule, key), getattr(defaults, key))
        if rule.vessel != ANY_VESSEL:
            out["vessel"] = _vessel_dict(rule.vessel)
    else:
        approach = ApproachRule(id=rule.id, match=rule.match)
        for key in ("distance_m", "moored_max_speed_kn", "target_stale_s"):
            _set(out, key, getattr(rule, key), getattr(approach, key))
        if rule.craft != SMALL_CRAFT:
            out["craft"] = _vessel_dict(rule.craft)
        if rule.target != LARGE_SHIP:
            out["target"] = _vessel_dict(rule.target)


def _kind_of(rule: Rule) -> str:
    if isinstance(rule, ConditionRule):
        return "condition"
    if isinstance(rule, CorrelationRule):
        return "correlation"
    if isinstance(rule, CountRule):
        return "count"
    if isinstance(rule, WatchlistRule):
        return "watchlist"
    if isinstance(rule, GeofenceRule | LoiterRule | ApproachRule):
        return "geofence"
    return "absence"
