"""Writes of the release module: the chain from commercial release to gate-out.

Every function checks that the caller may act for the party concerned, writes
the change, a step of the release's timeline and an audit entry in one
transaction, and queues the notifications of the subscribed parties for after
the commit. Refusals are ``ApplicationError`` subclasses with a stable code.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import http.client
import ipaddress
import json
import logging
import secrets
import socket
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from port2port.access import gate
from port2port.access.models import PortPass
from port2port.core.audit import (
    audit_entry,
    audit_head_statements,
    audit_link,
    audit_record,
    audit_record_entry,
)
from port2port.core.db import (
    insert_instance,
    insert_statement,
    inserted,
    prepared_cursor,
    row_convert,
    row_converters,
    statement_batch,
)
from port2port.core.errors import (
    Conflict,
    InvalidInput,
    NotPermitted,
    field_error,
)
from port2port.core.models import ApiToken, Facility, Organisation, Person, User
from port2port.core.scopes import Actor
from port2port.lib.identifiers import (
    InvalidIdentifier,
    container_number_normalise,
    plate_normalise,
)
from port2port.release import permissions
from port2port.release.coreor import CoreorError, ReleaseOrder, coreor_parse
from port2port.release.lights import Lights
from port2port.release.models import (
    ContainerWatch,
    DriverAssignment,
    FraudSignal,
    PickupAttempt,
    PickupOverride,
    Release,
    ReleaseEvent,
    ReleaseTransfer,
    TerminalContainerStatus,
    WebhookDelivery,
    WebhookSubscription,
)
from port2port.release.pickup import (
    AssignmentFacts,
    PassFacts,
    PickupDecision,
    PickupReason,
    PickupRequest,
    ReleaseFacts,
    pickup_decide,
)
from port2port.release.signing import (
    EVENT_ID_HEADER,
    EVENT_TYPE_HEADER,
    SIGNATURE_HEADER,
    backoff_seconds,
    signature_header,
)

logger = logging.getLogger(__name__)

EVENT_TYPES = (
    "ReleaseLightChanged",
    "ReleaseTransferRequested",
    "ReleaseTransferAccepted",
    "ReleaseTransferDenied",
    "ReleaseTransferRevoked",
)
# Rows written per statement when releases are created in bulk.
BATCH_SIZE = 2000
# Reasons listed in one refusal of a bulk creation (the first ones).
MAX_REPORTED_ERRORS = 100
_REFERENCE_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-/._")


def _user(actor: Actor | None) -> User | None:
    """Return the acting user, or None when a token or the system acts."""
    return actor if isinstance(actor, User) else None


def _label(actor: Actor | None) -> str:
    if isinstance(actor, ApiToken):
        return f"token:{actor.prefix}"
    if actor is None:
        return "system"
    return actor.get_username()


def _acting_organisation(actor: Actor | None, *candidates: int | None) -> int | None:
    """Return which of the chain's organisations the caller acts for, for the timeline."""
    if actor is None:
        return None
    mine = permissions.chain_organisation_ids(actor)
    for candidate in candidates:
        if candidate is not None and candidate in mine:
            return candidate
    return next((c for c in candidates if c is not None), None)


def _event(
    release: Release,
    kind: str,
    *,
    actor: Actor | None,
    organisation_id: int | None,
    at: dt.datetime | None = None,
    details: dict[str, Any] | None = None,
) -> ReleaseEvent:
    event = ReleaseEvent(
        release=release,
        kind=kind,
        at=at or timezone.now(),
        organisation_id=organisation_id,
        actor_label=_label(actor),
        details=details or {},
    )
    insert_instance(event)
    return event


def _audit(
    actor: Actor | None,
    action: str,
    release: Release,
    details: dict[str, Any] | None = None,
    *,
    organisation_id: int | None = None,
) -> None:
    audit_record(
        actor=actor,
        action=action,
        obj=release,
        port_id=release.port_id,
        facility_id=release.terminal_id,
        organisation_id=organisation_id,
        details={"container": release.container_number, **(details or {})},
    )


def _locked(release: Release) -> Release:
    """Return the release read again under a row lock, for a change that depends on it."""
    return (
        Release.objects.select_for_update(of=("self",))
        .select_related("terminal", "port", "carrier", "agent", "holder")
        .get(pk=release.pk)
    )


# Notifications -------------------------------------------------------------------------


def _utc(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _organisation_payload(organisation: Organisation) -> dict[str, Any]:
    return {
        "nxtEntityId": str(organisation.pk),
        "name": organisation.name,
        "eori": organisation.eori or None,
        "tin": organisation.vat_number or None,
        "apcs": None,
        "duns": None,
    }


def release_payload(release: Release) -> dict[str, Any]:
    """Return the fields of a release that every notification carries.

    They follow the terminal notification of Certified Pick-Up
    (``ReleaseLightChanged``): the public reference, the release and its
    identification, the carrier, terminal and port, the container, the bills of
    lading and the validity.
    """
    return {
        "publicReferenceId": str(release.public_id),
        "releaseId": release.pk,
        "releaseIdentification": release.reference,
        "carrier": _organisation_payload(release.carrier),
        "terminalCode": release.terminal.code,
        "portLoCode": release.port.locode,
        "equipmentNumber": release.container_number,
        "billOfLadingNumbers": list(release.bills_of_lading),
        "releaseDateTimeUtc": _utc(release.valid_from),
        "expirationDateTimeUtc": _utc(release.valid_until),
    }


def _parties(release: Release, *extra: int | None) -> set[int]:
    """Return the organisations told about a release's events."""
    ids = {
        release.agent_id,
        release.carrier_id,
        release.holder_id,
        release.terminal.operator_id,
    }
    ids.update(e for e in extra if e is not None)
    return ids


def _subscriptions(organisation_ids: Iterable[int]) -> list[WebhookSubscription]:
    return list(
        WebhookSubscription.objects.filter(
            organisation_id__in=set(organisation_ids), active=True
        )
    )


def _queue(
    release: Release,
    event_type: str,
    body: dict[str, Any],
    subscriptions: Sequence[WebhookSubscription],
    *,
    at: dt.datetime | None = None,
) -> list[WebhookDelivery]:
    """Store one event for every subscription that wants it (without sending)."""
    wanted = [s for s in subscriptions if s.wants(event_type)]
    if not wanted:
        return []
    event_id = uuid.uuid4()
    payload = {
        "eventId": str(event_id),
        "event": event_type,
        "occurredAtUtc": _utc(at or timezone.now()),
        **release_payload(release),
        **body,
    }
    return [
        WebhookDelivery(
            subscription=s,
            event_id=event_id,
            event_type=event_type,
            release=release,
            payload=payload,
        )
        for s in wanted
    ]


def _send_after_commit(deliveries: list[WebhookDelivery]) -> None:
    """Save the deliveries and hand them to the task worker once the change commits."""
    if not deliveries:
        return
    created = WebhookDelivery.objects.bulk_create(deliveries, ignore_conflicts=False)
    ids = [d.pk for d in created]
    transaction.on_commit(lambda: _enqueue(ids))


def _enqueue(ids: Iterable[int], *, run_after: dt.datetime | None = None) -> None:
    from port2port.release.tasks import webhook_deliver

    task = webhook_deliver
    if run_after is not None:
        task = webhook_deliver.using(run_after=run_after)
    for pk in ids:
        try:
            task.enqueue(pk)
        except Exception:
            # The delivery row stays pending; the periodic retry picks it up.
            logger.exception("Could not queue webhook delivery %s", pk)


def _notify(
    release: Release,
    event_type: str,
    body: dict[str, Any],
    *,
    extra_parties: Iterable[int | None] = (),
    at: dt.datetime | None = None,
) -> None:
    subscriptions = _subscriptions(_parties(release, *extra_parties))
    if subscriptions:
        _send_after_commit(_queue(release, event_type, body, subscriptions, at=at))


def _lights_moved(
    release: Release,
    before: Lights,
    *,
    actor: Actor | None,
    organisation_id: int | None,
    at: dt.datetime,
) -> list[tuple[str, str, str]]:
    """Record and announce every light that changed; set the release's overall light.

    The caller saves the release.
    """
    after = release.lights(now=at)
    release.light = after.overall.value
    changes = after.changes(before)
    for name, old, new in changes:
        _event(
            release,
            ReleaseEvent.Kind.LIGHT_CHANGED,
            actor=actor,
            organisation_id=organisation_id,
            at=at,
            details={"light": name, "from": old, "to": new},
        )
    if changes:
        subscriptions = _subscriptions(_parties(release))
        deliveries: list[WebhookDelivery] = []
        for name, old, new in changes:
            deliveries += _queue(
                release,
                "ReleaseLightChanged",
                {"greenLightName": name, "originalValue": old, "newValue": new},
                subscriptions,
                at=at,
            )
        _send_after_commit(deliveries)
    return changes


# Creating releases -------------------------------------------------------------------------


@dataclass(frozen=True)
class ReleaseInput:
    """One release to create, as the agent describes it."""

    container_number: str
    terminal_id: int
    holder_id: int
    valid_until: dt.datetime
    bills_of_lading: Sequence[str] = ()
    valid_from: dt.datetime | None = None
    carrier_id: int | None = None
    reference: str = ""


@dataclass
class BulkResult:
    """What a bulk creation made: the ids, in the order of the input."""

    ids: list[int] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.ids)


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    """Read a time without a zone in the platform's zone (forms and files send those)."""
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


def _check_agent(actor: Actor, agent: Organisation) -> None:
    if not permissions.acts_for(actor, agent.pk):
        raise NotPermitted(
            "Only the shipping agent's staff can release its containers."
        )
    if not permissions.is_shipping_agent(agent):
        raise NotPermitted("Only a shipping agent can release containers.")


def _clean_reference(value: str) -> str:
    reference = value.strip().upper()
    if not reference or len(reference) > 35 or not set(reference) <= _REFERENCE_CHARS:
        raise ValueError(
            "A release reference is 1 to 35 letters, digits and - / . _ characters."
        )
    return reference


