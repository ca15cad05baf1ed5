"""Writes to the national registry, accounts and API tokens.

Every function checks that the caller may make the change, validates the
identifiers it receives, writes an audit entry in the same transaction and
raises an ``ApplicationError`` subclass when it refuses. The refusals are
translated when they are raised, into the language of the request (or of the
command) that caused them.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from datetime import date
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from port2port.core.audit import audit_record
from port2port.core.errors import Conflict, NotPermitted, field_error
from port2port.core.models import (
    FACILITY_ROLES,
    PORT_ROLES,
    AccessPoint,
    ApiToken,
    Committee,
    Device,
    Facility,
    Membership,
    Organisation,
    Person,
    Port,
    Role,
    User,
    Vehicle,
    WorkerHeartbeat,
    Zone,
)
from port2port.core.scopes import Actor, scope_for
from port2port.lib import geo
from port2port.lib.identifiers import (
    InvalidIdentifier,
    eori_normalise,
    kbo_normalise,
    locode_normalise,
    national_register_number_normalise,
    plate_normalise,
)


def _polygon(name: str, raw: Any) -> dict[str, Any]:
    try:
        return geo.polygon_validate(raw)
    except geo.InvalidGeometry as exc:
        raise field_error(name, _(str(exc))) from None


def _point(name: str, raw: Any) -> dict[str, Any]:
    try:
        return geo.point_validate(raw)
    except geo.InvalidGeometry as exc:
        raise field_error(name, _(str(exc))) from None


def _changes(obj: Any, values: dict[str, Any]) -> dict[str, Any]:
    """Apply ``values`` to ``obj`` and return what changed, as {field: [old, new]}."""
    changed = {}
    for name, value in values.items():
        old = getattr(obj, name)
        if old != value:
            changed[name] = [old, value]
            setattr(obj, name, value)
    return changed


# Ports ------------------------------------------------------------------------


@transaction.atomic
def port_create(
    *,
    actor: Actor,
    locode: str,
    name_en: str,
    name_nl: str,
    name_fr: str,
    kind: str,
    centre: dict[str, Any],
    boundary: dict[str, Any] | None = None,
    committee: Committee | None = None,
) -> Port:
    """Register a port. Only platform administrators may."""
    if not scope_for(actor).is_platform_admin:
        raise NotPermitted(_("Only a platform administrator can register a port."))
    try:
        locode = locode_normalise(locode)
    except InvalidIdentifier as exc:
        raise field_error("locode", _(str(exc))) from None
    if Port.objects.filter(locode=locode).exists():
        raise Conflict(
            _("Port %(locode)s is already registered.") % {"locode": locode},
            fields={"locode": ["taken"]},
        )
    port = Port.objects.create(
        locode=locode,
        name_en=name_en,
        name_nl=name_nl,
        name_fr=name_fr,
        kind=kind,
        centre=_point("centre", centre),
        boundary=_polygon("boundary", boundary) if boundary else None,
        committee=committee,
    )
    audit_record(
        actor=actor,
        action="port.create",
        obj=port,
        port_id=port.pk,
        details={"locode": locode, "kind": kind},
    )
    return port


@transaction.atomic
def port_update(*, actor: Actor, port: Port, **values: Any) -> Port:
    """Change a port's names, committee or geometry (platform administrators)."""
    if not scope_for(actor).is_platform_admin:
        raise NotPermitted(_("Only a platform administrator can change a port."))
    if "centre" in values:
        values["centre"] = _point("centre", values["centre"])
    if values.get("boundary") is not None:
        values["boundary"] = _polygon("boundary", values["boundary"])
    changed = _changes(port, values)
    if changed:
        port.save()
        audit_record(
            actor=actor,
            action="port.update",
            obj=port,
            port_id=port.pk,
            details={"changed": sorted(changed)},
        )
    return port


