"""Load the Belgian demo data into an empty registry.

Everything comes from one ``random.Random(SEED)`` drawn in a fixed order, so
that two loads into empty databases give the same names, numbers and plates for
the same rows. Rows are bulk-inserted in one transaction; the demo accounts get
their roles through ``membership_create`` like any other account.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any, Protocol, TypeVar

from django.contrib.auth.hashers import make_password
from django.db import transaction

from port2port.core.audit import audit_record
from port2port.core.demo import data
from port2port.core.demo.data import OrganisationDef
from port2port.core.models import (
    AccessPoint,
    Committee,
    Device,
    Facility,
    Organisation,
    Person,
    Port,
    Role,
    User,
    Vehicle,
    Zone,
)
from port2port.core.services import membership_create, national_register_hash

SEED = 20251121
# Ages are reckoned against this date, never today, so that the data never drifts:
# everyone was born 1960-2004, and is 21 to 65 years old on it.
REFERENCE_DATE = date(2026, 1, 1)
BORN_FROM = date(REFERENCE_DATE.year - 66, 1, 1)
BORN_UNTIL = date(REFERENCE_DATE.year - 22, 12, 31)
PEOPLE = 5000
VEHICLES = 2000
# Every organisation gets a few people, so that each can name a PFSO or a contact.
MIN_EMPLOYEES = 3
BATCH_SIZE = 1000

T = TypeVar("T")

_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_DIGITS = "0123456789"
# Dutch plates avoid vowels and letters that look like digits.
_DUTCH_LETTERS = "BDFGHJKLNPRSTVXZ"
# French plates avoid I, O and U.
_FRENCH_LETTERS = "ABCDEFGHJKLMNPQRSTVWXYZ"
# German identity documents use digits and these letters only.
_GERMAN_DOCUMENT_CHARS = "CFGHJKLMNPRTVWXYZ0123456789"
_LEGAL_FORMS = frozenset({"nv", "bv", "sa", "srl", "cv", "commv"})
_DOMAIN_STOPWORDS = frozenset({"of", "and", "de", "the", "et", "fils", "zonen"})
# Letters that Unicode decomposition does not reduce to ASCII.
_TRANSLITERATION = str.maketrans({"ł": "l", "Ł": "L", "ı": "i", "ø": "o", "ß": "ss"})


class Writer(Protocol):
    """Where progress goes: a text file or a command's ``stdout``."""

    def write(self, msg: str, /) -> Any: ...


class SeedError(Exception):
    """The demo data cannot be loaded (the registry is not empty)."""


# Identifiers ------------------------------------------------------------------------


def enterprise_number(base: int) -> str:
    """Return the enterprise number (KBO/BCE) whose first eight digits are ``base``.

    The last two digits are 97 minus the first eight modulo 97.
    """
    return f"{base:08d}{97 - base % 97:02d}"


def national_register_number(birth: date, counter: int) -> str:
    """Return the national register number of a birth date and day counter.

    The check is 97 minus the first nine digits modulo 97, with a 2 put in front
    of them for people born in 2000 or later.
    """
    base = f"{birth:%y%m%d}{counter:03d}"
    checked = int(("2" + base) if birth.year >= 2000 else base)
    return f"{base}{97 - checked % 97:02d}"


def identity_card_number(serial: int) -> str:
    """Return a Belgian identity card number, e.g. ``592-1234567-89``.

    The last two digits are the first ten modulo 97 (97 when that is 0).
    """
    digits = f"{serial:010d}"
    check = serial % 97 or 97
    return f"{digits[:3]}-{digits[3:]}-{check:02d}"


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATION))
    return "".join(c for c in decomposed if c.isascii() and c.isalnum()).lower()


