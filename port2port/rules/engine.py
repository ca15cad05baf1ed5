"""Evaluate rules over a stream of events, with the time taken from the events.

The engine's clock is the latest event time it has seen (or the time given to
:meth:`Engine.advance`), never the wall clock, so a replay of stored events
yields the same matches as the live stream did. It is not thread-safe: one
engine per consumer.

How it stays fast (the target is 200,000 events a second on one core with 100
rules):

- Rules are compiled once into evaluators, and indexed by port and by event
  kind: an event meets only the evaluators that can care about its kind in its
  port. A rule whose filter requires a payload value (``allowed: false``,
  ``label: person``) is indexed by that value too. Sources with an absence
  rule are a single dict look-up.
- The geofence rules of one kind are fed as a batch, which reads the speed and
  the key once and decides the common case (a moving vessel outside every
  area) without a call per rule.
- A filter tests the cheap things first (zone, source, security level) and the
  local time of day through a table of the 10,080 minutes of the week, with the
  UTC offset memoised per hour.
- Windows keep their events in lists keyed by what the relation compares
  (the source, the zone, a grid cell, a value), so a partner is found by a
  look-up, not a scan.
- Polygons are tested behind bounding boxes (see :mod:`.geometry`).

State is bounded: every window drops what has expired, both as events arrive
and in a sweep once a minute of event time; each key keeps at most
``max_pending`` events; tracked objects that go silent are forgotten after
``idle_ttl_s``.

Decisions the rule kinds leave open:

- A correlation emits at most one match per incoming event, with the most
  recent partner; an event that arrives late (older than the clock) is still
  correlated with the events kept for its window.
- A count rule that fires starts counting its group again from zero.
- Events that lack what a rule reads (the zone for ``same_zone``, the position
  for a distance or a geofence, the ``group_by`` field) are ignored by it.
- Exercise events only ever meet other exercise events, and never count as a
  source's sign of life.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from port2port.rules.clock import LocalClock
from port2port.rules.geometry import (
    METRES_PER_DEGREE,
    AreaSet,
    Grid,
    Polygon,
    distance_m,
)
from port2port.rules.model import (
    AbsenceRule,
    ApproachRule,
    ConditionRule,
    CorrelationRule,
    CountRule,
    Event,
    EventFilter,
    FieldTest,
    GeofenceRule,
    LoiterRule,
    Match,
    Op,
    Position,
    Relation,
    Rule,
    Topology,
    VesselFilter,
    WatchlistRule,
    canonical,
)

__all__ = ["AlertUpdate", "Engine", "fold"]

SWEEP_EVERY_S = 60.0
_UNREAD = object()
_CANONICAL_MEMO = 65_536
_NEVER = math.inf


class _MissingType:
    """A field that an event does not have (distinct from a field set to None)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<missing>"


MISSING = _MissingType()
Getter = Callable[[Event], object]


def field_getter(path: str) -> Getter:
    """Return a function that reads a field path from an event (or MISSING)."""
    root, _, rest = path.partition(".")
    if root != "payload":

        def attribute(event: Event) -> object:
            return getattr(event, root)

        return attribute
    keys = rest.split(".")
    if len(keys) == 1:
        key = keys[0]

        def top(event: Event) -> object:
            return event.payload.get(key, MISSING)

        return top

    def nested(event: Event) -> object:
        value: object = event.payload
        for part in keys:
            if not isinstance(value, Mapping):
                return MISSING
            value = value.get(part, MISSING)
        return value

    return nested


def payload_key(path: str) -> str | None:
    """Return the payload key of a top-level payload path (read without a call)."""
    root, _, rest = path.partition(".")
    return rest if root == "payload" and "." not in rest else None


def usable_key(key: object) -> bool:
    """Return whether ``key`` can identify a tracked object (set and hashable)."""
    if type(key) is int or type(key) is str:
        return True
    if key is MISSING or key is None:
        return False
    try:
        hash(key)
    except TypeError:
        return False
    return True


def _speed(payload: Mapping[str, object]) -> float | None:
    """Return the speed over ground in knots from a position's payload."""
    speed = payload.get("sog")
    if type(speed) is float:
        return speed
    if type(speed) is int:
        return float(speed)
    return None


def _test_function(test: FieldTest) -> Callable[[Event], bool]:
    get = field_getter(test.path)
    value = test.value
    op = test.op
    if op is Op.EQUALS:
        return lambda event: get(event) == value
    if op is Op.NOT_EQUALS:
        return lambda event: get(event) != value
    if op in (Op.IN, Op.NOT_IN):
        if not isinstance(value, tuple):
            raise ValueError(f"{test.path}: {op.value} needs a tuple of values")
        try:
            members: frozenset[object] | tuple[object, ...] = frozenset(value)
        except TypeError:
            members = value
        if op is Op.IN:
            return lambda event: _member(get(event), members)
        return lambda event: not _member(get(event), members)
    if op is Op.EXISTS:
        return lambda event: (get(event) is not MISSING) is value
    if not isinstance(value, int | float):
        raise ValueError(f"{test.path}: {op.value} needs a number")
    bound = float(value)
    if op is Op.GTE:
        return lambda event: _number(get(event)) >= bound
    return lambda event: _number(get(event)) <= bound


def _member(value: object, members: frozenset[object] | tuple[object, ...]) -> bool:
    try:
        return value in members
    except TypeError:  # An unhashable payload value (a list) is in no set.
        return False