@transaction.atomic
def port_set_security_level(
    *, actor: Actor, port: Port, level: int, reason: str
) -> Port:
    """Set the security level of a port (port security officer or platform admin).

    The compliance module adds acknowledgement by every PFSO; the registry keeps
    the current level that the access engine reads.
    """
    if not scope_for(actor).has_role(Role.PORT_SECURITY_OFFICER, port_id=port.pk):
        raise NotPermitted(_("Only the port's security officer can set its level."))
    if level not in (1, 2, 3):
        raise field_error("level", _("A security level is 1, 2 or 3."))
    if not reason.strip():
        raise field_error("reason", _("Give the reason for the change."))
    old = port.security_level
    port.security_level = level
    port.save(update_fields=["security_level", "updated_at"])
    audit_record(
        actor=actor,
        action="port.security_level",
        obj=port,
        port_id=port.pk,
        details={"from": old, "to": level, "reason": reason.strip()},
    )
    return port


# Facilities, zones, access points ------------------------------------------------


def _check_port_officer(actor: Actor, port: Port, refusal: str) -> None:
    if not scope_for(actor).has_role(Role.PORT_SECURITY_OFFICER, port_id=port.pk):
        raise NotPermitted(refusal)


def _check_facility_officer(actor: Actor, facility: Facility, refusal: str) -> None:
    scope = scope_for(actor)
    if not (
        scope.has_role(Role.PORT_SECURITY_OFFICER, port_id=facility.port_id)
        or scope.has_role(Role.PFSO, facility_id=facility.pk)
    ):
        raise NotPermitted(refusal)


@transaction.atomic
def facility_create(
    *,
    actor: Actor,
    port: Port,
    code: str,
    name: str,
    operator: Organisation,
    kind: str,
    boundary: dict[str, Any],
    isps: bool = True,
    pfso: Person | None = None,
) -> Facility:
    """Register a facility in a port (the port's security officer)."""
    _check_port_officer(
        actor, port, _("Only the port's security officer can register a facility.")
    )
    code = code.strip().upper()
    if Facility.objects.filter(port=port, code=code).exists():
        raise Conflict(
            _("Facility %(code)s already exists in %(port)s.")
            % {"code": code, "port": port.locode},
            fields={"code": ["taken"]},
        )
    facility = Facility.objects.create(
        port=port,
        code=code,
        name=name,
        operator=operator,
        kind=kind,
        isps=isps,
        pfso=pfso,
        boundary=_polygon("boundary", boundary),
    )
    audit_record(
        actor=actor,
        action="facility.create",
        obj=facility,
        port_id=port.pk,
        facility_id=facility.pk,
        organisation_id=operator.pk,
        details={"code": code, "kind": kind, "isps": isps},
    )
    return facility


@transaction.atomic
def facility_update(*, actor: Actor, facility: Facility, **values: Any) -> Facility:
    """Change a facility's details (its PFSO or the port's officer)."""
    _check_facility_officer(
        actor,
        facility,
        _("Only the facility's PFSO or the port's officer can change the facility."),
    )
    if values.get("boundary") is not None:
        values["boundary"] = _polygon("boundary", values["boundary"])
    changed = _changes(facility, values)
    if changed:
        facility.save()
        audit_record(
            actor=actor,
            action="facility.update",
            obj=facility,
            port_id=facility.port_id,
            facility_id=facility.pk,
            organisation_id=facility.operator_id,
            details={"changed": sorted(changed)},
        )
    return facility


@transaction.atomic
def zone_create(
    *,
    actor: Actor,
    port: Port,
    name: str,
    kind: str,
    boundary: dict[str, Any],
    facility: Facility | None = None,
) -> Zone:
    """Add a zone to a port or one of its facilities."""
    if facility is not None:
        if facility.port_id != port.pk:
            raise field_error("facility", _("The facility is not in this port."))
        _check_facility_officer(
            actor,
            facility,
            _("Only the facility's PFSO or the port's officer can add a zone."),
        )
    else:
        _check_port_officer(
            actor, port, _("Only the port's security officer can add a port zone.")
        )
    zone = Zone.objects.create(
        port=port,
        facility=facility,
        name=name,
        kind=kind,
        boundary=_polygon("boundary", boundary),
    )
    audit_record(
        actor=actor,
        action="zone.create",
        obj=zone,
        port_id=port.pk,
        facility_id=facility.pk if facility else None,
        details={"kind": kind},
    )
    return zone


