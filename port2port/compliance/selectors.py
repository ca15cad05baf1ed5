"""Reads of the compliance module, scoped to the caller.

``*_get_for_user`` raises ``NotFound`` for what does not exist and for what the
caller may not see alike. Plans, inspections, exercises and ship records are for
officers (see ``permissions.officer_filter``); training records follow the
registry's rule for people.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Min, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from port2port.access.models import AccessGrant, ZonePolicy
from port2port.compliance import permissions, schedule
from port2port.compliance.models import (
    AfterActionReport,
    Certificate,
    ChecklistTemplate,
    Course,
    DeclarationOfSecurity,
    DocumentVersion,
    Exercise,
    FacilityProfile,
    Finding,
    Inspection,
    InspectionPhoto,
    LevelAcknowledgement,
    Reminder,
    Scenario,
    SecurityDocument,
    SecurityLevelChange,
    ShipCall,
    TrainingImport,
    TrainingRecord,
    TrainingRule,
)
from port2port.core.errors import NotFound
from port2port.core.models import Facility, Membership, Organisation, Person, Role
from port2port.core.scopes import Actor, scope_for
from port2port.core.selectors import get_scoped, person_list_for_user


def _officer_q(actor: Actor, prefix: str = "facility__") -> Q:
    return permissions.officer_filter(scope_for(actor), prefix)


def facility_list_for_compliance(*, actor: Actor, port: str = "") -> QuerySet[Facility]:
    """Return the ISPS facilities whose compliance the caller follows."""
    queryset = (
        Facility.objects.filter(_officer_q(actor, ""), isps=True)
        .select_related("port", "operator")
        .order_by("port__locode", "name")
    )
    if port:
        queryset = queryset.filter(port__locode=port.upper())
    return queryset


def facility_get_for_compliance(*, actor: Actor, pk: Any) -> Facility:
    return get_scoped(
        Facility.objects.filter(_officer_q(actor, "")).select_related(
            "port", "operator", "pfso"
        ),
        pk,
        "Facility",
    )


# Security levels -------------------------------------------------------------------------


def level_change_list_for_user(
    *,
    actor: Actor,
    port: str = "",
    facility: int | None = None,
    current: bool | None = None,
) -> QuerySet[SecurityLevelChange]:
    """Return the level changes of the ports and facilities the caller follows.

    A port's changes are seen by everyone with a role in that port; a facility's
    by the officers who follow the facility.
    """
    scope = scope_for(actor)
    queryset = SecurityLevelChange.objects.select_related("port", "facility")
    if not scope.is_national:
        ports = (
            scope.port_ids | scope.facility_port_ids | permissions.lcmb_port_ids(scope)
        )
        queryset = queryset.filter(
            Q(facility__isnull=True, port_id__in=ports)
            | Q(
                facility__isnull=False,
                facility__in=Facility.objects.filter(_officer_q(actor, "")),
            )
        )
    if port:
        queryset = queryset.filter(port__locode=port.upper())
    if facility is not None:
        queryset = queryset.filter(facility_id=facility)
    if current is not None:
        queryset = queryset.filter(ended_at__isnull=current)
    return queryset.order_by("-valid_from", "-pk")


def level_change_get_for_user(*, actor: Actor, pk: Any) -> SecurityLevelChange:
    return get_scoped(level_change_list_for_user(actor=actor), pk, "Level change")


def acknowledgement_list_for_user(
    *, actor: Actor, pending: bool | None = None, facility: int | None = None
) -> QuerySet[LevelAcknowledgement]:
    queryset = LevelAcknowledgement.objects.filter(_officer_q(actor)).select_related(
        "change__port", "facility", "acknowledged_by"
    )
    if pending is not None:
        queryset = queryset.filter(acknowledged_at__isnull=pending)
        if pending:
            queryset = queryset.filter(change__ended_at__isnull=True)
    if facility is not None:
        queryset = queryset.filter(facility_id=facility)
    return queryset.order_by("-change__valid_from", "facility__name")


def acknowledgement_get_for_user(*, actor: Actor, pk: Any) -> LevelAcknowledgement:
    return get_scoped(acknowledgement_list_for_user(actor=actor), pk, "Acknowledgement")


# Assessments and plans ------------------------------------------------------------------


def document_list_for_user(
    *, actor: Actor, facility: int | None = None, kind: str = "", status: str = ""
) -> QuerySet[SecurityDocument]:
    queryset = SecurityDocument.objects.filter(_officer_q(actor)).select_related(
        "facility__port"
    )
    if facility is not None:
        queryset = queryset.filter(facility_id=facility)
    if kind:
        queryset = queryset.filter(kind=kind)
    if status:
        queryset = queryset.filter(versions__status=status).distinct()
    return queryset.order_by("facility__port__locode", "facility__name", "kind")


def document_get_for_user(*, actor: Actor, pk: Any) -> SecurityDocument:
    return get_scoped(document_list_for_user(actor=actor), pk, "Document")


def version_list_for_user(
    *, actor: Actor, status: str = "", document: int | None = None
) -> QuerySet[DocumentVersion]:
    queryset = DocumentVersion.objects.filter(
        _officer_q(actor, "document__facility__")
    ).select_related("document__facility__port", "created_by")
    if status:
        queryset = queryset.filter(status=status)
    if document is not None:
        queryset = queryset.filter(document_id=document)
    return queryset.order_by("-created_at")


def version_get_for_user(*, actor: Actor, pk: Any) -> DocumentVersion:
    return get_scoped(version_list_for_user(actor=actor), pk, "Version")


def certificate_list_for_user(
    *, actor: Actor, facility: int | None = None
) -> QuerySet[Certificate]:
    queryset = Certificate.objects.filter(_officer_q(actor)).select_related(
        "facility__port", "version__document"
    )
    if facility is not None:
        queryset = queryset.filter(facility_id=facility)
    return queryset.order_by("-issued_on")


# Inspections ----------------------------------------------------------------------------


def template_list(*, active: bool | None = True) -> QuerySet[ChecklistTemplate]:
    """Return the checklist templates; every signed-in caller may read them."""
    queryset = ChecklistTemplate.objects.annotate(item_count=Count("items"))
    if active is not None:
        queryset = queryset.filter(active=active)
    return queryset.order_by("code", "-version")


def template_get(*, pk: Any) -> ChecklistTemplate:
    return get_scoped(template_list(active=None), pk, "Checklist")


def inspection_list_for_user(
    *,
    actor: Actor,
    facility: int | None = None,
    status: str = "",
    inspector: int | None = None,
    planned_from: dt.date | None = None,
    planned_until: dt.date | None = None,
) -> QuerySet[Inspection]:
    queryset = Inspection.objects.filter(_officer_q(actor)).select_related(
        "facility__port", "template", "inspector"
    )
    if facility is not None:
        queryset = queryset.filter(facility_id=facility)
    if status:
        queryset = queryset.filter(status=status)
    if inspector is not None:
        queryset = queryset.filter(inspector_id=inspector)
    if planned_from is not None:
        queryset = queryset.filter(planned_on__gte=planned_from)
    if planned_until is not None:
        queryset = queryset.filter(planned_on__lte=planned_until)
    return queryset.order_by("-planned_on", "-pk")


def inspection_get_for_user(*, actor: Actor, pk: Any) -> Inspection:
    return get_scoped(inspection_list_for_user(actor=actor), pk, "Inspection")


@dataclass
class ChecklistRow:
    """One item of an inspection with its answer and photos (for the form and report)."""

    item: Any
    answer: Any
    photos: list[InspectionPhoto]


def inspection_rows(inspection: Inspection) -> list[ChecklistRow]:
    answers = {a.item_id: a for a in inspection.answers.all()}
    photos: dict[int | None, list[InspectionPhoto]] = defaultdict(list)
    for photo in inspection.photos.all():
        photos[photo.item_id].append(photo)
    return [
        ChecklistRow(item=item, answer=answers.get(item.pk), photos=photos[item.pk])
        for item in inspection.template.items.order_by("position")
    ]


def photo_get_for_user(*, actor: Actor, pk: Any) -> InspectionPhoto:
    return get_scoped(
        InspectionPhoto.objects.filter(_officer_q(actor, "inspection__facility__")),
        pk,
        "Photo",
    )


def finding_list_for_user(
    *,
    actor: Actor,
    facility: int | None = None,
    status: str = "",
    severity: str = "",
    open_only: bool = False,
    inspection: int | None = None,
) -> QuerySet[Finding]:
    queryset = Finding.objects.filter(_officer_q(actor)).select_related(
        "facility__port", "inspection__inspector", "item"
    )
    if facility is not None:
        queryset = queryset.filter(facility_id=facility)
    if status:
        queryset = queryset.filter(status=status)
    if severity:
        queryset = queryset.filter(severity=severity)
    if open_only:
        queryset = queryset.exclude(status=Finding.Status.CLOSED)
    if inspection is not None:
        queryset = queryset.filter(inspection_id=inspection)
    return queryset.order_by("deadline", "pk")


def finding_get_for_user(*, actor: Actor, pk: Any) -> Finding:
    return get_scoped(finding_list_for_user(actor=actor), pk, "Finding")


# Drills and exercises -------------------------------------------------------------------


def scenario_list(*, kind: str = "", threat: str = "") -> QuerySet[Scenario]:
    queryset = Scenario.objects.all()
    if kind:
        queryset = queryset.filter(kind=kind)
    if threat:
        queryset = queryset.filter(threat=threat)
    return queryset.order_by("kind", "code")


def scenario_get(*, code: str) -> Scenario:
    scenario = Scenario.objects.filter(code=str(code).upper()[:10]).first()
    if scenario is None:
        raise NotFound("Scenario not found.")
    return scenario


def exercise_list_for_user(
    *,
    actor: Actor,
    facility: int | None = None,
    kind: str = "",
    status: str = "",
) -> QuerySet[Exercise]:
    """Return the drills and exercises of the facilities the caller follows.

    A port's local committee also sees the exercises of its facilities; it reads
    the after-action reports once they are shared.
    """
    visible = Facility.objects.filter(_officer_q(actor, ""))
    queryset = (
        Exercise.objects.filter(facilities__in=visible)
        .distinct()
        .select_related("port", "scenario", "report")
        .prefetch_related("facilities__port")
    )
    if facility is not None:
        queryset = queryset.filter(facilities__id=facility)
    if kind:
        queryset = queryset.filter(kind=kind)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-planned_on", "-pk")


def exercise_get_for_user(*, actor: Actor, pk: Any) -> Exercise:
    return get_scoped(exercise_list_for_user(actor=actor), pk, "Exercise")


def report_visible(*, actor: Actor, report: AfterActionReport) -> bool:
    """Return whether the caller may read an after-action report.

    The organisers' side (PFSOs, port officers, inspectors, the national level)
    reads it at once; the local committee once it is shared.
    """
    scope = scope_for(actor)
    if scope.is_national:
        return True
    facilities = list(report.exercise.facilities.all())
    officer = any(
        scope.has_role(Role.PFSO, facility_id=f.pk)
        or scope.has_role(Role.PORT_SECURITY_OFFICER, Role.INSPECTOR, port_id=f.port_id)
        for f in facilities
    )
    if officer:
        return True
    return report.shared_at is not None and any(
        f.port_id in permissions.lcmb_port_ids(scope) for f in facilities
    )


# Training -------------------------------------------------------------------------------


def course_list() -> QuerySet[Course]:
    return Course.objects.annotate(rule_count=Count("rules")).order_by("code")


def course_get(*, code: str) -> Course:
    course = Course.objects.filter(code=str(code).lower()[:40]).first()
    if course is None:
        raise NotFound("Course not found.")
    return course


def training_record_list_for_user(
    *,
    actor: Actor,
    person: int | None = None,
    course: str = "",
    organisation: int | None = None,
    expires_before: dt.date | None = None,
) -> QuerySet[TrainingRecord]:
    queryset = TrainingRecord.objects.filter(
        person__in=person_list_for_user(actor=actor)
    ).select_related("person", "course", "provider")
    if person is not None:
        queryset = queryset.filter(person_id=person)
    if course:
        queryset = queryset.filter(course__code=course.lower())
    if organisation is not None:
        queryset = queryset.filter(person__employer_id=organisation)
    if expires_before is not None:
        queryset = queryset.filter(expires_on__lt=expires_before)
    return queryset.order_by("-completed_on", "-pk")


def training_import_list_for_user(*, actor: Actor) -> QuerySet[TrainingImport]:
    scope = scope_for(actor)
    queryset = TrainingImport.objects.select_related("provider", "uploaded_by")
    if permissions.is_national_authority(scope):
        return queryset
    return queryset.filter(uploaded_by_id=scope.user_id)


def training_import_get_for_user(*, actor: Actor, pk: Any) -> TrainingImport:
    return get_scoped(training_import_list_for_user(actor=actor), pk, "Import")


def training_rule_list(*, port: str = "", course: str = "") -> QuerySet[TrainingRule]:
    """Return the training rules; they are public to everyone they apply to."""
    queryset = TrainingRule.objects.select_related("course", "port", "zone")
    if port:
        queryset = queryset.filter(Q(port__locode=port.upper()) | Q(port__isnull=True))
    if course:
        queryset = queryset.filter(course__code=course.lower())
    return queryset.order_by("course__code", "pk")


def training_rule_get(*, pk: Any) -> TrainingRule:
    return get_scoped(training_rule_list(), pk, "Training rule")


@dataclass
class PersonTraining:
    """Which courses one person must hold, and how each stands."""

    person: Person
    required: dict[str, str] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    expired: list[str] = field(default_factory=list)
    expiring: list[str] = field(default_factory=list)

    @property
    def compliant(self) -> bool:
        return not self.missing and not self.expired


@dataclass
class TrainingCompliance:
    """The training compliance of a group of people (an organisation, a facility)."""

    people: list[PersonTraining]
    by_course: dict[str, dict[str, int]]

    @property
    def total(self) -> int:
        return len(self.people)

    @property
    def subject(self) -> int:
        return sum(1 for p in self.people if p.required)

    @property
    def compliant(self) -> int:
        return sum(1 for p in self.people if p.required and p.compliant)

    @property
    def percent(self) -> int:
        return round(100 * self.compliant / self.subject) if self.subject else 100

    @property
    def not_compliant(self) -> list[PersonTraining]:
        return [p for p in self.people if not p.compliant]


def _zones_of(
    people: list[Person], now: dt.datetime, zone_ids: set[int] | None
) -> dict[int, set[int]]:
    by_org: dict[int, set[int]] = defaultdict(set)
    result: dict[int, set[int]] = defaultdict(set)
    grants = AccessGrant.objects.filter(
        Q(person__in=[p.pk for p in people])
        | Q(organisation__in={p.employer_id for p in people if p.employer_id}),
        revoked_at__isnull=True,
        valid_from__lte=now,
    ).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=now))
    if zone_ids is not None:
        grants = grants.filter(zone_id__in=zone_ids)
    for person_id, organisation_id, zone_id in grants.values_list(
        "person_id", "organisation_id", "zone_id"
    ):
        if person_id is not None:
            result[person_id].add(zone_id)
        elif organisation_id is not None:
            by_org[organisation_id].add(zone_id)
    for person in people:
        if person.employer_id in by_org:
            result[person.pk] |= by_org[person.employer_id]
    return result


def training_compliance(
    *,
    people: list[Person],
    today: dt.date,
    soon_days: int,
    zone_ids: set[int] | None = None,
) -> TrainingCompliance:
    """Judge each person against the rules and the access policies of their zones.

    A rule applies when every condition it sets holds: the person works for an
    organisation active in its port, holds its platform role, works for an
    organisation of its kind, or holds an access right to its zone. The courses
    that a zone's access policy demands apply to everyone with a right there.
    """
    now = timezone.now()
    rules = list(TrainingRule.objects.select_related("course", "zone"))
    ids = [p.pk for p in people]
    employer_ids = {p.employer_id for p in people if p.employer_id}
    employer_ports: dict[int, set[int]] = defaultdict(set)
    for org_id, port_id in Organisation.ports.through.objects.filter(
        organisation_id__in=employer_ids
    ).values_list("organisation_id", "port_id"):
        employer_ports[org_id].add(port_id)
    employer_roles = {
        o.pk: set(o.roles) for o in Organisation.objects.filter(pk__in=employer_ids)
    }
    roles: dict[int, set[str]] = defaultdict(set)
    for person_id, role in Membership.objects.filter(
        user__person_id__in=ids, user__is_active=True
    ).values_list("user__person_id", "role"):
        roles[person_id].add(role)
    zones = _zones_of(people, now, zone_ids)
    policy_courses = {
        zone_id: set(courses)
        for zone_id, courses in ZonePolicy.objects.filter(
            zone_id__in={z for zs in zones.values() for z in zs}
        ).values_list("zone_id", "courses")
    }
    held: dict[int, dict[str, dt.date]] = defaultdict(dict)
    for person_id, code, expires in TrainingRecord.objects.filter(
        person_id__in=ids
    ).values_list("person_id", "course__code", "expires_on"):
        until: dt.date = expires or dt.date.max
        if until > held[person_id].get(code, dt.date.min):
            held[person_id][code] = until
    horizon = today + dt.timedelta(days=soon_days)
    results = []
    by_course: dict[str, dict[str, int]] = defaultdict(
        lambda: {"required": 0, "ok": 0, "missing": 0, "expired": 0, "expiring": 0}
    )
    for person in people:
        status = PersonTraining(person=person)
        for rule in rules:
            if rule.port_id and rule.port_id not in employer_ports.get(
                person.employer_id or 0, ()
            ):
                continue
            if rule.role and rule.role not in roles[person.pk]:
                continue
            if rule.organisation_role and rule.organisation_role not in (
                employer_roles.get(person.employer_id or 0, set())
            ):
                continue
            if rule.zone_id and rule.zone_id not in zones[person.pk]:
                continue
            status.required.setdefault(rule.course.code, rule.describe())
        for zone_id in zones[person.pk]:
            for code in policy_courses.get(zone_id, ()):
                status.required.setdefault(code, str(_("zone access policy")))
        for code in sorted(status.required):
            counts = by_course[code]
            counts["required"] += 1
            expiry = held[person.pk].get(code)
            if expiry is None:
                status.missing.append(code)
                counts["missing"] += 1
            elif expiry < today:
                status.expired.append(code)
                counts["expired"] += 1
            else:
                counts["ok"] += 1
                if expiry <= horizon:
                    status.expiring.append(code)
                    counts["expiring"] += 1
        results.append(status)
    return TrainingCompliance(people=results, by_course=dict(sorted(by_course.items())))


def organisation_training_for_user(
    *, actor: Actor, organisation: Organisation, today: dt.date, soon_days: int
) -> TrainingCompliance:
    """Return the training compliance of an organisation's staff the caller may see."""
    people = list(
        person_list_for_user(actor=actor, employer=organisation.pk).order_by(
            "last_name", "first_name", "pk"
        )
    )
    return training_compliance(people=people, today=today, soon_days=soon_days)


