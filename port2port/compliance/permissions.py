"""Who may do what in the compliance module, read from the caller's scope.

- The port security officer sets the security level of the port and of its
  facilities; the national authority may set any.
- A facility's PFSO acknowledges levels, drafts the assessment and the plan,
  answers findings, plans drills and exercises and signs Declarations of Security.
- The local committee (LCMB) of a port advises on its facilities' assessments and
  plans: a committee member acts for the port of its membership or, without one,
  for the ports its organisation is active in.
- The national authority (NAMB) approves them; inspectors inspect the facilities
  of their port (or of every port, for a national inspector).
"""

from __future__ import annotations

from django.db.models import Q

from port2port.core.models import Facility, Organisation, Role
from port2port.core.scopes import Scope


def is_national_authority(scope: Scope) -> bool:
    return scope.is_platform_admin or Role.NATIONAL_AUTHORITY in scope.roles


def is_port_officer(scope: Scope, port_id: int) -> bool:
    return scope.has_role(Role.PORT_SECURITY_OFFICER, port_id=port_id)


def is_facility_officer(scope: Scope, facility: Facility) -> bool:
    """Return whether the caller is the facility's PFSO or its port's officer."""
    return scope.has_role(Role.PFSO, facility_id=facility.pk) or is_port_officer(
        scope, facility.port_id
    )


def is_inspector_for(scope: Scope, port_id: int) -> bool:
    """Return whether the caller inspects facilities of the port."""
    if scope.is_platform_admin:
        return True
    return any(
        g.role == Role.INSPECTOR and g.port_id in (None, port_id) for g in scope.grants
    )


def lcmb_port_ids(scope: Scope) -> frozenset[int]:
    """Return the ports whose local committee the caller sits on."""
    cached = scope._cache.get("lcmb_ports")
    if isinstance(cached, frozenset):
        return cached
    ports = {
        g.port_id
        for g in scope.grants
        if g.role == Role.COMMITTEE_MEMBER and g.port_id is not None
    }
    organisations = {
        g.organisation_id
        for g in scope.grants
        if g.role == Role.COMMITTEE_MEMBER and g.port_id is None
    }
    if organisations:
        ports.update(
            Organisation.ports.through.objects.filter(
                organisation_id__in=organisations
            ).values_list("port_id", flat=True)
        )
    result = frozenset(ports)
    scope._cache["lcmb_ports"] = result
    return result


def is_lcmb_for(scope: Scope, port_id: int) -> bool:
    return scope.is_platform_admin or port_id in lcmb_port_ids(scope)


def officer_filter(scope: Scope, prefix: str = "facility__") -> Q:
    """Return the filter of the facilities whose compliance records the caller sees.

    These are the records of officers: the PFSO of the facility, the port's
    security officer and inspectors, the port's local committee and the national
    level. Company roles and control-room operators do not see plans, inspections
    or exercises.
    """
    if scope.is_national:
        return Q()
    port_ids = {
        g.port_id
        for g in scope.grants
        if g.role in (Role.PORT_SECURITY_OFFICER, Role.INSPECTOR)
        and g.port_id is not None
    } | set(lcmb_port_ids(scope))
    facility_ids = {
        g.facility_id
        for g in scope.grants
        if g.role == Role.PFSO and g.facility_id is not None
    }
    return Q(**{f"{prefix}port_id__in": port_ids}) | Q(
        **{f"{prefix}id__in": facility_ids}
    )


def is_compliance_officer(scope: Scope) -> bool:
    """Return whether the caller has any compliance role at all."""
    return (
        scope.is_national
        or bool(
            scope.roles
            & {
                Role.PORT_SECURITY_OFFICER,
                Role.PFSO,
                Role.INSPECTOR,
                Role.NATIONAL_AUTHORITY,
            }
        )
        or bool(lcmb_port_ids(scope))
    )