def _clean_bills(values: Sequence[str]) -> list[str]:
    bills = []
    for value in values:
        bill = value.strip().upper()
        if not bill or len(bill) > 35 or not set(bill) <= _REFERENCE_CHARS:
            raise ValueError("A bill of lading number is 1 to 35 letters and digits.")
        if bill not in bills:
            bills.append(bill)
    if not bills or len(bills) > 20:
        raise ValueError("Name 1 to 20 bills of lading.")
    return bills


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def release_create_bulk(
    *,
    actor: Actor,
    agent: Organisation,
    rows: Sequence[ReleaseInput],
    source: str = Release.Source.API,
) -> BulkResult:
    """Create many releases at once, all or none.

    Every row is validated first (the container number with its check digit,
    the terminal, the first holder, the validity, the bills of lading, and that
    the container has no other live release); one bad row refuses the whole
    request with the rows and fields at fault. The rows are then written in
    batches, with one timeline step per release and one audit entry per batch
    listing the ids it created.
    """
    _check_agent(actor, agent)
    if not rows:
        raise field_error("releases", "Send at least one release.")
    now = timezone.now()
    errors: dict[str, list[str]] = {}
    single = len(rows) == 1
    # Whether every error is a clash with what exists (409) rather than bad input.
    clashes_only = True

    def error(index: int, name: str, message: str, *, clash: bool = False) -> None:
        nonlocal clashes_only
        clashes_only = clashes_only and clash
        key = name if single else f"releases.{index}.{name}"
        if len(errors) < MAX_REPORTED_ERRORS:
            errors.setdefault(key, []).append(message)

    terminal_ids = {r.terminal_id for r in rows}
    terminals = Facility.objects.select_related("port").in_bulk(terminal_ids)
    organisation_ids = {r.holder_id for r in rows} | {
        r.carrier_id for r in rows if r.carrier_id is not None
    }
    organisations = Organisation.objects.in_bulk(organisation_ids)
    may_hold = {pk: permissions.may_hold(o) for pk, o in organisations.items()}

    cleaned: list[dict[str, Any]] = []
    containers: dict[str, int] = {}
    references: dict[str, int] = {}
    for index, row in enumerate(rows):
        values: dict[str, Any] = {}
        try:
            values["container_number"] = container_number_normalise(
                row.container_number
            )
        except InvalidIdentifier as exc:
            error(index, "container_number", str(exc))
        else:
            seen = containers.setdefault(values["container_number"], index)
            if seen != index:
                error(index, "container_number", f"Repeats row {seen}.")
        terminal = terminals.get(row.terminal_id)
        if terminal is None:
            error(index, "terminal_id", "Unknown terminal.")
        values["terminal"] = terminal
        if row.holder_id not in organisations:
            error(index, "holder_id", "Unknown organisation.")
        elif not may_hold[row.holder_id]:
            error(
                index,
                "holder_id",
                "The release right goes to a forwarder or a transport operator.",
            )
        carrier_id = row.carrier_id if row.carrier_id is not None else agent.pk
        if row.carrier_id is not None and row.carrier_id not in organisations:
            error(index, "carrier_id", "Unknown organisation.")
        values["carrier_id"] = carrier_id
        valid_from = _aware(row.valid_from) or now
        valid_until = _aware(row.valid_until)
        assert valid_until is not None  # noqa: S101 - the field is required
        if valid_until <= max(valid_from, now):
            error(index, "valid_until", "The release must be valid until a later time.")
        values["valid_from"] = valid_from
        values["valid_until"] = valid_until
        try:
            values["bills_of_lading"] = _clean_bills(row.bills_of_lading)
        except ValueError as exc:
            error(index, "bills_of_lading", str(exc))
        try:
            reference = _clean_reference(
                row.reference or f"R{secrets.token_hex(6).upper()}"
            )
        except ValueError as exc:
            error(index, "reference", str(exc))
        else:
            seen = references.setdefault(reference, index)
            if seen != index:
                error(index, "reference", f"Repeats row {seen}.")
            values["reference"] = reference
        cleaned.append(values)

    # What already exists: a live release of the container, or the reference.
    if not errors:
        for chunk in _chunks(list(containers), 500):
            for number in Release.objects.filter(
                container_number__in=chunk, status__in=Release.LIVE
            ).values_list("container_number", flat=True):
                error(
                    containers[number],
                    "container_number",
                    "The container already has a live release.",
                    clash=True,
                )
        for chunk in _chunks(list(references), 500):
            for reference in Release.objects.filter(
                agent=agent, reference__in=chunk
            ).values_list("reference", flat=True):
                error(
                    references[reference],
                    "reference",
                    "This reference is used.",
                    clash=True,
                )
    if errors:
        if clashes_only:
            raise Conflict(
                "The release clashes with an existing one; nothing was created.",
                fields=errors,
            )
        raise InvalidInput(
            "The releases are not valid; nothing was created.", fields=errors
        )

    light = Release(
        status=Release.Status.ACTIVE, valid_until=now + dt.timedelta(days=1)
    ).lights(now=now)
    user = _user(actor)
    label = _label(actor)
    subscriptions = _subscriptions(
        {agent.pk}
        | {r.holder_id for r in rows}
        | {v["carrier_id"] for v in cleaned}
        | {t.operator_id for t in terminals.values()}
    )
    result = BulkResult()
    try:
        with transaction.atomic():
            for start in range(0, len(cleaned), BATCH_SIZE):
                chunk = cleaned[start : start + BATCH_SIZE]
                early = _early_statuses(chunk)
                batch = [
                    Release(
                        reference=values["reference"],
                        container_number=values["container_number"],
                        bills_of_lading=values["bills_of_lading"],
                        agent=agent,
                        # Objects rather than ids, so that building the
                        # notifications reads nothing more.
                        carrier=organisations.get(values["carrier_id"], agent),
                        port=values["terminal"].port,
                        terminal=values["terminal"],
                        holder_id=row.holder_id,
                        valid_from=values["valid_from"],
                        valid_until=values["valid_until"],
                        light=light.overall.value,
                        source=source,
                        created_by=user,
                        created_at=now,
                        updated_at=now,
                    )
                    for values, row in zip(
                        chunk,
                        rows[start : start + BATCH_SIZE],
                        strict=True,
                    )
                ]
                carried = _early_apply(batch, early, now)
                created = Release.objects.bulk_create(batch)
                ids = [r.pk for r in created]
                result.ids.extend(ids)
                ReleaseEvent.objects.bulk_create(
                    ReleaseEvent(
                        release=r,
                        kind=ReleaseEvent.Kind.CREATED,
                        at=now,
                        organisation=agent,
                        actor_label=label,
                        details={"holder": r.holder_id, "source": source},
                    )
                    for r in created
                )
                if carried:
                    _early_record(carried)
                if single:
                    _audit(
                        actor,
                        "release.create",
                        created[0],
                        {
                            "reference": created[0].reference,
                            "holder": created[0].holder_id,
                            "source": source,
                        },
                        organisation_id=agent.pk,
                    )
                else:
                    audit_record(
                        actor=actor,
                        action="release.create_bulk",
                        object_type="release.release",
                        object_id=f"{ids[0]}-{ids[-1]}",
                        object_repr=f"{len(ids)} releases",
                        organisation_id=agent.pk,
                        details={"count": len(ids), "ids": ids, "source": source},
                    )
                if subscriptions:
                    deliveries: list[WebhookDelivery] = []
                    for r in created:
                        deliveries += _queue(
                            r,
                            "ReleaseLightChanged",
                            {
                                "greenLightName": "commercialRelease",
                                "originalValue": "unknown",
                                "newValue": "ok",
                            },
                            subscriptions,
                            at=now,
                        )
                    _send_after_commit(deliveries)
    except IntegrityError:
        raise Conflict(
            "A release for one of these containers or references was created "
            "meanwhile; nothing was created."
        ) from None
    return result


def release_create(
    *,
    actor: Actor,
    agent: Organisation,
    container_number: str,
    terminal: Facility,
    holder: Organisation,
    valid_until: dt.datetime,
    bills_of_lading: Sequence[str],
    valid_from: dt.datetime | None = None,
    carrier: Organisation | None = None,
    reference: str = "",
    source: str = Release.Source.API,
) -> Release:
    """Release one container to its first holder (the shipping agent's staff)."""
    result = release_create_bulk(
        actor=actor,
        agent=agent,
        rows=[
            ReleaseInput(
                container_number=container_number,
                terminal_id=terminal.pk,
                holder_id=holder.pk,
                valid_until=valid_until,
                bills_of_lading=bills_of_lading,
                valid_from=valid_from,
                carrier_id=carrier.pk if carrier else None,
                reference=reference,
            )
        ],
        source=source,
    )
    return Release.objects.select_related(
        "agent", "carrier", "holder", "terminal", "port"
    ).get(pk=result.ids[0])


# COREOR ---------------------------------------------------------------------------------


@dataclass
class CoreorResult:
    """What an imported interchange did: the releases created, replaced and withdrawn."""

    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    withdrawn: list[int] = field(default_factory=list)


def _organisation_by_identifier(value: str) -> Organisation | None:
    """Find an organisation by its EORI or its VAT or enterprise number."""
    code = "".join(ch for ch in value.upper() if ch.isalnum())
    if not code:
        return None
    condition = Q(eori=code)
    kbo = code[2:] if code.startswith("BE") else code
    if kbo.isdigit() and len(kbo) == 10:
        condition |= Q(kbo_number=kbo)
    return Organisation.objects.filter(condition).order_by("pk").first()


def _order_reference(order: ReleaseOrder, container: str) -> str:
    """Return the reference of one container's release in an order.

    An order of one container keeps its release number; in an order of several,
    each container's release is ``<release number>/<container>``.
    """
    reference = order.reference.strip().upper()
    if len(order.containers) == 1:
        return reference
    with contextlib.suppress(InvalidIdentifier):
        container = container_number_normalise(container)
    return f"{reference[:23]}/{container}"


