"""Late-ban alerts: a ban that arrives for someone a facility had already let in."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from port2port.access.models import (
    AccessGrant,
    LateBanAlert,
    PortBan,
    PortPass,
    Visitor,
)
from port2port.core.models import Facility


def late_ban_alerts_raise(
    *, ban: PortBan, suspended_passes: list[PortPass]
) -> list[LateBanAlert]:
    """Raise one alert per facility where the person had an open pass, visit or grant."""
    person = ban.person
    found: dict[tuple[int, str], tuple[Facility, str]] = {}
    for port_pass in suspended_passes:
        for activation in port_pass.activations.select_related("facility"):
            found.setdefault(
                (activation.facility_id, LateBanAlert.Kind.PASS),
                (activation.facility, f"pass {port_pass.number}"),
            )
    visitors = Visitor.objects.filter(
        person=person, visit__ends_at__gte=timezone.now()
    ).select_related("visit__facility")
    for visitor in visitors:
        found.setdefault(
            (visitor.visit.facility_id, LateBanAlert.Kind.VISIT),
            (visitor.visit.facility, f"visit #{visitor.visit_id}"),
        )
    grants = (
        AccessGrant.objects.filter(person=person, revoked_at__isnull=True)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=timezone.now()))
        .exclude(zone__facility__isnull=True)
        .select_related("zone__facility")
    )
    for grant in grants:
        facility = grant.zone.facility
        assert facility is not None  # noqa: S101 - excluded above
        found.setdefault(
            (facility.pk, LateBanAlert.Kind.GRANT),
            (facility, f"grant to {grant.zone.name}"),
        )
    if not ban.all_ports:
        port_ids = set(ban.ports.values_list("id", flat=True))
        found = {k: v for k, v in found.items() if v[0].port_id in port_ids}
    return LateBanAlert.objects.bulk_create(
        [
            LateBanAlert(
                ban=ban,
                person=person,
                facility=facility,
                port_id=facility.port_id,
                kind=kind,
                detail=detail,
            )
            for (_, kind), (facility, detail) in sorted(found.items())
        ]
    )
