"""Watch the platform's data for the indicators of published bulletins.

The other apps' rows are read here and only here, each turned into
``Observation`` records: (kind, value) pairs with where and when they were
seen. Two ways in:

- **live**: ``observations_after`` reads each source after a cursor (its last
  id), so the periodic job sees every new gate decision, camera read, release,
  pick-up, visit and registry entry once;
- **past**: ``observations_for`` looks up given values in the last N days of
  the same sources when a bulletin is published or updated.

Values are keyed as the indicators are (``sharing.indicators``), so a plate
written ``1-ABC-123`` matches a camera read ``1ABC123``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from port2port.access.models import AccessEvent, Visit
from port2port.core.models import AccessPoint, Organisation, Person, Vehicle
from port2port.detection.models import Event, Source
from port2port.release.models import PickupAttempt, Release
from port2port.sharing import indicators as ind
from port2port.sharing.models import Match

ANPR_READ = "anpr.read"
# Events copied from other tables (gate denials, release fraud signals) are
# matched at their origin.
COPIED_EVENT_PREFIXES = ("access.", "release.")


@dataclass(frozen=True, slots=True)
class Observation:
    """One value seen somewhere: what could match an indicator."""

    kind: str
    value: str
    source: str
    source_ref: str
    port_id: int | None
    at: dt.datetime
    where: str
    date_of_birth: dt.date | None = None


def observed_key(kind: str, raw: object) -> str | None:
    """Return the key of an observed value, or ``None`` when it cannot be one.

    Observations come from devices and old rows: they are keyed leniently, not
    validated (a camera's plate is upper-cased and compacted, never refused).
    """
    if raw is None:
        return None
    text = str(raw).strip()
    if not text:
        return None
    if kind in {"plate", "container", "kbo", "eori", "mmsi"}:
        key = re.sub(r"[^0-9A-Za-z]", "", text).upper()
        if kind == "kbo" and key.startswith("BE"):
            key = key[2:]
        if kind == "kbo" and len(key) == 9:
            key = "0" + key
        return key or None
    if kind == "imo":
        key = re.sub(r"[^0-9]", "", text)
        return key or None
    try:
        return ind.indicator_normalise(kind, text).value
    except ValueError:
        return None


def _obs(
    kind: str, raw: object, *, date_of_birth: dt.date | None = None, **where: Any
) -> Observation | None:
    key = (
        observed_key(kind, raw)
        if kind != "person"
        else (ind.name_key(str(raw)) or None)
    )
    if key is None:
        return None
    return Observation(kind=kind, value=key, date_of_birth=date_of_birth, **where)  # type: ignore[arg-type]


def _person_obs(person: Person | None, **where: Any) -> list[Observation]:
    if person is None:
        return []
    found = [
        _obs(
            "person",
            f"{person.first_name} {person.last_name}",
            date_of_birth=person.date_of_birth,
            **where,
        ),
        _obs("phone", person.phone, **where),
        _obs("email", person.email, **where),
    ]
    if person.email and "@" in person.email:
        found.append(_obs("domain", person.email.rsplit("@", 1)[1], **where))
    return [o for o in found if o is not None]


# One reader per source: (rows after an id or within a time and value filter) --------


def _gate(rows: Iterable[AccessEvent]) -> Iterator[Observation]:
    rows = list(rows)
    points = dict(
        AccessPoint.objects.filter(
            pk__in={r.access_point_id for r in rows}
        ).values_list("pk", "name")
    )
    for row in rows:
        where: dict[str, Any] = {
            "source": Match.Source.GATE,
            "source_ref": str(row.pk),
            "port_id": row.port_id,
            "at": row.at,
            "where": points.get(row.access_point_id, ""),
        }
        found = _obs("plate", row.plate, **where)
        if found:
            yield found
        yield from _person_obs(row.person, **where)


def _events(rows: Iterable[Event]) -> Iterator[Observation]:
    rows = [r for r in rows if not r.kind.startswith(COPIED_EVENT_PREFIXES)]
    sources = dict(
        Source.objects.filter(pk__in={r.source_id for r in rows}).values_list(
            "pk", "name"
        )
    )
    for row in rows:
        payload = row.payload if isinstance(row.payload, dict) else {}
        where: dict[str, Any] = {
            "source": Match.Source.ANPR
            if row.kind == ANPR_READ
            else Match.Source.EVENT,
            "source_ref": str(row.pk),
            "port_id": row.port_id,
            "at": row.time,
            "where": sources.get(row.source_id, ""),
        }
        for field, kind in (
            ("plate", "plate"),
            ("mmsi", "mmsi"),
            ("imo", "imo"),
            ("container", "container"),
            ("container_number", "container"),
        ):
            if field in payload:
                found = _obs(kind, payload[field], **where)
                if found:
                    yield found


def _releases(rows: Iterable[Release]) -> Iterator[Observation]:
    for row in rows:
        found = _obs(
            "container",
            row.container_number,
            source=Match.Source.RELEASE,
            source_ref=str(row.pk),
            port_id=row.port_id,
            at=row.created_at,
            where=row.terminal.name if row.terminal_id else "",
        )
        if found:
            yield found


def _pickups(rows: Iterable[PickupAttempt]) -> Iterator[Observation]:
    for row in rows:
        where: dict[str, Any] = {
            "source": Match.Source.PICKUP,
            "source_ref": str(row.pk),
            "port_id": row.terminal.port_id,
            "at": row.at,
            "where": row.terminal.name,
        }
        for kind, raw in (("container", row.container_number), ("plate", row.plate)):
            found = _obs(kind, raw, **where)
            if found:
                yield found
        yield from _person_obs(row.person, **where)


def _visits(rows: Iterable[Visit]) -> Iterator[Observation]:
    for row in rows:
        where: dict[str, Any] = {
            "source": Match.Source.VISIT,
            "source_ref": str(row.pk),
            "port_id": row.facility.port_id,
            "at": row.starts_at,
            "where": row.facility.name,
        }
        for kind, raw in (("plate", row.plate), ("imo", row.vessel_imo)):
            found = _obs(kind, raw, **where)
            if found:
                yield found


def _people(rows: Iterable[Person]) -> Iterator[Observation]:
    for row in rows:
        yield from _person_obs(
            row,
            source=Match.Source.PERSON,
            source_ref=str(row.pk),
            port_id=None,
            at=row.created_at,
            where=str(row),
        )


def _organisations(rows: Iterable[Organisation]) -> Iterator[Observation]:
    for row in rows:
        where: dict[str, Any] = {
            "source": Match.Source.ORGANISATION,
            "source_ref": str(row.pk),
            "port_id": None,
            "at": row.created_at,
            "where": row.name,
        }
        for kind, raw in (("kbo", row.kbo_number), ("eori", row.eori)):
            found = _obs(kind, raw, **where)
            if found:
                yield found


def _vehicles(rows: Iterable[Vehicle]) -> Iterator[Observation]:
    for row in rows:
        found = _obs(
            "plate",
            row.plate,
            source=Match.Source.VEHICLE,
            source_ref=str(row.pk),
            port_id=None,
            at=row.created_at,
            where=row.plate_display,
        )
        if found:
            yield found


@dataclass(frozen=True)
class Feed:
    """One source table: how to read it, and how to find values in it."""

    name: str
    model: type
    read: object
    time_field: str | None
    related: tuple[str, ...]
    # indicator kind -> lookups on the table that may hold the value
    lookups: dict[str, tuple[str, ...]]


FEEDS: tuple[Feed, ...] = (
    Feed(
        "gate",
        AccessEvent,
        _gate,
        "at",
        ("person",),
        {
            "plate": ("plate",),
            "person": (),
            "phone": ("person__phone",),
            "email": ("person__email__iexact",),
        },
    ),
    Feed(
        "events",
        Event,
        _events,
        "time",
        (),
        {
            "plate": ("payload__plate",),
            "mmsi": ("payload__mmsi",),
            "imo": ("payload__imo",),
            "container": ("payload__container", "payload__container_number"),
        },
    ),
    Feed(
        "releases",
        Release,
        _releases,
        "created_at",
        ("terminal",),
        {"container": ("container_number",)},
    ),
    Feed(
        "pickups",
        PickupAttempt,
        _pickups,
        "at",
        ("terminal", "person"),
        {"container": ("container_number",), "plate": ("plate",), "person": ()},
    ),
    Feed(
        "visits",
        Visit,
        _visits,
        "starts_at",
        ("facility",),
        {"plate": ("plate",), "imo": ("vessel_imo",)},
    ),
    Feed(
        "people",
        Person,
        _people,
        None,
        (),
        {
            "person": (),
            "phone": ("phone",),
            "email": ("email__iexact",),
            "domain": ("email__iendswith",),
        },
    ),
    Feed(
        "organisations",
        Organisation,
        _organisations,
        None,
        (),
        {"kbo": ("kbo_number",), "eori": ("eori",)},
    ),
    Feed("vehicles", Vehicle, _vehicles, None, (), {"plate": ("plate",)}),
)


def observations_after(
    feed: Feed, *, last_id: int, batch: int
) -> tuple[list[Observation], int]:
    """Return the observations of the rows after ``last_id`` and the new last id."""
    queryset = feed.model.objects.filter(pk__gt=last_id)  # type: ignore[attr-defined]
    if feed.related:
        queryset = queryset.select_related(*feed.related)
    rows = list(queryset.order_by("pk")[:batch])
    if not rows:
        return [], last_id
    return list(feed.read(rows)), rows[-1].pk  # type: ignore[operator]


def _people_filter(names: Iterable[tuple[str, dt.date | None]], prefix: str) -> Q:
    """Return a filter of people born on the indicators' dates (names are compared after)."""
    dates = {born for _, born in names if born is not None}
    if not dates:
        return Q(pk__in=[])
    return Q(**{f"{prefix}date_of_birth__in": dates})


def observations_for(
    feed: Feed,
    *,
    values: dict[str, set[str]],
    people: set[tuple[str, dt.date | None]],
    since: dt.datetime,
) -> list[Observation]:
    """Return the observations of ``values`` in ``feed`` since ``since`` (registry: all)."""
    condition = Q(pk__in=[])
    for kind, lookups in feed.lookups.items():
        wanted = values.get(kind)
        if kind == "person" and people:
            prefix = "" if feed.model is Person else "person__"
            condition |= _people_filter(people, prefix)
            continue
        if not wanted:
            continue
        for lookup in lookups:
            if lookup.endswith("__iexact") or lookup.endswith("__iendswith"):
                for value in wanted:
                    condition |= Q(
                        **{lookup: value if "endswith" not in lookup else "@" + value}
                    )
            else:
                forms = set(wanted)
                if kind == "plate" or kind == "kbo":
                    forms |= set(wanted)
                condition |= Q(**{f"{lookup}__in": sorted(forms)})
    if condition == Q(pk__in=[]):
        return []
    queryset = feed.model.objects.filter(condition)  # type: ignore[attr-defined]
    if feed.time_field:
        queryset = queryset.filter(**{f"{feed.time_field}__gte": since})
    if feed.related:
        queryset = queryset.select_related(*feed.related)
    return list(feed.read(queryset.order_by("pk")[:5000]))  # type: ignore[operator]
