"""Writes of the access module: passes, screening, bans, grants, visits, appointments.

Every change that the gate engine must see appends a ``PolicyChange`` in the
same transaction, so that every web and worker process patches its snapshot
within a second (see ``port2port.access.gate``).
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from port2port.access.models import (
    AccessGrant,
    CriminalRecordExtract,
    EssentialPerson,
    IdentityProofing,
    LateBanAlert,
    PassActivation,
    PolicyChange,
    PortBan,
    PortPass,
    Schedule,
    SecurityVerification,
    TruckAppointment,
    Visit,
    Visitor,
    ZonePolicy,
)
from port2port.core.audit import audit_record
from port2port.core.errors import Conflict, NotPermitted, field_error
from port2port.core.models import (
    Facility,
    Organisation,
    Person,
    Port,
    Role,
    User,
    Vehicle,
    Zone,
)
from port2port.core.scopes import Actor, scope_for
from port2port.lib.identifiers import InvalidIdentifier, imo_normalise, plate_normalise


def _user(actor: Actor) -> User | None:
    """Return the acting user, or None when a device token acts."""
    return actor if isinstance(actor, User) else None


def policy_changed(*, scope: str, ref: Any = "") -> None:
    """Tell every process's gate snapshot that something it holds has changed."""
    PolicyChange.objects.create(scope=scope, ref=str(ref))


def _person_changed(person: Person | int) -> None:
    policy_changed(scope=PolicyChange.Scope.PERSON, ref=getattr(person, "pk", person))


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def _is_employer_admin(actor: Actor, person: Person) -> bool:
    return person.employer_id is not None and scope_for(actor).has_role(
        Role.COMPANY_ADMIN, organisation_id=person.employer_id
    )


def _employer(person: Person) -> Organisation:
    """Return the employer of a person whose employer's administrator acts."""
    if person.employer is None:
        raise NotPermitted(_("The person has no employer to act for them."))
    return person.employer


def _is_facility_officer(actor: Actor, facility: Facility) -> bool:
    scope = scope_for(actor)
    return scope.has_role(Role.PFSO, facility_id=facility.pk) or scope.has_role(
        Role.PORT_SECURITY_OFFICER, port_id=facility.port_id
    )


# Passes ------------------------------------------------------------------------------


def _pass_number() -> str:
    # 12 random digits after a fixed prefix: unguessable, readable on a card.
    return "P2P" + "".join(secrets.choice("0123456789") for _digit in range(12))


@transaction.atomic
def pass_issue(
    *, actor: Actor, person: Person, kind: str = PortPass.Kind.CARD, photo_ref: str = ""
) -> PortPass:
    """Issue a pass for a person at the employer's request.

    The pass must be collected in person within ``P2P_PASS_COLLECT_MONTHS`` (6);
    it is valid ``P2P_PASS_VALIDITY_YEARS`` (5). A banned person gets no pass.
    """
    if not _is_employer_admin(actor, person):
        raise NotPermitted(_("Only the employer's administrator can request a pass."))
    today = timezone.localdate()
    if PortBan.objects.filter(
        person=person, status=PortBan.Status.ACTIVE, ends_on__gte=today
    ).exists():
        raise Conflict(
            _("This person is under a port ban and cannot get a pass."), code="port_ban"
        )
    now = timezone.now()
    port_pass = PortPass.objects.create(
        number=_pass_number(),
        person=person,
        kind=kind,
        issued_by=_employer(person),
        issued_at=now,
        collect_by=_add_months(today, settings.PASS_COLLECT_MONTHS),
        valid_until=now.replace(year=now.year + settings.PASS_VALIDITY_YEARS),
        photo_ref=photo_ref,
    )
    audit_record(
        actor=actor,
        action="pass.issue",
        obj=port_pass,
        organisation_id=person.employer_id,
        details={"person": person.pk, "kind": kind},
    )
    _person_changed(person)
    return port_pass


@transaction.atomic
def pass_collect(*, actor: Actor, port_pass: PortPass) -> PortPass:
    """Hand the pass over at the issuing desk: it becomes active.

    Any other active pass of the person is revoked, since a person holds one
    active pass at a time.
    """
    if not _is_employer_admin(actor, port_pass.person):
        raise NotPermitted(
            _("Only the employer's administrator can hand over the pass.")
        )
    if port_pass.state != PortPass.State.ISSUED:
        raise Conflict(_("Only an issued pass can be collected."))
    if _active_ban_exists(port_pass.person_id):
        raise Conflict(_("The holder is under a port ban."), code="port_ban")
    if timezone.localdate() > port_pass.collect_by:
        raise Conflict(
            _("The collection period has ended; issue a new pass."), code="expired"
        )
    PortPass.objects.filter(
        person=port_pass.person, state=PortPass.State.ACTIVE
    ).update(
        state=PortPass.State.REVOKED, state_reason="replaced", updated_at=timezone.now()
    )
    port_pass.state = PortPass.State.ACTIVE
    port_pass.activated_at = timezone.now()
    port_pass.save(update_fields=["state", "activated_at", "updated_at"])
    audit_record(
        actor=actor,
        action="pass.collect",
        obj=port_pass,
        organisation_id=port_pass.issued_by_id,
    )
    _person_changed(port_pass.person_id)
    return port_pass


