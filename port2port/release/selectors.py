"""Reads of the release module, scoped to the caller.

A release is seen by the parties of its chain: the shipping agent and the
carrier, every holder of the right (and the receiver of a waiting transfer),
the transport operator it was assigned to, and the terminal (its operator, its
PFSO and gate). Police and customs see the chains of the ports they work in.
Anyone else gets ``NotFound``, as if the release did not exist.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from port2port.core.errors import NotFound
from port2port.core.models import ApiToken, Facility, Organisation, Role
from port2port.core.scopes import Actor, scope_for
from port2port.core.selectors import get_scoped
from port2port.release import permissions
from port2port.release.models import (
    DriverAssignment,
    FraudSignal,
    PickupAttempt,
    PickupOverride,
    Release,
    ReleaseEvent,
    ReleaseTransfer,
    WebhookDelivery,
    WebhookSubscription,
)


def _visible(actor: Actor) -> Q:
    """Return the filter of the releases the caller may see."""
    scope = scope_for(actor)
    if scope.is_platform_admin:
        return Q()
    orgs = permissions.chain_organisation_ids(actor)
    condition = Q(terminal_id__in=scope.facility_ids)
    if orgs:
        condition |= (
            Q(agent_id__in=orgs)
            | Q(carrier_id__in=orgs)
            | Q(holder_id__in=orgs)
            | Q(terminal__operator_id__in=orgs)
            | Exists(
                ReleaseTransfer.objects.filter(release=OuterRef("pk")).filter(
                    Q(sender_id__in=orgs)
                    | Q(
                        receiver_id__in=orgs,
                        state__in=[
                            ReleaseTransfer.State.PENDING,
                            ReleaseTransfer.State.ACCEPTED,
                        ],
                    )
                )
            )
            | Exists(
                DriverAssignment.objects.filter(
                    release=OuterRef("pk"), transport_operator_id__in=orgs
                )
            )
        )
    authority_ports = permissions.authority_port_ids(actor)
    if authority_ports:
        condition |= Q(port_id__in=authority_ports)
    return condition


def release_list_for_user(
    *,
    actor: Actor,
    status: str = "",
    light: str = "",
    container: str = "",
    terminal: int | None = None,
    held: bool = False,
    issued: bool = False,
) -> QuerySet[Release]:
    """Return the releases the caller may see, newest first.

    ``held`` keeps the ones whose right the caller's organisations hold now;
    ``issued`` the ones its organisations released as shipping agent.
    """
    queryset = Release.objects.filter(_visible(actor)).select_related(
        "agent", "holder", "terminal", "port", "carrier"
    )
    if status:
        queryset = queryset.filter(status=status)
    if light:
        queryset = queryset.filter(light=light)
    if container:
        wanted = "".join(ch for ch in container.upper() if ch.isalnum())[:11]
        queryset = queryset.filter(container_number__startswith=wanted)
    if terminal is not None:
        queryset = queryset.filter(terminal_id=terminal)
    orgs = permissions.chain_organisation_ids(actor)
    if held:
        queryset = queryset.filter(holder_id__in=orgs)
    if issued:
        queryset = queryset.filter(agent_id__in=orgs)
    return queryset.order_by("-created_at", "-id")


def release_get_for_user(*, actor: Actor, pk: Any) -> Release:
    return get_scoped(release_list_for_user(actor=actor), pk, "Release")


def transfer_list_for_user(
    *, actor: Actor, incoming: bool = False, outgoing: bool = False, state: str = ""
) -> QuerySet[ReleaseTransfer]:
    """Return the transfers sent or received by the caller's organisations."""
    scope = scope_for(actor)
    orgs = permissions.chain_organisation_ids(actor)
    if scope.is_platform_admin and not (incoming or outgoing):
        condition = Q()
    elif incoming:
        condition = Q(receiver_id__in=orgs)
    elif outgoing:
        condition = Q(sender_id__in=orgs)
    else:
        condition = Q(receiver_id__in=orgs) | Q(sender_id__in=orgs)
    queryset = ReleaseTransfer.objects.filter(condition).select_related(
        "release",
        "release__terminal",
        "release__port",
        "release__agent",
        "sender",
        "receiver",
    )
    if state:
        queryset = queryset.filter(state=state)
    return queryset.order_by("-created_at", "-id")


def transfer_get_for_user(*, actor: Actor, pk: Any) -> ReleaseTransfer:
    return get_scoped(transfer_list_for_user(actor=actor), pk, "Transfer")


def terminals_for_user(*, actor: Actor) -> QuerySet[Facility]:
    """Return the terminals whose gate the caller works (or whose operator it acts for)."""
    scope = scope_for(actor)
    if scope.is_platform_admin:
        condition = Q()
    else:
        condition = Q(pk__in=scope.facility_ids) | Q(
            operator_id__in=permissions.chain_organisation_ids(actor)
        )
    return (
        Facility.objects.filter(condition)
        .select_related("port", "operator")
        .order_by("port__locode", "name")
    )