@transaction.atomic
def release_import_coreor(
    *, actor: Actor, agent: Organisation, interchange: str
) -> CoreorResult:
    """Apply an EDIFACT COREOR interchange of the shipping agent, all or nothing.

    Originals create releases, replacements change them (or create them when
    they do not exist yet), cancellations withdraw them.
    """
    _check_agent(actor, agent)
    try:
        orders = coreor_parse(interchange, tz=timezone.get_current_timezone())
    except CoreorError as exc:
        raise InvalidInput(str(exc), fields=exc.fields) from None
    errors: dict[str, list[str]] = {}
    rows: list[ReleaseInput] = []
    updates: list[tuple[Release, ReleaseInput, Facility, Organisation | None]] = []
    cancels: list[Release] = []
    for order in orders:
        prefix = f"messages.{order.index}"
        if order.function == "cancel":
            for container in order.containers:
                reference = _order_reference(order, container)
                release = Release.objects.filter(
                    agent=agent, reference=reference
                ).first()
                if release is None:
                    errors.setdefault(f"{prefix}.reference", []).append(
                        f"No release {reference} to cancel."
                    )
                else:
                    cancels.append(release)
            continue
        terminal = (
            Facility.objects.select_related("port")
            .filter(port__locode=order.port_locode, code=order.terminal_code)
            .first()
        )
        if terminal is None:
            errors.setdefault(f"{prefix}.terminal", []).append(
                f"Unknown terminal {order.terminal_code} in {order.port_locode}."
            )
        holder = _organisation_by_identifier(order.holder)
        if holder is None:
            errors.setdefault(f"{prefix}.holder", []).append(
                f"No organisation is registered as {order.holder}."
            )
        carrier = _organisation_by_identifier(order.carrier) if order.carrier else None
        if order.carrier and carrier is None:
            errors.setdefault(f"{prefix}.carrier", []).append(
                f"No organisation is registered as {order.carrier}."
            )
        if terminal is None or holder is None or order.valid_until is None:
            continue
        for container in order.containers:
            row = ReleaseInput(
                container_number=container,
                terminal_id=terminal.pk,
                holder_id=holder.pk,
                valid_until=order.valid_until,
                valid_from=order.valid_from,
                bills_of_lading=order.bills_of_lading,
                carrier_id=carrier.pk if carrier else None,
                reference=_order_reference(order, container),
            )
            existing = (
                Release.objects.filter(agent=agent, reference=row.reference).first()
                if order.function == "replace"
                else None
            )
            if existing is not None:
                updates.append((existing, row, terminal, carrier))
            else:
                rows.append(row)
    if errors:
        raise InvalidInput(
            "The COREOR interchange cannot be applied; nothing changed.", fields=errors
        )
    result = CoreorResult()
    if rows:
        result.created = release_create_bulk(
            actor=actor, agent=agent, rows=rows, source=Release.Source.COREOR
        ).ids
    for release, row, terminal, carrier in updates:
        release_update(
            actor=actor,
            release=release,
            valid_until=row.valid_until,
            terminal=terminal,
            bills_of_lading=row.bills_of_lading,
            carrier=carrier,
        )
        result.updated.append(release.pk)
    for release in cancels:
        if release.is_open:
            release_withdraw(actor=actor, release=release, reason="COREOR cancellation")
            result.withdrawn.append(release.pk)
    return result


# The agent's changes ---------------------------------------------------------------------


def _check_release_agent(actor: Actor, release: Release) -> None:
    if not permissions.acts_for(actor, release.agent_id):
        raise NotPermitted("Only the shipping agent that released it can change it.")


def _require_open(release: Release) -> None:
    if not release.is_open:
        raise Conflict(
            f"The release is {release.get_status_display().lower()}.",
            code="release_closed",
        )


def _end_chain_in_flight(release: Release, at: dt.datetime) -> None:
    """Revoke a waiting transfer and end the assignment of a release that closes."""
    release.transfers.filter(state=ReleaseTransfer.State.PENDING).update(
        state=ReleaseTransfer.State.REVOKED, decided_at=at, reason="release closed"
    )
    release.assignments.filter(active=True).update(active=False, ended_at=at)


@transaction.atomic
def release_update(
    *,
    actor: Actor,
    release: Release,
    valid_until: dt.datetime | None = None,
    terminal: Facility | None = None,
    bills_of_lading: Sequence[str] | None = None,
    carrier: Organisation | None = None,
) -> Release:
    """Change a release's validity, terminal, bills of lading or carrier (the agent).

    Moving the release to another terminal clears what the former terminal reported.
    """
    _check_release_agent(actor, release)
    release = _locked(release)
    _require_open(release)
    now = timezone.now()
    before = release.lights(now=now)
    changed: dict[str, Any] = {}
    valid_until = _aware(valid_until)
    if valid_until is not None and valid_until != release.valid_until:
        if valid_until <= max(now, release.valid_from):
            raise field_error(
                "valid_until", "The release must be valid until a later time."
            )
        changed["valid_until"] = [_utc(release.valid_until), _utc(valid_until)]
        release.valid_until = valid_until
    if terminal is not None and terminal.pk != release.terminal_id:
        if terminal.port_id != release.port_id:
            raise field_error("terminal_id", "The terminal is in another port.")
        changed["terminal"] = [release.terminal.code, terminal.code]
        release.terminal = terminal
        release.discharged_at = None
        release.terminal_released_at = None
    if bills_of_lading is not None:
        try:
            bills = _clean_bills(bills_of_lading)
        except ValueError as exc:
            raise field_error("bills_of_lading", str(exc)) from None
        if bills != release.bills_of_lading:
            changed["bills_of_lading"] = [release.bills_of_lading, bills]
            release.bills_of_lading = bills
    if carrier is not None and carrier.pk != release.carrier_id:
        changed["carrier"] = [release.carrier_id, carrier.pk]
        release.carrier = carrier
    if not changed:
        return release
    _event(
        release,
        ReleaseEvent.Kind.UPDATED,
        actor=actor,
        organisation_id=release.agent_id,
        at=now,
        details={"changed": sorted(changed)},
    )
    _lights_moved(
        release, before, actor=actor, organisation_id=release.agent_id, at=now
    )
    release.save()
    _audit(actor, "release.update", release, {"changed": changed})
    return release


def _set_status(
    *,
    actor: Actor,
    release: Release,
    status: str,
    kind: str,
    action: str,
    reason: str = "",
) -> Release:
    now = timezone.now()
    before = release.lights(now=now)
    release.status = status
    if status == Release.Status.BLOCKED:
        release.block_reason = reason
    elif status == Release.Status.ACTIVE:
        release.block_reason = ""
    if status == Release.Status.WITHDRAWN:
        release.closed_at = now
        _end_chain_in_flight(release, now)
    _event(
        release,
        kind,
        actor=actor,
        organisation_id=release.agent_id,
        at=now,
        details={"reason": reason} if reason else {},
    )
    _lights_moved(
        release, before, actor=actor, organisation_id=release.agent_id, at=now
    )
    release.save()
    _audit(actor, action, release, {"reason": reason} if reason else {})
    return release


def _reason(reason: str, name: str = "reason") -> str:
    text = reason.strip()
    if len(text) < 3:
        raise field_error(name, "Give a reason.")
    return text[:300]


@transaction.atomic
def release_block(*, actor: Actor, release: Release, reason: str) -> Release:
    """Block a release: no pick-up until the agent unblocks it."""
    _check_release_agent(actor, release)
    reason = _reason(reason)
    release = _locked(release)
    if release.status != Release.Status.ACTIVE:
        raise Conflict(
            f"Only a released container can be blocked; it is "
            f"{release.get_status_display().lower()}.",
            code="release_not_active",
        )
    return _set_status(
        actor=actor,
        release=release,
        status=Release.Status.BLOCKED,
        kind=ReleaseEvent.Kind.BLOCKED,
        action="release.block",
        reason=reason,
    )


@transaction.atomic
def release_unblock(*, actor: Actor, release: Release) -> Release:
    """Lift the agent's block."""
    _check_release_agent(actor, release)
    release = _locked(release)
    if release.status != Release.Status.BLOCKED:
        raise Conflict("The release is not blocked.", code="release_not_blocked")
    return _set_status(
        actor=actor,
        release=release,
        status=Release.Status.ACTIVE,
        kind=ReleaseEvent.Kind.UNBLOCKED,
        action="release.unblock",
    )


@transaction.atomic
def release_withdraw(*, actor: Actor, release: Release, reason: str) -> Release:
    """Withdraw a release for good; a waiting transfer is revoked, the driver unassigned."""
    _check_release_agent(actor, release)
    reason = _reason(reason)
    release = _locked(release)
    _require_open(release)
    return _set_status(
        actor=actor,
        release=release,
        status=Release.Status.WITHDRAWN,
        kind=ReleaseEvent.Kind.WITHDRAWN,
        action="release.withdraw",
        reason=reason,
    )


# Transfers -----------------------------------------------------------------------------


def _transfer_body(transfer: ReleaseTransfer) -> dict[str, Any]:
    return {
        "transfer": {
            "id": transfer.pk,
            "state": transfer.state,
            "from": _organisation_payload(transfer.sender),
            "to": _organisation_payload(transfer.receiver),
        }
    }


