"""Who may see and change what: the caller's scope, built once per request.

A caller (an ``Actor``) is a logged-in user or an API token. Its scope lists the
ports, facilities and organisations it acts for, by role. Selectors turn a scope
into query filters; services ask it whether a change is allowed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Union

from django.db.models import Q

from port2port.core.models import (
    FACILITY_ROLES,
    NATIONAL_ROLES,
    PORT_ROLES,
    ApiToken,
    Clearance,
    Membership,
    Organisation,
    Role,
    User,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

Actor = Union[User, ApiToken]  # noqa: UP007 - used at run time in isinstance checks


@dataclass(frozen=True, slots=True)
class Grant:
    """One role of the caller and where it applies."""

    role: str
    organisation_id: int
    port_id: int | None = None
    facility_id: int | None = None


@dataclass(frozen=True)
class Scope:
    """What one caller may reach."""

    user_id: int | None
    token_id: int | None
    label: str
    grants: tuple[Grant, ...]
    # Permissions of an API token; a user's permissions follow from its roles.
    permissions: frozenset[str] | None = None
    clearance: int = Clearance.NONE
    is_superuser: bool = False
    _cache: dict[str, object] = field(default_factory=dict, compare=False, repr=False)

    @cached_property
    def roles(self) -> frozenset[str]:
        return frozenset(g.role for g in self.grants)

    @property
    def is_platform_admin(self) -> bool:
        return self.is_superuser or Role.PLATFORM_ADMIN in self.roles

    @property
    def is_national(self) -> bool:
        """Return whether the caller sees every port (national roles, national inspectors)."""
        if self.is_platform_admin or self.roles & NATIONAL_ROLES:
            return True
        return any(g.role == Role.INSPECTOR and g.port_id is None for g in self.grants)

    @cached_property
    def port_ids(self) -> frozenset[int]:
        """Return the ports where the caller holds a port-wide role."""
        return frozenset(
            g.port_id
            for g in self.grants
            if g.role in PORT_ROLES and g.port_id is not None
        )

    @cached_property
    def facility_ids(self) -> frozenset[int]:
        return frozenset(
            g.facility_id
            for g in self.grants
            if g.role in FACILITY_ROLES and g.facility_id is not None
        )

    @cached_property
    def facility_port_ids(self) -> frozenset[int]:
        """Return the ports of the caller's facilities."""
        return frozenset(
            g.port_id
            for g in self.grants
            if g.role in FACILITY_ROLES and g.port_id is not None
        )

    @cached_property
    def organisation_ids(self) -> frozenset[int]:
        return frozenset(g.organisation_id for g in self.grants)

    @cached_property
    def acting_organisation_ids(self) -> frozenset[int]:
        """Return the organisations the caller acts for as a whole.

        A PFSO or a gate operator works for one facility of its organisation, and
        a port officer for one port: neither reaches the organisation's other
        facilities through it.
        """
        return frozenset(
            g.organisation_id
            for g in self.grants
            if g.role not in PORT_ROLES | FACILITY_ROLES
        )

    def has_role(
        self,
        *roles: str,
        port_id: int | None = None,
        facility_id: int | None = None,
        organisation_id: int | None = None,
    ) -> bool:
        """Return whether the caller holds one of ``roles`` where it applies.

        A port-wide role applies to its port; a facility role to its facility; an
        organisation role to its organisation. Platform administrators hold every
        role everywhere.
        """
        if self.is_platform_admin:
            return True
        for g in self.grants:
            if g.role not in roles:
                continue
            if port_id is not None and g.role in PORT_ROLES and g.port_id == port_id:
                return True
            if facility_id is not None and g.facility_id == facility_id:
                return True
            if (
                organisation_id is not None
                and g.organisation_id == organisation_id
                and g.role not in PORT_ROLES | FACILITY_ROLES
            ):
                return True
            if port_id is None and facility_id is None and organisation_id is None:
                return True
        return False

    def allows(self, permission: str) -> bool:
        """Return whether an API token carries ``permission``; users always do."""
        return self.permissions is None or permission in self.permissions

    # Query filters --------------------------------------------------------------

    def facility_filter(self, prefix: str = "") -> Q:
        """Return the filter of the facilities the caller may see."""
        if self.is_national:
            return Q()
        return (
            Q(**{f"{prefix}port_id__in": self.port_ids})
            | Q(**{f"{prefix}id__in": self.facility_ids})
            | Q(**{f"{prefix}operator_id__in": self.acting_organisation_ids})
        )

    def zone_filter(self, prefix: str = "") -> Q:
        if self.is_national:
            return Q()
        return (
            Q(**{f"{prefix}port_id__in": self.port_ids})
            | Q(**{f"{prefix}facility_id__in": self.facility_ids})
            | Q(**{f"{prefix}facility__operator_id__in": self.acting_organisation_ids})
        )

    def staff_organisation_ids(self) -> set[int] | None:
        """Return the organisations whose people and vehicles the caller may see.

        ``None`` means every organisation. Port-wide roles see the organisations
        active in their ports; the others see their own organisations.
        """
        if self.is_national:
            return None
        cached = self._cache.get("staff")
        if cached is None:
            ids = set(self.organisation_ids)
            if self.port_ids:
                ids.update(
                    Organisation.objects.filter(ports__in=self.port_ids).values_list(
                        "id", flat=True
                    )
                )
            self._cache["staff"] = ids
            cached = ids
        assert isinstance(cached, set)  # noqa: S101 - narrows the cached type
        return cached

    def organisation_filter(self) -> Q:
        if self.is_national:
            return Q()
        visible_ports = self.port_ids | self.facility_port_ids
        return Q(id__in=self.organisation_ids) | Q(ports__in=visible_ports)

    def audit_filter(self) -> Q:
        """Return the filter of the audit entries the caller may read."""
        if self.is_platform_admin or Role.NATIONAL_AUTHORITY in self.roles:
            return Q()
        officer_ports = {
            g.port_id
            for g in self.grants
            if g.role == Role.PORT_SECURITY_OFFICER and g.port_id is not None
        }
        pfso_facilities = {
            g.facility_id
            for g in self.grants
            if g.role == Role.PFSO and g.facility_id is not None
        }
        admin_orgs = {
            g.organisation_id for g in self.grants if g.role == Role.COMPANY_ADMIN
        }
        if not (officer_ports or pfso_facilities or admin_orgs):
            return Q(pk__in=[])
        return (
            Q(port_id__in=officer_ports)
            | Q(facility_id__in=pfso_facilities)
            | Q(organisation_id__in=admin_orgs)
        )

    @property
    def may_read_audit(self) -> bool:
        if self.permissions is not None and "audit:read" not in self.permissions:
            return False
        return self.is_platform_admin or bool(
            self.roles
            & {
                Role.NATIONAL_AUTHORITY,
                Role.PORT_SECURITY_OFFICER,
                Role.PFSO,
                Role.COMPANY_ADMIN,
            }
        )