def facility_training(
    *, facility: Facility, today: dt.date, soon_days: int
) -> TrainingCompliance:
    """Return the training compliance of the people who work at a facility.

    They are the operator's staff and everyone with an access right to one of
    its zones; the zones' access policies count, the other zones do not.
    """
    zone_ids = set(facility.zones.values_list("pk", flat=True))
    now = timezone.now()
    granted = AccessGrant.objects.filter(
        zone_id__in=zone_ids, revoked_at__isnull=True, valid_from__lte=now
    ).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=now))
    people = list(
        Person.objects.filter(
            Q(employer_id=facility.operator_id)
            | Q(pk__in=granted.filter(person__isnull=False).values("person_id"))
            | Q(
                employer_id__in=granted.filter(organisation__isnull=False).values(
                    "organisation_id"
                )
            )
        )
        .select_related("employer")
        .order_by("last_name", "first_name", "pk")
    )
    return training_compliance(
        people=people, today=today, soon_days=soon_days, zone_ids=zone_ids
    )


# Ships ----------------------------------------------------------------------------------


def declaration_list_for_user(
    *, actor: Actor, facility: int | None = None, status: str = ""
) -> QuerySet[DeclarationOfSecurity]:
    queryset = DeclarationOfSecurity.objects.filter(_officer_q(actor)).select_related(
        "facility__port", "facility_signatory"
    )
    if facility is not None:
        queryset = queryset.filter(facility_id=facility)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-valid_from", "-pk")