_TRANSITIONS = {
    "suspend": ({PortPass.State.ACTIVE}, PortPass.State.SUSPENDED),
    "reinstate": ({PortPass.State.SUSPENDED}, PortPass.State.ACTIVE),
    "revoke": (
        {PortPass.State.ISSUED, PortPass.State.ACTIVE, PortPass.State.SUSPENDED},
        PortPass.State.REVOKED,
    ),
}


@transaction.atomic
def pass_change_state(
    *, actor: Actor, port_pass: PortPass, action: str, reason: str
) -> PortPass:
    """Suspend, reinstate or revoke a pass (the employer, or a port security officer)."""
    scope = scope_for(actor)
    if not (
        _is_employer_admin(actor, port_pass.person)
        or scope.has_role(Role.PORT_SECURITY_OFFICER)
    ):
        raise NotPermitted(
            _("Only the employer or a port security officer can do this.")
        )
    if action not in _TRANSITIONS:
        raise field_error("action", _("The action is suspend, reinstate or revoke."))
    if not reason.strip():
        raise field_error("reason", _("Give a reason."))
    allowed_from, target = _TRANSITIONS[action]
    if port_pass.state not in allowed_from:
        refusals = {
            "suspend": _("Only an active pass can be suspended."),
            "reinstate": _("Only a suspended pass can be reinstated."),
            "revoke": _("A pass that is lost, revoked or expired cannot be revoked."),
        }
        raise Conflict(refusals[action])
    if action == "reinstate" and _active_ban_exists(port_pass.person_id):
        raise Conflict(_("The holder is under a port ban."), code="port_ban")
    old = port_pass.state
    port_pass.state = target
    port_pass.state_reason = reason.strip()[:200]
    port_pass.save(update_fields=["state", "state_reason", "updated_at"])
    audit_record(
        actor=actor,
        action=f"pass.{action}",
        obj=port_pass,
        organisation_id=port_pass.issued_by_id,
        details={"from": old, "to": target, "reason": port_pass.state_reason},
    )
    _person_changed(port_pass.person_id)
    return port_pass


@transaction.atomic
def pass_report_lost(*, actor: Actor, port_pass: PortPass) -> PortPass:
    """Block a lost pass at once everywhere and issue its replacement."""
    if not _is_employer_admin(actor, port_pass.person):
        raise NotPermitted(
            _("Only the employer's administrator can report a pass lost.")
        )
    if port_pass.state not in {PortPass.State.ACTIVE, PortPass.State.SUSPENDED}:
        raise Conflict(_("Only an active or suspended pass can be reported lost."))
    port_pass.state = PortPass.State.LOST
    port_pass.state_reason = "reported lost"
    port_pass.save(update_fields=["state", "state_reason", "updated_at"])
    audit_record(
        actor=actor,
        action="pass.lost",
        obj=port_pass,
        organisation_id=port_pass.issued_by_id,
    )
    _person_changed(port_pass.person_id)
    return pass_issue(
        actor=actor,
        person=port_pass.person,
        kind=port_pass.kind,
        photo_ref=port_pass.photo_ref,
    )


@transaction.atomic
def pass_activate_at_facility(
    *, actor: Actor, port_pass: PortPass, facility: Facility
) -> PassActivation:
    """Let a facility accept a pass (its PFSO decides)."""
    if not _is_facility_officer(actor, facility):
        raise NotPermitted(_("Only the facility's PFSO can activate passes there."))
    if port_pass.state not in {PortPass.State.ISSUED, PortPass.State.ACTIVE}:
        raise Conflict(
            _("A pass that is %(state)s cannot be activated.")
            % {"state": port_pass.get_state_display().lower()}
        )
    try:
        activation = PassActivation.objects.create(
            port_pass=port_pass,
            facility=facility,
            activated_at=timezone.now(),
            activated_by=_user(actor),
        )
    except IntegrityError:
        raise Conflict(_("The pass is already activated at this facility.")) from None
    audit_record(
        actor=actor,
        action="pass.activate",
        obj=port_pass,
        port_id=facility.port_id,
        facility_id=facility.pk,
        details={"facility": facility.code},
    )
    _person_changed(port_pass.person_id)
    return activation