@transaction.atomic
def access_point_create(
    *,
    actor: Actor,
    zone: Zone,
    code: str,
    name: str,
    kind: str,
    location: dict[str, Any],
    direction: str = AccessPoint.Direction.BOTH,
    devices: list[tuple[str, str]] | None = None,
) -> AccessPoint:
    """Add an access point with its devices (kind, serial) to a zone."""
    if zone.facility is not None:
        _check_facility_officer(
            actor,
            zone.facility,
            _(
                "Only the facility's PFSO or the port's officer can add an access "
                "point."
            ),
        )
    else:
        _check_port_officer(
            actor,
            zone.port,
            _("Only the port's security officer can add an access point."),
        )
    code = code.strip().upper()
    if AccessPoint.objects.filter(zone=zone, code=code).exists():
        raise Conflict(
            _("Access point %(code)s already exists.") % {"code": code},
            fields={"code": ["taken"]},
        )
    point = AccessPoint.objects.create(
        zone=zone,
        code=code,
        name=name,
        kind=kind,
        direction=direction,
        location=_point("location", location),
    )
    for device_kind, serial in devices or []:
        if Device.objects.filter(serial=serial).exists():
            raise Conflict(
                _("Device %(serial)s is already mounted elsewhere.")
                % {"serial": serial},
                fields={"devices": [f"{serial} taken"]},
            )
        Device.objects.create(access_point=point, kind=device_kind, serial=serial)
    audit_record(
        actor=actor,
        action="access_point.create",
        obj=point,
        port_id=zone.port_id,
        facility_id=zone.facility_id,
        details={"kind": kind, "devices": [s for _kind, s in devices or []]},
    )
    return point


# Organisations, people, vehicles ---------------------------------------------------


def _clean_roles(roles: list[str]) -> list[str]:
    valid = set(Organisation.Role.values)
    unknown = [r for r in roles if r not in valid]
    if unknown:
        raise field_error(
            "roles", _("Unknown roles: %(names)s.") % {"names": ", ".join(unknown)}
        )
    return sorted(set(roles))


@transaction.atomic
def organisation_create(
    *,
    actor: Actor,
    name: str,
    roles: list[str],
    ports: list[Port],
    kbo_number: str = "",
    eori: str = "",
) -> Organisation:
    """Register an organisation (platform admin, or a port's officer for their port)."""
    scope = scope_for(actor)
    if not scope.is_platform_admin and (
        not ports
        or not all(
            scope.has_role(Role.PORT_SECURITY_OFFICER, port_id=p.pk) for p in ports
        )
    ):
        raise NotPermitted(
            _("A port security officer can register organisations in their own port.")
        )
    kbo = None
    if kbo_number:
        try:
            kbo = kbo_normalise(kbo_number)
        except InvalidIdentifier as exc:
            raise field_error("kbo_number", _(str(exc))) from None
        if Organisation.objects.filter(kbo_number=kbo).exists():
            raise Conflict(
                _("An organisation with enterprise number %(kbo)s exists.")
                % {"kbo": kbo},
                fields={"kbo_number": ["taken"]},
            )
    if eori:
        try:
            eori = eori_normalise(eori)
        except InvalidIdentifier as exc:
            raise field_error("eori", _(str(exc))) from None
    organisation = Organisation.objects.create(
        name=name.strip(), kbo_number=kbo, eori=eori, roles=_clean_roles(roles)
    )
    organisation.ports.set(ports)
    audit_record(
        actor=actor,
        action="organisation.create",
        obj=organisation,
        organisation_id=organisation.pk,
        port_id=ports[0].pk if len(ports) == 1 else None,
        details={
            "kbo": kbo,
            "roles": organisation.roles,
            "ports": [p.locode for p in ports],
        },
    )
    return organisation


@transaction.atomic
def organisation_update(
    *, actor: Actor, organisation: Organisation, **values: Any
) -> Organisation:
    """Change an organisation's name, roles or EORI (its administrator or a platform admin)."""
    scope = scope_for(actor)
    if not scope.has_role(Role.COMPANY_ADMIN, organisation_id=organisation.pk):
        raise NotPermitted(_("Only the organisation's administrator can change it."))
    if "roles" in values:
        values["roles"] = _clean_roles(values["roles"])
    if values.get("eori"):
        try:
            values["eori"] = eori_normalise(values["eori"])
        except InvalidIdentifier as exc:
            raise field_error("eori", _(str(exc))) from None
    changed = _changes(organisation, values)
    if changed:
        organisation.save()
        audit_record(
            actor=actor,
            action="organisation.update",
            obj=organisation,
            organisation_id=organisation.pk,
            details={"changed": sorted(changed)},
        )
    return organisation


