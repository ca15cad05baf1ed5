"""The Belgian demo data: exact counts, valid identifiers, geometry, determinism."""

from __future__ import annotations

import json
from datetime import date
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from port2port.core.audit import audit_verify
from port2port.core.demo import data
from port2port.core.demo.seed import (
    BORN_FROM,
    BORN_UNTIL,
    REFERENCE_DATE,
    SeedError,
    enterprise_number,
    identity_card_number,
    national_register_number,
    seed_demo,
)
from port2port.core.models import (
    AccessPoint,
    AuditEntry,
    Clearance,
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
    Zone,
)
from port2port.core.scopes import scope_for
from port2port.lib import geo
from port2port.lib.identifiers import (
    eori_normalise,
    kbo_normalise,
    locode_normalise,
    national_register_number_normalise,
    plate_normalise,
)

EXPECTED_COUNTS = {
    "committees": 13,
    "ports": 12,
    "organisations": 66,
    "facilities": 21,
    "zones": 49,
    "access_points": 66,
    "devices": 104,
    "people": 5000,
    "national_register_numbers": 2631,
    "vehicles": 2000,
    "users": 12,
    "memberships": 12,
}


def _snapshot() -> dict[str, list[Any]]:
    """Return the key fields of the seeded rows, in the order they were created."""
    return {
        "organisations": list(
            Organisation.objects.order_by("pk").values_list(
                "name", "kbo_number", "eori"
            )
        ),
        "people": list(
            Person.objects.order_by("pk").values_list(
                "first_name",
                "last_name",
                "date_of_birth",
                "nationality",
                "employer__name",
                "document_type",
                "document_number",
                "national_register_hash",
                "phone",
                "email",
            )
        ),
        "vehicles": list(
            Vehicle.objects.order_by("pk").values_list(
                "plate", "country", "kind", "owner__name"
            )
        ),
        "facilities": list(
            Facility.objects.order_by("pk").values_list(
                "code", "boundary", "pfso__first_name", "pfso__last_name"
            )
        ),
        "devices": list(
            Device.objects.order_by("pk").values_list(
                "serial", "access_point__code", "access_point__location"
            )
        ),
        "users": list(
            User.objects.order_by("pk").values_list(
                "username", "first_name", "last_name", "person__email"
            )
        ),
    }


def _wipe_registry() -> None:
    """Delete what the seed created (the audit trail stays: it is append-only)."""
    Membership.objects.all().delete()
    User.objects.all().delete()
    Device.objects.all().delete()
    AccessPoint.objects.all().delete()
    Zone.objects.all().delete()
    Facility.objects.all().delete()
    Vehicle.objects.all().delete()
    Person.objects.all().delete()
    Organisation.objects.all().delete()
    Port.objects.all().delete()
    Committee.objects.all().delete()


@pytest.mark.django_db
def test_seed_loads_exact_counts_and_records_one_audit_entry() -> None:
    counts = seed_demo()

    assert counts == EXPECTED_COUNTS
    assert {
        "committees": Committee.objects.count(),
        "ports": Port.objects.count(),
        "organisations": Organisation.objects.count(),
        "facilities": Facility.objects.count(),
        "zones": Zone.objects.count(),
        "access_points": AccessPoint.objects.count(),
        "devices": Device.objects.count(),
        "people": Person.objects.count(),
        "national_register_numbers": Person.objects.filter(
            national_register_hash__isnull=False
        ).count(),
        "vehicles": Vehicle.objects.count(),
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
    } == EXPECTED_COUNTS
    entry = AuditEntry.objects.get(action="seed.load")
    assert (entry.actor_label, entry.object_type, entry.object_id) == (
        "system",
        "demo",
        "belgium",
    )
    assert json.loads(entry.details) == EXPECTED_COUNTS
    # One entry per membership (they go through the service) and the load itself.
    assert AuditEntry.objects.count() == EXPECTED_COUNTS["memberships"] + 1
    assert audit_verify().ok


@pytest.mark.django_db
def test_seed_refuses_a_registry_that_holds_ports() -> None:
    seed_demo()

    with pytest.raises(SeedError):
        seed_demo()