def _number(value: object) -> float:
    """Return a payload value as a number, NaN (which compares false) otherwise."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return math.nan


_EQUALS = 0
_IN = 1
_OTHER = 2
#: A compiled test: (how, payload key, value or members, fallback function).
_Test = tuple[int, str, object, Callable[[Event], bool]]


def _compile_test(test: FieldTest) -> _Test:
    """Return a test that ``_Filter.accepts`` runs inline when it can.

    Equality and membership on a top-level payload key, the common tests, run
    without a function call; the others call their function.
    """
    function = _test_function(test)
    root, _, rest = test.path.partition(".")
    if root == "payload" and "." not in rest:
        if test.op is Op.EQUALS:
            return (_EQUALS, rest, test.value, function)
        if test.op is Op.IN and isinstance(test.value, tuple):
            try:
                return (_IN, rest, frozenset(test.value), function)
            except TypeError:
                pass
    return (_OTHER, rest, None, function)


class _Filter:
    """An :class:`EventFilter` compiled for speed.

    The kind is not tested here: the engine's index only hands an evaluator
    the kinds it asked for (a correlation tests which side an event is for).
    ``trivial`` is True when the kind is all there is to test, so that callers
    skip the call.
    """

    __slots__ = (
        "guard",
        "kinds",
        "level",
        "sources",
        "tests",
        "trivial",
        "week",
        "zones",
    )

    def __init__(self, event_filter: EventFilter) -> None:
        self.kinds = event_filter.kinds
        self.zones = event_filter.zones or None
        self.sources = event_filter.sources or None
        self.level = event_filter.min_security_level
        tod = event_filter.time_of_day
        self.week = tod.week if tod is not None else None
        self.tests = tuple(_compile_test(test) for test in event_filter.tests)
        self.trivial = not (
            self.zones or self.sources or self.level or self.week or self.tests
        )
        #: A payload key and the values it must have, for the engine's index.
        self.guard: tuple[str, frozenset[object]] | None = None
        for how, key, value, _ in self.tests:
            if how == _IN and isinstance(value, frozenset):
                self.guard = (key, value)
                break
            if how == _EQUALS:
                try:
                    self.guard = (key, frozenset({value}))
                except TypeError:
                    continue
                break

    def accepts(self, event: Event, engine: Engine) -> bool:
        if self.zones is not None and event.zone_id not in self.zones:
            return False
        if self.sources is not None and event.source_id not in self.sources:
            return False
        if (
            self.level
            and engine.security_level(event.port_id, event.zone_id) < self.level
        ):
            return False
        if self.week is not None:
            minute = engine.clock(event.port_id).minute_of_week(event.time)
            if not self.week[minute]:
                return False
        if self.tests:
            payload = event.payload
            for how, key, value, function in self.tests:
                if how == _EQUALS:
                    if payload.get(key, MISSING) != value:
                        return False
                elif how == _IN:
                    found = payload.get(key, MISSING)
                    try:
                        if found not in value:  # type: ignore[operator]
                            return False
                    except TypeError:  # An unhashable value is in no set.
                        return False
                elif not function(event):
                    return False
        return True


class _Vessel:
    """A :class:`VesselFilter` compiled for the payload of a position event."""

    __slots__ = ("empty", "max_length", "min_length", "types", "unknown")

    def __init__(self, vessel: VesselFilter) -> None:
        self.empty = vessel.empty
        self.types = vessel.ship_types or None
        self.min_length = vessel.min_length_m
        self.max_length = vessel.max_length_m
        self.unknown = vessel.include_unknown

    def accepts(self, payload: Mapping[str, object]) -> bool:
        if self.empty:
            return True
        if self.types is not None:
            ship_type = payload.get("ship_type")
            if type(ship_type) is not int or ship_type == 0:
                if not self.unknown:
                    return False
            elif ship_type not in self.types:
                return False
        if self.min_length is not None or self.max_length is not None:
            length = payload.get("length_m")
            if type(length) is not float:
                length = _number(length)
            if length != length or length <= 0:
                return self.unknown
            if self.min_length is not None and length < self.min_length:
                return False
            if self.max_length is not None and length > self.max_length:
                return False
        return True


# ----------------------------------------------------------------- evaluators


class _Evaluator:
    """A compiled rule and its state."""

    __slots__ = ("dedup", "engine", "filters", "kinds", "rule")

    def __init__(self, rule: Rule, engine: Engine) -> None:
        self.rule: Rule = rule
        self.engine = engine
        self.dedup = tuple(field_getter(path) for path in rule.dedup_by)
        self.kinds: frozenset[str] = frozenset()
        #: The filters the evaluator applies (the index reads their guards).
        self.filters: tuple[_Filter, ...] = ()

    def guard(self, kind: str) -> tuple[str, frozenset[object]] | None:
        """Return what an event of ``kind`` must hold to interest this evaluator.

        None when every event of the kind may: the engine's index then hands
        it every such event; otherwise only those whose payload key has one of
        the values.
        """
        guards = [f.guard for f in self.filters if kind in f.kinds]
        if not guards or any(guard is None for guard in guards):
            return None
        keys = {guard[0] for guard in guards if guard is not None}
        if len(keys) != 1:
            return None
        values: frozenset[object] = frozenset()
        for guard in guards:
            if guard is not None:
                values |= guard[1]
        return keys.pop(), values

    def prepare(self) -> None:
        """Derive what depends on the topology (called again when it changes)."""

    def feed(self, event: Event) -> None:
        raise NotImplementedError

    def sweep(self, now: float) -> None:
        """Drop the state that has expired at ``now``."""

    def state_size(self) -> int:
        return 0

    def emit(
        self,
        *,
        time: float,
        event: Event | None,
        events: tuple[Event, ...],
        part: str,
        details: dict[str, object],
        port_id: str | None = None,
        zone_id: str | None = None,
        position: Position | None = None,
    ) -> None:
        if event is not None:
            port_id = event.port_id
            zone_id = event.zone_id if zone_id is None else zone_id
            position = event.position if position is None else position
            if self.dedup:
                part = "|".join(_key_text(get(event)) for get in self.dedup)
        self.engine.emit(
            self.rule,
            time=time,
            port_id=port_id or "",
            zone_id=zone_id,
            position=position,
            events=events,
            part=part,
            exercise=event.exercise if event is not None else False,
            details=details,
        )


def _key_text(value: object) -> str:
    return "" if value is MISSING or value is None else str(value)


class _Condition(_Evaluator):
    __slots__ = ("when",)

    def __init__(self, rule: ConditionRule, engine: Engine) -> None:
        super().__init__(rule, engine)
        self.when = _Filter(rule.when)
        self.kinds = rule.when.kinds
        self.filters = (self.when,)

    def feed(self, event: Event) -> None:
        when = self.when
        if when.trivial or when.accepts(event, self.engine):
            self.emit(
                time=event.time,
                event=event,
                events=(event,),
                part=event.source_id,
                details={},
            )


_Key = tuple[object, ...]


class _Correlation(_Evaluator):
    """Two filters; each side keeps its recent events keyed by the relation."""

    __slots__ = (
        "first",
        "grid",
        "max_pending",
        "ordered",
        "pending",
        "radius",
        "related",
        "relation",
        "then",
        "value",
        "within",
    )

    def __init__(self, rule: CorrelationRule, engine: Engine) -> None:
        super().__init__(rule, engine)
        self.first = _Filter(rule.first)
        self.then = _Filter(rule.then)
        self.kinds = rule.first.kinds | rule.then.kinds
        self.filters = (self.first, self.then)
        self.within = rule.within_s
        self.ordered = rule.ordered
        self.relation = rule.relation
        self.radius = rule.distance_m or 0.0
        self.grid = Grid(self.radius) if rule.relation is Relation.DISTANCE else None
        self.value = field_getter(rule.field) if rule.field else None
        self.max_pending = engine.max_pending
        #: The kept events of each side (0: first, 1: then) by relation key.
        self.pending: tuple[dict[_Key, list[Event]], dict[_Key, list[Event]]] = (
            {},
            {},
        )
        self.related: Mapping[str, frozenset[str]] = {}

    def prepare(self) -> None:
        self.related = self.engine.related_sources()

    def _own_key(self, event: Event) -> _Key | None:
        relation = self.relation
        if relation is Relation.SAME_PORT:
            return (event.port_id, event.exercise)
        if relation is Relation.SAME_SOURCE or relation is Relation.COVERS:
            return (event.port_id, event.exercise, event.source_id)
        if relation is Relation.SAME_ZONE:
            if event.zone_id is None:
                return None
            return (event.port_id, event.exercise, event.zone_id)
        if relation is Relation.DISTANCE:
            if event.position is None or self.grid is None:
                return None
            ix, iy = self.grid.cell(event.position)
            return (event.port_id, event.exercise, ix, iy)
        if self.value is None:
            return None
        value = self.value(event)
        if value is MISSING or value is None:
            return None
        try:
            hash(value)
        except TypeError:
            return None
        return (event.port_id, event.exercise, value)

    def _partner(
        self, event: Event, own: _Key, side: dict[_Key, list[Event]], order: int
    ) -> Event | None:
        """Return the most recent kept event of ``side`` that pairs with ``event``.

        ``order`` is 0 when either may come first, -1 when the partner must not
        be later than ``event`` and 1 when it must not be earlier.
        """
        if not side:
            return None
        relation = self.relation
        if relation is Relation.COVERS:
            best: Event | None = None
            for source in self.related.get(event.source_id, ()):
                kept = side.get((event.port_id, event.exercise, source))
                if kept:
                    best = self._latest(kept, event, order, best)
            return best
        if relation is Relation.DISTANCE:
            best = None
            if event.position is None or self.grid is None:
                return None
            port_id, exercise = event.port_id, event.exercise
            cos_lat = math.cos(math.radians(event.position[1]))
            limit = (self.radius / METRES_PER_DEGREE) ** 2
            for ix, iy in self.grid.near(event.position):
                kept = side.get((port_id, exercise, ix, iy))
                if kept:
                    best = self._latest_near(kept, event, order, best, cos_lat, limit)
            return best
        kept = side.get(own)
        return self._latest(kept, event, order, None) if kept else None

    def _latest(
        self, kept: list[Event], event: Event, order: int, best: Event | None
    ) -> Event | None:
        """Return the latest of ``best`` and the events in ``kept`` that pair."""
        time = event.time
        within = self.within
        for other in reversed(kept):
            gap = other.time - time
            if (order < 0 and gap > 0) or (order > 0 and gap < 0):
                continue
            if gap > within or gap < -within:
                if gap < 0:
                    break  # Older still are further out of the window.
                continue
            if best is None or other.time > best.time:
                return other
            break
        return best

    def _latest_near(
        self,
        kept: list[Event],
        event: Event,
        order: int,
        best: Event | None,
        cos_lat: float,
        limit: float,
    ) -> Event | None:
        """Like ``_latest``, for partners within the radius (``limit`` is its
        square in degrees of latitude, longitudes scaled by ``cos_lat``)."""
        time = event.time
        within = self.within
        here = event.position
        if here is None:
            return best
        x, y = here
        for other in reversed(kept):
            gap = other.time - time
            if (order < 0 and gap > 0) or (order > 0 and gap < 0):
                continue
            if gap > within or gap < -within:
                if gap < 0:
                    break
                continue
            if best is not None and other.time <= best.time:
                break  # Nothing later is left in this list.
            there = other.position
            if there is None:
                continue
            dx = (there[0] - x) * cos_lat
            dy = there[1] - y
            if dx * dx + dy * dy <= limit:
                return other
        return best

    def _keep(self, side: dict[_Key, list[Event]], key: _Key, event: Event) -> None:
        kept = side.get(key)
        if kept is None:
            side[key] = [event]
            return
        if kept[0].time < self.engine.now - self.within:
            _trim(kept, self.engine.now - self.within)
        kept.append(event)
        if len(kept) > self.max_pending:
            del kept[0]

    def feed(self, event: Event) -> None:
        engine = self.engine
        first, then = self.first, self.then
        is_first = event.kind in first.kinds and (
            first.trivial or first.accepts(event, engine)
        )
        is_then = event.kind in then.kinds and (
            then.trivial or then.accepts(event, engine)
        )
        if not (is_first or is_then):
            return
        own = self._own_key(event)
        if own is None:
            return
        first_side, then_side = self.pending
        ordered = self.ordered
        # Both look-ups come before keeping the event, so that an event that
        # fits both sides never pairs with itself.
        then_partner = (
            self._partner(event, own, then_side, 1 if ordered else 0)
            if is_first
            else None
        )
        first_partner = (
            self._partner(event, own, first_side, -1 if ordered else 0)
            if is_then
            else None
        )
        if is_first:
            self._keep(first_side, own, event)
        if is_then:
            self._keep(then_side, own, event)
        # At most one match per incoming event: an event of both sides pairs
        # as the later one (with the most recent earlier partner) if it can.
        if first_partner is not None:
            self._match(first_partner, event)
        elif then_partner is not None:
            self._match(event, then_partner)

    def _match(self, first: Event, then: Event) -> None:
        pair = (first, then) if first.time <= then.time else (then, first)
        details: dict[str, object] = {"within_s": abs(then.time - first.time)}
        if self.radius and first.position is not None and then.position is not None:
            details["distance_m"] = round(distance_m(first.position, then.position), 1)
        self.emit(
            time=max(first.time, then.time),
            event=first,
            events=pair,
            part=first.source_id,
            details=details,
            zone_id=first.zone_id if first.zone_id is not None else then.zone_id,
            position=first.position if first.position is not None else then.position,
        )

    def sweep(self, now: float) -> None:
        horizon = now - self.within
        for side in self.pending:
            for key in list(side):
                kept = side[key]
                if kept[0].time < horizon:
                    _trim(kept, horizon)
                    if not kept:
                        del side[key]

    def state_size(self) -> int:
        return sum(len(kept) for side in self.pending for kept in side.values())


def _trim(kept: list[Event], horizon: float) -> None:
    """Drop the events older than ``horizon`` from the front of ``kept``."""
    drop = 0
    for event in kept:
        if event.time >= horizon:
            break
        drop += 1
    del kept[:drop]


class _Count(_Evaluator):
    """Per group, the events in the window (a list: most groups hold one or two).

    With ``distinct``, a second dict per group counts the events of each
    distinct value, so that expiry can tell when a value leaves the window.
    """

    __slots__ = (
        "distinct",
        "group_by",
        "group_name",
        "groups",
        "match",
        "max_pending",
        "threshold",
        "values",
        "within",
    )

    def __init__(self, rule: CountRule, engine: Engine) -> None:
        super().__init__(rule, engine)
        self.match = _Filter(rule.match)
        self.kinds = rule.match.kinds
        self.filters = (self.match,)
        self.within = rule.within_s
        self.threshold = rule.threshold
        self.group_by = field_getter(rule.group_by)
        self.group_name = payload_key(rule.group_by)
        self.distinct = field_getter(rule.distinct) if rule.distinct else None
        self.max_pending = max(engine.max_pending, rule.threshold)
        self.groups: dict[tuple[str, bool, object], list[Event]] = {}
        self.values: dict[tuple[str, bool, object], dict[object, int]] = {}

    def feed(self, event: Event) -> None:
        match = self.match
        if not match.trivial and not match.accepts(event, self.engine):
            return
        name = self.group_name
        value = event.payload.get(name, MISSING) if name else self.group_by(event)
        if value is MISSING or value is None:
            return
        distinct: object = None
        if self.distinct is not None:
            distinct = self.distinct(event)
            if distinct is MISSING or distinct is None:
                return
            try:
                hash(distinct)
            except TypeError:
                return
        key = (event.port_id, event.exercise, value)
        try:
            kept = self.groups.get(key)
        except TypeError:  # An unhashable value groups nothing.
            return
        if kept is None:
            kept = self.groups[key] = [event]
        else:
            horizon = event.time - self.within
            if kept[0].time < horizon:
                self._expire(key, kept, horizon)
            if len(kept) >= self.max_pending:
                self._expire(key, kept, _NEVER, 1)
            kept.append(event)
        if self.distinct is not None:
            counts = self.values.get(key)
            if counts is None:
                counts = self.values[key] = {}
            counts[distinct] = counts.get(distinct, 0) + 1
            reached = len(counts)
        else:
            reached = len(kept)
        if reached >= self.threshold:
            del self.groups[key]
            self.values.pop(key, None)
            self.emit(
                time=event.time,
                event=event,
                events=tuple(kept),
                part=_key_text(value),
                details={"group": value, "count": reached},
            )

    def _expire(
        self,
        key: tuple[str, bool, object],
        kept: list[Event],
        horizon: float,
        at_most: int | None = None,
    ) -> None:
        drop = 0
        for event in kept:
            if event.time >= horizon or drop == at_most:
                break
            drop += 1
        if self.distinct is not None:
            counts = self.values.get(key)
            if counts is not None:
                for event in kept[:drop]:
                    value = self.distinct(event)
                    left = counts.get(value, 0) - 1
                    if left > 0:
                        counts[value] = left
                    else:
                        counts.pop(value, None)
        del kept[:drop]

    def sweep(self, now: float) -> None:
        horizon = now - self.within
        groups = self.groups
        for key in [key for key, kept in groups.items() if kept[0].time < horizon]:
            kept = groups[key]
            self._expire(key, kept, horizon)
            if not kept:
                del groups[key]
                self.values.pop(key, None)

    def state_size(self) -> int:
        return sum(len(kept) for kept in self.groups.values())


class _Watchlist(_Evaluator):
    """Reads each field once and looks it up in the union of the rule's lists."""

    __slots__ = ("fields", "lists", "match", "union", "version")

    def __init__(self, rule: WatchlistRule, engine: Engine) -> None:
        super().__init__(rule, engine)
        self.match = _Filter(rule.match)
        self.kinds = rule.match.kinds
        self.filters = (self.match,)
        self.fields = tuple(
            (path, payload_key(path), field_getter(path)) for path in rule.fields
        )
        self.lists = rule.lists
        self.union: frozenset[str] = frozenset()
        self.version = -1

    def feed(self, event: Event) -> None:
        match = self.match
        if not match.trivial and not match.accepts(event, self.engine):
            return
        engine = self.engine
        if self.version != engine.watchlist_version:
            self.union = frozenset().union(
                *(engine.watchlists.get(name, ()) for name in self.lists)
            )
            self.version = engine.watchlist_version
        if not self.union:
            return
        payload = event.payload
        for path, name, get in self.fields:
            value = payload.get(name, MISSING) if name else get(event)
            if type(value) is not str and type(value) is not int:
                continue  # Missing, None, or not an identifier (a list, a bool).
            text = str(value) if type(value) is int else engine.canonical(value)
            if text in self.union:
                self._hit(event, path, text)

    def _hit(self, event: Event, path: str, text: str) -> None:
        for name in self.lists:
            members = self.engine.watchlists.get(name)
            if members is not None and text in members:
                self.emit(
                    time=event.time,
                    event=event,
                    events=(event,),
                    part=f"{name}:{text}",
                    details={"list": name, "field": path, "value": text},
                )