def national_register_hash(number: str) -> str:
    """Return the keyed hash under which a national register number is kept."""
    key = settings.IDENTITY_HASH_KEY.encode("utf-8")
    return hmac.new(key, number.encode("ascii"), hashlib.sha256).hexdigest()


def _check_employer_admin(actor: Actor, organisation: Organisation | None) -> None:
    scope = scope_for(actor)
    if scope.is_platform_admin:
        return
    if organisation is None or not scope.has_role(
        Role.COMPANY_ADMIN, organisation_id=organisation.pk
    ):
        raise NotPermitted(
            _("Only the employer's administrator can manage its people.")
        )


@transaction.atomic
def person_create(
    *,
    actor: Actor,
    first_name: str,
    last_name: str,
    date_of_birth: date,
    nationality: str,
    document_type: str,
    document_number: str,
    employer: Organisation | None,
    national_register_number: str = "",
    phone: str = "",
    email: str = "",
) -> Person:
    """Register a person employed by the caller's organisation.

    The national register number is validated and only its keyed hash is kept.
    """
    _check_employer_admin(actor, employer)
    if date_of_birth >= timezone.localdate():
        raise field_error("date_of_birth", _("The date of birth must be in the past."))
    nrn_hash = None
    if national_register_number:
        try:
            number = national_register_number_normalise(national_register_number)
        except InvalidIdentifier as exc:
            raise field_error("national_register_number", _(str(exc))) from None
        nrn_hash = national_register_hash(number)
        if Person.objects.filter(national_register_hash=nrn_hash).exists():
            raise Conflict(
                _("A person with this national register number is already registered."),
                fields={"national_register_number": ["taken"]},
            )
    person = Person.objects.create(
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        date_of_birth=date_of_birth,
        nationality=nationality.upper(),
        employer=employer,
        document_type=document_type,
        document_number=document_number.strip().upper(),
        national_register_hash=nrn_hash,
        phone=phone,
        email=email,
    )
    audit_record(
        actor=actor,
        action="person.create",
        obj=person,
        organisation_id=employer.pk if employer else None,
        details={"national_register_number": bool(nrn_hash)},
    )
    return person


@transaction.atomic
def person_update(*, actor: Actor, person: Person, **values: Any) -> Person:
    """Change a person's details (the employer's administrator)."""
    _check_employer_admin(actor, person.employer)
    if "employer" in values:
        _check_employer_admin(actor, values["employer"])
    changed = _changes(person, values)
    if changed:
        person.save()
        audit_record(
            actor=actor,
            action="person.update",
            obj=person,
            organisation_id=person.employer_id,
            details={"changed": sorted(changed)},
        )
    return person


@transaction.atomic
def vehicle_create(
    *, actor: Actor, plate: str, country: str, kind: str, owner: Organisation
) -> Vehicle:
    """Register a vehicle of the caller's organisation; the plate is normalised."""
    _check_employer_admin(actor, owner)
    try:
        plate = plate_normalise(plate, country=country)
    except InvalidIdentifier as exc:
        raise field_error("plate", _(str(exc))) from None
    country = country.upper()
    if Vehicle.objects.filter(country=country, plate=plate).exists():
        raise Conflict(
            _("Vehicle %(plate)s is already registered.") % {"plate": plate},
            fields={"plate": ["taken"]},
        )
    vehicle = Vehicle.objects.create(
        plate=plate, country=country, kind=kind, owner=owner
    )
    audit_record(
        actor=actor,
        action="vehicle.create",
        obj=vehicle,
        organisation_id=owner.pk,
        details={"plate": plate, "country": country},
    )
    return vehicle


# Accounts and tokens ----------------------------------------------------------------