@transaction.atomic
def transfer_create(
    *, actor: Actor, release: Release, receiver: Organisation
) -> ReleaseTransfer:
    """Offer the release right to another release party or a transport operator."""
    if not permissions.acts_for(actor, release.holder_id):
        raise NotPermitted("Only the holder of the release right can transfer it.")
    release = _locked(release)
    if not permissions.acts_for(actor, release.holder_id):
        raise Conflict("The release right has moved on.", code="not_holder")
    _require_open(release)
    if receiver.pk == release.holder_id:
        raise field_error("receiver_id", "The receiver already holds the right.")
    if not permissions.may_hold(receiver):
        raise field_error(
            "receiver_id",
            "The release right goes to a forwarder or a transport operator.",
        )
    if release.transfers.filter(state=ReleaseTransfer.State.PENDING).exists():
        raise Conflict(
            "A transfer of this release is already waiting for an answer.",
            code="transfer_pending",
        )
    now = timezone.now()
    try:
        with transaction.atomic():
            transfer = ReleaseTransfer.objects.create(
                release=release,
                sender_id=release.holder_id,
                receiver=receiver,
                created_at=now,
                created_by=_user(actor),
            )
    except IntegrityError:
        raise Conflict(
            "A transfer of this release is already waiting for an answer.",
            code="transfer_pending",
        ) from None
    transfer.sender = release.holder
    _event(
        release,
        ReleaseEvent.Kind.TRANSFER_REQUESTED,
        actor=actor,
        organisation_id=release.holder_id,
        at=now,
        details={"transfer": transfer.pk, "to": receiver.pk, "to_name": receiver.name},
    )
    _audit(
        actor,
        "release.transfer",
        release,
        {"transfer": transfer.pk, "from": release.holder_id, "to": receiver.pk},
        organisation_id=release.holder_id,
    )
    _notify(
        release,
        "ReleaseTransferRequested",
        _transfer_body(transfer),
        extra_parties=[receiver.pk],
        at=now,
    )
    return transfer


_TRANSFER_EVENTS: dict[str, str] = {
    ReleaseTransfer.State.ACCEPTED: "ReleaseTransferAccepted",
    ReleaseTransfer.State.DENIED: "ReleaseTransferDenied",
    ReleaseTransfer.State.REVOKED: "ReleaseTransferRevoked",
}


def _decide_transfer(
    *,
    actor: Actor,
    transfer: ReleaseTransfer,
    state: str,
    reason: str = "",
) -> ReleaseTransfer:
    """Move a pending transfer to ``state``; the conditional update settles races."""
    now = timezone.now()
    release = _locked(transfer.release)
    updated = ReleaseTransfer.objects.filter(
        pk=transfer.pk, state=ReleaseTransfer.State.PENDING
    ).update(state=state, decided_at=now, decided_by=_user(actor), reason=reason)
    if updated != 1:
        transfer.refresh_from_db()
        raise Conflict(
            f"The transfer was already {transfer.get_state_display().lower()}.",
            code=f"transfer_{transfer.state}",
        )
    transfer.refresh_from_db()
    kinds: dict[str, str] = {
        ReleaseTransfer.State.ACCEPTED: ReleaseEvent.Kind.TRANSFER_ACCEPTED,
        ReleaseTransfer.State.DENIED: ReleaseEvent.Kind.TRANSFER_DENIED,
        ReleaseTransfer.State.REVOKED: ReleaseEvent.Kind.TRANSFER_REVOKED,
    }
    acting = (
        transfer.sender_id
        if state == ReleaseTransfer.State.REVOKED
        else transfer.receiver_id
    )
    if state == ReleaseTransfer.State.ACCEPTED:
        if not release.is_open:
            raise Conflict(
                f"The release is {release.get_status_display().lower()}.",
                code="release_closed",
            )
        # The right moves: whoever held it can no longer assign or pick up.
        release.assignments.filter(active=True).update(active=False, ended_at=now)
        release.holder_id = transfer.receiver_id
        release.save(update_fields=["holder", "updated_at"])
    _event(
        release,
        kinds[state],
        actor=actor,
        organisation_id=acting,
        at=now,
        details={
            "transfer": transfer.pk,
            "from": transfer.sender_id,
            "to": transfer.receiver_id,
            **({"reason": reason} if reason else {}),
        },
    )
    _audit(
        actor,
        f"release.transfer_{state}",
        release,
        {
            "transfer": transfer.pk,
            "from": transfer.sender_id,
            "to": transfer.receiver_id,
        },
        organisation_id=acting,
    )
    _notify(
        release,
        _TRANSFER_EVENTS[state],
        _transfer_body(transfer),
        extra_parties=[transfer.sender_id, transfer.receiver_id],
        at=now,
    )
    return transfer


@transaction.atomic
def transfer_accept(*, actor: Actor, transfer: ReleaseTransfer) -> ReleaseTransfer:
    """Accept an offered release right: the receiver becomes the holder."""
    if not permissions.acts_for(actor, transfer.receiver_id):
        raise NotPermitted("Only the receiver can accept the transfer.")
    return _decide_transfer(
        actor=actor, transfer=transfer, state=ReleaseTransfer.State.ACCEPTED
    )


@transaction.atomic
def transfer_deny(
    *, actor: Actor, transfer: ReleaseTransfer, reason: str = ""
) -> ReleaseTransfer:
    """Refuse an offered release right: it stays with the sender."""
    if not permissions.acts_for(actor, transfer.receiver_id):
        raise NotPermitted("Only the receiver can deny the transfer.")
    return _decide_transfer(
        actor=actor,
        transfer=transfer,
        state=ReleaseTransfer.State.DENIED,
        reason=reason.strip()[:300],
    )


@transaction.atomic
def transfer_revoke(*, actor: Actor, transfer: ReleaseTransfer) -> ReleaseTransfer:
    """Take back an offer that has not been answered (the sender)."""
    if not permissions.acts_for(actor, transfer.sender_id):
        raise NotPermitted("Only the sender can revoke the transfer.")
    if transfer.state == ReleaseTransfer.State.ACCEPTED:
        raise Conflict(
            "The transfer was accepted: the receiver holds the right now.",
            code="transfer_accepted",
        )
    return _decide_transfer(
        actor=actor, transfer=transfer, state=ReleaseTransfer.State.REVOKED
    )


# Assignment ----------------------------------------------------------------------------


@transaction.atomic
def release_assign(
    *,
    actor: Actor,
    release: Release,
    mode: str = DriverAssignment.Mode.TRUCK,
    pass_number: str = "",
    plate: str = "",
    plate_country: str = "BE",
    slot_from: dt.datetime | None = None,
    slot_until: dt.datetime | None = None,
    visit_reference: str = "",
) -> DriverAssignment:
    """Name who picks the container up: a driver by pass number, or a barge or train.

    Only a transport operator holding the right assigns; a new assignment
    replaces the previous one.
    """
    if not permissions.acts_for(actor, release.holder_id):
        raise NotPermitted("Only the holder of the release right can assign a driver.")
    release = _locked(release)
    _require_open(release)
    if not permissions.is_transport_operator(release.holder):
        raise Conflict(
            "Only a transport operator assigns a driver; transfer the right to one.",
            code="not_transport_operator",
        )
    if release.transfers.filter(state=ReleaseTransfer.State.PENDING).exists():
        raise Conflict(
            "A transfer of this release is waiting for an answer.",
            code="transfer_pending",
        )
    if mode not in DriverAssignment.Mode.values:
        raise field_error("mode", "The mode is truck, barge or rail.")
    slot_from, slot_until = _aware(slot_from), _aware(slot_until)
    if slot_from and slot_until and slot_until <= slot_from:
        raise field_error("slot_until", "A time slot ends after it starts.")
    now = timezone.now()
    driver: Person | None = None
    number = ""
    clean_plate = ""
    reference = ""
    if mode == DriverAssignment.Mode.TRUCK:
        number = pass_number.strip().upper()
        port_pass = (
            PortPass.objects.select_related("person")
            .filter(number=number, state=PortPass.State.ACTIVE, valid_until__gt=now)
            .first()
            if number
            else None
        )
        if port_pass is None:
            raise field_error("pass_number", "No active port pass has this number.")
        driver = port_pass.person
        if plate.strip():
            try:
                clean_plate = plate_normalise(plate, country=plate_country)
            except InvalidIdentifier as exc:
                raise field_error("plate", str(exc)) from None
    else:
        reference = visit_reference.strip().upper()[:40]
        if not reference:
            raise field_error(
                "visit_reference", "Name the barge or train visit reference."
            )
    release.assignments.filter(active=True).update(active=False, ended_at=now)
    assignment = DriverAssignment.objects.create(
        release=release,
        transport_operator_id=release.holder_id,
        mode=mode,
        driver=driver,
        pass_number=number,
        plate=clean_plate,
        slot_from=slot_from,
        slot_until=slot_until,
        visit_reference=reference,
        assigned_at=now,
        assigned_by=_user(actor),
    )
    details = {
        "assignment": assignment.pk,
        "mode": mode,
        "driver": driver.pk if driver else None,
        "driver_name": driver.full_name if driver else "",
        "plate": clean_plate,
        "visit": reference,
        "slot": [_utc(slot_from), _utc(slot_until)],
    }
    _event(
        release,
        ReleaseEvent.Kind.DRIVER_ASSIGNED,
        actor=actor,
        organisation_id=release.holder_id,
        at=now,
        details=details,
    )
    _audit(
        actor,
        "release.assign",
        release,
        {k: v for k, v in details.items() if k != "driver_name"},
        organisation_id=release.holder_id,
    )
    return assignment


# The terminal and customs -----------------------------------------------------------------


@transaction.atomic
def release_terminal_report(
    *,
    actor: Actor,
    release: Release,
    discharged: bool | None = None,
    terminal_released: bool | None = None,
) -> Release:
    """Record the terminal's discharge (COARRI) and its own release of the container."""
    if not permissions.acts_for_terminal(actor, release.terminal):
        raise NotPermitted("Only the release's terminal can report its status.")
    release = _locked(release)
    if release.status not in (*Release.OPEN, Release.Status.PICKED_UP):
        _require_open(release)
    now = timezone.now()
    before = release.lights(now=now)
    changes = {}
    if discharged is not None and discharged != (release.discharged_at is not None):
        release.discharged_at = now if discharged else None
        changes["discharged"] = discharged
    if terminal_released is not None and terminal_released != (
        release.terminal_released_at is not None
    ):
        release.terminal_released_at = now if terminal_released else None
        changes["terminal_released"] = terminal_released
    if not changes:
        return release
    organisation_id = release.terminal.operator_id
    if "discharged" in changes:
        _event(
            release,
            ReleaseEvent.Kind.DISCHARGED,
            actor=actor,
            organisation_id=organisation_id,
            at=now,
            details={"discharged": changes["discharged"]},
        )
    if "terminal_released" in changes:
        _event(
            release,
            ReleaseEvent.Kind.TERMINAL_RELEASED,
            actor=actor,
            organisation_id=organisation_id,
            at=now,
            details={"released": changes["terminal_released"]},
        )
    _lights_moved(release, before, actor=actor, organisation_id=organisation_id, at=now)
    release.save()
    _audit(
        actor,
        "release.terminal_status",
        release,
        changes,
        organisation_id=organisation_id,
    )
    return release