def email_domain(organisation: OrganisationDef) -> str:
    """Return the e-mail domain of an organisation, derived from its name.

    In a public body's name the part after the dash names the service
    ("FPS Mobility and Transport - DG Shipping");
    legal forms and small words are left out.
    """
    if organisation.domain:
        return organisation.domain
    name = organisation.name.split("–")[-1]
    words = [_ascii(w) for w in name.replace("&", " ").replace("-", " ").split()]
    kept = [w for w in words if w and w not in _LEGAL_FORMS | _DOMAIN_STOPWORDS]
    return "".join(kept) + ".be"


# Drawing ---------------------------------------------------------------------------


def _pick(rng: random.Random, weighted: Sequence[tuple[T, float]]) -> T:
    values = [value for value, _ in weighted]
    weights = [weight for _, weight in weighted]
    return rng.choices(values, weights=weights)[0]


def _chars(rng: random.Random, alphabet: str, count: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(count))


def _region(organisation: OrganisationDef) -> str:
    ports = set(organisation.ports)
    if ports <= data.WALLOON_PORTS:
        return "walloon"
    if ports <= data.FLEMISH_PORTS:
        return "flemish"
    return "mixed"


def _first_name_group(rng: random.Random, group: str, region: str) -> str:
    """Return the name group a Belgian's first name comes from.

    Mostly the family's own; sometimes the other language's (a Flemish family in
    Brussels names a child Quentin), and in families of other roots often the
    language of the region.
    """
    if group in data.LANGUAGE_GROUPS:
        if rng.random() < 0.12:
            return "walloon" if group == "flemish" else "flemish"
        return group
    if rng.random() < 0.2:
        if region in data.LANGUAGE_GROUPS:
            return region
        return rng.choice(data.LANGUAGE_GROUPS)
    return group


def _document(rng: random.Random, nationality: str) -> tuple[str, str]:
    """Draw an identity document of the kind a national of the country carries."""
    kinds = Person.DocumentType
    if nationality == "BE":
        kind = _pick(
            rng,
            ((kinds.ID_CARD, 86), (kinds.PASSPORT, 8), (kinds.DRIVING_LICENCE, 6)),
        )
        if kind == kinds.ID_CARD:
            # Cards issued since 2014 are numbered in the 59x and 60x series.
            return kind, identity_card_number(rng.randint(5_900_000_000, 6_099_999_999))
        if kind == kinds.PASSPORT:
            return kind, _chars(rng, "EG", 1) + _chars(rng, _LETTERS, 1) + _chars(
                rng, _DIGITS, 6
            )
        return kind, _chars(rng, _DIGITS, 10)
    if nationality in {"MA", "TR"}:
        # Non-EU residents show their Belgian residence card (B card).
        serial = rng.randint(1_000_000, 9_999_999)
        return kinds.RESIDENCE_PERMIT, f"B{serial}{serial % 97 or 97:02d}"
    kind = kinds.ID_CARD if rng.random() < 0.6 else kinds.PASSPORT
    if nationality == "NL":
        number = _chars(rng, _DUTCH_LETTERS, 2) + _chars(
            rng, _DUTCH_LETTERS + _DIGITS, 6
        )
        return kind, number + _chars(rng, _DIGITS, 1)
    if nationality == "FR":
        if kind == kinds.ID_CARD:
            return kind, _chars(rng, _DIGITS, 12)
        return kind, _chars(rng, _DIGITS, 2) + _chars(rng, _LETTERS, 2) + _chars(
            rng, _DIGITS, 5
        )
    if nationality == "DE":
        return kind, _chars(rng, "CFGHJKLMNPRTVWXYZ", 1) + _chars(
            rng, _GERMAN_DOCUMENT_CHARS, 8
        )
    if nationality == "PL":
        return kind, _chars(rng, _LETTERS, 3 if kind == kinds.ID_CARD else 2) + _chars(
            rng, _DIGITS, 6 if kind == kinds.ID_CARD else 7
        )
    if nationality == "RO":
        return kind, _chars(rng, _LETTERS, 2) + _chars(rng, _DIGITS, 6)
    # Portugal: the citizen card's civil number, check digit and version.
    return kind, _chars(rng, _DIGITS, 9) + _chars(rng, _LETTERS, 2) + _chars(
        rng, _DIGITS, 1
    )