@transaction.atomic
def identity_proofing_record(
    *, actor: Actor, person: Person, provider: str, level_of_assurance: str
) -> IdentityProofing:
    """Record that an identity provider verified the person (the fact, not the data)."""
    if not _is_employer_admin(actor, person):
        raise NotPermitted(_("Only the employer's administrator can record this."))
    proofing = IdentityProofing.objects.create(
        person=person,
        provider=provider,
        level_of_assurance=level_of_assurance,
        verified_at=timezone.now(),
    )
    audit_record(
        actor=actor,
        action="person.identity_proofed",
        obj=person,
        organisation_id=person.employer_id,
        details={"provider": provider, "loa": level_of_assurance},
    )
    return proofing


# Screening -----------------------------------------------------------------------------


@transaction.atomic
def verification_record(
    *,
    actor: Actor,
    person: Person,
    category: str,
    status: str,
    decided_on: dt.date | None = None,
    valid_until: dt.date | None = None,
    authority: str = "",
) -> SecurityVerification:
    """Record a security verification request or its outcome for a person."""
    if not _is_employer_admin(actor, person):
        raise NotPermitted(
            _("Only the employer's verification manager can record this.")
        )
    if status == SecurityVerification.Status.POSITIVE and valid_until is None:
        valid_until = _add_months(
            decided_on or timezone.localdate(),
            12 * settings.VERIFICATION_VALIDITY_YEARS,
        )
    verification = SecurityVerification.objects.create(
        person=person,
        category=category,
        status=status,
        requested_by=_employer(person),
        decided_on=decided_on,
        valid_until=valid_until,
        authority=authority,
    )
    audit_record(
        actor=actor,
        action="verification.record",
        obj=person,
        organisation_id=person.employer_id,
        details={"category": category, "status": status},
    )
    _person_changed(person)
    return verification


@transaction.atomic
def extract_record(
    *, actor: Actor, person: Person, issued_on: dt.date, relevant_conviction: bool
) -> CriminalRecordExtract:
    """Record that the employer checked a special criminal-record extract.

    Only the date and the outcome are kept, never the content.
    """
    if not _is_employer_admin(actor, person):
        raise NotPermitted(_("Only the employer's administrator can record this."))
    if issued_on > timezone.localdate():
        raise field_error("issued_on", _("The extract date cannot be in the future."))
    extract = CriminalRecordExtract.objects.create(
        person=person,
        checked_by=_employer(person),
        issued_on=issued_on,
        relevant_conviction=relevant_conviction,
    )
    audit_record(
        actor=actor,
        action="extract.record",
        obj=person,
        organisation_id=person.employer_id,
        details={"issued_on": issued_on, "relevant_conviction": relevant_conviction},
    )
    _person_changed(person)
    return extract


def _active_ban_exists(person_id: int, *, on: dt.date | None = None) -> bool:
    day = on or timezone.localdate()
    return PortBan.objects.filter(
        person_id=person_id,
        status=PortBan.Status.ACTIVE,
        starts_on__lte=day,
        ends_on__gte=day,
    ).exists()


def screening_status(*, person: Person, on: dt.date | None = None) -> str:
    """Return clear or active_ban for a person on a day."""
    if _active_ban_exists(person.pk, on=on):
        return Visitor.Screening.ACTIVE_BAN
    return Visitor.Screening.CLEAR


@transaction.atomic
def ban_issue(
    *,
    actor: Actor,
    person: Person,
    starts_on: dt.date,
    ends_on: dt.date,
    legal_reference: str,
    all_ports: bool = True,
    ports: list[Port] | None = None,
) -> PortBan:
    """Record a judicial port ban and enforce it at once.

    Every active pass of the person is suspended; every visit they are on is
    re-screened. The PFSOs and port security officers whose facilities had let
    the person in (an activated pass, an approved visit, a grant) are alerted:
    a *late ban*.
    """
    scope = scope_for(actor)
    if not scope.has_role(Role.JUDICIAL_AUTHORITY):
        raise NotPermitted(_("Only a judicial authority can issue a port ban."))
    if ends_on < starts_on:
        raise field_error("ends_on", _("A ban ends after it starts."))
    try:
        limit = starts_on.replace(year=starts_on.year + PortBan.MAX_YEARS)
    except ValueError:
        limit = starts_on.replace(year=starts_on.year + PortBan.MAX_YEARS, day=28)
    if ends_on > limit:
        raise field_error("ends_on", _("A port ban lasts at most 20 years."))
    if not legal_reference.strip():
        raise field_error(
            "legal_reference", _("Give the court or prosecutor's reference.")
        )
    if not all_ports and not ports:
        raise field_error("ports", _("Name the ports, or ban from all ports."))
    organisation_id = next(
        (g.organisation_id for g in scope.grants if g.role == Role.JUDICIAL_AUTHORITY),
        None,
    )
    if organisation_id is None:  # a platform administrator acting for a court
        organisation_id = _employer(person).pk
    starts_now = starts_on <= timezone.localdate()
    ban = PortBan.objects.create(
        person=person,
        issued_by_id=organisation_id,
        starts_on=starts_on,
        ends_on=ends_on,
        legal_reference=legal_reference.strip(),
        all_ports=all_ports,
        entered_by=_user(actor),
        # A ban issued ahead of time is enforced on its first day by the
        # periodic job ``ban_start_due``.
        enforced_at=timezone.now() if starts_now else None,
    )
    if ports:
        ban.ports.set(ports)
    audit_record(
        actor=actor,
        action="ban.issue",
        obj=ban,
        details={
            "person": person.pk,
            "from": starts_on,
            "until": ends_on,
            "reference": ban.legal_reference,
            "all_ports": all_ports,
        },
    )
    if starts_now:
        _ban_enforce(ban=ban, actor=actor)
    _person_changed(person)
    return ban