def terminal_get_for_user(*, actor: Actor, pk: Any) -> Facility:
    scope = scope_for(actor)
    if pk in scope.facility_ids and not scope.is_platform_admin:
        # A terminal's own gate (a device token of the facility, or its staff):
        # the common case at every pick-up, without the operator look-up. A
        # device token carries its facility already (read with the token).
        if isinstance(actor, ApiToken) and actor.facility_id == pk:
            return actor.facility  # type: ignore[return-value]
        facility = Facility.objects.filter(pk=pk).order_by().first()
        if facility is not None:
            return facility
    return get_scoped(terminals_for_user(actor=actor), pk, "Terminal")


def attempt_list_for_user(
    *, actor: Actor, terminal: int | None = None
) -> QuerySet[PickupAttempt]:
    """Return the pick-up attempts at the caller's terminals, newest first."""
    terminals = terminals_for_user(actor=actor).values("pk")
    queryset = PickupAttempt.objects.filter(terminal_id__in=terminals).select_related(
        "release", "person", "terminal"
    )
    if terminal is not None:
        queryset = queryset.filter(terminal_id=terminal)
    return queryset.order_by("-at", "-id")


def attempt_get_for_user(*, actor: Actor, pk: Any) -> PickupAttempt:
    return get_scoped(attempt_list_for_user(actor=actor), pk, "Pick-up attempt")


def timeline_for_user(*, actor: Actor, release: Release) -> list[ReleaseEvent]:
    """Return the steps of a release the caller may see, oldest first.

    The release itself is looked up through ``release_get_for_user`` first, so
    only the parties of the chain, police and customs get this far.
    """
    release_get_for_user(actor=actor, pk=release.pk)
    return list(
        ReleaseEvent.objects.filter(release=release)
        .select_related("organisation")
        .order_by("at", "id")
    )


def overrides_for_release(*, actor: Actor, release: Release) -> list[PickupOverride]:
    release_get_for_user(actor=actor, pk=release.pk)
    return list(
        PickupOverride.objects.filter(release=release)
        .select_related("attempt", "organisation")
        .order_by("at")
    )


def assignment_current(*, release: Release) -> DriverAssignment | None:
    return (
        DriverAssignment.objects.filter(release=release, active=True)
        .select_related("driver", "transport_operator")
        .first()
    )


def subscription_list_for_user(*, actor: Actor) -> QuerySet[WebhookSubscription]:
    """Return the webhook subscriptions of the organisations the caller administers."""
    scope = scope_for(actor)
    if scope.is_platform_admin:
        condition = Q()
    else:
        condition = Q(
            organisation_id__in={
                g.organisation_id for g in scope.grants if g.role == Role.COMPANY_ADMIN
            }
        )
    return (
        WebhookSubscription.objects.filter(condition)
        .select_related("organisation")
        .order_by("-created_at", "-id")
    )


def subscription_get_for_user(*, actor: Actor, pk: Any) -> WebhookSubscription:
    return get_scoped(subscription_list_for_user(actor=actor), pk, "Subscription")


def delivery_list_for_user(
    *, actor: Actor, subscription: int | None = None, state: str = ""
) -> QuerySet[WebhookDelivery]:
    subscriptions = subscription_list_for_user(actor=actor).values("pk")
    queryset = WebhookDelivery.objects.filter(
        subscription_id__in=subscriptions
    ).select_related("subscription", "release")
    if subscription is not None:
        queryset = queryset.filter(subscription_id=subscription)
    if state:
        queryset = queryset.filter(state=state)
    return queryset.order_by("-created_at", "-id")


def fraud_signal_list_for_user(*, actor: Actor) -> QuerySet[FraudSignal]:
    """Return the fraud signals of the caller's ports (police, customs, port officers)
    and terminals."""
    scope = scope_for(actor)
    queryset = FraudSignal.objects.select_related("terminal", "person", "release")
    if scope.is_national:
        return queryset
    officer_ports = {
        g.port_id
        for g in scope.grants
        if g.role in (Role.PORT_SECURITY_OFFICER, Role.CONTROL_ROOM_OPERATOR)
        and g.port_id is not None
    }
    return queryset.filter(
        Q(port_id__in=officer_ports | set(permissions.authority_port_ids(actor)))
        | Q(terminal_id__in=terminals_for_user(actor=actor).values("pk"))
    )


def holder_candidates(*, release: Release) -> QuerySet[Organisation]:
    """Return the release parties and transport operators active in the release's port."""
    return (
        Organisation.objects.filter(ports=release.port_id)
        .filter(
            Q(roles__icontains=f'"{Organisation.Role.FORWARDER}"')
            | Q(roles__icontains=f'"{Organisation.Role.TRANSPORT_OPERATOR}"')
        )
        .exclude(pk=release.holder_id)
        .distinct()
        .order_by("name")
    )


def may_read(*, actor: Actor, release: Release) -> bool:
    try:
        release_get_for_user(actor=actor, pk=release.pk)
    except NotFound:
        return False
    return True