def _plate(rng: random.Random, country: str, kind: str) -> str:
    """Draw a plate, normalised as ANPR reads it (no dashes or spaces)."""
    if country == "BE":
        if kind == Vehicle.Kind.TRAILER:
            # Trailers have their own series, Q-ABC-123.
            return "Q" + _chars(rng, _LETTERS, 3) + _chars(rng, _DIGITS, 3)
        draw = rng.random()
        if draw < 0.68:
            return "1" + _chars(rng, _LETTERS, 3) + _chars(rng, _DIGITS, 3)
        if draw < 0.90:
            return "2" + _chars(rng, _LETTERS, 3) + _chars(rng, _DIGITS, 3)
        if draw < 0.98:
            return _chars(rng, _LETTERS, 3) + _chars(rng, _DIGITS, 3)  # 1973-2008
        return _chars(rng, _DIGITS, 3) + _chars(rng, _LETTERS, 3)  # 2008-2010
    if country == "NL":
        return (
            _chars(rng, _DUTCH_LETTERS, 2)
            + _chars(rng, _DIGITS, 3)
            + _chars(rng, _DUTCH_LETTERS, 1)
        )
    if country == "FR":
        return (
            _chars(rng, _FRENCH_LETTERS, 2)
            + _chars(rng, _DIGITS, 3)
            + _chars(rng, _FRENCH_LETTERS, 2)
        )
    if country == "DE":
        return (
            rng.choice(data.GERMAN_DISTRICTS)
            + _chars(rng, _LETTERS, rng.randint(1, 2))
            + str(rng.randint(1, 9999))
        )
    return rng.choice(data.POLISH_DISTRICTS) + _chars(rng, _DIGITS, 5)


# Loading ---------------------------------------------------------------------------


def _say(stdout: Writer | None, message: str) -> None:
    if stdout is not None:
        stdout.write(message + "\n")


def _load_committees_and_ports() -> tuple[dict[str, Committee], dict[str, Port]]:
    committees = Committee.objects.bulk_create(
        Committee(code=c.code, name=c.name, kind=c.kind) for c in data.COMMITTEES
    )
    by_code = {c.code: c for c in committees}
    ports = Port.objects.bulk_create(
        Port(
            locode=p.locode,
            name_en=p.name_en,
            name_nl=p.name_nl,
            name_fr=p.name_fr,
            kind=p.kind,
            committee=by_code[p.committee],
            centre=data.point(*p.centre),
            boundary=p.boundary,
            region=data.port_region(p.locode),
        )
        for p in data.PORTS
    )
    return by_code, {p.locode: p for p in ports}


def _load_organisations(
    rng: random.Random, ports: dict[str, Port]
) -> dict[str, Organisation]:
    taken: set[str] = set()
    rows = []
    for definition in data.ORGANISATIONS:
        kbo = ""
        while not kbo or kbo in taken:
            # Most enterprise numbers start 0; numbers starting 1 are issued since 2023.
            if rng.random() < 0.08:
                kbo = enterprise_number(rng.randint(10_000_000, 10_099_999))
            else:
                kbo = enterprise_number(rng.randint(2_000_000, 9_999_999))
        taken.add(kbo)
        rows.append(
            Organisation(
                name=definition.name,
                kbo_number=kbo,
                eori=f"BE{kbo}" if definition.eori else "",
                roles=sorted(definition.roles),
            )
        )
    organisations = Organisation.objects.bulk_create(rows)
    by_key = {d.key: o for d, o in zip(data.ORGANISATIONS, organisations, strict=True)}
    through = Organisation.ports.through
    through.objects.bulk_create(
        through(organisation_id=by_key[d.key].pk, port_id=ports[locode].pk)
        for d in data.ORGANISATIONS
        for locode in d.ports
    )
    return by_key