@transaction.atomic
def membership_create(
    *,
    actor: Actor | None,
    user: User,
    organisation: Organisation,
    role: str,
    port: Port | None = None,
    facility: Facility | None = None,
) -> Membership:
    """Give a user a role; check that the role has the scope it needs.

    ``actor`` is None only for the seed and management commands.
    """
    if actor is not None and not scope_for(actor).is_platform_admin:
        raise NotPermitted(_("Only a platform administrator can grant roles."))
    if role in FACILITY_ROLES and facility is None:
        raise field_error("facility", _("This role is held for one facility."))
    if role in PORT_ROLES and role != Role.INSPECTOR and port is None:
        raise field_error("port", _("This role is held for one port."))
    try:
        membership = Membership.objects.create(
            user=user,
            organisation=organisation,
            role=role,
            port=port,
            facility=facility,
        )
    except IntegrityError:
        raise Conflict(_("The user already holds this role here.")) from None
    audit_record(
        actor=actor,
        action="membership.create",
        obj=membership,
        port_id=port.pk if port else (facility.port_id if facility else None),
        facility_id=facility.pk if facility else None,
        organisation_id=organisation.pk,
        details={"user": user.get_username(), "role": role},
    )
    return membership


def _token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@transaction.atomic
def api_token_create(
    *,
    actor: Actor,
    organisation: Organisation,
    name: str,
    permissions: list[str],
    facility: Facility | None = None,
) -> tuple[ApiToken, str]:
    """Create a token for the organisation and return it with its secret.

    The secret is returned once and only its hash is stored.
    """
    if isinstance(actor, ApiToken):
        raise NotPermitted(_("A token cannot create tokens."))
    if not scope_for(actor).has_role(
        Role.COMPANY_ADMIN, organisation_id=organisation.pk
    ):
        raise NotPermitted(
            _("Only the organisation's administrator can create tokens.")
        )
    unknown = sorted(set(permissions) - set(ApiToken.Permission.values))
    if unknown:
        raise field_error(
            "permissions",
            _("Unknown permissions: %(names)s.") % {"names": ", ".join(unknown)},
        )
    if facility is not None and facility.operator_id != organisation.pk:
        raise field_error(
            "facility", _("The facility is not operated by this organisation.")
        )
    prefix = secrets.token_hex(4)
    secret = f"p2p_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        organisation=organisation,
        facility=facility,
        name=name.strip(),
        prefix=prefix,
        key_hash=_token_hash(secret),
        permissions=sorted(set(permissions)),
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="api_token.create",
        obj=token,
        organisation_id=organisation.pk,
        facility_id=facility.pk if facility else None,
        details={"permissions": token.permissions},
    )
    return token, secret


@transaction.atomic
def api_token_revoke(*, actor: Actor, token: ApiToken) -> ApiToken:
    """Revoke a token at once; revoking twice changes nothing."""
    if isinstance(actor, ApiToken) or not scope_for(actor).has_role(
        Role.COMPANY_ADMIN, organisation_id=token.organisation_id
    ):
        raise NotPermitted(
            _("Only the organisation's administrator can revoke tokens.")
        )
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        _token_cache.pop(token.key_hash, None)
        audit_record(
            actor=actor,
            action="api_token.revoke",
            obj=token,
            organisation_id=token.organisation_id,
            facility_id=token.facility_id,
        )
    return token


# Tokens seen in the last second, so that a gate controller's burst of requests
# does not look its token up each time. A revocation takes effect within this
# time, as a ban does at the gates.
TOKEN_CACHE_SECONDS = 1.0
_token_cache: dict[str, tuple[float, ApiToken]] = {}


def api_token_authenticate(secret: str) -> ApiToken | None:
    """Return the active token for ``secret`` and note its use, or None."""
    if not secret.startswith("p2p_"):
        return None
    key_hash = _token_hash(secret)
    cached = _token_cache.get(key_hash)
    if cached is not None and time.monotonic() - cached[0] < TOKEN_CACHE_SECONDS:
        return cached[1]
    token = (
        ApiToken.objects.select_related("facility", "organisation")
        .filter(key_hash=key_hash, revoked_at__isnull=True)
        .first()
    )
    if token is None:
        _token_cache.pop(key_hash, None)
        return None
    if len(_token_cache) > 10_000:
        _token_cache.clear()
    _token_cache[key_hash] = (time.monotonic(), token)
    now = timezone.now()
    # Record use at most once a minute so that a busy device does not write per call.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def worker_heartbeat(*, name: str) -> None:
    """Record that the worker ``name`` is alive."""
    WorkerHeartbeat.objects.update_or_create(
        name=name, defaults={"seen_at": timezone.now()}
    )