@dataclass(frozen=True)
class TerminalReport:
    """Where a terminal's report by container number went.

    ``release`` when the container has a live release at the terminal (the
    report changed it); otherwise ``status``, kept for the release to come.
    """

    container_number: str
    release: Release | None = None
    status: TerminalContainerStatus | None = None


@transaction.atomic
def container_terminal_report(
    *,
    actor: Actor,
    terminal: Facility,
    container_number: str,
    discharged: bool | None = None,
    terminal_released: bool | None = None,
) -> TerminalReport:
    """Record the terminal's discharge and release of a container by its number.

    With a live release of the container at this terminal, it is that release's
    report (``release_terminal_report``). Without one (the container is
    discharged before the agent releases it, as is common), the report is kept
    and carried onto the release when it is created at this terminal.
    """
    if not permissions.acts_for_terminal(actor, terminal):
        raise NotPermitted("Only the terminal can report its containers.")
    try:
        container = container_number_normalise(container_number)
    except InvalidIdentifier as exc:
        raise field_error("container_number", str(exc)) from None
    if discharged is None and terminal_released is None:
        raise field_error("discharged", "Report discharged, terminal_released or both.")
    release = (
        Release.objects.filter(
            container_number=container,
            terminal=terminal,
            status__in=(*Release.OPEN, Release.Status.PICKED_UP),
        )
        .select_related("terminal", "port", "carrier", "agent", "holder")
        .first()
    )
    if release is not None:
        return TerminalReport(
            container_number=container,
            release=release_terminal_report(
                actor=actor,
                release=release,
                discharged=discharged,
                terminal_released=terminal_released,
            ),
        )
    now = timezone.now()
    status = (
        TerminalContainerStatus.objects.select_for_update()
        .filter(terminal=terminal, container_number=container)
        .first()
    ) or TerminalContainerStatus(terminal=terminal, container_number=container)
    if discharged is not None:
        status.discharged_at = (status.discharged_at or now) if discharged else None
    if terminal_released is not None:
        status.terminal_released_at = (
            (status.terminal_released_at or now) if terminal_released else None
        )
    status.reported_at = now
    status.reported_by = _label(actor)
    if status.discharged_at is None and status.terminal_released_at is None:
        # Nothing left to carry (the terminal took its report back): keep no row.
        if status.pk is not None:
            status.delete()
    else:
        status.save()
    audit_record(
        actor=actor,
        action="release.terminal_status_before_release",
        object_type=TerminalContainerStatus._meta.label_lower,
        object_id=f"{terminal.pk}:{container}",
        object_repr=f"{container} at {terminal.code}",
        port_id=terminal.port_id,
        facility_id=terminal.pk,
        organisation_id=terminal.operator_id,
        details={
            "container": container,
            "discharged": status.discharged_at is not None,
            "terminal_released": status.terminal_released_at is not None,
        },
    )
    return TerminalReport(container_number=container, status=status)


def _early_statuses(
    rows: Sequence[dict[str, Any]],
) -> dict[tuple[int, str], TerminalContainerStatus]:
    """Return what the terminals reported of these new releases' containers."""
    return {
        (status.terminal_id, status.container_number): status
        for status in TerminalContainerStatus.objects.filter(
            terminal_id__in={values["terminal"].pk for values in rows},
            container_number__in=[values["container_number"] for values in rows],
        )
    }


def _early_apply(
    releases: Sequence[Release],
    early: dict[tuple[int, str], TerminalContainerStatus],
    now: dt.datetime,
) -> list[tuple[Release, TerminalContainerStatus]]:
    """Carry the terminals' earlier reports onto the new releases, lights included."""
    carried = []
    for release in releases:
        status = early.get((release.terminal_id, release.container_number))
        if status is None:
            continue
        release.discharged_at = status.discharged_at
        release.terminal_released_at = status.terminal_released_at
        release.light = release.lights(now=now).overall.value
        carried.append((release, status))
    return carried


def _early_record(carried: Sequence[tuple[Release, TerminalContainerStatus]]) -> None:
    """Put the carried reports on the new releases' timelines; the kept rows go.

    Each step keeps the time and the reporter of the terminal's report, so the
    timeline shows the discharge where it happened: before the release.
    """
    events = [
        ReleaseEvent(
            release=release,
            kind=kind,
            at=when,
            organisation_id=release.terminal.operator_id,
            actor_label=status.reported_by,
            details={key: True, "before_release": True},
        )
        for release, status in carried
        for kind, when, key in (
            (ReleaseEvent.Kind.DISCHARGED, status.discharged_at, "discharged"),
            (
                ReleaseEvent.Kind.TERMINAL_RELEASED,
                status.terminal_released_at,
                "released",
            ),
        )
        if when is not None
    ]
    ReleaseEvent.objects.bulk_create(events)
    TerminalContainerStatus.objects.filter(
        pk__in=[status.pk for _, status in carried]
    ).delete()


@transaction.atomic
def release_customs_report(*, actor: Actor, release: Release, status: str) -> Release:
    """Record the customs status of the container (customs, or its integration)."""
    if not permissions.is_customs_for(actor, release.port_id):
        raise NotPermitted("Only customs can report the customs status.")
    if status not in Release.CustomsStatus.values:
        raise field_error("status", "Unknown customs status.")
    release = _locked(release)
    if release.status not in (*Release.OPEN, Release.Status.PICKED_UP):
        _require_open(release)
    if status == release.customs_status:
        return release
    now = timezone.now()
    before = release.lights(now=now)
    old = release.customs_status
    release.customs_status = status
    authority = _authority_organisation(actor, release.port_id)
    _event(
        release,
        ReleaseEvent.Kind.CUSTOMS_STATUS,
        actor=actor,
        organisation_id=authority,
        at=now,
        details={"from": old, "to": status},
    )
    _lights_moved(release, before, actor=actor, organisation_id=authority, at=now)
    release.save()
    _audit(
        actor,
        "release.customs_status",
        release,
        {"from": old, "to": status},
        organisation_id=authority,
    )
    return release


def _authority_organisation(actor: Actor, port_id: int) -> int | None:
    """Return the caller's customs organisation working in the port, for the timeline."""
    from port2port.core.scopes import scope_for

    return (
        Organisation.objects.filter(
            pk__in=scope_for(actor).organisation_ids,
            roles__icontains=f'"{Organisation.Role.CUSTOMS}"',
            ports=port_id,
        )
        .values_list("pk", flat=True)
        .first()
    )


# The watch list ---------------------------------------------------------------------------


@transaction.atomic
def container_watch_sync(*, reference: str, containers: Iterable[str]) -> list[str]:
    """Make the watched containers of one reference (a bulletin) exactly ``containers``.

    Containers named are watched (listed again if they had been dropped); the
    reference's other rows stop being watched but stay, so that the list keeps
    what was once watched. An empty ``containers`` ends the reference's watch
    (a withdrawn or expired bulletin). Values that are not container numbers are
    skipped. Return the container numbers now watched for the reference.
    """
    wanted: set[str] = set()
    for value in containers:
        with contextlib.suppress(InvalidIdentifier):
            wanted.add(container_number_normalise(value))
    reference = reference[:80]
    rows = ContainerWatch.objects.filter(reference=reference)
    rows.exclude(container_number__in=wanted).filter(active=True).update(active=False)
    rows.filter(container_number__in=wanted, active=False).update(active=True)
    known = set(rows.values_list("container_number", flat=True))
    ContainerWatch.objects.bulk_create(
        ContainerWatch(container_number=number, reference=reference)
        for number in sorted(wanted - known)
    )
    return sorted(wanted)


# The pick-up ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PickupOutcome:
    """A stored pick-up attempt with its decision."""

    attempt: PickupAttempt
    decision: PickupDecision
    release: Release | None
    person_name: str


def _presented(
    credential: str | None, terminal: Facility, at: dt.datetime
) -> tuple[PassFacts | None, str]:
    """Return what the access engine knows of the presented pass, and the holder's name.

    The access engine's snapshot is the one every gate decides from, so a ban or a
    suspended pass stops a pick-up within the same second as it stops a gate.
    """
    if not credential:
        return None, ""
    state = gate.state_current()
    snapshot = state.snapshot
    info = snapshot.passes.get(credential)
    if info is None:
        return None, ""
    person = snapshot.persons.get(info.person_id)
    banned = any(start <= at < end for start, end in (person.bans if person else ()))
    day = timezone.localdate(at)
    banned = banned or any(
        start <= day <= end and terminal.port_id in ports
        for start, end, ports in state.limited_bans.get(info.person_id, ())
    )
    facts = PassFacts(
        person_id=info.person_id,
        state=str(info.state),
        valid_from=info.valid_from,
        valid_until=info.valid_until,
        activated_here=terminal.pk in info.activated_facilities,
        banned=banned,
    )
    return facts, person.name if person else ""


_ASSIGNMENT_FIELDS = (
    "id",
    "transport_operator",
    "mode",
    "driver",
    "plate",
    "slot_from",
    "slot_until",
    "visit_reference",
)


class _PickupPlan(NamedTuple):
    read: str
    locked_read: str
    take: str
    names: tuple[str, ...]