class _Areas:
    """A rule's areas per port: the named ones plus those of the named kinds."""

    __slots__ = ("by_port", "engine", "ids", "kinds", "none")

    def __init__(
        self, engine: Engine, ids: frozenset[str], kinds: frozenset[str]
    ) -> None:
        self.engine = engine
        self.ids = ids
        self.kinds = kinds
        #: True when the rule names no area at all.
        self.none = not ids and not kinds
        self.by_port: dict[str, AreaSet] = {}

    def locate(self, port_id: str, position: Position) -> Polygon | None:
        """Return the rule's area in the port that holds ``position``, or None."""
        areas = self.by_port.get(port_id)
        if areas is None:
            areas = self.of(port_id)
        x, y = position
        if x < areas.x0 or x > areas.x1 or y < areas.y0 or y > areas.y1:
            return None  # The common case, decided without another call.
        return areas.locate(position)

    def of(self, port_id: str) -> AreaSet:
        found = self.by_port.get(port_id)
        if found is None:
            found = self.by_port[port_id] = self.engine.area_set(
                port_id, self.ids, self.kinds
            )
        return found


class _Enter(_Evaluator):
    """Remembers only the objects that are inside an area, with when last seen."""

    __slots__ = ("areas", "inside", "key", "key_name", "key_path", "match", "vessel")

    def __init__(self, rule: GeofenceRule, engine: Engine) -> None:
        super().__init__(rule, engine)
        self.match = _Filter(rule.match)
        self.kinds = rule.match.kinds
        self.filters = (self.match,)
        self.key = field_getter(rule.key)
        self.key_path = rule.key
        self.key_name = payload_key(rule.key)
        self.vessel = _Vessel(rule.vessel)
        self.areas = _Areas(engine, rule.areas, rule.area_kinds)
        #: Per exercise flag: object key -> (area id, last seen).
        self.inside: tuple[dict[object, tuple[str, float]], ...] = ({}, {})

    def prepare(self) -> None:
        self.areas.by_port.clear()

    def feed(self, event: Event) -> None:
        _EnterBatch((self,)).feed(event)

    def seen(self, event: Event, found: Polygon | None) -> None:
        """Follow the object of ``event``, found in ``found`` (None: outside)."""
        inside = self.inside[event.exercise]
        name = self.key_name
        key = event.payload.get(name, MISSING) if name else self.key(event)
        if not usable_key(key):
            return
        if found is None:
            inside.pop(key, None)
            return
        if not self.vessel.accepts(event.payload):
            return
        before = inside.get(key)
        inside[key] = (found.id, event.time)
        if before is None or before[0] != found.id:
            self.emit(
                time=event.time,
                event=event,
                events=(event,),
                part=f"{key}:{found.id}",
                details={"area": found.id, "key": key},
            )

    def sweep(self, now: float) -> None:
        horizon = now - self.engine.idle_ttl_s
        for inside in self.inside:
            for key in [k for k, (_, seen) in inside.items() if seen < horizon]:
                del inside[key]

    def state_size(self) -> int:
        return sum(len(inside) for inside in self.inside)


