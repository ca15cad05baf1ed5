"""Read EDIFACT COREOR (container release order) messages, D95B or D04A.

Shipping agents send their commercial releases to the port community as COREOR
messages. This module reads an interchange with pydifact and returns one
:class:`ReleaseOrder` per message, in plain values; the service resolves the
parties and terminals and creates, replaces or withdraws the releases.

The segments read, per message:

``BGM+<document code>+<document number>+<function>``
    The function is ``9`` (original), ``5`` (replace) or ``1`` (cancellation).
``RFF+RE:<release number>``
    The release reference (the BGM document number when absent).
``RFF+BM:<bill of lading>``
    One segment per bill of lading.
``DTM+7:<time>:203`` and ``DTM+36:<time>:203``
    Valid from (effective) and until (expiry); formats 102, 203 and 204.
``LOC+11+<UN/LOCODE>:139:6+<terminal code>:TER:ZZZ``
    The port of discharge and, as related location, the terminal.
``NAD+CA+<id>`` and ``NAD+FW+<id>`` (or ``NAD+CN``)
    The carrier and the first holder of the release right, by EORI or
    VAT/enterprise number.
``EQD+CN+<container number>+…``
    One segment per container released.

Times without a zone are read in the port's time zone (``tz``). Nothing here
imports Django.
"""

from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import dataclass, field
from typing import Any

from pydifact.exceptions import EDISyntaxError
from pydifact.segmentcollection import Interchange

FUNCTIONS = {"9": "original", "5": "replace", "1": "cancel"}
_FORMATS = {"102": "%Y%m%d", "203": "%Y%m%d%H%M", "204": "%Y%m%d%H%M%S"}
_HOLDER_QUALIFIERS = ("FW", "CN")


class CoreorError(ValueError):
    """An interchange that is not a readable COREOR; ``fields`` names what is wrong."""

    def __init__(self, message: str, fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.fields = fields or {}


@dataclass
class ReleaseOrder:
    """One COREOR message: a release of one or more containers."""

    index: int
    message_reference: str
    function: str
    reference: str = ""
    bills_of_lading: list[str] = field(default_factory=list)
    valid_from: dt.datetime | None = None
    valid_until: dt.datetime | None = None
    port_locode: str = ""
    terminal_code: str = ""
    carrier: str = ""
    holder: str = ""
    containers: list[str] = field(default_factory=list)


def _element(elements: list[Any], index: int, component: int = 0) -> str:
    """Return one component of a segment's element, or '' when it is absent."""
    if index >= len(elements):
        return ""
    value = elements[index]
    if isinstance(value, list):
        return str(value[component]) if component < len(value) else ""
    return str(value) if component == 0 else ""


def _time(value: str, fmt: str, tz: dt.tzinfo) -> dt.datetime:
    pattern = _FORMATS.get(fmt or "203")
    if pattern is None:
        raise ValueError(f"date format {fmt} is not supported (102, 203, 204)")
    return dt.datetime.strptime(value, pattern).replace(tzinfo=tz)


def coreor_parse(text: str, *, tz: dt.tzinfo) -> list[ReleaseOrder]:
    """Return the release orders of a COREOR interchange, or raise ``CoreorError``."""
    try:
        with warnings.catch_warnings():
            # pydifact warns that it has no segment directory to validate against.
            warnings.simplefilter("ignore")
            interchange = Interchange.from_str(text.strip())
    except (
        EDISyntaxError,
        ValueError,
        IndexError,
        AssertionError,
        StopIteration,
    ) as exc:
        raise CoreorError(
            f"The interchange cannot be read: {exc}",
            fields={"interchange": [str(exc) or "not EDIFACT"]},
        ) from None
    orders: list[ReleaseOrder] = []
    errors: dict[str, list[str]] = {}
    order: ReleaseOrder | None = None
    holders: dict[str, str] = {}
    for segment in interchange.segments:
        tag = segment.tag
        elements = list(segment.elements)
        if tag == "UNH":
            if order is not None:
                raise CoreorError(
                    "A message is not closed with UNT.",
                    fields={"interchange": ["UNH without UNT"]},
                )
            kind = _element(elements, 1, 0)
            if kind != "COREOR":
                raise CoreorError(
                    f"Only COREOR messages are read, not {kind or 'an unnamed type'}.",
                    fields={"interchange": [f"message type {kind}"]},
                )
            order = ReleaseOrder(
                index=len(orders),
                message_reference=_element(elements, 0),
                function="original",
            )
            holders = {}
            continue
        if order is None:
            continue
        prefix = f"messages.{order.index}"
        try:
            if tag == "BGM":
                code = _element(elements, 2) or "9"
                if code not in FUNCTIONS:
                    raise ValueError(f"message function {code} is not 9, 5 or 1")
                order.function = FUNCTIONS[code]
                if not order.reference:
                    order.reference = _element(elements, 1)
            elif tag == "RFF":
                qualifier = _element(elements, 0, 0)
                value = _element(elements, 0, 1)
                if qualifier == "RE" and value:
                    order.reference = value
                elif qualifier == "BM" and value:
                    order.bills_of_lading.append(value)
            elif tag == "DTM":
                qualifier = _element(elements, 0, 0)
                if qualifier in ("7", "36"):
                    when = _time(_element(elements, 0, 1), _element(elements, 0, 2), tz)
                    if qualifier == "7":
                        order.valid_from = when
                    else:
                        order.valid_until = when
            elif tag == "LOC" and _element(elements, 0) == "11":
                order.port_locode = _element(elements, 1, 0).upper()
                order.terminal_code = _element(elements, 2, 0).upper()
            elif tag == "NAD":
                qualifier = _element(elements, 0)
                party = _element(elements, 1, 0)
                if qualifier == "CA":
                    order.carrier = party
                elif qualifier in _HOLDER_QUALIFIERS and party:
                    holders.setdefault(qualifier, party)
            elif tag == "EQD" and _element(elements, 0) == "CN":
                order.containers.append(_element(elements, 1))
            elif tag == "UNT":
                for qualifier in _HOLDER_QUALIFIERS:
                    if qualifier in holders:
                        order.holder = holders[qualifier]
                        break
                if not order.containers:
                    errors.setdefault(f"{prefix}.containers", []).append(
                        "The message releases no container (EQD+CN)."
                    )
                if order.function != "cancel":
                    if order.valid_until is None:
                        errors.setdefault(f"{prefix}.valid_until", []).append(
                            "The expiry date (DTM+36) is missing."
                        )
                    if not order.terminal_code or not order.port_locode:
                        errors.setdefault(f"{prefix}.terminal", []).append(
                            "The port and terminal (LOC+11) are missing."
                        )
                    if not order.holder:
                        errors.setdefault(f"{prefix}.holder", []).append(
                            "The release party (NAD+FW) is missing."
                        )
                if not order.reference:
                    errors.setdefault(f"{prefix}.reference", []).append(
                        "The release number (RFF+RE or BGM) is missing."
                    )
                orders.append(order)
                order = None
        except ValueError as exc:
            errors.setdefault(f"{prefix}.{tag.lower()}", []).append(str(exc))
    if order is not None:
        raise CoreorError(
            "A message is not closed with UNT.",
            fields={"interchange": ["UNH without UNT"]},
        )
    if not orders:
        raise CoreorError(
            "The interchange holds no COREOR message.",
            fields={"interchange": ["no message"]},
        )
    if errors:
        raise CoreorError("The COREOR messages are not complete.", fields=errors)
    return orders