def _load_people(
    rng: random.Random, organisations: dict[str, Organisation]
) -> dict[str, list[Person]]:
    """Create the people and return them by employer key, in creation order."""
    definitions = data.ORGANISATIONS
    weights = [data.EMPLOYEES_PER_TRADE[d.trade] * d.size for d in definitions]
    employers = [i for i in range(len(definitions)) for _ in range(MIN_EMPLOYEES)]
    employers += rng.choices(
        range(len(definitions)), weights=weights, k=PEOPLE - len(employers)
    )
    rng.shuffle(employers)
    born_span = (BORN_UNTIL - BORN_FROM).days + 1
    numbers: set[str] = set()
    emails: set[str] = set()
    people: list[Person] = []
    by_key: dict[str, list[Person]] = {d.key: [] for d in definitions}
    for index in employers:
        employer = definitions[index]
        driver = employer.trade == Organisation.Role.TRANSPORT_OPERATOR
        nationality = _pick(
            rng, data.DRIVER_NATIONALITIES if driver else data.NATIONALITIES
        )
        # The port workforce is mostly male, truck drivers even more so.
        male = rng.random() < (0.88 if driver else 0.7)
        if nationality == "BE":
            region = _region(employer)
            group = _pick(rng, data.NAME_GROUPS_BY_REGION[region])
            surnames = data.BELGIAN_NAMES[group].surnames
            names = data.BELGIAN_NAMES[_first_name_group(rng, group, region)]
        else:
            names = data.FOREIGN_NAMES[nationality]
            surnames = names.surnames
        last_name = rng.choice(surnames)
        first_name = rng.choice(names.male if male else names.female)
        birth = BORN_FROM + timedelta(days=rng.randrange(born_span))
        document_type, document_number = _document(rng, nationality)
        nrn_hash = None
        # Belgians and foreign residents have a national register number; about
        # half of the people gave theirs. Only its keyed hash is stored.
        if rng.random() < (0.6 if nationality == "BE" else 0.25):
            number = ""
            while not number or number in numbers:
                # Men have odd day counters, women even ones.
                counter = (
                    rng.randrange(499) * 2 + 1 if male else rng.randrange(498) * 2 + 2
                )
                number = national_register_number(birth, counter)
            numbers.add(number)
            nrn_hash = national_register_hash(number)
        groups_of_two = " ".join(f"{rng.randint(0, 99):02d}" for _ in range(3))
        phone = f"+32 4{rng.randint(70, 99):02d} {groups_of_two}"
        local = f"{_ascii(first_name)}.{_ascii(last_name)}"
        domain = email_domain(employer)
        email, suffix = f"{local}@{domain}", 1
        while email in emails:
            suffix += 1
            email = f"{local}{suffix}@{domain}"
        emails.add(email)
        person = Person(
            first_name=first_name,
            last_name=last_name,
            date_of_birth=birth,
            nationality=nationality,
            employer=organisations[employer.key],
            document_type=document_type,
            document_number=document_number,
            national_register_hash=nrn_hash,
            phone=phone,
            email=email,
        )
        people.append(person)
        by_key[employer.key].append(person)
    Person.objects.bulk_create(people, batch_size=BATCH_SIZE)
    return by_key


def _load_facilities(
    ports: dict[str, Port],
    organisations: dict[str, Organisation],
    employees: dict[str, list[Person]],
    taken: set[int],
) -> dict[str, Facility]:
    rows = []
    for definition in data.FACILITIES:
        # The PFSO is the operator's first employee who is not already one.
        pfso = next(p for p in employees[definition.operator] if p.pk not in taken)
        taken.add(pfso.pk)
        rows.append(
            Facility(
                port=ports[definition.port],
                code=definition.code,
                name=definition.name,
                operator=organisations[definition.operator],
                kind=definition.kind,
                isps=definition.isps,
                pfso=pfso,
                boundary=definition.boundary,
            )
        )
    facilities = Facility.objects.bulk_create(rows)
    return {f.code: f for f in facilities}