@pytest.mark.django_db
def test_seed_committees_ports_and_organisations() -> None:
    seed_demo()

    assert Committee.objects.filter(kind=Committee.Kind.LCMB).count() == 9
    for kind in ("namb", "think_tank", "taskforce", "steering"):
        assert Committee.objects.filter(kind=kind).count() == 1
    assert not Port.objects.exclude(committee__kind=Committee.Kind.LCMB).exists()
    assert set(Port.objects.values_list("locode", flat=True)) >= {
        "BEANR",
        "BEZEE",
        "BEGNE",
        "BEOST",
        "BELGG",
        "BEBRU",
        "BEGNK",
        "BEHSS",
        "BEWLB",
        "BECRL",
        "BENAM",
    }
    antwerp = Port.objects.get(locode="BEANR")
    assert antwerp.centre == {"type": "Point", "coordinates": [4.3367, 51.27]}
    assert antwerp.security_level == 1
    assert (antwerp.name_en, antwerp.name_nl, antwerp.name_fr) == (
        "Antwerp",
        "Antwerpen",
        "Anvers",
    )
    # Every organisation works somewhere, and every trade is represented.
    assert not Organisation.objects.filter(ports=None).exists()
    roles = {
        r for rs in Organisation.objects.values_list("roles", flat=True) for r in rs
    }
    assert roles == set(Organisation.Role.values)
    # Hauliers are the largest group; the operators run the facilities.
    all_roles = list(Organisation.objects.values_list("roles", flat=True))
    per_role = {r: sum(r in rs for rs in all_roles) for r in Organisation.Role.values}
    assert max(per_role, key=per_role.__getitem__) == "transport_operator"
    assert (
        Facility.objects.filter(isps=True).count()
        == Facility.objects.filter(port__kind=Port.Kind.SEAPORT).count()
    )
    for facility in Facility.objects.select_related("pfso"):
        assert facility.pfso is not None
        assert facility.pfso.employer_id == facility.operator_id


@pytest.mark.django_db
def test_seed_identifiers_are_valid() -> None:
    seed_demo()

    for kbo, eori in Organisation.objects.values_list("kbo_number", "eori"):
        assert kbo_normalise(kbo) == kbo
        assert kbo[0] in "01"
        if eori:
            assert eori_normalise(eori) == eori == f"BE{kbo}"
    assert Organisation.objects.exclude(eori="").count() > 20
    births = Person.objects.values_list("date_of_birth", flat=True)
    assert min(births) >= BORN_FROM == date(1960, 1, 1)
    assert max(births) <= BORN_UNTIL == date(2004, 12, 31)
    assert (REFERENCE_DATE - max(births)).days // 365 >= 21
    for locode in Port.objects.values_list("locode", flat=True):
        assert locode_normalise(locode) == locode
    plates = list(Vehicle.objects.values_list("plate", "country"))
    for plate, country in plates:
        assert plate_normalise(plate, country=country) == plate
    be_plates = [plate for plate, country in plates if country == "BE"]
    current = [p for p in be_plates if p[0] in "12"]
    older = [p for p in be_plates if p[:3].isalpha() and len(p) == 6]
    assert len(current) > len(be_plates) * 0.7
    assert older
    assert {c for _, c in plates} == {"BE", "NL", "FR", "DE", "PL"}
    # National register numbers are kept only as keyed hashes.
    hashes = Person.objects.exclude(national_register_hash=None).values_list(
        "national_register_hash", flat=True
    )
    assert all(len(h) == 64 and int(h, 16) >= 0 for h in hashes)
    for number in Person.objects.filter(
        nationality="BE", document_type=Person.DocumentType.ID_CARD
    ).values_list("document_number", flat=True)[:500]:
        digits = number.replace("-", "")
        assert len(digits) == 12
        assert int(digits[-2:]) == (int(digits[:10]) % 97 or 97)


def test_identifier_helpers_follow_the_standards() -> None:
    assert national_register_number(date(1993, 5, 18), 223) == "93051822361"
    assert national_register_number(date(2017, 7, 30), 33) == "17073003384"
    for birth in (
        date(1960, 1, 1),
        date(1999, 12, 31),
        date(2000, 2, 29),
        date(2004, 6, 1),
    ):
        for counter in (1, 2, 500, 997):
            number = national_register_number(birth, counter)
            assert national_register_number_normalise(number) == number
    assert enterprise_number(4_031_707) == "0403170701"
    assert kbo_normalise(enterprise_number(10_000_000)) == enterprise_number(10_000_000)
    assert identity_card_number(5_921_234_567) == "592-1234567-32"