class _Stay:
    __slots__ = ("fired", "first", "last", "since")

    def __init__(self, event: Event) -> None:
        self.since = event.time
        self.last = event.time
        self.first = event
        self.fired = False


class _Loiter(_Evaluator):
    __slots__ = (
        "areas",
        "duration",
        "key",
        "key_name",
        "key_path",
        "match",
        "max_gap",
        "max_speed",
        "outside",
        "stays",
        "vessel",
    )

    def __init__(self, rule: LoiterRule, engine: Engine) -> None:
        super().__init__(rule, engine)
        self.match = _Filter(rule.match)
        self.kinds = rule.match.kinds
        self.filters = (self.match,)
        self.key = field_getter(rule.key)
        self.key_path = rule.key
        self.key_name = payload_key(rule.key)
        self.vessel = _Vessel(rule.vessel)
        self.max_speed = rule.max_speed_kn
        self.duration = rule.duration_s
        self.max_gap = rule.max_gap_s
        self.areas = _Areas(engine, rule.areas, rule.area_kinds)
        self.outside = _Areas(engine, rule.outside, rule.outside_kinds)
        self.stays: tuple[dict[object, _Stay], ...] = ({}, {})

    def prepare(self) -> None:
        self.areas.by_port.clear()
        self.outside.by_port.clear()

    def feed(self, event: Event) -> None:
        _LoiterBatch((self,)).feed(event)

    def slow(
        self,
        event: Event,
        position: Position,
        payload: Mapping[str, object],
        stays: dict[object, _Stay],
    ) -> None:
        """Follow a report below the rule's speed."""
        match = self.match
        if not match.trivial and not match.accepts(event, self.engine):
            return
        name = self.key_name
        key = payload.get(name, MISSING) if name else self.key(event)
        if not usable_key(key):
            return
        vessel = self.vessel
        counts = vessel.empty or vessel.accepts(payload)
        if counts and not self.areas.none:
            counts = self.areas.locate(event.port_id, position) is not None
        if counts and not self.outside.none:
            counts = self.outside.locate(event.port_id, position) is None
        stay = stays.get(key)
        if not counts:
            if stay is not None:
                del stays[key]
            return
        if stay is None or event.time - stay.last > self.max_gap:
            stays[key] = stay = _Stay(event)
        elif event.time > stay.last:
            stay.last = event.time
        if not stay.fired and event.time - stay.since >= self.duration:
            stay.fired = True
            self.emit(
                time=event.time,
                event=event,
                events=(stay.first, event),
                part=_key_text(key),
                details={
                    "key": key,
                    "since": stay.since,
                    "duration_s": event.time - stay.since,
                },
            )

    def sweep(self, now: float) -> None:
        horizon = now - self.max_gap
        for stays in self.stays:
            for key in [k for k, stay in stays.items() if stay.last < horizon]:
                del stays[key]

    def state_size(self) -> int:
        return sum(len(stays) for stays in self.stays)