def _load_zones_and_access_points(
    ports: dict[str, Port], facilities: dict[str, Facility]
) -> tuple[int, int, int]:
    """Create the zones, access points and devices; return how many of each."""
    zones: list[Zone] = []
    for definition in data.FACILITIES:
        facility = facilities[definition.code]
        port = ports[definition.port]
        zones.append(
            Zone(
                port=port,
                facility=facility,
                name=f"{definition.name} – terminal area",
                kind=Zone.Kind.CONTROLLED,
                boundary=definition.boundary,
            )
        )
        zones.append(
            Zone(
                port=port,
                facility=facility,
                name=f"{definition.name} – {definition.restricted_name}",
                kind=Zone.Kind.RESTRICTED,
                boundary=definition.restricted_boundary,
            )
        )
    for port_definition in data.PORTS:
        if port_definition.main:
            zones.append(
                Zone(
                    port=ports[port_definition.locode],
                    name=f"{port_definition.name_en} – public port area",
                    kind=Zone.Kind.PUBLIC,
                    boundary=port_definition.boundary,
                )
            )
    Zone.objects.bulk_create(zones)
    zone_of = {(z.facility_id, z.kind): z for z in zones if z.facility_id is not None}

    points: list[AccessPoint] = []
    device_kinds: list[tuple[str, ...]] = []
    for definition in data.FACILITIES:
        facility = facilities[definition.code]
        for ap in definition.access_points():
            name = ap.name
            if ap is data.GATE and definition.kind in {
                Facility.Kind.LOCK,
                Facility.Kind.CRUISE,
            }:
                name = "Main vehicle gate"
            points.append(
                AccessPoint(
                    zone=zone_of[(facility.pk, ap.zone)],
                    code=f"{definition.code}-{ap.suffix}",
                    name=name,
                    kind=ap.kind,
                    direction=AccessPoint.Direction.BOTH,
                    location=data.point(*definition.site.position(ap.across, ap.along)),
                )
            )
            device_kinds.append(ap.devices)
    AccessPoint.objects.bulk_create(points)
    prefixes = {
        Device.Kind.ANPR_CAMERA: "ANPR",
        Device.Kind.BADGE_READER: "BR",
        Device.Kind.BIOMETRIC_READER: "BIO",
    }
    devices = [
        Device(access_point=point, kind=kind, serial="")
        for point, kinds in zip(points, device_kinds, strict=True)
        for kind in kinds
    ]
    for number, device in enumerate(devices, start=1):
        device.serial = f"P2P-{prefixes[Device.Kind(device.kind)]}-{number:05d}"
    Device.objects.bulk_create(devices)
    return len(zones), len(points), len(devices)


def _load_vehicles(rng: random.Random, organisations: dict[str, Organisation]) -> int:
    owners = [d for d in data.ORGANISATIONS if d.trade in data.VEHICLES_PER_TRADE]
    trade_size: dict[str, float] = {}
    for d in owners:
        trade_size[d.trade] = trade_size.get(d.trade, 0.0) + d.size
    # Each trade's share of the fleet is split over its organisations by size.
    weights = [
        data.VEHICLES_PER_TRADE[d.trade] * d.size / trade_size[d.trade] for d in owners
    ]
    taken: set[tuple[str, str]] = set()
    vehicles = []
    for index in rng.choices(range(len(owners)), weights=weights, k=VEHICLES):
        owner = owners[index]
        kind = _pick(rng, data.VEHICLE_KINDS_PER_TRADE[owner.trade])
        country = "BE"
        if owner.trade == Organisation.Role.TRANSPORT_OPERATOR and kind in {
            Vehicle.Kind.TRUCK,
            Vehicle.Kind.TRAILER,
        }:
            country = _pick(rng, data.PLATE_COUNTRIES)
        plate = ""
        while not plate or (country, plate) in taken:
            plate = _plate(rng, country, kind)
        taken.add((country, plate))
        vehicles.append(
            Vehicle(
                plate=plate, country=country, kind=kind, owner=organisations[owner.key]
            )
        )
    Vehicle.objects.bulk_create(vehicles, batch_size=BATCH_SIZE)
    return len(vehicles)