@pytest.mark.django_db
def test_seed_geometry_is_consistent() -> None:
    seed_demo()

    for port in Port.objects.all():
        assert geo.polygon_validate(port.boundary) == port.boundary
        assert geo.point_in_polygon(tuple(port.centre["coordinates"]), port.boundary)
    for facility in Facility.objects.select_related("port"):
        ring = facility.boundary["coordinates"][0]
        assert geo.polygon_validate(facility.boundary) == facility.boundary
        assert all(geo.point_in_polygon(tuple(c), facility.port.boundary) for c in ring)
        controlled = facility.zones.get(kind=Zone.Kind.CONTROLLED)
        restricted = facility.zones.get(kind=Zone.Kind.RESTRICTED)
        assert controlled.boundary == facility.boundary
        assert all(
            geo.point_in_polygon(tuple(c), controlled.boundary)
            for c in restricted.boundary["coordinates"][0]
        )
        points = AccessPoint.objects.filter(zone__facility=facility)
        assert 2 <= points.count() <= 4
        assert points.filter(zone=restricted, kind="quay_access").exists()
        for ap in points:
            assert geo.point_in_polygon(
                tuple(ap.location["coordinates"]), facility.boundary
            )
        gate = points.get(kind="vehicle_lane")
        assert set(gate.devices.values_list("kind", flat=True)) == {
            "anpr_camera",
            "badge_reader",
        }
    # The Deurganck terminals lie on the Left Bank of Antwerp.
    lon, lat = geo.polygon_centroid(Facility.objects.get(code="BEANR-0001").boundary)
    assert 4.23 < lon < 4.27
    assert 51.26 < lat < 51.30
    assert Zone.objects.filter(kind=Zone.Kind.PUBLIC).count() == 7


@pytest.mark.django_db
def test_seed_demo_accounts_have_their_roles() -> None:
    seed_demo()

    assert [a.username for a in data.DEMO_ACCOUNTS] == [
        s.username for s in data.DEMO_ACCOUNT_SPECS
    ]
    for spec, account in zip(data.DEMO_ACCOUNT_SPECS, data.DEMO_ACCOUNTS, strict=True):
        assert str(account.role_label) == str(Role(spec.role).label)
        user = User.objects.select_related("person").get(username=spec.username)
        membership = user.memberships.select_related(
            "organisation", "port", "facility"
        ).get()
        assert membership.role == spec.role
        assert membership.organisation.name == (
            data.ORGANISATIONS_BY_KEY[spec.organisation].name
        )
        assert (membership.port.locode if membership.port else None) == spec.port
        assert (membership.facility.code if membership.facility else None) == (
            spec.facility
        )
        assert user.person is not None
        assert user.person.employer_id == membership.organisation_id
        assert (user.first_name, user.last_name) == (
            user.person.first_name,
            user.person.last_name,
        )
        assert user.is_superuser == user.is_staff == (spec.username == "admin")
    assert User.objects.get(username="admin").check_password(data.DEMO_PASSWORD)
    # All accounts share one hash of the password.
    assert User.objects.values("password").distinct().count() == 1
    for username in ("namb", "pso.antwerp", "pso.ghent"):
        assert User.objects.get(username=username).clearance >= Clearance.CONFIDENTIAL
    pfso = User.objects.get(username="pfso.deurganck")
    assert Facility.objects.get(code="BEANR-0001").pfso == pfso.person
    antwerp = Port.objects.get(locode="BEANR")
    assert scope_for(User.objects.get(username="pso.antwerp")).has_role(
        Role.PORT_SECURITY_OFFICER, port_id=antwerp.pk
    )
    assert scope_for(User.objects.get(username="inspector")).is_national


@pytest.mark.django_db
def test_seed_is_deterministic() -> None:
    seed_demo()
    first = _snapshot()
    first_people = list(Person.objects.order_by("pk")[:20])
    first_vehicles = list(Vehicle.objects.order_by("pk")[:20])
    _wipe_registry()

    seed_demo()

    assert _snapshot() == first
    second_people = list(Person.objects.order_by("pk")[:20])
    second_vehicles = list(Vehicle.objects.order_by("pk")[:20])
    assert [p.full_name for p in second_people] == [p.full_name for p in first_people]
    assert [v.plate for v in second_vehicles] == [v.plate for v in first_vehicles]


@pytest.mark.django_db
def test_seed_command_prints_counts_and_skips_a_loaded_registry() -> None:
    out = StringIO()
    call_command("seed", stdout=out)
    text = out.getvalue()
    assert "5,000" in text
    for account in data.DEMO_ACCOUNTS:
        assert account.username in text

    again = StringIO()
    call_command("seed", "--if-empty", stdout=again)
    assert "not loaded" in again.getvalue()
    assert Person.objects.count() == EXPECTED_COUNTS["people"]
    with pytest.raises(CommandError):
        call_command("seed", stdout=StringIO())


@pytest.mark.django_db
def test_seed_command_refuses_outside_demo_mode(settings: Any) -> None:
    settings.DEMO = False

    with pytest.raises(CommandError):
        call_command("seed", stdout=StringIO())
    assert not Port.objects.exists()