def declaration_get_for_user(*, actor: Actor, pk: Any) -> DeclarationOfSecurity:
    return get_scoped(declaration_list_for_user(actor=actor), pk, "Declaration")


def ship_call_list_for_user(
    *,
    actor: Actor,
    facility: int | None = None,
    state: str = "",
    eta_from: dt.datetime | None = None,
    eta_until: dt.datetime | None = None,
) -> QuerySet[ShipCall]:
    """Return the ship calls of the facilities the caller follows, or announced by its agency."""
    scope = scope_for(actor)
    agencies = {g.organisation_id for g in scope.grants if g.role == Role.COMPANY_ADMIN}
    queryset = ShipCall.objects.filter(
        _officer_q(actor) | Q(agent_id__in=agencies)
    ).select_related("facility__port", "agent")
    if facility is not None:
        queryset = queryset.filter(facility_id=facility)
    if state == "flagged":
        queryset = queryset.filter(flagged_at__isnull=False)
    elif state == "awaited":
        queryset = queryset.filter(received_at__isnull=True)
    elif state == "received":
        queryset = queryset.filter(received_at__isnull=False)
    if eta_from is not None:
        queryset = queryset.filter(eta__gte=eta_from)
    if eta_until is not None:
        queryset = queryset.filter(eta__lte=eta_until)
    return queryset.order_by("eta", "pk")