def _load_accounts(
    ports: dict[str, Port],
    organisations: dict[str, Organisation],
    facilities: dict[str, Facility],
    employees: dict[str, list[Person]],
    taken: set[int],
) -> tuple[int, int]:
    """Create the demo accounts, each linked to a person of its organisation."""
    # Argon2 is slow on purpose: hash the shared password once for every account.
    password = make_password(data.DEMO_PASSWORD)
    users = []
    for spec in data.DEMO_ACCOUNT_SPECS:
        facility = facilities[spec.facility] if spec.facility else None
        if spec.role == Role.PFSO and facility is not None and facility.pfso:
            person = facility.pfso
        else:
            person = next(p for p in employees[spec.organisation] if p.pk not in taken)
        taken.add(person.pk)
        users.append(
            User(
                username=spec.username,
                first_name=person.first_name,
                last_name=person.last_name,
                email=person.email,
                password=password,
                is_staff=spec.superuser,
                is_superuser=spec.superuser,
                clearance=spec.clearance,
                person=person,
            )
        )
    User.objects.bulk_create(users)
    memberships = 0
    for spec, user in zip(data.DEMO_ACCOUNT_SPECS, users, strict=True):
        membership_create(
            actor=None,
            user=user,
            organisation=organisations[spec.organisation],
            role=spec.role,
            port=ports[spec.port] if spec.port else None,
            facility=facilities[spec.facility] if spec.facility else None,
        )
        memberships += 1
    return len(users), memberships


def _count(items: Iterable[object]) -> int:
    return sum(1 for _ in items)


def seed_demo(*, stdout: Writer | None = None) -> dict[str, int]:
    """Load the Belgian demo data into an empty registry and return the counts.

    Raise ``SeedError`` when ports are already registered.
    """
    if Port.objects.exists():
        raise SeedError(
            "The registry already holds ports; the demo needs an empty one."
        )
    rng = random.Random(SEED)
    with transaction.atomic():
        _say(stdout, "Committees and ports…")
        committees, ports = _load_committees_and_ports()
        _say(stdout, "Organisations…")
        organisations = _load_organisations(rng, ports)
        _say(stdout, f"{PEOPLE:,} people…")
        employees = _load_people(rng, organisations)
        taken: set[int] = set()
        _say(stdout, "Facilities, zones, access points and devices…")
        facilities = _load_facilities(ports, organisations, employees, taken)
        zones, access_points, devices = _load_zones_and_access_points(ports, facilities)
        _say(stdout, f"{VEHICLES:,} vehicles…")
        vehicles = _load_vehicles(rng, organisations)
        _say(stdout, "Demo accounts…")
        users, memberships = _load_accounts(
            ports, organisations, facilities, employees, taken
        )
        people = [p for group in employees.values() for p in group]
        counts = {
            "committees": len(committees),
            "ports": len(ports),
            "organisations": len(organisations),
            "facilities": len(facilities),
            "zones": zones,
            "access_points": access_points,
            "devices": devices,
            "people": len(people),
            "national_register_numbers": _count(
                p for p in people if p.national_register_hash
            ),
            "vehicles": vehicles,
            "users": users,
            "memberships": memberships,
        }
        # The rows above are bulk-inserted without an audit entry each (the
        # memberships excepted, which go through the service): this one entry
        # records the load, so that the audit trail says where the data came from.
        audit_record(
            actor=None,
            action="seed.load",
            object_type="demo",
            object_id="belgium",
            object_repr="Belgian demo data",
            details=counts,
        )
    return counts