@functools.cache
def _pickup_plan(vendor: str) -> _PickupPlan:
    """Build the pick-up check's read and its guarded take, once per process.

    The read is one statement: the container's live release (or else its latest),
    its active assignment, whether a transfer waits for an answer and whether a
    bulletin names the container. The take moves the release to picked up only
    if nothing it was decided on changed since: the same status and last change,
    the same assignment still active, no transfer waiting.
    """
    release_table = Release._meta.db_table
    assignment_table = DriverAssignment._meta.db_table
    transfer_table = ReleaseTransfer._meta.db_table
    watch_table = ContainerWatch._meta.db_table
    names = tuple(field.attname for field in Release._meta.concrete_fields)
    release_columns = ", ".join(
        f'r."{field.column}"' for field in Release._meta.concrete_fields
    )
    assignment_columns = ", ".join(
        f'a."{DriverAssignment._meta.get_field(name).column}"'  # type: ignore[union-attr]
        for name in _ASSIGNMENT_FIELDS
    )
    live = ", ".join(f"'{status}'" for status in Release.LIVE)
    pending = ReleaseTransfer.State.PENDING
    # The container's release first (one row), then what hangs off it: a plan
    # that looks rows up by the release's key whatever the tables' statistics.

    def read(lock: str) -> str:
        return (
            f'WITH r AS (SELECT * FROM "{release_table}" '  # noqa: S608 - names from the models
            'WHERE "container_number" = %s '
            f'ORDER BY CASE WHEN "status" IN ({live}) THEN 0 ELSE 1 END, '
            f'"created_at" DESC, "id" DESC LIMIT 1{lock}) '
            f"SELECT {release_columns}, {assignment_columns}, "
            f'EXISTS (SELECT 1 FROM "{transfer_table}" t WHERE t."release_id" = r."id" '
            f"AND t.\"state\" = '{pending}'), "
            f'EXISTS (SELECT 1 FROM "{watch_table}" w WHERE w."container_number" = '
            f'r."container_number" AND w."active") '
            f'FROM r LEFT JOIN "{assignment_table}" a '
            f'ON a."release_id" = r."id" AND a."active"'
        )

    take = (
        f'UPDATE "{release_table}" SET "status" = %s, "picked_up_at" = %s, '  # noqa: S608 - names from the models
        f'"picked_up_by_id" = %s, "updated_at" = %s '
        f'WHERE "id" = %s AND "status" = %s AND "updated_at" = %s '
        f'AND EXISTS (SELECT 1 FROM "{assignment_table}" a WHERE a."id" = %s '
        f'AND a."active") '
        f'AND NOT EXISTS (SELECT 1 FROM "{transfer_table}" t '
        f'WHERE t."release_id" = %s AND t."state" = \'{pending}\')'
    )
    # SQLite has no row locks: its writer holds the whole database already.
    lock = " FOR UPDATE" if vendor == "postgresql" else ""
    return _PickupPlan(read(""), read(lock), take, names)


@functools.cache
def _pickup_converters() -> tuple[list[Any], list[Any]]:
    names = [field.attname for field in Release._meta.concrete_fields]
    return (
        row_converters(Release, names),
        row_converters(DriverAssignment, list(_ASSIGNMENT_FIELDS)),
    )


@dataclass(frozen=True, slots=True)
class _PickupRead:
    release: Release | None
    facts: ReleaseFacts | None
    assignment_id: int | None
    watched: bool


def _pickup_read(container: str, at: dt.datetime, *, lock: bool = False) -> _PickupRead:
    """Read everything the decision needs about the container, in one statement.

    With ``lock`` (inside the take's transaction) the release row is locked on
    PostgreSQL; SQLite's writer already holds the whole database.
    """
    plan = _pickup_plan(connection.vendor)
    names, count = plan.names, len(plan.names)
    with prepared_cursor() as cursor:
        cursor.execute(plan.locked_read if lock else plan.read, [container])
        row = cursor.fetchone()
    if row is None:
        watched = ContainerWatch.objects.filter(
            container_number=container, active=True
        ).exists()
        return _PickupRead(None, None, None, watched)
    release_converters, assignment_converters = _pickup_converters()
    values = row_convert(row[:count], release_converters)
    release = Release.from_db(connection.alias, names, values)
    assignment = (
        row_convert(row[count : count + len(_ASSIGNMENT_FIELDS)], assignment_converters)
        if row[count] is not None
        else None
    )
    transfer_pending, watched = bool(row[-2]), bool(row[-1])
    facts = ReleaseFacts(
        status=release.status,
        terminal_id=release.terminal_id,
        valid_from=release.valid_from,
        valid_until=release.valid_until,
        lights=release.lights(now=at),
        transfer_pending=transfer_pending,
        assignment=AssignmentFacts(
            operator_is_holder=assignment[1] == release.holder_id,
            mode=assignment[2],
            driver_person_id=assignment[3],
            plate=assignment[4],
            slot_from=assignment[5],
            slot_until=assignment[6],
            visit_reference=assignment[7],
        )
        if assignment is not None
        else None,
    )
    return _PickupRead(
        release, facts, assignment[0] if assignment is not None else None, watched
    )


def _pickup_take(
    read: _PickupRead, person_id: int | None, at: dt.datetime
) -> tuple[str, list[Any]]:
    """Return the update that picks the release up if nothing changed since ``read``.

    It changes one row, or none when the release changed in between.
    """
    release = read.release
    assert release is not None  # noqa: S101 - only an allowed decision takes
    ops = connection.ops
    when = ops.adapt_datetimefield_value(at)
    return _pickup_plan(connection.vendor).take, [
        Release.Status.PICKED_UP,
        when,
        person_id,
        when,
        release.pk,
        Release.Status.ACTIVE,
        ops.adapt_datetimefield_value(release.updated_at),
        read.assignment_id,
        release.pk,
    ]


def _pickup_taken(read: _PickupRead, person_id: int | None, at: dt.datetime) -> None:
    release = read.release
    assert release is not None  # noqa: S101 - only an allowed decision takes
    release.status = Release.Status.PICKED_UP
    release.picked_up_at = at
    release.picked_up_by_id = person_id
    release.updated_at = at


def _stored_outcome(attempt: PickupAttempt) -> PickupOutcome:
    reasons = tuple(PickupReason(r) for r in attempt.reason_list)
    notes = tuple(PickupReason(n) for n in attempt.note_list)
    return PickupOutcome(
        attempt=attempt,
        decision=PickupDecision(
            allowed=attempt.allowed,
            reasons=reasons,
            notes=notes,
            signals=(),
            person_id=attempt.person_id,
        ),
        release=attempt.release,
        person_name=attempt.person.full_name if attempt.person else "",
    )


FRAUD_RULE = "release.fraud"
# How urgent each kind of signal is in the control room.
FRAUD_SEVERITY = {
    FraudSignal.Kind.WRONG_DRIVER: "high",
    FraudSignal.Kind.WRONG_TERMINAL: "medium",
    FraudSignal.Kind.BLOCKED_RELEASE: "high",
    FraudSignal.Kind.BULLETIN_MATCH: "high",
}
FRAUD_TITLES = {
    FraudSignal.Kind.WRONG_DRIVER: "Pick-up by a driver other than the assigned one",
    FraudSignal.Kind.WRONG_TERMINAL: "Pick-up attempted at another terminal",
    FraudSignal.Kind.BLOCKED_RELEASE: "Pick-up of a blocked release",
    FraudSignal.Kind.BULLETIN_MATCH: "Pick-up of a container named in a bulletin",
}


def fraud_signals_report(*, signals: Sequence[FraudSignal], terminal: Facility) -> None:
    """Hand fraud signals to the detection module: one event and one alert each.

    The event (kind ``release.fraud``) feeds the correlation rules, as the gate
    denials do; the alert reaches the control room of the terminal's port. Both
    leave out who the driver is (no name, person or pass): the control room acts
    on the container, the terminal and the truck, and the people authorised to
    know the driver find them on the release's timeline. Repeats of one kind for
    one release count up on the open alert instead of opening new ones. Called
    inside the pick-up's transaction, so that the signal, its event and its alert
    are stored together or not at all.
    """
    # Imported here: the detection module is optional for the release chain and
    # may itself read release data, so neither imports the other at load time.
    from port2port.detection.models import Event as DetectionEvent
    from port2port.detection.services import alert_raise, events_store

    events = []
    for signal in signals:
        kind = FraudSignal.Kind(signal.kind)
        facts = {
            "signal": signal.pk,
            "kind": signal.kind,
            "container": signal.container_number,
            "release": signal.release_id,
            "terminal": terminal.code,
            "reasons": list(signal.details.get("reasons", [])),
            "plate": signal.details.get("plate", ""),
        }
        events.append(
            DetectionEvent(
                time=signal.at,
                source_id=0,
                port_id=signal.port_id,
                kind=FRAUD_RULE,
                payload=facts,
                source_event_id=f"{FRAUD_RULE}:{signal.pk}",
            )
        )
        subject = signal.release_id or signal.container_number
        alert_raise(
            port_id=signal.port_id,
            rule_code=FRAUD_RULE,
            title=(
                f"{FRAUD_TITLES[kind]}: {signal.container_number} at {terminal.name}"
            ),
            severity=FRAUD_SEVERITY[kind],
            dedup_key=f"{FRAUD_RULE}:{subject}:{signal.kind}",
            at=signal.at,
            details=facts,
        )
    events_store(events)