def ban_start_due(*, today: dt.date | None = None) -> list[PortBan]:
    """Enforce the bans issued ahead of time whose first day has come.

    The gates refuse the person from the first day on by themselves; this
    suspends the person's active passes, re-screens their visits and alerts the
    facilities that had let them in, as issuing a ban that starts at once does.
    Each ban is enforced once: it is claimed by a conditional update of
    ``enforced_at``, so that two workers never enforce it twice. A periodic job
    of the worker runs it (``port2port.access.periodic``).
    """
    today = today or timezone.localdate()
    due = PortBan.objects.filter(
        status=PortBan.Status.ACTIVE,
        enforced_at__isnull=True,
        starts_on__lte=today,
        ends_on__gte=today,
    ).select_related("person")
    started = []
    for ban in due.order_by("starts_on", "pk"):
        with transaction.atomic():
            claimed = PortBan.objects.filter(
                pk=ban.pk, status=PortBan.Status.ACTIVE, enforced_at__isnull=True
            ).update(enforced_at=timezone.now(), updated_at=timezone.now())
            if not claimed:
                continue
            audit_record(
                actor=None,
                action="ban.start",
                obj=ban,
                details={
                    "person": ban.person_id,
                    "from": ban.starts_on,
                    "until": ban.ends_on,
                },
            )
            _ban_enforce(ban=ban, actor=None)
            _person_changed(ban.person_id)
        started.append(ban)
    return started


def _ban_enforce(*, ban: PortBan, actor: Actor | None) -> None:
    """Suspend the person's passes, re-screen their visits and raise late-ban alerts."""
    from port2port.access.alerts import late_ban_alerts_raise

    person = ban.person
    # Only active passes are suspended, so that lifting the ban can give them
    # back; a pass not yet collected cannot be collected while the ban holds.
    suspended = list(
        PortPass.objects.filter(person=person, state=PortPass.State.ACTIVE)
    )
    for port_pass in suspended:
        port_pass.state = PortPass.State.SUSPENDED
        port_pass.state_reason = "port ban"
        port_pass.save(update_fields=["state", "state_reason", "updated_at"])
        audit_record(
            actor=actor,
            action="pass.suspend",
            obj=port_pass,
            organisation_id=port_pass.issued_by_id,
            details={"reason": "port ban", "ban": ban.pk},
        )
    Visitor.objects.filter(person=person, visit__ends_at__gte=timezone.now()).update(
        screening=Visitor.Screening.ACTIVE_BAN, screened_at=timezone.now()
    )
    late_ban_alerts_raise(ban=ban, suspended_passes=suspended)


@transaction.atomic
def ban_lift(*, actor: Actor, ban: PortBan, reason: str) -> PortBan:
    """Lift a ban; passes suspended because of it are reinstated if no other ban holds."""
    if not scope_for(actor).has_role(Role.JUDICIAL_AUTHORITY):
        raise NotPermitted(_("Only a judicial authority can lift a port ban."))
    if ban.status != PortBan.Status.ACTIVE:
        raise Conflict(_("The ban is not active."))
    if not reason.strip():
        raise field_error("reason", _("Give the reason for lifting the ban."))
    ban.status = PortBan.Status.LIFTED
    ban.lifted_at = timezone.now()
    ban.lifted_reason = reason.strip()
    ban.save(update_fields=["status", "lifted_at", "lifted_reason", "updated_at"])
    audit_record(
        actor=actor, action="ban.lift", obj=ban, details={"reason": ban.lifted_reason}
    )
    if not _active_ban_exists(ban.person_id):
        PortPass.objects.filter(
            person_id=ban.person_id,
            state=PortPass.State.SUSPENDED,
            state_reason="port ban",
        ).update(
            state=PortPass.State.ACTIVE,
            state_reason="ban lifted",
            updated_at=timezone.now(),
        )
        Visitor.objects.filter(
            person_id=ban.person_id, screening=Visitor.Screening.ACTIVE_BAN
        ).update(screening=Visitor.Screening.CLEAR, screened_at=timezone.now())
    _person_changed(ban.person_id)
    return ban


