"""Reads of the registry, scoped to the caller.

``*_get_for_user`` raises ``NotFound`` when the object does not exist or lies
outside the caller's scope: the two look the same, so that hidden objects are
not disclosed. ``*_list_for_user`` returns a queryset with its joins chosen.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count, Model, Q, QuerySet

from port2port.core.errors import NotFound
from port2port.core.models import (
    AccessPoint,
    ApiToken,
    AuditEntry,
    Facility,
    Organisation,
    Person,
    Port,
    Role,
    Vehicle,
    Zone,
)
from port2port.core.scopes import Actor, scope_for

M = TypeVar("M", bound=Model)


def get_scoped(queryset: QuerySet[M], pk: Any, label: str) -> M:
    """Return the object ``pk`` of a scoped queryset, or raise ``NotFound``."""
    try:
        return queryset.get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound(f"{label} not found.") from None


# Ports are national reference data: every signed-in caller sees every port.


def port_list_for_user(
    *, actor: Actor, search: str = "", kind: str = ""
) -> QuerySet[Port]:
    queryset = Port.objects.select_related("committee").annotate(
        facility_count=Count("facilities", distinct=True)
    )
    if search:
        queryset = queryset.filter(
            Q(locode__icontains=search)
            | Q(name_en__icontains=search)
            | Q(name_nl__icontains=search)
            | Q(name_fr__icontains=search)
        )
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset.order_by("locode")


def port_get_for_user(*, actor: Actor, locode: str) -> Port:
    if "\x00" in locode:
        raise NotFound("Port not found.")
    try:
        return Port.objects.select_related("committee").get(locode=locode.upper())
    except Port.DoesNotExist:
        raise NotFound("Port not found.") from None


def facility_list_for_user(
    *,
    actor: Actor,
    port: str = "",
    kind: str = "",
    isps: bool | None = None,
    search: str = "",
) -> QuerySet[Facility]:
    queryset = Facility.objects.filter(
        scope_for(actor).facility_filter()
    ).select_related("port", "operator", "pfso")
    if port:
        queryset = queryset.filter(port__locode=port.upper())
    if kind:
        queryset = queryset.filter(kind=kind)
    if isps is not None:
        queryset = queryset.filter(isps=isps)
    if search:
        queryset = queryset.filter(
            Q(name__icontains=search) | Q(code__icontains=search)
        )
    return queryset.distinct().order_by("port__locode", "name")


def facility_get_for_user(*, actor: Actor, pk: Any) -> Facility:
    return get_scoped(facility_list_for_user(actor=actor), pk, "Facility")


def zone_list_for_user(
    *, actor: Actor, port: str = "", facility: int | None = None, kind: str = ""
) -> QuerySet[Zone]:
    queryset = Zone.objects.filter(scope_for(actor).zone_filter()).select_related(
        "port", "facility"
    )
    if port:
        queryset = queryset.filter(port__locode=port.upper())
    if facility is not None:
        queryset = queryset.filter(facility_id=facility)
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset.distinct().order_by("port__locode", "name")


def zone_get_for_user(*, actor: Actor, pk: Any) -> Zone:
    return get_scoped(zone_list_for_user(actor=actor), pk, "Zone")


def access_point_list_for_user(
    *,
    actor: Actor,
    port: str = "",
    facility: int | None = None,
    zone: int | None = None,
    kind: str = "",
    search: str = "",
) -> QuerySet[AccessPoint]:
    queryset = (
        AccessPoint.objects.filter(scope_for(actor).zone_filter("zone__"))
        .select_related("zone", "zone__port", "zone__facility")
        .prefetch_related("devices")
    )
    if port:
        queryset = queryset.filter(zone__port__locode=port.upper())
    if facility is not None:
        queryset = queryset.filter(zone__facility_id=facility)
    if zone is not None:
        queryset = queryset.filter(zone_id=zone)
    if kind:
        queryset = queryset.filter(kind=kind)
    if search:
        queryset = queryset.filter(
            Q(name__icontains=search) | Q(code__icontains=search)
        )
    return queryset.distinct().order_by("zone__port__locode", "code")


def access_point_get_for_user(*, actor: Actor, pk: Any) -> AccessPoint:
    return get_scoped(access_point_list_for_user(actor=actor), pk, "Access point")


def organisation_list_for_user(
    *, actor: Actor, search: str = "", role: str = "", port: str = ""
) -> QuerySet[Organisation]:
    scope = scope_for(actor)
    visible = Organisation.objects.filter(scope.organisation_filter()).values("id")
    queryset = Organisation.objects.filter(id__in=visible).prefetch_related("ports")
    if search:
        queryset = queryset.filter(
            Q(name__icontains=search) | Q(kbo_number__icontains=search)
        )
    if role:
        # Roles are a JSON list; matching the quoted code works on both databases.
        queryset = queryset.filter(roles__icontains=f'"{role}"')
    if port:
        queryset = queryset.filter(ports__locode=port.upper())
    return queryset.order_by("name")


def organisation_get_for_user(*, actor: Actor, pk: Any) -> Organisation:
    return get_scoped(organisation_list_for_user(actor=actor), pk, "Organisation")


def _staff_filter(actor: Actor, field: str) -> Q:
    scope = scope_for(actor)
    ids = scope.staff_organisation_ids()
    if ids is None:
        return Q()
    return Q(**{f"{field}__in": ids})


def person_list_for_user(
    *, actor: Actor, search: str = "", employer: int | None = None
) -> QuerySet[Person]:
    scope = scope_for(actor)
    queryset = Person.objects.select_related("employer")
    if scope.staff_organisation_ids() is not None:
        condition = _staff_filter(actor, "employer_id")
        if scope.user_id is not None:
            condition |= Q(user__id=scope.user_id)
        queryset = queryset.filter(condition)
    if search:
        for word in search.split()[:4]:
            queryset = queryset.filter(
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(document_number__iexact=word)
            )
    if employer is not None:
        queryset = queryset.filter(employer_id=employer)
    return queryset.order_by("last_name", "first_name", "id")


def person_get_for_user(*, actor: Actor, pk: Any) -> Person:
    return get_scoped(person_list_for_user(actor=actor), pk, "Person")


def vehicle_list_for_user(
    *, actor: Actor, search: str = "", owner: int | None = None
) -> QuerySet[Vehicle]:
    queryset = Vehicle.objects.filter(_staff_filter(actor, "owner_id")).select_related(
        "owner"
    )
    if search:
        plate = "".join(ch for ch in search.upper() if ch.isalnum())
        queryset = queryset.filter(plate__icontains=plate)
    if owner is not None:
        queryset = queryset.filter(owner_id=owner)
    return queryset.order_by("plate")


def vehicle_get_for_user(*, actor: Actor, pk: Any) -> Vehicle:
    return get_scoped(vehicle_list_for_user(actor=actor), pk, "Vehicle")


def audit_list_for_user(
    *,
    actor: Actor,
    action: str = "",
    object_type: str = "",
    object_id: str = "",
    port: int | None = None,
) -> QuerySet[AuditEntry]:
    scope = scope_for(actor)
    if not scope.may_read_audit:
        return AuditEntry.objects.none()
    queryset = AuditEntry.objects.filter(scope.audit_filter())
    if action:
        queryset = queryset.filter(action__startswith=action)
    if object_type:
        queryset = queryset.filter(object_type=object_type)
    if object_id:
        queryset = queryset.filter(object_id=object_id)
    if port is not None:
        queryset = queryset.filter(port_id=port)
    return queryset.order_by("-seq")


def audit_for_object(*, actor: Actor, obj: Any, limit: int = 20) -> list[AuditEntry]:
    """Return the latest audit entries about ``obj`` that the caller may read."""
    return list(
        audit_list_for_user(
            actor=actor, object_type=obj._meta.label_lower, object_id=str(obj.pk)
        )[:limit]
    )


def api_token_list_for_user(*, actor: Actor) -> QuerySet[ApiToken]:
    scope = scope_for(actor)
    if scope.is_platform_admin:
        condition = Q()
    else:
        condition = Q(
            organisation_id__in={
                g.organisation_id for g in scope.grants if g.role == Role.COMPANY_ADMIN
            }
        )
    return ApiToken.objects.filter(condition).select_related("organisation", "facility")


def api_token_get_for_user(*, actor: Actor, pk: Any) -> ApiToken:
    return get_scoped(api_token_list_for_user(actor=actor), pk, "Token")


def map_features_for_user(*, actor: Actor, port: str = "") -> dict[str, Any]:
    """Return the ports, facilities, zones and access points the caller may see as GeoJSON."""
    features: list[dict[str, Any]] = []
    ports = port_list_for_user(actor=actor)
    if port:
        ports = ports.filter(locode=port.upper())
    for p in ports:
        features.append(
            {
                "type": "Feature",
                "geometry": p.centre,
                "properties": {
                    "layer": "port",
                    "id": p.locode,
                    "name": p.name,
                    "security_level": p.security_level,
                    "url": f"/ports/{p.locode}/",
                },
            }
        )
        if p.boundary:
            features.append(
                {
                    "type": "Feature",
                    "geometry": p.boundary,
                    "properties": {
                        "layer": "port_area",
                        "id": p.locode,
                        "name": p.name,
                    },
                }
            )
    for f in facility_list_for_user(actor=actor, port=port):
        features.append(
            {
                "type": "Feature",
                "geometry": f.boundary,
                "properties": {
                    "layer": "facility",
                    "id": f.pk,
                    "name": f.name,
                    "kind": f.get_kind_display(),
                    "isps": f.isps,
                    "url": f"/facilities/{f.pk}/",
                },
            }
        )
    for z in zone_list_for_user(actor=actor, port=port):
        features.append(
            {
                "type": "Feature",
                "geometry": z.boundary,
                "properties": {
                    "layer": "zone",
                    "id": z.pk,
                    "name": z.name,
                    "kind": z.kind,
                },
            }
        )
    for a in access_point_list_for_user(actor=actor, port=port).prefetch_related(None):
        features.append(
            {
                "type": "Feature",
                "geometry": a.location,
                "properties": {
                    "layer": "access_point",
                    "id": a.pk,
                    "name": a.name,
                    "kind": a.get_kind_display(),
                    "code": a.code,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def facility_for_announcement(*, actor: Actor, pk: Any) -> Facility:
    """Return a facility the caller may announce a visit or a truck to.

    Besides the facilities in its scope, a company may address any facility of a
    port where it is active: terminals are known to the companies that serve them.
    """
    scope = scope_for(actor)
    condition = scope.facility_filter()
    if not scope.is_national:
        condition |= Q(port__organisations__in=scope.organisation_ids)
    return get_scoped(
        Facility.objects.filter(condition)
        .select_related("port", "operator")
        .distinct(),
        pk,
        "Facility",
    )