_Cell = tuple[str, int, int]


class _Approach(_Evaluator):
    """Moored ships in grid cells; each craft position looks at the cells near it."""

    __slots__ = (
        "areas",
        "cells",
        "craft",
        "distance",
        "grid",
        "key",
        "key_name",
        "key_path",
        "match",
        "moored_speed",
        "stale",
        "target",
        "where",
    )

    def __init__(self, rule: ApproachRule, engine: Engine) -> None:
        super().__init__(rule, engine)
        self.match = _Filter(rule.match)
        self.kinds = rule.match.kinds
        self.filters = (self.match,)
        self.key = field_getter(rule.key)
        self.key_path = rule.key
        self.key_name = payload_key(rule.key)
        self.distance = rule.distance_m
        self.grid = Grid(rule.distance_m)
        self.craft = _Vessel(rule.craft)
        self.target = _Vessel(rule.target)
        self.moored_speed = rule.moored_max_speed_kn
        self.stale = rule.target_stale_s
        self.areas = _Areas(engine, rule.areas, rule.area_kinds)
        #: Per exercise flag: cell -> {ship key: its latest moored report}.
        self.cells: tuple[dict[_Cell, dict[object, Event]], ...] = ({}, {})
        #: Per exercise flag: ship key -> its cell.
        self.where: tuple[dict[object, _Cell], ...] = ({}, {})

    def prepare(self) -> None:
        self.areas.by_port.clear()

    def _forget(self, exercise: bool, key: object) -> None:
        cell = self.where[exercise].pop(key, None)
        if cell is not None:
            ships = self.cells[exercise].get(cell)
            if ships is not None:
                ships.pop(key, None)
                if not ships:
                    del self.cells[exercise][cell]

    def feed(self, event: Event) -> None:
        _ApproachBatch((self,)).feed(event)

    def moored(self, event: Event, position: Position, key: object) -> None:
        """Keep the latest report of a moored ship in its grid cell."""
        ix, iy = self.grid.cell(position)
        cell = (event.port_id, ix, iy)
        exercise = event.exercise
        where = self.where[exercise]
        if where.get(key) != cell:
            self._forget(exercise, key)
            where[key] = cell
        cells = self.cells[exercise]
        ships = cells.get(cell)
        if ships is None:
            ships = cells[cell] = {}
        ships[key] = event

    def craft_near(self, event: Event, position: Position, key: object) -> None:
        """Test a small craft against the moored ships near it."""
        if not self.areas.none and self.areas.locate(event.port_id, position) is None:
            return
        cells = self.cells[event.exercise]
        port_id = event.port_id
        for ix, iy in self.grid.near(position):
            ships = cells.get((port_id, ix, iy))
            if ships:
                self._near(event, position, key, ships)

    def _near(
        self, event: Event, position: Position, key: object, ships: dict[object, Event]
    ) -> None:
        for ship, ship_event in ships.items():
            if ship == key or abs(event.time - ship_event.time) > self.stale:
                continue
            if ship_event.position is None:
                continue
            gap = distance_m(position, ship_event.position)
            if gap <= self.distance:
                self.emit(
                    time=event.time,
                    event=event,
                    events=(ship_event, event)
                    if ship_event.time <= event.time
                    else (event, ship_event),
                    part=f"{key}:{ship}",
                    details={"craft": key, "target": ship, "distance_m": round(gap, 1)},
                )

    def sweep(self, now: float) -> None:
        horizon = now - self.stale
        for exercise in (False, True):
            stale = [
                key
                for cell in self.cells[exercise].values()
                for key, report in cell.items()
                if report.time < horizon
            ]
            for key in stale:
                self._forget(exercise, key)

    def state_size(self) -> int:
        return sum(len(where) for where in self.where)


class _EnterBatch:
    """The enter rules of one port and kind, fed one event in one call.

    Most positions are outside every rule's areas, which the loop decides
    from the bounding box without calling anything.
    """

    __slots__ = ("members",)

    def __init__(self, members: tuple[_Enter, ...]) -> None:
        self.members = members

    def feed(self, event: Event) -> None:
        position = event.position
        if position is None:
            return
        x, y = position
        port_id = event.port_id
        exercise = event.exercise
        for rule in self.members:
            match = rule.match
            if not match.trivial and not match.accepts(event, rule.engine):
                continue
            areas = rule.areas.by_port.get(port_id)
            if areas is None:
                areas = rule.areas.of(port_id)
            if x < areas.x0 or x > areas.x1 or y < areas.y0 or y > areas.y1:
                if rule.inside[exercise]:
                    rule.seen(event, None)
                continue
            rule.seen(event, areas.locate(position))


class _LoiterBatch:
    """The loiter rules of one port, kind and key, fed one event in one call.

    The speed and the key are read once; a moving vessel (the common case)
    only ends its stays.
    """

    __slots__ = ("key", "key_name", "members")

    def __init__(self, members: tuple[_Loiter, ...]) -> None:
        self.members = members
        self.key = members[0].key
        self.key_name = members[0].key_name

    def feed(self, event: Event) -> None:
        position = event.position
        if position is None:
            return
        payload = event.payload
        speed = payload.get("sog")
        if type(speed) is not float:
            speed = _speed(payload)
            if speed is None:
                return  # Speed not available: neither slow nor moving.
        exercise = event.exercise
        key: object = _UNREAD
        for rule in self.members:
            stays = rule.stays[exercise]
            if speed < rule.max_speed:
                rule.slow(event, position, payload, stays)
            elif stays:
                if key is _UNREAD:
                    name = self.key_name
                    key = payload.get(name, MISSING) if name else self.key(event)
                    if not usable_key(key):
                        return
                stays.pop(key, None)


