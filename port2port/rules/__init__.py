"""The event-correlation engine: framework-free, standard library only.

It judges a stream of :class:`Event` against rules that are data (built from
dicts with :func:`rule_from_dict`), with the time taken from the events, so a
replay gives the same matches as the live stream. The detection app feeds it
and turns its :class:`Match` records into alerts. Nothing here may import
Django or a domain app (an import-linter contract checks it).
"""

from port2port.rules.engine import AlertUpdate, Engine, fold
from port2port.rules.geometry import AreaSet, Polygon, distance_m
from port2port.rules.model import (
    AIS_POSITION,
    ANY_VESSEL,
    LARGE_SHIP,
    SMALL_CRAFT,
    AbsenceRule,
    ApproachRule,
    Area,
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
    Port,
    Position,
    Relation,
    Rule,
    Severity,
    Source,
    TimeOfDay,
    Topology,
    VesselFilter,
    WatchlistRule,
    canonical,
    from_time,
    to_time,
)
from port2port.rules.schema import (
    RULE_KINDS,
    RuleError,
    rule_from_dict,
    rule_to_dict,
    rule_validate,
)

__all__ = [
    "AIS_POSITION",
    "ANY_VESSEL",
    "LARGE_SHIP",
    "RULE_KINDS",
    "SMALL_CRAFT",
    "AbsenceRule",
    "AlertUpdate",
    "ApproachRule",
    "Area",
    "AreaSet",
    "ConditionRule",
    "CorrelationRule",
    "CountRule",
    "Engine",
    "Event",
    "EventFilter",
    "FieldTest",
    "GeofenceRule",
    "LoiterRule",
    "Match",
    "Op",
    "Polygon",
    "Port",
    "Position",
    "Relation",
    "Rule",
    "RuleError",
    "Severity",
    "Source",
    "TimeOfDay",
    "Topology",
    "VesselFilter",
    "WatchlistRule",
    "canonical",
    "distance_m",
    "fold",
    "from_time",
    "rule_from_dict",
    "rule_to_dict",
    "rule_validate",
    "to_time",
]
