"""Bulletins as MISP events and as STIX 2.1 bundles, out and back in.

Export keeps the TLP marking, the title, the text and every indicator; import
reads them back into ``BulletinData``, which the services validate like any
other input. Who receives an imported bulletin is decided by the importer, not
by the file: the distribution of another system means nothing here.

Values without a standard type (number plates, container, company and vessel
numbers) travel as MISP ``text`` attributes tagged ``port2port:kind="…"`` and
as STIX patterns on ``x-p2p-*`` object types.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

import stix2

from port2port.sharing.models import Bulletin

TLP_TAGS = {"clear", "green", "amber", "amber+strict", "red"}
# TLP 2.0 marking definitions of the OASIS common objects (STIX 2.1 predefines only TLP 1).
TLP_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
TLP_MARKINGS = {
    "clear": "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    "green": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    "amber": "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    "amber+strict": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    "red": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}
# TLP 1 markings that partners still send, read as their TLP 2.0 counterparts.
TLP1_MARKINGS = {
    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": "clear",
    "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": "green",
    "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": "amber",
    "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": "red",
}
MARKING_TLP = {v: k for k, v in TLP_MARKINGS.items()} | TLP1_MARKINGS

MISP_TYPES = {"email": "email", "domain": "domain", "phone": "phone-number"}
MISP_CATEGORIES = {
    "email": "Network activity",
    "domain": "Network activity",
    "phone": "Person",
}
MISP_DISTRIBUTION = {
    "organisation": "0",
    "port": "1",
    "all_ports": "2",
    "committee": "4",
    "group": "4",
}
STIX_PATHS = {
    "plate": "x-p2p-vehicle:plate",
    "container": "x-p2p-container:number",
    "kbo": "x-p2p-organisation:kbo",
    "eori": "x-p2p-organisation:eori",
    "imo": "x-p2p-vessel:imo",
    "mmsi": "x-p2p-vessel:mmsi",
    "phone": "x-p2p-phone:number",
    "email": "email-addr:value",
    "domain": "domain-name:value",
    "person": "x-p2p-person:name",
}
PATH_KINDS = {v: k for k, v in STIX_PATHS.items()}
PERSON_BORN = "x-p2p-person:date_of_birth"
_COMPARISON = re.compile(r"([a-z0-9-]+:[a-z_]+)\s*=\s*'((?:[^'\\]|\\.)*)'")


class InterchangeError(ValueError):
    """A file that is not a MISP event or a STIX bundle this platform can read."""


@dataclass
class IndicatorData:
    kind: str
    value: str
    date_of_birth: dt.date | None = None
    comment: str = ""


@dataclass
class BulletinData:
    """What an imported file says: to be validated by the services."""

    uuid: str | None
    title: str
    text: str
    tlp: str
    valid_from: dt.datetime | None = None
    valid_until: dt.datetime | None = None
    indicators: list[IndicatorData] = field(default_factory=list)


# MISP -------------------------------------------------------------------------------


def misp_export(bulletin: Bulletin) -> dict[str, Any]:
    """Return the bulletin as a MISP event (MISP core format)."""
    attributes: list[dict[str, Any]] = []
    objects: list[dict[str, Any]] = []
    for indicator in bulletin.indicators.all():
        if indicator.kind == "person":
            first, _, last = indicator.display.rpartition(" ")
            objects.append(
                {
                    "name": "person",
                    "meta-category": "misc",
                    "uuid": str(indicator.uuid),
                    "Attribute": [
                        {
                            "object_relation": "first-name",
                            "type": "first-name",
                            "value": first,
                        },
                        {
                            "object_relation": "last-name",
                            "type": "last-name",
                            "value": last,
                        },
                        {
                            "object_relation": "date-of-birth",
                            "type": "date-of-birth",
                            "value": indicator.date_of_birth.isoformat()
                            if indicator.date_of_birth
                            else "",
                        },
                    ],
                }
            )
            continue
        attribute: dict[str, Any] = {
            "uuid": str(indicator.uuid),
            "type": MISP_TYPES.get(indicator.kind, "text"),
            "category": MISP_CATEGORIES.get(indicator.kind, "Other"),
            "value": indicator.value,
            "to_ids": True,
            "comment": indicator.comment,
            "Tag": [{"name": f'port2port:kind="{indicator.kind}"'}],
        }
        attributes.append(attribute)
    event: dict[str, Any] = {
        "uuid": str(bulletin.uuid),
        "info": bulletin.title,
        "date": bulletin.valid_from.date().isoformat(),
        "timestamp": str(int(bulletin.updated_at.timestamp())),
        "published": bulletin.status == Bulletin.Status.PUBLISHED,
        "threat_level_id": "2",
        "analysis": "2",
        "distribution": MISP_DISTRIBUTION[bulletin.distribution],
        "Orgc": {"name": bulletin.owner_organisation.name},
        "Tag": [{"name": f"tlp:{bulletin.tlp}"}],
        "EventReport": [{"name": bulletin.title, "content": bulletin.text}],
        "Attribute": attributes,
        "Object": objects,
    }
    if bulletin.valid_until:
        event["Tag"].append(
            {"name": f'port2port:valid-until="{bulletin.valid_until.isoformat()}"'}
        )
    return {"Event": event}


def _misp_kind(attribute: dict[str, Any]) -> str | None:
    for tag in attribute.get("Tag") or []:
        name = str(tag.get("name", "")) if isinstance(tag, dict) else ""
        found = re.fullmatch(r'port2port:kind="([a-z]+)"', name)
        if found:
            return found.group(1)
    return {v: k for k, v in MISP_TYPES.items()}.get(str(attribute.get("type")))


def misp_import(data: Any) -> BulletinData:
    """Read a MISP event (``{"Event": {…}}`` or the event itself)."""
    event = data.get("Event", data) if isinstance(data, dict) else None
    if not isinstance(event, dict) or "info" not in event:
        raise InterchangeError(
            "This is not a MISP event: it has no Event with an info."
        )
    tags = [
        str(t.get("name", "")) for t in event.get("Tag") or [] if isinstance(t, dict)
    ]
    tlp = next(
        (t.split(":", 1)[1].lower() for t in tags if t.lower().startswith("tlp:")), ""
    )
    tlp = {"white": "clear"}.get(tlp, tlp)
    if tlp not in TLP_TAGS:
        raise InterchangeError("The event has no TLP tag (tlp:clear … tlp:red).")
    valid_until = None
    for tag in tags:
        found = re.fullmatch(r'port2port:valid-until="(.+)"', tag)
        if found:
            valid_until = dt.datetime.fromisoformat(found.group(1))
    reports = [r for r in event.get("EventReport") or [] if isinstance(r, dict)]
    text = str(reports[0].get("content", "")) if reports else str(event["info"])
    indicators: list[IndicatorData] = []
    for attribute in event.get("Attribute") or []:
        if not isinstance(attribute, dict):
            continue
        kind = _misp_kind(attribute)
        if kind is None:
            continue
        indicators.append(
            IndicatorData(
                kind=kind,
                value=str(attribute.get("value", "")),
                comment=str(attribute.get("comment", ""))[:300],
            )
        )
    for obj in event.get("Object") or []:
        if not isinstance(obj, dict) or obj.get("name") != "person":
            continue
        parts = {
            str(a.get("object_relation")): str(a.get("value", ""))
            for a in obj.get("Attribute") or []
            if isinstance(a, dict)
        }
        born = parts.get("date-of-birth", "")
        indicators.append(
            IndicatorData(
                kind="person",
                value=f"{parts.get('first-name', '')} {parts.get('last-name', '')}".strip(),
                date_of_birth=dt.date.fromisoformat(born) if born else None,
            )
        )
    date = str(event.get("date", ""))
    return BulletinData(
        uuid=str(event["uuid"]) if event.get("uuid") else None,
        title=str(event["info"])[:200],
        text=text,
        tlp=tlp,
        valid_from=dt.datetime.combine(dt.date.fromisoformat(date), dt.time(), dt.UTC)
        if date
        else None,
        valid_until=valid_until,
        indicators=indicators,
    )


# STIX 2.1 ---------------------------------------------------------------------------


def _quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace("'", "\\'")


def _unquote(value: str) -> str:
    return re.sub(r"\\(.)", r"\1", value)


def _tlp_marking(tlp: str) -> dict[str, Any]:
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": TLP_MARKINGS[tlp],
        "created": "2022-10-01T00:00:00.000Z",
        "name": f"TLP:{tlp.upper()}",
        "extensions": {
            TLP_EXTENSION: {"extension_type": "property-extension", "tlp_2_0": tlp}
        },
    }


def stix_export(bulletin: Bulletin) -> dict[str, Any]:
    """Return the bulletin as a STIX 2.1 bundle: a report, its indicators, the TLP marking."""
    marking = TLP_MARKINGS[bulletin.tlp]
    author = stix2.Identity(
        id=f"identity--{uuid.uuid5(uuid.NAMESPACE_URL, f'port2port:org:{bulletin.owner_organisation_id}')}",
        name=bulletin.owner_organisation.name,
        identity_class="organization",
    )
    indicators = []
    for indicator in bulletin.indicators.all():
        if indicator.kind == "person":
            born = (
                indicator.date_of_birth.isoformat() if indicator.date_of_birth else ""
            )
            pattern = (
                f"[{STIX_PATHS['person']} = '{_quote(indicator.display)}' AND "
                f"{PERSON_BORN} = '{born}']"
            )
        else:
            pattern = f"[{STIX_PATHS[indicator.kind]} = '{_quote(indicator.value)}']"
        indicators.append(
            stix2.Indicator(
                id=f"indicator--{indicator.uuid}",
                name=indicator.display,
                description=indicator.comment or None,
                pattern=pattern,
                pattern_type="stix",
                valid_from=bulletin.valid_from,
                valid_until=bulletin.valid_until,
                created_by_ref=author.id,
                object_marking_refs=[marking],
            )
        )
    report = stix2.Report(
        id=f"report--{bulletin.uuid}",
        name=bulletin.title,
        description=bulletin.text,
        published=bulletin.created_at,
        report_types=["threat-report"],
        created_by_ref=author.id,
        object_refs=[i.id for i in indicators] or [author.id],
        object_marking_refs=[marking],
        revoked=bulletin.status == Bulletin.Status.WITHDRAWN,
    )
    bundle = stix2.Bundle(objects=[author, *indicators, report], allow_custom=True)
    data: dict[str, Any] = json.loads(bundle.serialize())
    data["objects"].insert(0, _tlp_marking(bulletin.tlp))
    return data


def _pattern_indicator(pattern: str, comment: str) -> IndicatorData | None:
    comparisons = {
        path: _unquote(value) for path, value in _COMPARISON.findall(pattern)
    }
    if STIX_PATHS["person"] in comparisons:
        born = comparisons.get(PERSON_BORN, "")
        return IndicatorData(
            kind="person",
            value=comparisons[STIX_PATHS["person"]],
            date_of_birth=dt.date.fromisoformat(born) if born else None,
            comment=comment,
        )
    for path, value in comparisons.items():
        kind = PATH_KINDS.get(path)
        if kind is not None:
            return IndicatorData(kind=kind, value=value, comment=comment)
    return None


def stix_import(data: Any) -> BulletinData:
    """Read a STIX 2.1 bundle with one report (indicators without a report become one)."""
    try:
        bundle = stix2.parse(data, allow_custom=True)
    except Exception as exc:  # noqa: BLE001 - the library raises many kinds
        raise InterchangeError(f"This is not a STIX 2.1 bundle: {exc}") from None
    objects = list(getattr(bundle, "objects", []) or [])
    reports = [o for o in objects if getattr(o, "type", "") == "report"]
    report = reports[0] if reports else None
    refs = set(getattr(report, "object_refs", []) or []) if report else None
    marking_refs = (
        list(getattr(report, "object_marking_refs", []) or []) if report else []
    )
    indicators: list[IndicatorData] = []
    valid_from = valid_until = None
    for obj in objects:
        if getattr(obj, "type", "") != "indicator":
            continue
        if refs is not None and obj.id not in refs:
            continue
        marking_refs += list(getattr(obj, "object_marking_refs", []) or [])
        found = _pattern_indicator(
            str(obj.pattern), str(getattr(obj, "description", "") or "")
        )
        if found is not None:
            indicators.append(found)
        valid_from = valid_from or getattr(obj, "valid_from", None)
        valid_until = valid_until or getattr(obj, "valid_until", None)
    levels = [MARKING_TLP[m] for m in marking_refs if m in MARKING_TLP]
    if not levels:
        raise InterchangeError("The bundle carries no TLP marking.")
    order = ["clear", "green", "amber", "amber+strict", "red"]
    tlp = max(levels, key=order.index)  # the strictest marking wins
    title = str(getattr(report, "name", "")) if report else "Imported indicators"
    text = str(getattr(report, "description", "") or title) if report else title
    report_uuid = report.id.split("--", 1)[1] if report else None
    return BulletinData(
        uuid=report_uuid,
        title=title[:200],
        text=text,
        tlp=tlp,
        valid_from=valid_from,
        valid_until=valid_until,
        indicators=indicators,
    )


def detect_and_import(raw: bytes | str) -> tuple[str, BulletinData]:
    """Return ("misp" or "stix", the data) for a file in either format."""
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise InterchangeError("The file is not JSON.") from None
    if isinstance(data, dict) and data.get("type") == "bundle":
        return "stix", stix_import(data)
    return "misp", misp_import(data)