class _ApproachBatch:
    """The approach rules of one port, kind and key, fed one event in one call."""

    __slots__ = ("key", "key_name", "members")

    def __init__(self, members: tuple[_Approach, ...]) -> None:
        self.members = members
        self.key = members[0].key
        self.key_name = members[0].key_name

    def feed(self, event: Event) -> None:
        position = event.position
        if position is None:
            return
        payload = event.payload
        name = self.key_name
        key = payload.get(name, MISSING) if name else self.key(event)
        if not usable_key(key):
            return
        speed = payload.get("sog")
        if type(speed) is not float:
            speed = _speed(payload)
        moored_status = payload.get("nav_status") == 5
        exercise = event.exercise
        for rule in self.members:
            match = rule.match
            if not match.trivial and not match.accepts(event, rule.engine):
                continue
            moored = moored_status or (speed is not None and speed <= rule.moored_speed)
            if moored and rule.target.accepts(payload):
                rule.moored(event, position, key)
                continue
            where = rule.where[exercise]
            if not where:
                continue  # No moored ship: nothing to come alongside.
            if key in where:
                rule._forget(exercise, key)
            if not moored and rule.craft.accepts(payload):
                rule.craft_near(event, position, key)


#: What a batch can feed in one call.
_Feedable = _Evaluator | _EnterBatch | _LoiterBatch | _ApproachBatch


def _batched(evaluators: list[_Evaluator]) -> list[_Feedable]:
    """Return the evaluators with the geofence rules of one key batched.

    Each batch takes the place of its first member, so the order stays the
    rules' order otherwise.
    """
    out: list[_Feedable] = []
    enters: dict[str, list[_Enter]] = {}
    loiters: dict[str, list[_Loiter]] = {}
    approaches: dict[str, list[_Approach]] = {}
    places: list[tuple[int, type, str]] = []
    for evaluator in evaluators:
        if isinstance(evaluator, _Enter):
            first = evaluator.key_path not in enters
            enters.setdefault(evaluator.key_path, []).append(evaluator)
        elif isinstance(evaluator, _Loiter):
            first = evaluator.key_path not in loiters
            loiters.setdefault(evaluator.key_path, []).append(evaluator)
        elif isinstance(evaluator, _Approach):
            first = evaluator.key_path not in approaches
            approaches.setdefault(evaluator.key_path, []).append(evaluator)
        else:
            out.append(evaluator)
            continue
        if first:
            places.append((len(out), type(evaluator), evaluator.key_path))
            out.append(evaluator)
    for index, kind, key in places:
        if kind is _Enter:
            out[index] = _EnterBatch(tuple(enters[key]))
        elif kind is _Loiter:
            out[index] = _LoiterBatch(tuple(loiters[key]))
        else:
            out[index] = _ApproachBatch(tuple(approaches[key]))
    return out


class _Dispatch:
    """The evaluators of one event kind in one port.

    ``always`` see every event of the kind; ``guarded`` groups the others by
    the payload key they test, each with a table from the value to the
    evaluators that want it (gate decisions that were allowed never reach the
    rules about denials).
    """

    __slots__ = ("always", "guarded")

    def __init__(self, evaluators: list[_Evaluator], kind: str) -> None:
        always: list[_Evaluator] = []
        tables: dict[str, dict[object, list[_Evaluator]]] = {}
        for evaluator in evaluators:
            guard = evaluator.guard(kind)
            if guard is None:
                always.append(evaluator)
                continue
            key, values = guard
            table = tables.setdefault(key, {})
            for value in values:
                table.setdefault(value, []).append(evaluator)
        self.always: tuple[_Feedable, ...] = tuple(_batched(always))
        self.guarded = tuple(
            (key, {value: tuple(found) for value, found in table.items()})
            for key, table in tables.items()
        )


class _Absence(_Evaluator):
    """Its monitors live in the engine: they are driven by time, not by kinds."""

    __slots__ = ()

    def feed(self, event: Event) -> None:  # pragma: no cover - never indexed
        return


class _Monitor:
    """One source watched by one absence rule."""

    __slots__ = (
        "evaluator",
        "heartbeat",
        "kinds",
        "last",
        "offline",
        "port_id",
        "position",
        "rank",
        "retired",
        "source_id",
        "zone_id",
    )

    def __init__(
        self,
        evaluator: _Absence,
        source_id: str,
        port_id: str,
        zone_id: str | None,
        position: Position | None,
        heartbeat: float,
        kinds: frozenset[str] | None,
        last: float,
    ) -> None:
        self.evaluator = evaluator
        self.source_id = source_id
        self.port_id = port_id
        self.zone_id = zone_id
        self.position = position
        self.heartbeat = heartbeat
        self.kinds = kinds
        self.last = last
        self.offline = False
        self.retired = False
        #: Breaks ties between equal deadlines the same way in every run.
        self.rank = 0


def _compile(rule: Rule, engine: Engine) -> _Evaluator:
    """Return the evaluator of a rule."""
    if isinstance(rule, ConditionRule):
        return _Condition(rule, engine)
    if isinstance(rule, CorrelationRule):
        return _Correlation(rule, engine)
    if isinstance(rule, CountRule):
        return _Count(rule, engine)
    if isinstance(rule, WatchlistRule):
        return _Watchlist(rule, engine)
    if isinstance(rule, GeofenceRule):
        return _Enter(rule, engine)
    if isinstance(rule, LoiterRule):
        return _Loiter(rule, engine)
    if isinstance(rule, ApproachRule):
        return _Approach(rule, engine)
    return _Absence(rule, engine)


# ----------------------------------------------------------------- the engine


