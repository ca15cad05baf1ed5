"""Who may act in a release chain, from the caller's scope.

A company acts through its administrators and dispatchers (and its API tokens);
a terminal through its gate operators, its PFSO and its gate devices' tokens;
customs and police through any member of an organisation with that trade, in the
ports where that organisation works.
"""

from __future__ import annotations

from django.db.models import Q

from port2port.core.models import Facility, Organisation, Role
from port2port.core.scopes import Actor, scope_for

# The roles through which a member acts for a company in the chain.
CHAIN_ROLES = (Role.COMPANY_ADMIN, Role.TRANSPORT_DISPATCHER)
# The roles through which a member acts for one terminal.
TERMINAL_ROLES = (Role.GATE_OPERATOR, Role.PFSO)
# Organisation trades that may hold the release right.
HOLDER_TRADES = frozenset(
    {Organisation.Role.FORWARDER, Organisation.Role.TRANSPORT_OPERATOR}
)
# Organisation trades that may read every chain of their ports.
AUTHORITY_TRADES = frozenset({Organisation.Role.POLICE, Organisation.Role.CUSTOMS})


def chain_organisation_ids(actor: Actor) -> frozenset[int]:
    """Return the organisations the caller acts for in release chains."""
    scope = scope_for(actor)
    cached = scope._cache.get("release_chain")
    if isinstance(cached, frozenset):
        return cached
    ids = frozenset(g.organisation_id for g in scope.grants if g.role in CHAIN_ROLES)
    scope._cache["release_chain"] = ids
    return ids


def acts_for(actor: Actor, organisation_id: int) -> bool:
    """Return whether the caller acts for ``organisation_id`` in a release chain."""
    scope = scope_for(actor)
    return scope.is_platform_admin or organisation_id in chain_organisation_ids(actor)


def acts_for_terminal(actor: Actor, terminal: Facility) -> bool:
    """Return whether the caller acts for the terminal (its gate, PFSO or operator)."""
    scope = scope_for(actor)
    return scope.has_role(*TERMINAL_ROLES, facility_id=terminal.pk) or acts_for(
        actor, terminal.operator_id
    )


def authority_port_ids(actor: Actor, trade: str | None = None) -> frozenset[int]:
    """Return the ports where the caller works for police or customs (or ``trade``).

    An authority without ports named reaches none: least privilege.
    """
    scope = scope_for(actor)
    key = f"release_authority:{trade or ''}"
    cached = scope._cache.get(key)
    if isinstance(cached, frozenset):
        return cached
    trades = {trade} if trade else AUTHORITY_TRADES
    condition = Q()
    for name in sorted(trades):
        condition |= Q(roles__icontains=f'"{name}"')
    ports = frozenset(
        Organisation.objects.filter(condition, pk__in=scope.organisation_ids)
        .exclude(ports=None)
        .values_list("ports", flat=True)
    )
    scope._cache[key] = ports
    return ports


def is_customs_for(actor: Actor, port_id: int) -> bool:
    """Return whether the caller reports customs statuses in the port."""
    if scope_for(actor).is_platform_admin:
        return True
    return port_id in authority_port_ids(actor, Organisation.Role.CUSTOMS)


def may_hold(organisation: Organisation) -> bool:
    """Return whether the organisation can hold a release right (a release party)."""
    return bool(HOLDER_TRADES & set(organisation.roles))


def is_transport_operator(organisation: Organisation) -> bool:
    return Organisation.Role.TRANSPORT_OPERATOR in organisation.roles


def is_shipping_agent(organisation: Organisation) -> bool:
    return Organisation.Role.SHIPPING_AGENT in organisation.roles