def ship_call_get_for_user(*, actor: Actor, pk: Any) -> ShipCall:
    return get_scoped(ship_call_list_for_user(actor=actor), pk, "Ship call")


def pre_arrival(call: ShipCall, now: dt.datetime) -> schedule.PreArrival:
    return schedule.pre_arrival_state(
        eta=call.eta, received_at=call.received_at, now=now
    )


# Reminders ------------------------------------------------------------------------------


def reminder_list_for_user(
    *, actor: Actor, unread: bool | None = None
) -> QuerySet[Reminder]:
    queryset = Reminder.objects.filter(recipient_id=scope_for(actor).user_id or 0)
    if unread is not None:
        queryset = queryset.filter(read_at__isnull=unread)
    return queryset.select_related("facility").order_by("-late", "due_on", "-pk")


def reminder_get_for_user(*, actor: Actor, pk: Any) -> Reminder:
    return get_scoped(reminder_list_for_user(actor=actor), pk, "Reminder")


# Facility status: what is due, late and open ---------------------------------------------


DUTY_LABELS = {
    "review_pfsa": _("Assessment review"),
    "review_pfsp": _("Plan review"),
    "certificate": _("Certificate renewal"),
    "drill": _("Drill"),
    "exercise": _("Exercise"),
    "inspection": _("Inspection"),
}
# The reminder kind of each duty.
_DUTY_KINDS = {
    "review_pfsa": Reminder.Kind.REVIEW,
    "review_pfsp": Reminder.Kind.REVIEW,
    "certificate": Reminder.Kind.CERTIFICATE,
    "drill": Reminder.Kind.DRILL,
    "exercise": Reminder.Kind.EXERCISE,
    "inspection": Reminder.Kind.INSPECTION,
}