def pickup_check(
    *,
    actor: Actor,
    terminal: Facility,
    container_number: str,
    credential: str | None = None,
    biometric: str = "not_checked",
    plate: str | None = None,
    visit_reference: str | None = None,
    request_id: str = "",
    at: dt.datetime | None = None,
) -> PickupOutcome:
    """Decide at the terminal's gate whether this driver may take this container now.

    An allowed pick-up is single use: the release moves to *picked up* under a
    row lock (and a conditional update), so that of several attempts at the same
    moment exactly one is allowed. Every attempt is stored; a wrong driver, a
    wrong terminal, a blocked release or a container named in a bulletin also
    raises a fraud signal. ``request_id`` makes a retried request return the
    stored answer.
    """
    if not permissions.acts_for_terminal(actor, terminal):
        raise NotPermitted("Only the terminal's gate can check pick-ups there.")
    try:
        container = container_number_normalise(container_number)
    except InvalidIdentifier as exc:
        raise field_error("container_number", str(exc)) from None
    if biometric not in ("match", "no_match", "not_checked"):
        raise field_error(
            "biometric", "The biometric result is match, no_match or not_checked."
        )
    if request_id:
        stored = (
            PickupAttempt.objects.select_related("release", "person")
            .filter(terminal=terminal, request_id=request_id)
            .first()
        )
        if stored is not None:
            return _stored_outcome(stored)
    at = at or timezone.now()
    credential = (credential or "").strip() or None
    read_plate = "".join(ch for ch in (plate or "").upper() if ch.isalnum())[:10]
    presented, person_name = _presented(credential, terminal, at)
    request = PickupRequest(
        terminal_id=terminal.pk,
        credential=credential,
        biometric=biometric,
        plate=read_plate or None,
        visit_reference=visit_reference,
    )

    def decide(read: _PickupRead) -> PickupDecision:
        return pickup_decide(
            request=request,
            release=read.facts,
            presented=presented,
            watched=read.watched,
            biometric_required=settings.RELEASE_BIOMETRIC_REQUIRED,
            at=at,
        )

    # Decide on what is read before the write transaction, so that the gate's
    # writers hold the database only briefly: the pick-up itself is an update
    # guarded by what the decision was made on. Should something have changed in
    # between (another attempt, a block, a new assignment), the release is read
    # again under a lock and decided on once more.
    def store(read: _PickupRead | None) -> PickupOutcome:
        with transaction.atomic():
            if read is None:
                read = _pickup_read(container, at, lock=True)
            decision = decide(read)
            release = read.release
            attempt = PickupAttempt(
                release=release,
                terminal=terminal,
                at=at,
                container_number=container,
                credential=(credential or "")[:64],
                person_id=decision.person_id,
                plate=read_plate,
                biometric=biometric,
                visit_reference=(visit_reference or "")[:40],
                allowed=decision.allowed,
                reasons=",".join(decision.reasons),
                notes=",".join(decision.notes),
                request_id=request_id[:64],
                actor_label=_label(actor),
            )
            # The common case goes to the database in two batches: the pick-up,
            # the attempt and the audit chain's head; then the timeline step and
            # the audit entry, which name the attempt.
            with statement_batch() as batch:
                took = (
                    batch.execute(*_pickup_take(read, decision.person_id, at))
                    if decision.allowed
                    else None
                )
                stored = batch.execute(*insert_statement(attempt))
                heads = (
                    []
                    if decision.signals
                    else [batch.execute(*sql) for sql in audit_head_statements()]
                )
            if took is not None:
                if took.rowcount != 1:
                    raise _ReleaseChanged
                _pickup_taken(read, decision.person_id, at)
            inserted(attempt, stored.row)
            details = {
                "attempt": attempt.pk,
                "terminal": terminal.code,
                "allowed": decision.allowed,
                "reasons": list(decision.reasons),
                "notes": list(decision.notes),
                "person": decision.person_id,
                "person_name": person_name,
                "plate": read_plate,
            }
            event = (
                ReleaseEvent(
                    release=release,
                    kind=ReleaseEvent.Kind.PICKUP_ALLOWED
                    if decision.allowed
                    else ReleaseEvent.Kind.PICKUP_REFUSED,
                    at=at,
                    organisation_id=terminal.operator_id,
                    actor_label=_label(actor),
                    details=details,
                )
                if release is not None
                else None
            )
            entry = audit_entry(
                actor=actor,
                action="release.pickup_allowed"
                if decision.allowed
                else "release.pickup_refused",
                obj=release if release is not None else attempt,
                port_id=terminal.port_id,
                facility_id=terminal.pk,
                organisation_id=terminal.operator_id,
                details={
                    "container": container,
                    "attempt": attempt.pk,
                    "reasons": list(decision.reasons),
                    "signals": list(decision.signals),
                    "person": decision.person_id,
                },
            )
            if decision.signals:
                # Fraud signals raise alerts, which write to the audit chain
                # themselves: this entry follows theirs, appended the plain way.
                if event is not None:
                    insert_instance(event)
                _pickup_signals(decision, attempt, terminal, read_plate)
                audit_record_entry(entry)
            else:
                audit_link(entry, heads[-1].row)
                with statement_batch() as batch:
                    written = [
                        batch.execute(*insert_statement(row))
                        for row in (event, entry)
                        if row is not None
                    ]
                for row, result in zip(
                    [r for r in (event, entry) if r is not None], written, strict=True
                ):
                    inserted(row, result.row)
        return PickupOutcome(
            attempt=attempt,
            decision=decision,
            release=release,
            person_name=person_name,
        )

    # Decide on what is read before the write transaction, so that the gate's
    # writers hold the database only briefly: the pick-up itself is an update
    # guarded by what the decision was made on. Should something have changed in
    # between (another attempt, a block, a new assignment), the transaction is
    # rolled back and the release read again under its lock, first thing in a
    # new one, and decided on once more.
    try:
        try:
            return store(_pickup_read(container, at))
        except _ReleaseChanged:
            return store(None)
    except IntegrityError:
        stored = (
            PickupAttempt.objects.filter(terminal=terminal, request_id=request_id)
            .select_related("release", "person")
            .first()
            if request_id
            else None
        )
        if stored is None:
            raise
        # The same request arrived twice at once; answer with the first.
        return _stored_outcome(stored)


class _ReleaseChanged(Exception):
    """The release changed between the pick-up's read and its take."""


def _pickup_signals(
    decision: PickupDecision,
    attempt: PickupAttempt,
    terminal: Facility,
    plate: str,
) -> None:
    release = attempt.release
    signals = FraudSignal.objects.bulk_create(
        FraudSignal(
            kind=str(signal),
            at=attempt.at,
            release=release,
            attempt=attempt,
            terminal=terminal,
            port_id=terminal.port_id,
            container_number=attempt.container_number,
            person_id=decision.person_id,
            details={
                "reasons": list(decision.reasons),
                "release_terminal": release.terminal_id if release else None,
                "plate": plate,
            },
        )
        for signal in decision.signals
    )
    fraud_signals_report(signals=signals, terminal=terminal)


@transaction.atomic
def pickup_override(
    *, actor: Actor, attempt: PickupAttempt, decision: str, reason: str
) -> PickupOverride:
    """Overrule a pick-up decision with a written reason (the terminal).

    ``allow`` lets the container go although the platform refused (the release
    becomes picked up); ``deny`` stops a container the platform let go (the
    release is released again). Audited and shown to police and customs.
    """
    if not permissions.acts_for_terminal(actor, attempt.terminal):
        raise NotPermitted(
            "Only the terminal where it was asked can overrule a decision."
        )
    text = reason.strip()
    if len(text) < 10:
        raise field_error(
            "reason", "Write the reason for the override (10 characters or more)."
        )
    if decision not in PickupOverride.Decision.values:
        raise field_error("decision", "The decision is allow or deny.")
    if attempt.release_id is None:
        raise field_error("attempt", "No release is known for this container.")
    release = _locked(attempt.release)  # type: ignore[arg-type]
    now = timezone.now()
    if decision == PickupOverride.Decision.ALLOW:
        if release.status not in Release.OPEN:
            raise Conflict(
                f"The release is {release.get_status_display().lower()}; "
                "there is nothing to let go.",
                code="release_not_open",
            )
        previous = release.status
        release.status = Release.Status.PICKED_UP
        release.picked_up_at = now
        release.picked_up_by_id = attempt.person_id
        changes = {"from": previous, "to": release.status}
    else:
        if release.status != Release.Status.PICKED_UP:
            raise Conflict(
                "Only a picked-up container that has not left can be stopped.",
                code="release_not_picked_up",
            )
        release.status = Release.Status.ACTIVE
        release.picked_up_at = None
        release.picked_up_by = None
        changes = {"from": Release.Status.PICKED_UP, "to": release.status}
    release.save()
    override = PickupOverride.objects.create(
        attempt=attempt,
        release=release,
        decision=decision,
        reason=text,
        at=now,
        organisation_id=attempt.terminal.operator_id,
        by=_user(actor),
        actor_label=_label(actor),
    )
    _event(
        release,
        ReleaseEvent.Kind.OVERRIDE,
        actor=actor,
        organisation_id=attempt.terminal.operator_id,
        at=now,
        details={
            "override": override.pk,
            "attempt": attempt.pk,
            "decision": decision,
            "reason": text,
            "refused_for": attempt.reason_list,
            **changes,
        },
    )
    _audit(
        actor,
        "release.override",
        release,
        {"attempt": attempt.pk, "decision": decision, "reason": text, **changes},
        organisation_id=attempt.terminal.operator_id,
    )
    return override


@transaction.atomic
def release_gate_out(*, actor: Actor, release: Release) -> Release:
    """Confirm that the container left the terminal (CODECO out): the chain ends."""
    if not permissions.acts_for_terminal(actor, release.terminal):
        raise NotPermitted("Only the release's terminal can confirm the gate-out.")
    release = _locked(release)
    if release.status != Release.Status.PICKED_UP:
        raise Conflict(
            "Only a picked-up container can gate out.", code="release_not_picked_up"
        )
    now = timezone.now()
    before = release.lights(now=now)
    release.status = Release.Status.GATED_OUT
    release.gated_out_at = now
    release.closed_at = now
    release.customs_status = Release.CustomsStatus.GATE_OUT_RECEIVED
    organisation_id = release.terminal.operator_id
    _event(
        release,
        ReleaseEvent.Kind.GATED_OUT,
        actor=actor,
        organisation_id=organisation_id,
        at=now,
    )
    _lights_moved(release, before, actor=actor, organisation_id=organisation_id, at=now)
    release.assignments.filter(active=True).update(active=False, ended_at=now)
    release.save()
    _audit(actor, "release.gate_out", release, organisation_id=organisation_id)
    return release


# Expiry and retention ----------------------------------------------------------------------