def scope_for(actor: Actor | AnonymousUser) -> Scope:
    """Return the caller's scope, computed once and kept on the caller object."""
    cached = getattr(actor, "_p2p_scope", None)
    if isinstance(cached, Scope):
        return cached
    if isinstance(actor, ApiToken):
        facility = actor.facility
        role = Role.GATE_OPERATOR if facility else Role.COMPANY_ADMIN
        scope = Scope(
            user_id=None,
            token_id=actor.pk,
            label=f"token:{actor.prefix}",
            grants=(
                Grant(
                    role=role,
                    organisation_id=actor.organisation_id,
                    port_id=facility.port_id if facility else None,
                    facility_id=facility.pk if facility else None,
                ),
            ),
            permissions=frozenset(actor.permissions),
        )
    elif isinstance(actor, User) and actor.is_active:
        grants = []
        for m in Membership.objects.filter(user=actor).select_related("facility"):
            port_id = m.port_id
            if m.facility_id is not None and m.facility is not None:
                port_id = m.facility.port_id
            grants.append(
                Grant(
                    role=m.role,
                    organisation_id=m.organisation_id,
                    port_id=port_id,
                    facility_id=m.facility_id,
                )
            )
        scope = Scope(
            user_id=actor.pk,
            token_id=None,
            label=actor.get_username(),
            grants=tuple(grants),
            clearance=actor.clearance,
            is_superuser=actor.is_superuser,
        )
    else:
        scope = Scope(user_id=None, token_id=None, label="anonymous", grants=())
    actor._p2p_scope = scope  # type: ignore[union-attr]
    return scope