@dataclass(frozen=True)
class Duty:
    """A recurring duty of a facility: when it was last done and when it is due."""

    code: str
    due_on: dt.date
    status: schedule.Status
    last: dt.date | None = None

    @property
    def label(self) -> str:
        return str(DUTY_LABELS[self.code])

    @property
    def kind(self) -> str:
        return str(_DUTY_KINDS[self.code])


@dataclass
class FacilityStatus:
    """What is due, late and open at one facility."""

    facility_id: int
    risk: str
    duties: list[Duty]
    pending_acknowledgements: int = 0
    open_findings: int = 0
    late_findings: int = 0
    next_inspection: dt.date | None = None
    certificate_expires: dt.date | None = None

    @property
    def late(self) -> list[Duty]:
        return [d for d in self.duties if d.status == schedule.Status.LATE]

    @property
    def due_soon(self) -> list[Duty]:
        return [d for d in self.duties if d.status == schedule.Status.DUE_SOON]

    def duty(self, code: str) -> Duty | None:
        return next((d for d in self.duties if d.code == code), None)


def _last_held(ids: set[int], kind: str) -> dict[int, dt.date]:
    return {
        row["facilities"]: row["last"]
        for row in Exercise.objects.filter(
            facilities__in=ids, kind=kind, status=Exercise.Status.HELD
        )
        .values("facilities")
        .annotate(last=Max("held_on"))
    }


