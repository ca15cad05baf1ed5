"""Whether a driver may take a container now: the pick-up decision, framework-free.

The service layer gathers the facts (the release, its lights, the assignment,
the presented pass as the access engine's snapshot knows it) and the time;
:func:`pickup_decide` evaluates every check and collects every reason, so that
the gate operator sees all that is wrong at once. It never reads the clock and
imports nothing but the standard library and the lights.

Rules that the chain leaves open, as decided here:

- The driver is identified by the pass (the person behind it), not by the pass
  number: a driver whose card was replaced is still the assigned driver.
- A plate read by ANPR must match the assigned plate when the transport operator
  named one; a missing read then counts as a mismatch.
- A barge or rail visit has no personal card: the operator is the final holder,
  and the visit reference identifies it.
- A container named in a shared bulletin is not refused here: it is a note and a
  fraud signal, and the terminal decides (the control room is alerted).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from port2port.release.lights import Colour, Lights


class PickupReason(StrEnum):
    """Why a pick-up was refused, or a note that does not refuse.

    The definition order is the order in which a decision lists its reasons.
    The values are stable codes: they are stored and shown translated.
    """

    RELEASE_NOT_FOUND = "RELEASE_NOT_FOUND"
    WRONG_TERMINAL = "WRONG_TERMINAL"
    RELEASE_WITHDRAWN = "RELEASE_WITHDRAWN"
    RELEASE_EXPIRED = "RELEASE_EXPIRED"
    RELEASE_NOT_YET_VALID = "RELEASE_NOT_YET_VALID"
    RELEASE_BLOCKED = "RELEASE_BLOCKED"
    ALREADY_PICKED_UP = "ALREADY_PICKED_UP"
    NOT_DISCHARGED = "NOT_DISCHARGED"
    TERMINAL_RELEASE_MISSING = "TERMINAL_RELEASE_MISSING"
    CUSTOMS_NOT_CLEARED = "CUSTOMS_NOT_CLEARED"
    TRANSFER_PENDING = "TRANSFER_PENDING"
    NO_DRIVER_ASSIGNED = "NO_DRIVER_ASSIGNED"
    NO_CREDENTIAL = "NO_CREDENTIAL"
    UNKNOWN_CREDENTIAL = "UNKNOWN_CREDENTIAL"
    PASS_NOT_ACTIVE = "PASS_NOT_ACTIVE"  # noqa: S105 (a reason code)
    PASS_SUSPENDED = "PASS_SUSPENDED"  # noqa: S105 (a reason code)
    PASS_LOST = "PASS_LOST"  # noqa: S105 (a reason code)
    PASS_REVOKED = "PASS_REVOKED"  # noqa: S105 (a reason code)
    PASS_EXPIRED = "PASS_EXPIRED"  # noqa: S105 (a reason code)
    PASS_NOT_ACTIVATED_HERE = "PASS_NOT_ACTIVATED_HERE"  # noqa: S105 (a reason code)
    PORT_BAN = "PORT_BAN"
    BIOMETRIC_REQUIRED = "BIOMETRIC_REQUIRED"
    BIOMETRIC_MISMATCH = "BIOMETRIC_MISMATCH"
    WRONG_DRIVER = "WRONG_DRIVER"
    WRONG_VISIT = "WRONG_VISIT"
    PLATE_MISMATCH = "PLATE_MISMATCH"
    OUTSIDE_SLOT = "OUTSIDE_SLOT"
    # Notes: shown to the operator, never a reason to refuse.
    BULLETIN_MATCH = "BULLETIN_MATCH"


NOTES: frozenset[PickupReason] = frozenset({PickupReason.BULLETIN_MATCH})

REASON_TEXT: dict[PickupReason, str] = {
    PickupReason.RELEASE_NOT_FOUND: "No release exists for this container.",
    PickupReason.WRONG_TERMINAL: "The container is released at another terminal.",
    PickupReason.RELEASE_WITHDRAWN: "The shipping agent withdrew the release.",
    PickupReason.RELEASE_EXPIRED: "The release has expired.",
    PickupReason.RELEASE_NOT_YET_VALID: "The release is not valid yet.",
    PickupReason.RELEASE_BLOCKED: "The shipping agent blocked the release.",
    PickupReason.ALREADY_PICKED_UP: "The container has already been picked up.",
    PickupReason.NOT_DISCHARGED: "The container has not been discharged yet.",
    PickupReason.TERMINAL_RELEASE_MISSING: "The terminal has not released the container.",
    PickupReason.CUSTOMS_NOT_CLEARED: "Customs has not released the container.",
    PickupReason.TRANSFER_PENDING: "A transfer of the release right is waiting for an answer.",
    PickupReason.NO_DRIVER_ASSIGNED: "The holder of the release right has assigned no driver.",
    PickupReason.NO_CREDENTIAL: "No pass was presented.",
    PickupReason.UNKNOWN_CREDENTIAL: "The pass presented is not known.",
    PickupReason.PASS_NOT_ACTIVE: "The pass has not been collected or activated yet.",
    PickupReason.PASS_SUSPENDED: "The pass is suspended.",
    PickupReason.PASS_LOST: "The pass was reported lost or stolen.",
    PickupReason.PASS_REVOKED: "The pass has been revoked.",
    PickupReason.PASS_EXPIRED: "The pass has expired.",
    PickupReason.PASS_NOT_ACTIVATED_HERE: "This terminal has not activated the pass.",
    PickupReason.PORT_BAN: "The holder is under a port ban.",
    PickupReason.BIOMETRIC_REQUIRED: "A biometric check is required and was not done.",
    PickupReason.BIOMETRIC_MISMATCH: "The biometric check did not match the pass holder.",
    PickupReason.WRONG_DRIVER: "The driver is not the one assigned to this container.",
    PickupReason.WRONG_VISIT: "The barge or train visit is not the one assigned.",
    PickupReason.PLATE_MISMATCH: "The truck is not the one assigned to this container.",
    PickupReason.OUTSIDE_SLOT: "The pick-up is outside the assigned time slot.",
    PickupReason.BULLETIN_MATCH: "The container is named in a shared security bulletin.",
}


class Signal(StrEnum):
    """A pick-up attempt that the detection module must hear about."""

    WRONG_DRIVER = "wrong_driver"
    WRONG_TERMINAL = "wrong_terminal"
    BLOCKED_RELEASE = "blocked_release"
    BULLETIN_MATCH = "bulletin_match"


_SIGNALS: dict[PickupReason, Signal] = {
    PickupReason.WRONG_DRIVER: Signal.WRONG_DRIVER,
    PickupReason.WRONG_TERMINAL: Signal.WRONG_TERMINAL,
    PickupReason.RELEASE_BLOCKED: Signal.BLOCKED_RELEASE,
    PickupReason.BULLETIN_MATCH: Signal.BULLETIN_MATCH,
}

_PASS_STATE_REASONS: dict[str, PickupReason] = {
    "issued": PickupReason.PASS_NOT_ACTIVE,
    "suspended": PickupReason.PASS_SUSPENDED,
    "lost": PickupReason.PASS_LOST,
    "revoked": PickupReason.PASS_REVOKED,
    "expired": PickupReason.PASS_EXPIRED,
}

_PICKED_UP = frozenset({"picked_up", "gated_out", "closed"})


@dataclass(frozen=True, slots=True)
class PassFacts:
    """The presented pass as the access engine knows it."""

    person_id: int
    state: str
    valid_from: dt.datetime
    valid_until: dt.datetime
    activated_here: bool
    banned: bool


@dataclass(frozen=True, slots=True)
class AssignmentFacts:
    """The active assignment of the release."""

    operator_is_holder: bool
    mode: str
    driver_person_id: int | None
    plate: str
    slot_from: dt.datetime | None
    slot_until: dt.datetime | None
    visit_reference: str


@dataclass(frozen=True, slots=True)
class ReleaseFacts:
    """The release of the container, as the chain left it."""

    status: str
    terminal_id: int
    valid_from: dt.datetime
    valid_until: dt.datetime
    lights: Lights
    transfer_pending: bool
    assignment: AssignmentFacts | None


@dataclass(frozen=True, slots=True)
class PickupRequest:
    """What the terminal's gate sends: who, which truck, the reader's biometric result."""

    terminal_id: int
    credential: str | None
    biometric: str = "not_checked"
    plate: str | None = None
    visit_reference: str | None = None


@dataclass(frozen=True, slots=True)
class PickupDecision:
    """The answer: allowed or not, every reason, the notes and the fraud signals."""

    allowed: bool
    reasons: tuple[PickupReason, ...]
    notes: tuple[PickupReason, ...]
    signals: tuple[Signal, ...]
    person_id: int | None


def _normalise_plate(plate: str | None) -> str:
    return "".join(ch for ch in (plate or "").upper() if ch.isalnum())


def pickup_decide(
    *,
    request: PickupRequest,
    release: ReleaseFacts | None,
    presented: PassFacts | None,
    watched: bool,
    biometric_required: bool,
    at: dt.datetime,
) -> PickupDecision:
    """Decide whether the presented driver may take the container at ``at``.

    ``presented`` is None when the credential is unknown (or none was sent);
    ``watched`` says whether the container is named in a shared bulletin.
    """
    if at.tzinfo is None:
        raise ValueError("pickup_decide() needs a timezone-aware 'at'")
    reasons: set[PickupReason] = set()
    truck = True
    if release is None:
        reasons.add(PickupReason.RELEASE_NOT_FOUND)
    else:
        if release.terminal_id != request.terminal_id:
            reasons.add(PickupReason.WRONG_TERMINAL)
        status = release.status
        if status == "withdrawn":
            reasons.add(PickupReason.RELEASE_WITHDRAWN)
        elif status == "expired" or (
            status in ("active", "blocked") and at >= release.valid_until
        ):
            reasons.add(PickupReason.RELEASE_EXPIRED)
        if status == "blocked":
            reasons.add(PickupReason.RELEASE_BLOCKED)
        if status in _PICKED_UP:
            reasons.add(PickupReason.ALREADY_PICKED_UP)
        if at < release.valid_from:
            reasons.add(PickupReason.RELEASE_NOT_YET_VALID)
        lights = release.lights
        if lights.discharge.colour != Colour.GREEN:
            reasons.add(PickupReason.NOT_DISCHARGED)
        if lights.terminal.colour != Colour.GREEN:
            reasons.add(PickupReason.TERMINAL_RELEASE_MISSING)
        if lights.customs.colour != Colour.GREEN:
            reasons.add(PickupReason.CUSTOMS_NOT_CLEARED)
        if release.transfer_pending:
            reasons.add(PickupReason.TRANSFER_PENDING)
        assignment = release.assignment
        if assignment is None or not assignment.operator_is_holder:
            reasons.add(PickupReason.NO_DRIVER_ASSIGNED)
        elif assignment.mode in ("barge", "rail"):
            truck = False
            if (request.visit_reference or "").strip().upper() != (
                assignment.visit_reference.strip().upper()
            ):
                reasons.add(PickupReason.WRONG_VISIT)
        else:
            if presented is not None and presented.person_id != (
                assignment.driver_person_id
            ):
                reasons.add(PickupReason.WRONG_DRIVER)
            if assignment.plate and _normalise_plate(request.plate) != (
                _normalise_plate(assignment.plate)
            ):
                reasons.add(PickupReason.PLATE_MISMATCH)
            if (assignment.slot_from is not None and at < assignment.slot_from) or (
                assignment.slot_until is not None and at >= assignment.slot_until
            ):
                reasons.add(PickupReason.OUTSIDE_SLOT)

    # The person: a truck pick-up needs a valid pass whose holder is not banned.
    if truck or request.credential:
        if not request.credential:
            reasons.add(PickupReason.NO_CREDENTIAL)
        elif presented is None:
            reasons.add(PickupReason.UNKNOWN_CREDENTIAL)
        else:
            state_reason = _PASS_STATE_REASONS.get(presented.state)
            if state_reason is not None:
                reasons.add(state_reason)
            if at < presented.valid_from and presented.state != "issued":
                reasons.add(PickupReason.PASS_NOT_ACTIVE)
            if at >= presented.valid_until:
                reasons.add(PickupReason.PASS_EXPIRED)
            if not presented.activated_here:
                reasons.add(PickupReason.PASS_NOT_ACTIVATED_HERE)
            if presented.banned:
                reasons.add(PickupReason.PORT_BAN)
            if request.biometric == "no_match":
                reasons.add(PickupReason.BIOMETRIC_MISMATCH)
            elif request.biometric != "match" and biometric_required:
                reasons.add(PickupReason.BIOMETRIC_REQUIRED)

    notes = (PickupReason.BULLETIN_MATCH,) if watched else ()
    order = list(PickupReason)
    ordered = tuple(sorted(reasons, key=order.index))
    signals = tuple(
        dict.fromkeys(_SIGNALS[r] for r in (*ordered, *notes) if r in _SIGNALS)
    )
    return PickupDecision(
        allowed=not ordered,
        reasons=ordered,
        notes=notes,
        signals=signals,
        person_id=presented.person_id if presented is not None else None,
    )