class Engine:
    """Rules, the map they read, watch lists, and the state of their windows.

    Feed events in the order they are to be judged with :meth:`process`; call
    :meth:`advance` when no event has come for a while, so that absence rules
    fire. Both return the matches they produced, in order.
    """

    def __init__(
        self,
        rules: Iterable[Rule] = (),
        topology: Topology | None = None,
        *,
        watchlists: Mapping[str, Iterable[object]] | None = None,
        default_timezone: str = "UTC",
        max_pending: int = 1000,
        idle_ttl_s: float = 3600.0,
    ) -> None:
        self.topology = topology if topology is not None else Topology()
        self.default_timezone = default_timezone
        self.max_pending = max_pending
        self.idle_ttl_s = idle_ttl_s
        #: The engine's clock: the latest event time (or advance) seen.
        self.now = -_NEVER
        self.watchlists: dict[str, frozenset[str]] = {}
        #: Bumped on every change, so that rules rebuild their unions.
        self.watchlist_version = 0
        self._canonical: dict[object, str] = {}
        for name, values in (watchlists or {}).items():
            self.set_watchlist(name, values)
        self._levels: dict[str, int] = {}
        self._zone_levels: dict[str, int] = {}
        self._clocks: dict[str, LocalClock] = {}
        self._related: dict[str, frozenset[str]] | None = None
        self._area_sets: dict[tuple[str, frozenset[str], frozenset[str]], AreaSet] = {}
        self._evaluators: dict[str, _Evaluator] = {}
        self._index: dict[str, dict[str, _Dispatch]] = {}
        self._monitors: dict[str, tuple[_Monitor, ...]] = {}
        self._heap: list[tuple[float, int, _Monitor]] = []
        self._next_sweep = -_NEVER
        self._next_timer = -_NEVER
        #: Open alerts: dedup key -> [first time, last time, count, window].
        self._alerts: dict[str, list[float]] = {}
        self._out: list[Match] = []
        self.set_rules(rules)

    # ------------------------------------------------------------- set-up

    def set_rules(self, rules: Iterable[Rule]) -> None:
        """Replace the rules; a rule whose definition is unchanged keeps its state."""
        evaluators: dict[str, _Evaluator] = {}
        for rule in rules:
            if not rule.enabled:
                continue
            if rule.id in evaluators:
                raise ValueError(f"two rules have the id {rule.id!r}")
            kept = self._evaluators.get(rule.id)
            if kept is not None and kept.rule == rule:
                evaluators[rule.id] = kept
            else:
                evaluators[rule.id] = _compile(rule, self)
        self._evaluators = evaluators
        self._rebuild()

    def set_topology(self, topology: Topology) -> None:
        """Replace the map (ports, sources, areas); the windows keep their state."""
        self.topology = topology
        self._clocks.clear()
        self._related = None
        self._area_sets.clear()
        self._rebuild()

    def set_watchlist(self, name: str, values: Iterable[object]) -> None:
        """Replace the values of a named watch list (compared after ``canonical``)."""
        self.watchlists[name] = frozenset(canonical(value) for value in values)
        self.watchlist_version += 1

    def remove_watchlist(self, name: str) -> None:
        """Forget a watch list; rules that name it match nothing from it."""
        self.watchlists.pop(name, None)
        self.watchlist_version += 1

    def canonical(self, value: object) -> str:
        """Return :func:`canonical` of ``value``, memoised (plates come back)."""
        if type(value) is int:
            return str(value)
        memo = self._canonical
        try:
            text = memo.get(value)
        except TypeError:  # Unhashable: compute it every time.
            return canonical(value)
        if text is None:
            text = canonical(value)
            if len(memo) >= _CANONICAL_MEMO:
                memo.clear()
            memo[value] = text
        return text

    def set_security_level(
        self, port_id: str, level: int, *, zone_id: str | None = None
    ) -> None:
        """Set the security level of a port, or of one zone (the higher one counts)."""
        if not 1 <= level <= 3:
            raise ValueError(f"security level {level} is not 1, 2 or 3")
        if zone_id is None:
            self._levels[port_id] = level
        else:
            self._zone_levels[zone_id] = level

    def _rebuild(self) -> None:
        self._index = {}
        for evaluator in self._evaluators.values():
            evaluator.prepare()
        self._build_monitors()

    # ------------------------------------------------------------- lookups

    def security_level(self, port_id: str, zone_id: str | None) -> int:
        """Return the effective security level: the port's or the zone's, the higher."""
        level = self._levels.get(port_id)
        if level is None:
            port = self.topology.ports.get(port_id)
            level = port.security_level if port is not None else 1
        if zone_id is not None and self._zone_levels:
            return max(level, self._zone_levels.get(zone_id, 0))
        return level

    def clock(self, port_id: str) -> LocalClock:
        """Return the local clock of a port (its time zone, or the default)."""
        clock = self._clocks.get(port_id)
        if clock is None:
            port = self.topology.ports.get(port_id)
            timezone = port.timezone if port is not None else self.default_timezone
            clock = self._clocks[port_id] = LocalClock(timezone)
        return clock

    def related_sources(self) -> Mapping[str, frozenset[str]]:
        """Return, per source, the sources it covers or that cover it."""
        if self._related is None:
            related: dict[str, set[str]] = {}
            for source in self.topology.sources.values():
                for other in source.covers:
                    related.setdefault(source.id, set()).add(other)
                    related.setdefault(other, set()).add(source.id)
            self._related = {key: frozenset(value) for key, value in related.items()}
        return self._related

    def area_set(
        self, port_id: str, ids: frozenset[str], kinds: frozenset[str]
    ) -> AreaSet:
        """Return the named areas plus the port's areas of the given kinds.

        Rules that name the same areas share one set, and so its memory of
        the last position asked about.
        """
        key = (port_id, ids, kinds)
        found = self._area_sets.get(key)
        if found is None:
            polygons = [
                Polygon(area.rings, area.id)
                for area in self.topology.areas.values()
                if area.id in ids
                or (area.kind in kinds and area.port_id in (port_id, None))
            ]
            found = self._area_sets[key] = AreaSet(polygons)
        return found

    def _port_index(self, port_id: str) -> dict[str, _Dispatch]:
        by_kind: dict[str, list[_Evaluator]] = {}
        for evaluator in self._evaluators.values():
            ports = evaluator.rule.ports
            if ports and port_id not in ports:
                continue
            for kind in sorted(evaluator.kinds):
                by_kind.setdefault(kind, []).append(evaluator)
        index = {kind: _Dispatch(found, kind) for kind, found in by_kind.items()}
        self._index[port_id] = index
        return index

    # ------------------------------------------------------------- absence

    def _build_monitors(self) -> None:
        old = {
            (m.evaluator.rule.id, m.source_id): m
            for monitors in self._monitors.values()
            for m in monitors
        }
        started = self.now > -_NEVER
        by_source: dict[str, list[_Monitor]] = {}
        sources = self.topology.sources
        for evaluator in self._evaluators.values():
            rule = evaluator.rule
            if not isinstance(rule, AbsenceRule) or not isinstance(evaluator, _Absence):
                continue
            if rule.sources or rule.source_kinds:
                ids = set(rule.sources)
                ids.update(
                    s.id for s in sources.values() if s.kind in rule.source_kinds
                )
            else:
                ids = {s.id for s in sources.values() if s.heartbeat_s is not None}
            for source_id in sorted(ids):
                source = sources.get(source_id)
                port_id = source.port_id if source is not None else ""
                if rule.ports and port_id not in rule.ports:
                    continue
                heartbeat = rule.heartbeat_s or (source.heartbeat_s if source else None)
                if not heartbeat:
                    continue
                previous = old.pop((rule.id, source_id), None)
                last = previous.last if previous is not None else self.now
                monitor = _Monitor(
                    evaluator,
                    source_id,
                    port_id,
                    source.zone_id if source is not None else None,
                    source.position if source is not None else None,
                    heartbeat,
                    rule.kinds or None,
                    last if started else 0.0,
                )
                if previous is not None:
                    monitor.offline = previous.offline
                by_source.setdefault(source_id, []).append(monitor)
        for monitor in old.values():
            monitor.retired = True
        rank = 0
        for listed in by_source.values():
            for monitor in listed:
                monitor.rank = rank
                rank += 1
        self._monitors = {key: tuple(value) for key, value in by_source.items()}
        self._heap = []
        if started:
            for monitors in self._monitors.values():
                for monitor in monitors:
                    if not monitor.offline:
                        self._schedule(monitor, monitor.last + monitor.heartbeat)
        self._reset_timer()

    def _schedule(self, monitor: _Monitor, deadline: float) -> None:
        heapq.heappush(self._heap, (deadline, monitor.rank, monitor))

    def _reset_timer(self) -> None:
        top = self._heap[0][0] if self._heap else _NEVER
        self._next_timer = min(top, self._next_sweep)

    def _recover(self, monitor: _Monitor) -> None:
        """Watch a source that spoke again after it was reported offline."""
        monitor.offline = False
        self._schedule(monitor, monitor.last + monitor.heartbeat)
        self._reset_timer()

    def _start(self, now: float) -> None:
        for monitors in self._monitors.values():
            for monitor in monitors:
                monitor.last = now
                self._schedule(monitor, now + monitor.heartbeat)
        self._next_sweep = (math.floor(now / SWEEP_EVERY_S) + 1) * SWEEP_EVERY_S

    def _timers(self, now: float) -> None:
        """Run what is due at ``now``: absence deadlines, then the sweep.

        Both happen in an order that depends only on the event times, never
        on how often the clock was moved (by events or by :meth:`advance`), so
        that a replay in one batch gives what the live stream gave: deadlines
        fire in the order of their time, and the state is swept on a fixed
        grid of minutes, as of the grid point.
        """
        if self._next_sweep == -_NEVER:
            self._start(now)
        heap = self._heap
        while heap and heap[0][0] < now:
            deadline, _, monitor = heapq.heappop(heap)
            if monitor.offline or monitor.retired:
                continue
            due = monitor.last + monitor.heartbeat
            if due > deadline:
                # It spoke since: wait for its new deadline, in its turn.
                self._schedule(monitor, due)
            else:
                monitor.offline = True
                monitor.evaluator.emit(
                    time=due,
                    event=None,
                    events=(),
                    part=monitor.source_id,
                    details={
                        "source": monitor.source_id,
                        "last_seen": monitor.last,
                        "heartbeat_s": monitor.heartbeat,
                    },
                    port_id=monitor.port_id,
                    zone_id=monitor.zone_id,
                    position=monitor.position,
                )
        if now >= self._next_sweep:
            grid = math.floor(now / SWEEP_EVERY_S) * SWEEP_EVERY_S
            self._sweep(grid)
            self._next_sweep = grid + SWEEP_EVERY_S
        self._reset_timer()

    def _sweep(self, now: float) -> None:
        for evaluator in self._evaluators.values():
            evaluator.sweep(now)
        alerts = self._alerts
        for key in [k for k, alert in alerts.items() if alert[1] + alert[3] < now]:
            del alerts[key]

    # ------------------------------------------------------------- matches

    def emit(
        self,
        rule: Rule,
        *,
        time: float,
        port_id: str,
        zone_id: str | None,
        position: Position | None,
        events: tuple[Event, ...],
        part: str,
        exercise: bool,
        details: dict[str, object],
    ) -> None:
        """Record a match, folding it into the open alert with the same key."""
        key = (
            f"{rule.id}|{port_id}|{part}|exercise"
            if exercise
            else f"{rule.id}|{port_id}|{part}"
        )
        window = rule.aggregate_s
        alert = self._alerts.get(key)
        if alert is not None and time - alert[1] <= window:
            alert[1] = max(alert[1], time)
            alert[2] += 1
            count, first = int(alert[2]), alert[0]
        else:
            count, first = 1, time
            if window > 0:
                self._alerts[key] = [time, time, 1.0, window]
        self._out.append(
            Match(
                rule_id=rule.id,
                title=rule.title,
                severity=rule.severity,
                time=time,
                port_id=port_id,
                zone_id=zone_id,
                position=position,
                events=events,
                dedup_key=key,
                exercise=exercise,
                details=details,
                count=count,
                first_time=first,
            )
        )

    # ------------------------------------------------------------- running

    def process(self, events: Iterable[Event]) -> list[Match]:
        """Judge ``events`` in order; return the matches they produced."""
        out: list[Match] = []
        self._out = out
        index = self._index
        monitors = self._monitors
        for event in events:
            time = event.time
            if time > self.now:
                self.now = time
                if time > self._next_timer:
                    self._timers(time)
            if monitors:
                watched = monitors.get(event.source_id)
                if watched is not None and not event.exercise:
                    # A sign of life (exercise events never are one).
                    for monitor in watched:
                        if monitor.kinds is None or event.kind in monitor.kinds:
                            if time > monitor.last:
                                monitor.last = time
                            if monitor.offline:
                                self._recover(monitor)
            by_kind = index.get(event.port_id)
            if by_kind is None:
                by_kind = self._port_index(event.port_id)
            dispatch = by_kind.get(event.kind)
            if dispatch is None:
                continue
            for feedable in dispatch.always:
                feedable.feed(event)
            if dispatch.guarded:
                payload = event.payload
                for key, table in dispatch.guarded:
                    try:
                        wanted = table.get(payload.get(key, MISSING))
                    except TypeError:  # An unhashable value is in no table.
                        continue
                    if wanted is not None:
                        for evaluator in wanted:
                            evaluator.feed(event)
        return out

    def advance(self, to_time: float) -> list[Match]:
        """Move the clock to ``to_time`` without an event; return what fired."""
        out: list[Match] = []
        self._out = out
        if to_time > self.now:
            self.now = to_time
            if to_time > self._next_timer:
                self._timers(to_time)
        return out

    def state_size(self) -> dict[str, int]:
        """Return how many items each rule keeps, plus the open alerts."""
        sizes = {rule_id: e.state_size() for rule_id, e in self._evaluators.items()}
        sizes["alerts"] = len(self._alerts)
        return sizes