def facility_statuses(
    *, facility_ids: set[int], today: dt.date, soon_days: int | None = None
) -> dict[int, FacilityStatus]:
    """Return the status of each facility, in a fixed number of queries."""
    from django.conf import settings

    soon = settings.COMPLIANCE_DUE_SOON_DAYS if soon_days is None else soon_days
    ids = set(facility_ids)
    risks = dict(
        FacilityProfile.objects.filter(facility_id__in=ids).values_list(
            "facility_id", "risk"
        )
    )
    documents: dict[int, dict[str, SecurityDocument]] = defaultdict(dict)
    for document in SecurityDocument.objects.filter(facility_id__in=ids):
        documents[document.facility_id][document.kind] = document
    certificates = dict(
        Certificate.objects.filter(facility_id__in=ids)
        .values("facility_id")
        .annotate(last=Max("expires_on"))
        .values_list("facility_id", "last")
    )
    drills = _last_held(ids, Exercise.Kind.DRILL)
    exercises = _last_held(ids, Exercise.Kind.EXERCISE)
    last_inspections: dict[int, tuple[dt.date, str]] = {}
    for facility_id, completed, outcome in (
        Inspection.objects.filter(
            facility_id__in=ids, status=Inspection.Status.COMPLETED
        )
        .order_by("facility_id", "-completed_at")
        .values_list("facility_id", "completed_at", "outcome")
    ):
        if facility_id not in last_inspections and completed is not None:
            last_inspections[facility_id] = (timezone.localdate(completed), outcome)
    planned = dict(
        Inspection.objects.filter(
            facility_id__in=ids,
            status__in=[Inspection.Status.PLANNED, Inspection.Status.IN_PROGRESS],
        )
        .values("facility_id")
        .annotate(next=Min("planned_on"))
        .values_list("facility_id", "next")
    )
    findings = {
        row["facility_id"]: row
        for row in Finding.objects.filter(facility_id__in=ids)
        .exclude(status=Finding.Status.CLOSED)
        .values("facility_id")
        .annotate(open=Count("pk"), late=Count("pk", filter=Q(deadline__lt=today)))
    }
    acks = dict(
        LevelAcknowledgement.objects.filter(
            facility_id__in=ids,
            acknowledged_at__isnull=True,
            change__ended_at__isnull=True,
        )
        .values("facility_id")
        .annotate(n=Count("pk"))
        .values_list("facility_id", "n")
    )

    def duty(code: str, due: dt.date, last: dt.date | None) -> Duty:
        return Duty(
            code, due, schedule.status_of(due, today=today, soon_days=soon), last
        )

    statuses = {}
    for facility_id in ids:
        risk = risks.get(facility_id, FacilityProfile.Risk.MEDIUM)
        duties = []
        for kind in (SecurityDocument.Kind.PFSA, SecurityDocument.Kind.PFSP):
            found = documents[facility_id].get(kind)
            due = (found.review_due_on if found else None) or today
            duties.append(
                duty(
                    f"review_{kind}",
                    due,
                    found.last_approved_on if found else None,
                )
            )
        certificate = certificates.get(facility_id)
        if certificate is not None:
            duties.append(duty("certificate", certificate, None))
        last_drill = drills.get(facility_id)
        duties.append(
            duty("drill", schedule.next_drill_due(last_drill, today=today), last_drill)
        )
        last_exercise = exercises.get(facility_id)
        duties.append(
            duty(
                "exercise",
                schedule.next_exercise_due(last_exercise, today=today),
                last_exercise,
            )
        )
        inspected, outcome = last_inspections.get(facility_id, (None, ""))
        duties.append(
            duty(
                "inspection",
                schedule.next_inspection_due(
                    inspected,
                    risk=risk,
                    last_had_major_findings=outcome in ("major", "critical"),
                    today=today,
                ),
                inspected,
            )
        )
        row = findings.get(facility_id, {})
        statuses[facility_id] = FacilityStatus(
            facility_id=facility_id,
            risk=risk,
            duties=duties,
            pending_acknowledgements=acks.get(facility_id, 0),
            open_findings=row.get("open", 0),
            late_findings=row.get("late", 0),
            next_inspection=planned.get(facility_id),
            certificate_expires=certificate,
        )
    return statuses


