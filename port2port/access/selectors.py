"""Reads of the access module, scoped to the caller."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from port2port.access.models import (
    AccessEvent,
    AccessGrant,
    CriminalRecordExtract,
    LateBanAlert,
    PortBan,
    PortPass,
    SecurityVerification,
    Visit,
    Visitor,
)
from port2port.compliance.models import TrainingRecord
from port2port.core.errors import NotFound
from port2port.core.models import AccessPoint, Person, Role
from port2port.core.scopes import Actor, scope_for
from port2port.core.selectors import (
    access_point_list_for_user,
    get_scoped,
    person_list_for_user,
)

# Roles that may see bans and screening results of the people they can see.
_SCREENING_ROLES = (
    Role.PORT_SECURITY_OFFICER,
    Role.PFSO,
    Role.COMPANY_ADMIN,
    Role.JUDICIAL_AUTHORITY,
    Role.NATIONAL_AUTHORITY,
    Role.CONTROL_ROOM_OPERATOR,
)


def person_get_for_access(*, actor: Actor, pk: Any) -> Person:
    """Return a person the caller may see; judicial authorities reach every person."""
    scope = scope_for(actor)
    if scope.has_role(Role.JUDICIAL_AUTHORITY):
        try:
            return Person.objects.select_related("employer").get(pk=pk)
        except (Person.DoesNotExist, ValueError, TypeError, OverflowError):
            raise NotFound("Person not found.") from None
    try:
        return get_scoped(person_list_for_user(actor=actor), pk, "Person")
    except NotFound:
        # A facility's officers also reach the holders of passes activated there
        # and the visitors announced to it.
        if not scope.facility_ids and not scope.port_ids:
            raise
        facilities = Q(passes__activations__facility_id__in=scope.facility_ids) | Q(
            visits__visit__facility_id__in=scope.facility_ids
        )
        if scope.port_ids:
            facilities |= Q(
                passes__activations__facility__port_id__in=scope.port_ids
            ) | Q(visits__visit__facility__port_id__in=scope.port_ids)
        return get_scoped(
            Person.objects.filter(facilities).select_related("employer").distinct(),
            pk,
            "Person",
        )


def person_search_for_user(
    *, actor: Actor, q: str, born: dt.date | None = None
) -> QuerySet[Person]:
    """Search people by name or document number, and date of birth.

    Every word of ``q`` must match a first or last name, or be the document
    number. A judicial authority searches every person (as
    ``person_get_for_access`` reaches every person); everyone else searches the
    people they may see.
    """
    scope = scope_for(actor)
    if scope.has_role(Role.JUDICIAL_AUTHORITY) and not scope.is_national:
        people = Person.objects.select_related("employer")
        for word in q.split()[:4]:
            people = people.filter(
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(document_number__iexact=word)
            )
        people = people.order_by("last_name", "first_name", "id")
    else:
        people = person_list_for_user(actor=actor, search=q)
    if born:
        people = people.filter(date_of_birth=born)
    return people


def may_see_screening(*, actor: Actor) -> bool:
    return scope_for(actor).has_role(*_SCREENING_ROLES)


def person_access_profile(*, actor: Actor, person: Person) -> dict[str, Any]:
    """Return what the person's page shows: passes, screening, trainings, grants, accesses."""
    screening = may_see_screening(actor=actor)
    return {
        "passes": list(
            PortPass.objects.filter(person=person)
            .prefetch_related("activations__facility")
            .order_by("-issued_at")
        ),
        "verifications": list(SecurityVerification.objects.filter(person=person))
        if screening
        else None,
        "extracts": list(CriminalRecordExtract.objects.filter(person=person))
        if screening
        else None,
        "bans": list(PortBan.objects.filter(person=person)) if screening else None,
        "trainings": list(
            TrainingRecord.objects.filter(person=person).select_related("course")
        ),
        "grants": list(
            AccessGrant.objects.filter(
                Q(person=person) | Q(organisation_id=person.employer_id),
                revoked_at__isnull=True,
            ).select_related("zone", "zone__facility", "schedule")
        ),
        "accesses": list(
            access_event_list_for_user(actor=actor).filter(person=person)[:20]
        ),
    }