@transaction.atomic
def late_ban_alert_acknowledge(*, actor: Actor, alert: LateBanAlert) -> LateBanAlert:
    """Acknowledge a late-ban alert: the facility's PFSO or its port security officer.

    Acknowledging an acknowledged alert changes nothing, so that a client may
    retry; the first acknowledgement is the one kept and audited.
    """
    if not _is_facility_officer(actor, alert.facility):
        raise NotPermitted(
            _(
                "Only the facility's PFSO or the port's security officer can "
                "acknowledge this alert."
            )
        )
    now = timezone.now()
    # A conditional update, so that two officers acknowledging at once leave one
    # acknowledgement (and one audit entry).
    acknowledged = LateBanAlert.objects.filter(
        pk=alert.pk, acknowledged_at__isnull=True
    ).update(acknowledged_at=now, acknowledged_by=_user(actor))
    alert.refresh_from_db(fields=["acknowledged_at", "acknowledged_by"])
    if acknowledged:
        audit_record(
            actor=actor,
            action="late_ban_alert.acknowledge",
            obj=alert,
            port_id=alert.port_id,
            facility_id=alert.facility_id,
            details={
                "ban": alert.ban_id,
                "person": alert.person_id,
                "kind": alert.kind,
            },
        )
    return alert


# Access rights ---------------------------------------------------------------------------


def _clean_requirements(raw: dict[str, Any]) -> dict[str, Any]:
    from port2port.compliance.models import Course

    allowed = {"verification_categories", "courses", "biometric", "escort", "extract"}
    unknown = set(raw) - allowed
    if unknown:
        raise field_error(
            "requirements",
            _("Unknown requirements: %(names)s.")
            % {"names": ", ".join(sorted(unknown))},
        )
    clean: dict[str, Any] = {}
    categories = list(raw.get("verification_categories") or [])
    bad = [c for c in categories if c not in SecurityVerification.Category.values]
    if bad:
        raise field_error(
            "requirements",
            _("Unknown verification categories: %(names)s.")
            % {"names": ", ".join(bad)},
        )
    courses = list(raw.get("courses") or [])
    known = set(Course.objects.filter(code__in=courses).values_list("code", flat=True))
    if set(courses) - known:
        missing = ", ".join(sorted(set(courses) - known))
        raise field_error(
            "requirements", _("Unknown courses: %(names)s.") % {"names": missing}
        )
    if categories:
        clean["verification_categories"] = sorted(set(categories))
    if courses:
        clean["courses"] = sorted(set(courses))
    for flag in ("biometric", "escort", "extract"):
        if raw.get(flag):
            clean[flag] = True
    return clean


@transaction.atomic
def zone_policy_set(
    *,
    actor: Actor,
    zone: Zone,
    verification_categories: list[str] | None = None,
    courses: list[str] | None = None,
    biometric: bool = False,
    escort: bool = False,
    extract: bool = False,
    anti_passback: str = ZonePolicy.AntiPassback.NONE,
) -> ZonePolicy:
    """Set what a zone demands of everyone entering it (its PFSO or port officer)."""
    if zone.facility is not None:
        allowed = _is_facility_officer(actor, zone.facility)
    else:
        allowed = scope_for(actor).has_role(
            Role.PORT_SECURITY_OFFICER, port_id=zone.port_id
        )
    if not allowed:
        raise NotPermitted(
            _("Only the zone's PFSO or port officer can set its policy.")
        )
    requirements = _clean_requirements(
        {
            "verification_categories": verification_categories or [],
            "courses": courses or [],
            "biometric": biometric,
            "escort": escort,
            "extract": extract,
        }
    )
    if anti_passback not in ZonePolicy.AntiPassback.values:
        raise field_error("anti_passback", _("Anti-passback is none, soft or hard."))
    policy, _created = ZonePolicy.objects.update_or_create(
        zone=zone,
        defaults={
            "verification_categories": requirements.get("verification_categories", []),
            "courses": requirements.get("courses", []),
            "biometric": biometric,
            "escort": escort,
            "extract": extract,
            "anti_passback": anti_passback,
        },
    )
    audit_record(
        actor=actor,
        action="zone.policy",
        obj=zone,
        port_id=zone.port_id,
        facility_id=zone.facility_id,
        details={**requirements, "anti_passback": anti_passback},
    )
    policy_changed(scope=PolicyChange.Scope.ALL, ref=f"zone:{zone.pk}")
    return policy


