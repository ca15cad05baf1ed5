"""The green lights of a container release: a pure function, framework-free.

A container may leave the terminal when four lights are green (Certified Pick-Up):
the shipping agent's commercial release, the discharge from the vessel, the
terminal's own release and the customs release. Each light has a value as the
chain reports it and a colour:

- ``commercialRelease``: ``ok`` (green), ``unknown`` (grey), ``nok``, ``blocked``
  and ``expired`` (red).
- ``discharge``: ``discharged`` (green) or ``notdischarged`` (grey).
- ``terminalRelease``: ``released`` (green) or ``notreleased`` (grey).
- ``customs``: ``released``, ``gateoutreceived`` (green); a pending follow-up
  (``selectedforscan``, ``favv``, ``portequalisation``, ``transhipment``,
  ``partiallycleared``) is yellow; ``notreleased`` and ``documentarycontrol`` are
  red.

The overall light is red when any light is red, else yellow when any is yellow,
green only when all four are green, and grey while a step of the chain has not
happened yet (no discharge or terminal release so far).

Nothing here imports Django; the release model feeds it plain values.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Colour(StrEnum):
    """The colour of one light, or of the release as a whole."""

    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"
    GREY = "grey"


class LightName(StrEnum):
    """The names of the lights, as ``greenLightName`` carries them in notifications."""

    COMMERCIAL = "commercialRelease"
    DISCHARGE = "discharge"
    TERMINAL = "terminalRelease"
    CUSTOMS = "customs"
    OVERALL = "overall"


class Commercial(StrEnum):
    """The commercial-release light."""

    OK = "ok"
    NOK = "nok"
    UNKNOWN = "unknown"
    BLOCKED = "blocked"
    EXPIRED = "expired"


class Customs(StrEnum):
    """The customs status of the container, as customs (or its integration) reports it."""

    NOT_RELEASED = "notreleased"
    SELECTED_FOR_SCAN = "selectedforscan"
    RELEASED = "released"
    TRANSHIPMENT = "transhipment"
    PORT_EQUALISATION = "portequalisation"
    FAVV = "favv"
    DOCUMENTARY_CONTROL = "documentarycontrol"
    PARTIALLY_CLEARED = "partiallycleared"
    GATE_OUT_RECEIVED = "gateoutreceived"


CUSTOMS_COLOURS: dict[Customs, Colour] = {
    Customs.RELEASED: Colour.GREEN,
    Customs.GATE_OUT_RECEIVED: Colour.GREEN,
    Customs.SELECTED_FOR_SCAN: Colour.YELLOW,
    Customs.FAVV: Colour.YELLOW,
    Customs.PORT_EQUALISATION: Colour.YELLOW,
    Customs.TRANSHIPMENT: Colour.YELLOW,
    Customs.PARTIALLY_CLEARED: Colour.YELLOW,
    Customs.NOT_RELEASED: Colour.RED,
    Customs.DOCUMENTARY_CONTROL: Colour.RED,
}

COMMERCIAL_COLOURS: dict[Commercial, Colour] = {
    Commercial.OK: Colour.GREEN,
    Commercial.UNKNOWN: Colour.GREY,
    Commercial.NOK: Colour.RED,
    Commercial.BLOCKED: Colour.RED,
    Commercial.EXPIRED: Colour.RED,
}


@dataclass(frozen=True, slots=True)
class Light:
    """One light: its name, its reported value and its colour."""

    name: LightName
    value: str
    colour: Colour


@dataclass(frozen=True, slots=True)
class Lights:
    """The four lights of a release and the overall colour."""

    commercial: Light
    discharge: Light
    terminal: Light
    customs: Light
    overall: Colour

    @property
    def green(self) -> bool:
        return self.overall == Colour.GREEN

    def values(self) -> dict[str, str]:
        """Return ``{light name: value}``, the overall colour included."""
        return {
            self.commercial.name: self.commercial.value,
            self.discharge.name: self.discharge.value,
            self.terminal.name: self.terminal.value,
            self.customs.name: self.customs.value,
            LightName.OVERALL: self.overall.value,
        }

    def changes(self, before: Lights) -> list[tuple[str, str, str]]:
        """Return ``(light name, original value, new value)`` for every light that moved."""
        old = before.values()
        return [
            (name, old[name], value)
            for name, value in self.values().items()
            if old[name] != value
        ]


def commercial_value(*, status: str, expired: bool) -> Commercial:
    """Return the commercial light for a release's status.

    ``status`` is the release's life-cycle status; ``expired`` says whether its
    validity has ended (the expiry job may not have run yet).
    """
    if status == "blocked":
        return Commercial.BLOCKED
    if status == "withdrawn":
        return Commercial.NOK
    if status == "expired" or (expired and status in ("active", "blocked")):
        return Commercial.EXPIRED
    if status in ("active", "picked_up", "gated_out", "closed"):
        return Commercial.OK
    return Commercial.UNKNOWN


def lights_compute(
    *,
    commercial: str,
    discharged: bool,
    terminal_released: bool,
    customs: str,
) -> Lights:
    """Compute the lights of a release from what the chain has reported."""
    try:
        commercial_colour = COMMERCIAL_COLOURS[Commercial(commercial)]
    except ValueError:
        commercial_colour = Colour.GREY
    commercial_light = Light(LightName.COMMERCIAL, commercial, commercial_colour)
    discharge_light = Light(
        LightName.DISCHARGE,
        "discharged" if discharged else "notdischarged",
        Colour.GREEN if discharged else Colour.GREY,
    )
    terminal_light = Light(
        LightName.TERMINAL,
        "released" if terminal_released else "notreleased",
        Colour.GREEN if terminal_released else Colour.GREY,
    )
    try:
        customs_colour = CUSTOMS_COLOURS[Customs(customs)]
    except ValueError:
        # A status this platform does not know is not a release.
        customs_colour = Colour.RED
    customs_light = Light(LightName.CUSTOMS, customs, customs_colour)
    colours = {
        commercial_light.colour,
        discharge_light.colour,
        terminal_light.colour,
        customs_light.colour,
    }
    if Colour.RED in colours:
        overall = Colour.RED
    elif Colour.YELLOW in colours:
        overall = Colour.YELLOW
    elif colours == {Colour.GREEN}:
        overall = Colour.GREEN
    else:
        overall = Colour.GREY
    return Lights(
        commercial=commercial_light,
        discharge=discharge_light,
        terminal=terminal_light,
        customs=customs_light,
        overall=overall,
    )