def ban_list_for_user(*, actor: Actor, active_only: bool = False) -> QuerySet[PortBan]:
    scope = scope_for(actor)
    if not (scope.is_national or scope.has_role(*_SCREENING_ROLES)):
        return PortBan.objects.none()
    queryset = PortBan.objects.select_related("person", "issued_by")
    if not (scope.is_national or scope.has_role(Role.JUDICIAL_AUTHORITY)):
        people = person_list_for_user(actor=actor).values("id")
        queryset = queryset.filter(person_id__in=people)
    if active_only:
        queryset = queryset.filter(
            status=PortBan.Status.ACTIVE, ends_on__gte=timezone.localdate()
        )
    return queryset.order_by("-starts_on")


def ban_get_for_user(*, actor: Actor, pk: Any) -> PortBan:
    return get_scoped(ban_list_for_user(actor=actor), pk, "Ban")


def pass_list_for_user(
    *, actor: Actor, search: str = "", state: str = ""
) -> QuerySet[PortPass]:
    """Passes of the people the caller may see, and passes activated at its facilities."""
    scope = scope_for(actor)
    people = person_list_for_user(actor=actor).values("id")
    condition = Q(person_id__in=people)
    if scope.facility_ids:
        condition |= Q(activations__facility_id__in=scope.facility_ids)
    queryset = PortPass.objects.filter(condition).select_related("person", "issued_by")
    if search:
        queryset = queryset.filter(
            Q(number__icontains=search)
            | Q(person__last_name__icontains=search)
            | Q(person__first_name__icontains=search)
        )
    if state:
        queryset = queryset.filter(state=state)
    return queryset.distinct().order_by("-issued_at")


def pass_get_for_user(*, actor: Actor, pk: Any) -> PortPass:
    return get_scoped(pass_list_for_user(actor=actor), pk, "Pass")


def grant_list_for_user(
    *, actor: Actor, facility: int | None = None
) -> QuerySet[AccessGrant]:
    scope = scope_for(actor)
    queryset = AccessGrant.objects.filter(scope.zone_filter("zone__")).select_related(
        "zone", "zone__facility", "person", "organisation", "vehicle", "schedule"
    )
    if facility is not None:
        queryset = queryset.filter(zone__facility_id=facility)
    return queryset.order_by("-valid_from")


def grant_get_for_user(*, actor: Actor, pk: Any) -> AccessGrant:
    return get_scoped(grant_list_for_user(actor=actor), pk, "Grant")


def visit_list_for_user(
    *,
    actor: Actor,
    status: str = "",
    facility: int | None = None,
    agent: int | None = None,
    waiting_for_me: bool = False,
) -> QuerySet[Visit]:
    """Visits the caller announced, must approve, or oversees in its port."""
    scope = scope_for(actor)
    if scope.is_national:
        condition = Q()
    else:
        condition = (
            Q(requester_id__in=scope.organisation_ids)
            | Q(agent_id__in=scope.organisation_ids)
            | Q(facility_id__in=scope.facility_ids)
            | Q(facility__port_id__in=scope.port_ids)
        )
    queryset = (
        Visit.objects.filter(condition)
        .select_related("requester", "facility", "facility__port", "zone", "agent")
        .prefetch_related("visitors__person")
    )
    if status:
        queryset = queryset.filter(status=status)
    if facility is not None:
        queryset = queryset.filter(facility_id=facility)
    if agent is not None:
        queryset = queryset.filter(agent_id=agent)
    if waiting_for_me:
        queryset = queryset.filter(status=Visit.Status.SUBMITTED).filter(
            Q(
                facility_id__in=scope.facility_ids,
                terminal_decision=Visit.Decision.PENDING,
            )
            | Q(
                agent_id__in=[
                    g.organisation_id
                    for g in scope.grants
                    if g.role == Role.COMPANY_ADMIN
                ],
                agent_decision=Visit.Decision.PENDING,
            )
        )
    return queryset.distinct().order_by("-starts_at")