@dataclass
class PortSummary:
    """The compliance of one port's ISPS facilities, for the committees' overview."""

    port: Any
    facilities: int = 0
    late: int = 0
    due_soon: int = 0
    open_findings: int = 0
    late_findings: int = 0
    pending_acknowledgements: int = 0
    late_by_duty: dict[str, int] = field(default_factory=dict)


def port_summaries(
    *, facilities: list[Facility], statuses: dict[int, FacilityStatus]
) -> list[PortSummary]:
    summaries: dict[int, PortSummary] = {}
    for facility in facilities:
        summary = summaries.setdefault(
            facility.port_id, PortSummary(port=facility.port)
        )
        status = statuses[facility.pk]
        summary.facilities += 1
        summary.late += len(status.late)
        summary.due_soon += len(status.due_soon)
        summary.open_findings += status.open_findings
        summary.late_findings += status.late_findings
        summary.pending_acknowledgements += status.pending_acknowledgements
        for late in status.late:
            summary.late_by_duty[late.code] = summary.late_by_duty.get(late.code, 0) + 1
    return sorted(summaries.values(), key=lambda s: s.port.locode)


def compliance_history(
    *, facility_ids: set[int], months: int, today: dt.date
) -> list[dict[str, Any]]:
    """Return, month by month, the drills, exercises and inspections held and findings raised."""
    start = schedule.add_months(today.replace(day=1), -(months - 1))
    rows: dict[str, dict[str, Any]] = {}
    month = start
    while month <= today:
        key = f"{month:%Y-%m}"
        rows[key] = {
            "month": key,
            "drills": 0,
            "exercises": 0,
            "inspections": 0,
            "findings": 0,
        }
        month = schedule.add_months(month, 1)
    for kind, held_on in (
        Exercise.objects.filter(
            facilities__in=facility_ids,
            status=Exercise.Status.HELD,
            held_on__gte=start,
        )
        .distinct()
        .values_list("kind", "held_on")
    ):
        key = f"{held_on:%Y-%m}"
        if key in rows:
            rows[key]["drills" if kind == "drill" else "exercises"] += 1
    for completed in Inspection.objects.filter(
        facility_id__in=facility_ids,
        status=Inspection.Status.COMPLETED,
        completed_at__date__gte=start,
    ).values_list("completed_at", flat=True):
        key = f"{timezone.localdate(completed):%Y-%m}"
        if key in rows:
            rows[key]["inspections"] += 1
    for created in Finding.objects.filter(
        facility_id__in=facility_ids, created_at__date__gte=start
    ).values_list("created_at", flat=True):
        key = f"{timezone.localdate(created):%Y-%m}"
        if key in rows:
            rows[key]["findings"] += 1
    return list(rows.values())