# ----------------------------------------------------------------- folding


@dataclass(frozen=True, slots=True)
class AlertUpdate:
    """What a batch of matches did to one alert.

    ``match`` is the latest match of the alert in the batch; ``new`` says that
    the batch opened the alert; ``added`` is how many matches the batch folded
    into it; ``events`` are their events (at most ``max_events`` of them, the
    latest kept).
    """

    dedup_key: str
    first_time: float
    new: bool
    match: Match
    added: int
    events: tuple[Event, ...]


class _Folding:
    __slots__ = ("added", "events", "match", "new")

    def __init__(self, match: Match) -> None:
        self.new = match.new
        self.match = match
        self.added = 1
        self.events: dict[int, Event] = {}


def fold(matches: Iterable[Match], max_events: int = 100) -> list[AlertUpdate]:
    """Return one update per alert that ``matches`` touch, in order of first touch.

    A flood of repeats then costs the caller one write per alert and batch.
    """
    updates: dict[tuple[str, float], _Folding] = {}
    for match in matches:
        key = (match.dedup_key, match.first_time)
        entry = updates.get(key)
        if entry is None:
            entry = updates[key] = _Folding(match)
        else:
            entry.match = match
            entry.added += 1
        for event in match.events:
            entry.events.pop(id(event), None)
            entry.events[id(event)] = event
    return [
        AlertUpdate(
            dedup_key=dedup_key,
            first_time=first_time,
            new=entry.new,
            match=entry.match,
            added=entry.added,
            events=tuple(entry.events.values())[-max_events:],
        )
        for (dedup_key, first_time), entry in updates.items()
    ]