def _parse_windows(windows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    clean = []
    for window in windows:
        days = window.get("days")
        if (
            not isinstance(days, list)
            or not days
            or not all(isinstance(d, int) and 0 <= d <= 6 for d in days)
        ):
            raise field_error(
                "windows", _("Days are numbers 0 (Monday) to 6 (Sunday).")
            )
        for key in ("from", "to"):
            try:
                dt.time.fromisoformat(str(window.get(key)))
            except ValueError:
                raise field_error("windows", _("Times are HH:MM.")) from None
        clean.append(
            {"days": sorted(set(days)), "from": window["from"], "to": window["to"]}
        )
    return clean


@transaction.atomic
def schedule_create(
    *,
    actor: Actor,
    name: str,
    windows: list[dict[str, Any]],
    facility: Facility | None = None,
    closed_on_holidays: bool = False,
) -> Schedule:
    """Define a weekly schedule for a facility (its PFSO) or for everyone (an admin)."""
    scope = scope_for(actor)
    if facility is None and not scope.is_platform_admin:
        raise NotPermitted(
            _("Only a platform administrator can create shared schedules.")
        )
    if facility is not None and not _is_facility_officer(actor, facility):
        raise NotPermitted(_("Only the facility's PFSO can create its schedules."))
    schedule = Schedule.objects.create(
        name=name,
        facility=facility,
        windows=_parse_windows(windows),
        closed_on_holidays=closed_on_holidays,
    )
    audit_record(
        actor=actor,
        action="schedule.create",
        obj=schedule,
        facility_id=facility.pk if facility else None,
        port_id=facility.port_id if facility else None,
    )
    return schedule


@transaction.atomic
def grant_create(
    *,
    actor: Actor,
    zone: Zone,
    valid_from: dt.datetime,
    valid_until: dt.datetime | None = None,
    person: Person | None = None,
    organisation: Organisation | None = None,
    vehicle: Vehicle | None = None,
    schedule: Schedule | None = None,
    requirements: dict[str, Any] | None = None,
) -> AccessGrant:
    """Grant a person, every employee of an organisation, or a vehicle entry to a zone."""
    if sum(x is not None for x in (person, organisation, vehicle)) != 1:
        raise field_error(
            "holder", _("Grant to exactly one person, organisation or vehicle.")
        )
    if zone.facility is not None:
        allowed = _is_facility_officer(actor, zone.facility)
    else:
        allowed = scope_for(actor).has_role(
            Role.PORT_SECURITY_OFFICER, port_id=zone.port_id
        )
    if not allowed:
        raise NotPermitted(_("Only the zone's PFSO or port officer can grant access."))
    if valid_until is not None and valid_until <= valid_from:
        raise field_error("valid_until", _("A grant ends after it starts."))
    if schedule is not None and schedule.facility_id not in (None, zone.facility_id):
        raise field_error("schedule_id", _("The schedule belongs to another facility."))
    grant = AccessGrant.objects.create(
        zone=zone,
        person=person,
        organisation=organisation,
        vehicle=vehicle,
        schedule=schedule,
        valid_from=valid_from,
        valid_until=valid_until,
        requirements=_clean_requirements(requirements or {}),
        granted_by=_user(actor),
    )
    audit_record(
        actor=actor,
        action="grant.create",
        obj=grant,
        port_id=zone.port_id,
        facility_id=zone.facility_id,
        details={
            "zone": zone.pk,
            "person": person.pk if person else None,
            "organisation": organisation.pk if organisation else None,
            "vehicle": vehicle.pk if vehicle else None,
            "schedule": schedule.pk if schedule else None,
        },
    )
    if person is not None:
        _person_changed(person)
    elif vehicle is not None:
        policy_changed(scope=PolicyChange.Scope.VEHICLE, ref=vehicle.plate)
    else:
        policy_changed(scope=PolicyChange.Scope.ALL, ref=f"grant:{grant.pk}")
    return grant


@transaction.atomic
def grant_revoke(*, actor: Actor, grant: AccessGrant) -> AccessGrant:
    """Revoke a grant at once; revoking twice changes nothing."""
    zone = grant.zone
    if zone.facility is not None:
        allowed = _is_facility_officer(actor, zone.facility)
    else:
        allowed = scope_for(actor).has_role(
            Role.PORT_SECURITY_OFFICER, port_id=zone.port_id
        )
    if not allowed:
        raise NotPermitted(_("Only the zone's PFSO or port officer can revoke access."))
    if grant.revoked_at is None:
        grant.revoked_at = timezone.now()
        grant.save(update_fields=["revoked_at", "updated_at"])
        audit_record(
            actor=actor,
            action="grant.revoke",
            obj=grant,
            port_id=zone.port_id,
            facility_id=zone.facility_id,
        )
        if grant.person_id:
            _person_changed(grant.person_id)
        elif grant.vehicle is not None:
            policy_changed(scope=PolicyChange.Scope.VEHICLE, ref=grant.vehicle.plate)
        else:
            policy_changed(scope=PolicyChange.Scope.ALL, ref=f"grant:{grant.pk}")
    return grant


@transaction.atomic
def essential_set(
    *, actor: Actor, facility: Facility, person: Person, essential: bool
) -> None:
    """Mark or unmark a person essential for a facility (let in at level 3)."""
    if not _is_facility_officer(actor, facility):
        raise NotPermitted(
            _("Only the facility's PFSO can designate essential people.")
        )
    if essential:
        EssentialPerson.objects.get_or_create(
            facility=facility,
            person=person,
            defaults={
                "designated_by": _user(actor),
                "designated_at": timezone.now(),
            },
        )
    else:
        EssentialPerson.objects.filter(facility=facility, person=person).delete()
    audit_record(
        actor=actor,
        action="essential.set" if essential else "essential.unset",
        obj=person,
        port_id=facility.port_id,
        facility_id=facility.pk,
    )
    _person_changed(person)


# Visits ------------------------------------------------------------------------------------


@transaction.atomic
def visit_create(
    *,
    actor: Actor,
    requester: Organisation,
    facility: Facility,
    purpose: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    visitors: list[Person],
    zone: Zone | None = None,
    vessel_name: str = "",
    vessel_imo: str = "",
    ship_call: str = "",
    eta: dt.datetime | None = None,
    etd: dt.datetime | None = None,
    agent: Organisation | None = None,
    comment: str = "",
    plate: str = "",
    escort: bool = False,
) -> Visit:
    """Announce a visit to a ship or a location; every visitor is screened against bans."""
    scope = scope_for(actor)
    if not scope.has_role(
        Role.COMPANY_ADMIN, Role.TRANSPORT_DISPATCHER, organisation_id=requester.pk
    ):
        raise NotPermitted(
            _("Only a member of the announcing company can announce a visit.")
        )
    if ends_at <= starts_at:
        raise field_error("ends_at", _("A visit ends after it starts."))
    if (ends_at - starts_at) > dt.timedelta(days=settings.VISIT_MAX_DAYS):
        raise field_error(
            "ends_at",
            _("A visit lasts at most %(days)s days.")
            % {"days": settings.VISIT_MAX_DAYS},
        )
    if zone is not None and zone.facility_id != facility.pk:
        raise field_error("zone_id", _("The zone is not in this facility."))
    if not visitors:
        raise field_error("visitors", _("Name at least one visitor."))
    if vessel_imo:
        try:
            vessel_imo = imo_normalise(vessel_imo)
        except InvalidIdentifier as exc:
            raise field_error("vessel_imo", _(str(exc))) from None
    if plate:
        try:
            plate = plate_normalise(plate)
        except InvalidIdentifier as exc:
            raise field_error("plate", _(str(exc))) from None
    is_ship_visit = bool(vessel_name or vessel_imo or ship_call)
    visit = Visit.objects.create(
        requester=requester,
        created_by=_user(actor),
        facility=facility,
        zone=zone,
        purpose=purpose,
        comment=comment,
        starts_at=starts_at,
        ends_at=ends_at,
        vessel_name=vessel_name,
        vessel_imo=vessel_imo,
        ship_call=ship_call,
        eta=eta,
        etd=etd,
        agent=agent,
        plate=plate,
        escort=escort,
        agent_decision=(
            Visit.Decision.PENDING
            if is_ship_visit and agent
            else Visit.Decision.NOT_NEEDED
        ),
    )
    now = timezone.now()
    for person in dict.fromkeys(visitors):
        Visitor.objects.create(
            visit=visit,
            person=person,
            screening=screening_status(person=person, on=starts_at.date()),
            screened_at=now,
        )
    audit_record(
        actor=actor,
        action="visit.create",
        obj=visit,
        port_id=facility.port_id,
        facility_id=facility.pk,
        organisation_id=requester.pk,
        details={"visitors": [p.pk for p in visitors], "purpose": purpose},
    )
    return visit


@transaction.atomic
def visit_decide(
    *, actor: Actor, visit: Visit, party: str, approve: bool, reason: str = ""
) -> Visit:
    """Record the terminal's or the agent's decision; approval needs both.

    When the visit is approved, every visitor without an active pass gets a day
    pass valid only for the visit's window and location.
    """
    scope = scope_for(actor)
    if party == "terminal":
        if not _is_facility_officer(actor, visit.facility):
            raise NotPermitted(
                _("Only the terminal's PFSO can decide for the terminal.")
            )
        field = "terminal_decision"
    elif party == "agent":
        if visit.agent_id is None or not scope.has_role(
            Role.COMPANY_ADMIN, organisation_id=visit.agent_id
        ):
            raise NotPermitted(
                _("Only the shipping agent of the visit can decide for it.")
            )
        field = "agent_decision"
    else:
        raise field_error("party", _("The party is terminal or agent."))
    if visit.status != Visit.Status.SUBMITTED:
        raise Conflict(_("The visit has already been decided."))
    if getattr(visit, field) != Visit.Decision.PENDING:
        raise Conflict(_("This party has already decided."))
    if not approve and not reason.strip():
        raise field_error("reason", _("A rejection needs a reason."))
    if (
        approve
        and visit.visitors.filter(screening=Visitor.Screening.ACTIVE_BAN).exists()
    ):
        raise Conflict(
            _(
                "A visitor is under an active port ban; reject the visit or remove the visitor."
            ),
            code="port_ban",
        )
    setattr(
        visit, field, Visit.Decision.APPROVED if approve else Visit.Decision.REJECTED
    )
    if not approve:
        visit.status = Visit.Status.REJECTED
        visit.rejection_reason = reason.strip()
    elif (
        visit.terminal_decision == Visit.Decision.APPROVED
        and visit.agent_decision
        in (
            Visit.Decision.APPROVED,
            Visit.Decision.NOT_NEEDED,
        )
    ):
        visit.status = Visit.Status.APPROVED
    visit.save()
    if visit.status == Visit.Status.APPROVED:
        for visitor in visit.visitors.select_related("person"):
            if not PortPass.objects.filter(
                person=visitor.person, state=PortPass.State.ACTIVE
            ).exists():
                visitor.day_pass_id = secrets.token_hex(8)
                visitor.save(update_fields=["day_pass_id"])
            _person_changed(visitor.person_id)
    audit_record(
        actor=actor,
        action=f"visit.{'approve' if approve else 'reject'}",
        obj=visit,
        port_id=visit.facility.port_id,
        facility_id=visit.facility_id,
        organisation_id=visit.requester_id,
        details={"party": party, "reason": reason.strip(), "status": visit.status},
    )
    return visit


_VISIT_COMPANY_ROLES = (Role.COMPANY_ADMIN, Role.TRANSPORT_DISPATCHER)


@transaction.atomic
def visit_cancel(*, actor: Actor, visit: Visit, reason: str = "") -> Visit:
    """Cancel a visit that waits for approval or is approved.

    The announcing company or the facility's PFSO (or port security officer)
    cancels. The day passes of its visitors stop opening gates at once: a
    cancelled visit is not in the gate snapshot, and every visitor's entry in
    it is reloaded.
    """
    by_company = scope_for(actor).has_role(
        *_VISIT_COMPANY_ROLES, organisation_id=visit.requester_id
    )
    if not (by_company or _is_facility_officer(actor, visit.facility)):
        raise NotPermitted(
            _("Only the announcing company or the facility's PFSO can cancel a visit.")
        )
    reason = reason.strip()
    if len(reason) > 500:
        raise field_error("reason", _("Give a reason of at most 500 characters."))
    cancellable = (Visit.Status.SUBMITTED, Visit.Status.APPROVED)
    if visit.status not in cancellable:
        raise Conflict(
            _("Only a visit that waits for approval or is approved can be cancelled.")
        )
    if visit.ends_at <= timezone.now():
        raise Conflict(_("The visit has already ended."))
    old = visit.status
    # A conditional update, so that a decision taken meanwhile is not overwritten
    # without notice.
    changed = Visit.objects.filter(pk=visit.pk, status=old).update(
        status=Visit.Status.CANCELLED, updated_at=timezone.now()
    )
    if not changed:
        raise Conflict(_("The visit was decided or cancelled meanwhile; reload it."))
    visit.refresh_from_db(fields=["status", "updated_at"])
    people = list(visit.visitors.values_list("person_id", flat=True))
    for person_id in people:
        _person_changed(person_id)
    audit_record(
        actor=actor,
        action="visit.cancel",
        obj=visit,
        port_id=visit.facility.port_id,
        facility_id=visit.facility_id,
        organisation_id=visit.requester_id,
        details={
            "from": old,
            "by": "company" if by_company else "terminal",
            "reason": reason,
            "visitors": people,
        },
    )
    return visit


@transaction.atomic
def appointment_create(
    *,
    actor: Actor,
    facility: Facility,
    haulier: Organisation,
    plate: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    reference: str = "",
) -> TruckAppointment:
    """Book a truck's slot at a facility (the haulier's dispatcher)."""
    if not scope_for(actor).has_role(
        Role.COMPANY_ADMIN, Role.TRANSPORT_DISPATCHER, organisation_id=haulier.pk
    ):
        raise NotPermitted(_("Only the haulier's dispatcher can book a slot."))
    if ends_at <= starts_at:
        raise field_error("ends_at", _("A slot ends after it starts."))
    try:
        plate = plate_normalise(plate)
    except InvalidIdentifier as exc:
        raise field_error("plate", _(str(exc))) from None
    appointment = TruckAppointment.objects.create(
        facility=facility,
        haulier=haulier,
        plate=plate,
        starts_at=starts_at,
        ends_at=ends_at,
        reference=reference,
    )
    audit_record(
        actor=actor,
        action="appointment.create",
        obj=appointment,
        port_id=facility.port_id,
        facility_id=facility.pk,
        organisation_id=haulier.pk,
        details={"plate": plate},
    )
    policy_changed(scope=PolicyChange.Scope.VEHICLE, ref=plate)
    return appointment