@dataclass(frozen=True)
class CalendarEntry:
    """Something on a day of a user's compliance calendar."""

    day: dt.date
    title: str
    kind: str
    link: str
    late: bool = False
    uid: str = ""


def calendar_for_user(
    *, actor: Actor, start: dt.date, end: dt.date, today: dt.date
) -> list[CalendarEntry]:
    """Return the caller's inspections, drills and exercises, deadlines and due duties."""
    scope = scope_for(actor)
    entries: list[CalendarEntry] = []
    inspections = inspection_list_for_user(
        actor=actor, planned_from=start, planned_until=end
    ).exclude(status=Inspection.Status.CANCELLED)
    if Role.INSPECTOR in scope.roles and not scope.is_platform_admin:
        inspections = inspections.filter(inspector_id=scope.user_id)
    for inspection in inspections:
        entries.append(
            CalendarEntry(
                inspection.planned_on,
                str(
                    _("Inspection %(facility)s (%(kind)s)")
                    % {
                        "facility": inspection.facility.name,
                        "kind": inspection.get_kind_display(),
                    }
                ),
                "inspection",
                f"/compliance/inspections/{inspection.pk}/",
                uid=f"inspection-{inspection.pk}",
            )
        )
    for exercise in exercise_list_for_user(
        actor=actor, status=Exercise.Status.PLANNED
    ).filter(planned_on__gte=start, planned_on__lte=end):
        entries.append(
            CalendarEntry(
                exercise.planned_on,
                f"{exercise.get_kind_display()}: {exercise.title}",
                exercise.kind,
                f"/compliance/exercises/{exercise.pk}/",
                uid=f"exercise-{exercise.pk}",
            )
        )
    for finding in finding_list_for_user(actor=actor, open_only=True).filter(
        deadline__gte=start, deadline__lte=end
    ):
        assert finding.deadline is not None  # noqa: S101 - filtered above
        entries.append(
            CalendarEntry(
                finding.deadline,
                str(
                    _("Deadline of finding %(number)d at %(facility)s")
                    % {"number": finding.number, "facility": finding.facility.name}
                ),
                "finding",
                f"/compliance/findings/{finding.pk}/",
                late=finding.deadline < today,
                uid=f"finding-{finding.pk}",
            )
        )
    own = {g.facility_id for g in scope.grants if g.role == Role.PFSO and g.facility_id}
    if own:
        statuses = facility_statuses(facility_ids=own, today=today)
        names = dict(Facility.objects.filter(pk__in=own).values_list("pk", "name"))
        for facility_id, status in statuses.items():
            for item in status.duties:
                if start <= item.due_on <= end:
                    entries.append(
                        CalendarEntry(
                            item.due_on,
                            f"{item.label}: {names[facility_id]}",
                            item.code,
                            f"/compliance/facilities/{facility_id}/",
                            late=item.status == schedule.Status.LATE,
                            uid=f"duty-{item.code}-{facility_id}-{item.due_on}",
                        )
                    )
    return sorted(entries, key=lambda e: (e.day, e.kind, e.title))