def release_expire_due(*, now: dt.datetime | None = None) -> int:
    """Close every release whose validity has ended; return how many.

    An open release expires (its commercial light turns red); a picked-up release
    that never gated out is closed. Idempotent: a release is changed once.
    """
    now = now or timezone.now()
    done: list[int] = []
    due = list(
        Release.objects.filter(
            status__in=(*Release.OPEN, Release.Status.PICKED_UP), valid_until__lte=now
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:10_000]
    )
    for chunk in _chunks(due, 200):
        with transaction.atomic():
            for release in (
                Release.objects.select_for_update(of=("self",))
                .select_related("terminal", "port", "carrier")
                .filter(
                    pk__in=chunk,
                    status__in=(*Release.OPEN, Release.Status.PICKED_UP),
                    valid_until__lte=now,
                )
            ):
                # The lights as they were just before the validity ended, so that
                # the change to "expired" is told once, now.
                before = release.lights(
                    now=release.valid_until - dt.timedelta(microseconds=1)
                )
                expired = release.status in Release.OPEN
                release.status = (
                    Release.Status.EXPIRED if expired else Release.Status.CLOSED
                )
                release.closed_at = now
                _end_chain_in_flight(release, now)
                _event(
                    release,
                    ReleaseEvent.Kind.EXPIRED if expired else ReleaseEvent.Kind.CLOSED,
                    actor=None,
                    organisation_id=None,
                    at=now,
                )
                _lights_moved(release, before, actor=None, organisation_id=None, at=now)
                release.save()
                done.append(release.pk)
            if done:
                audit_record(
                    actor=None,
                    action="release.expire",
                    object_type="release.release",
                    object_id=f"{chunk[0]}-{chunk[-1]}",
                    object_repr=f"{len(chunk)} releases",
                    details={"ids": [pk for pk in done if pk in set(chunk)]},
                )
    return len(done)


def release_retention_purge(*, now: dt.datetime | None = None) -> int:
    """Delete the chains closed longer ago than ``RELEASE_RETENTION_DAYS``; return how many.

    The audit trail keeps its entries; the fraud signals keep the container number.
    """
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.RELEASE_RETENTION_DAYS)
    total = 0
    while True:
        ids = list(
            Release.objects.filter(closed_at__lt=cutoff)
            .exclude(status__in=Release.LIVE)
            .order_by("pk")
            .values_list("pk", flat=True)[:1000]
        )
        if not ids:
            break
        with transaction.atomic():
            Release.objects.filter(pk__in=ids).delete()
            audit_record(
                actor=None,
                action="release.retention_purge",
                object_type="release.release",
                object_id=f"{ids[0]}-{ids[-1]}",
                object_repr=f"{len(ids)} closed releases",
                details={"count": len(ids), "cutoff": _utc(cutoff)},
            )
        total += len(ids)
    return total


def release_expire_due_job() -> None:
    """The periodic job: expire due releases."""
    release_expire_due()


def release_retention_job() -> None:
    """The periodic job: purge chains past their retention."""
    release_retention_purge()


# Webhooks ---------------------------------------------------------------------------------


def _check_webhook_url(url: str) -> str:
    parts = urllib.parse.urlsplit(url.strip())
    allowed = {"https", "http"} if settings.WEBHOOK_ALLOW_HTTP else {"https"}
    if parts.scheme not in allowed or not parts.hostname:
        raise field_error("url", "The address must be an https:// URL.")
    if parts.username or parts.password:
        raise field_error("url", "The address may not contain a user name or password.")
    return url.strip()


@transaction.atomic
def webhook_subscription_create(
    *,
    actor: Actor,
    organisation: Organisation,
    url: str,
    events: Sequence[str] = (),
) -> tuple[WebhookSubscription, str]:
    """Subscribe an organisation's endpoint to release events; return it and its secret.

    The secret is returned once; keep it to check the signatures.
    """
    from port2port.core.models import Role
    from port2port.core.scopes import scope_for

    if not scope_for(actor).has_role(
        Role.COMPANY_ADMIN, organisation_id=organisation.pk
    ):
        raise NotPermitted("Only the organisation's administrator can subscribe.")
    unknown = sorted(set(events) - set(EVENT_TYPES))
    if unknown:
        raise field_error("events", f"Unknown events: {', '.join(unknown)}.")
    secret = "whsec_" + secrets.token_urlsafe(32)
    subscription = WebhookSubscription.objects.create(
        organisation=organisation,
        url=_check_webhook_url(url),
        secret=secret,
        events=sorted(set(events)),
        created_by=_user(actor),
    )
    audit_record(
        actor=actor,
        action="release.webhook_subscribe",
        obj=subscription,
        organisation_id=organisation.pk,
        details={"url": subscription.url, "events": subscription.events},
    )
    return subscription, secret


@transaction.atomic
def webhook_subscription_deactivate(
    *, actor: Actor, subscription: WebhookSubscription
) -> WebhookSubscription:
    """Stop sending events to a subscription; its deliveries stay listed."""
    from port2port.core.models import Role
    from port2port.core.scopes import scope_for

    if not scope_for(actor).has_role(
        Role.COMPANY_ADMIN, organisation_id=subscription.organisation_id
    ):
        raise NotPermitted("Only the organisation's administrator can unsubscribe.")
    if subscription.active:
        subscription.active = False
        subscription.save(update_fields=["active", "updated_at"])
        WebhookDelivery.objects.filter(
            subscription=subscription, state=WebhookDelivery.State.PENDING
        ).update(state=WebhookDelivery.State.FAILED, last_error="unsubscribed")
        audit_record(
            actor=actor,
            action="release.webhook_unsubscribe",
            obj=subscription,
            organisation_id=subscription.organisation_id,
        )
    return subscription


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Do not follow redirects: a receiver answers itself, it does not send us elsewhere."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def _address_allowed(host: str, port: int) -> bool:
    """Refuse private, loopback and link-local addresses unless the settings allow them."""
    if settings.WEBHOOK_ALLOW_PRIVATE:
        return True
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except OSError:
        return False
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            return False
    return True


def _post(url: str, body: bytes, headers: dict[str, str]) -> int:
    """POST ``body`` and return the status code; raise ``OSError`` when there is none."""
    parts = urllib.parse.urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    if not _address_allowed(parts.hostname or "", port):
        raise OSError("the address is not a public one")
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked on subscribing
        url, data=body, method="POST", headers=headers
    )
    try:
        with _opener.open(
            request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS
        ) as response:
            response.read(1024)
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def webhook_delivery_attempt(
    *, delivery_id: int, now: dt.datetime | None = None
) -> WebhookDelivery | None:
    """Send one delivery if it is due; schedule the next attempt if it fails.

    The claim is a conditional update, so that a delivery queued twice is sent
    once at a time; a 2xx answer delivers it, anything else is retried with an
    exponential backoff until ``WEBHOOK_MAX_ATTEMPTS``.
    """
    now = now or timezone.now()
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    claimed = WebhookDelivery.objects.filter(
        due,
        pk=delivery_id,
        state=WebhookDelivery.State.PENDING,
        subscription__active=True,
    ).update(
        attempts=F("attempts") + 1,
        last_attempt_at=now,
        # Held for the length of one attempt, so that a duplicate task waits.
        next_attempt_at=now
        + dt.timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS + 5),
    )
    if claimed != 1:
        return None
    delivery = WebhookDelivery.objects.select_related("subscription").get(
        pk=delivery_id
    )
    subscription = delivery.subscription
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    timestamp = int(timezone.now().timestamp())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Port2Port-Webhooks/1",
        SIGNATURE_HEADER: signature_header(
            secret=subscription.secret, body=body, timestamp=timestamp
        ),
        EVENT_ID_HEADER: str(delivery.event_id),
        EVENT_TYPE_HEADER: delivery.event_type,
    }
    status: int | None = None
    error = ""
    try:
        status = _post(subscription.url, body, headers)
    except (OSError, http.client.HTTPException, ValueError) as exc:
        error = f"{type(exc).__name__}: {exc}"[:300]
    delivery.last_status_code = status
    if status is not None and 200 <= status < 300:
        delivery.state = WebhookDelivery.State.DELIVERED
        delivery.delivered_at = timezone.now()
        delivery.next_attempt_at = None
        delivery.last_error = ""
    else:
        delivery.last_error = error or f"HTTP {status}"
        if delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
            delivery.state = WebhookDelivery.State.FAILED
            delivery.next_attempt_at = None
        else:
            delivery.next_attempt_at = now + dt.timedelta(
                seconds=backoff_seconds(
                    delivery.attempts,
                    base=settings.WEBHOOK_BACKOFF_SECONDS,
                    cap=settings.WEBHOOK_BACKOFF_MAX_SECONDS,
                )
            )
    delivery.save(
        update_fields=[
            "state",
            "delivered_at",
            "next_attempt_at",
            "last_status_code",
            "last_error",
        ]
    )
    if delivery.state == WebhookDelivery.State.PENDING and delivery.next_attempt_at:
        _schedule_retry(delivery)
    return delivery


def _schedule_retry(delivery: WebhookDelivery) -> None:
    """Queue the next attempt for its time, where the task backend can wait."""
    from port2port.release.tasks import webhook_deliver

    if webhook_deliver.get_backend().supports_defer:
        _enqueue([delivery.pk], run_after=delivery.next_attempt_at)
    # Otherwise the periodic ``webhook_retry_due`` queues it when it is due.


def webhook_retry_due(*, now: dt.datetime | None = None) -> int:
    """Queue every pending delivery whose next attempt is due; return how many."""
    now = now or timezone.now()
    # A delivery never tried was queued when it was made; it is queued again only
    # if that did not happen within a minute (a worker lost the task).
    ids = list(
        WebhookDelivery.objects.filter(
            Q(next_attempt_at__lte=now)
            | Q(
                next_attempt_at__isnull=True,
                created_at__lte=now - dt.timedelta(minutes=1),
            ),
            state=WebhookDelivery.State.PENDING,
            subscription__active=True,
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:1000]
    )
    _enqueue(ids)
    return len(ids)


def webhook_retry_job() -> None:
    """The periodic job: queue the deliveries that are due again."""
    webhook_retry_due()