def visit_get_for_user(*, actor: Actor, pk: Any) -> Visit:
    return get_scoped(visit_list_for_user(actor=actor), pk, "Visit")


def visit_list_waiting_for_agent(*, actor: Actor, agent: int) -> QuerySet[Visit]:
    """Visits that wait for the decision of a shipping agent the caller administers."""
    if not scope_for(actor).has_role(Role.COMPANY_ADMIN, organisation_id=agent):
        return Visit.objects.none()
    return visit_list_for_user(
        actor=actor, status=Visit.Status.SUBMITTED, agent=agent
    ).filter(agent_decision=Visit.Decision.PENDING)


def day_pass_get_for_user(*, actor: Actor, visit: Any, person: Any) -> Visitor:
    """Return the day pass of a visitor of an approved visit, with its visit.

    The announcing company (its administrators and dispatchers) prints it; the
    facility's PFSO and the port's security officers may show it too. Everyone
    else, and a visitor without a day pass, gets 404.
    """
    scope = scope_for(actor)
    queryset = Visitor.objects.filter(
        visit__status=Visit.Status.APPROVED, day_pass_id__isnull=False
    ).select_related(
        "person", "visit__facility__port", "visit__zone", "visit__requester"
    )
    if not scope.is_platform_admin:
        companies = {
            g.organisation_id
            for g in scope.grants
            if g.role in (Role.COMPANY_ADMIN, Role.TRANSPORT_DISPATCHER)
        }
        facilities = {
            g.facility_id
            for g in scope.grants
            if g.role == Role.PFSO and g.facility_id is not None
        }
        ports = {
            g.port_id
            for g in scope.grants
            if g.role == Role.PORT_SECURITY_OFFICER and g.port_id is not None
        }
        queryset = queryset.filter(
            Q(visit__requester_id__in=companies)
            | Q(visit__facility_id__in=facilities)
            | Q(visit__facility__port_id__in=ports)
        )
    try:
        return queryset.get(visit_id=int(visit), person_id=int(person))
    except (Visitor.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound("Day pass not found.") from None


def access_event_list_for_user(
    *,
    actor: Actor,
    access_point: int | None = None,
    facility: int | None = None,
    allowed: bool | None = None,
    since_id: int | None = None,
) -> QuerySet[AccessEvent]:
    """The access log of the points the caller may see."""
    scope = scope_for(actor)
    queryset = AccessEvent.objects.select_related("person", "access_point")
    if not scope.is_national:
        queryset = queryset.filter(
            Q(port_id__in=scope.port_ids) | Q(facility_id__in=scope.facility_ids)
        )
    if access_point is not None:
        queryset = queryset.filter(access_point_id=access_point)
    if facility is not None:
        queryset = queryset.filter(facility_id=facility)
    if allowed is not None:
        queryset = queryset.filter(allowed=allowed)
    if since_id is not None:
        queryset = queryset.filter(pk__gt=since_id)
    return queryset.order_by("-at", "-id")


def access_point_for_device(*, actor: Actor, pk: Any) -> AccessPoint:
    """Return an access point a gate device or operator may decide at."""
    return get_scoped(access_point_list_for_user(actor=actor), pk, "Access point")


def late_ban_alert_list_for_user(
    *, actor: Actor, open_only: bool = True
) -> QuerySet[LateBanAlert]:
    scope = scope_for(actor)
    queryset = LateBanAlert.objects.select_related("person", "facility", "ban")
    if not scope.is_national:
        queryset = queryset.filter(
            Q(facility_id__in=scope.facility_ids)
            | Q(
                port_id__in={
                    g.port_id
                    for g in scope.grants
                    if g.role == Role.PORT_SECURITY_OFFICER and g.port_id
                }
            )
        )
    if open_only:
        queryset = queryset.filter(acknowledged_at__isnull=True)
    return queryset


def late_ban_alert_get_for_user(*, actor: Actor, pk: Any) -> LateBanAlert:
    """Return a late-ban alert, open or acknowledged, that the caller may see."""
    return get_scoped(
        late_ban_alert_list_for_user(actor=actor, open_only=False), pk, "Alert"
    )
