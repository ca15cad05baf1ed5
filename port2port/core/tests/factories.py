"""Factories for the registry; each makes a valid object with the fewest fields."""

from __future__ import annotations

import datetime as dt

import factory

from port2port.core.models import (
    AccessPoint,
    Committee,
    Device,
    Facility,
    Membership,
    Organisation,
    Person,
    Port,
    User,
    Vehicle,
    Zone,
)


def square(lon: float, lat: float, size: float = 0.01) -> dict[str, object]:
    """Return a closed GeoJSON square with its south-west corner at (lon, lat)."""
    return {
        "type": "Polygon",
        "coordinates": [
            [
                [lon, lat],
                [lon + size, lat],
                [lon + size, lat + size],
                [lon, lat + size],
                [lon, lat],
            ]
        ],
    }


def kbo(n: int) -> str:
    """Return a valid enterprise number built from the serial ``n``."""
    base = 4_000_000 + n
    return f"{base:08d}{97 - (base % 97):02d}"


class CommitteeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Committee
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"lcmb-{n}")
    name = factory.Sequence(lambda n: f"Local committee {n}")
    kind = Committee.Kind.LCMB


class PortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Port
        django_get_or_create = ("locode",)

    locode = "BEANR"
    name_en = "Antwerp"
    name_nl = "Antwerpen"
    name_fr = "Anvers"
    kind = Port.Kind.SEAPORT
    committee = factory.SubFactory(CommitteeFactory)
    centre = factory.LazyFunction(
        lambda: {"type": "Point", "coordinates": [4.3367, 51.27]}
    )
    boundary = factory.LazyFunction(lambda: square(4.2, 51.2, 0.2))


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Organisation {n} NV")
    kbo_number = factory.Sequence(kbo)
    roles = factory.LazyFunction(lambda: ["terminal_operator"])

    @factory.post_generation
    def ports(
        self, create: bool, extracted: list[Port] | None, **kwargs: object
    ) -> None:
        if create and extracted:
            self.ports.set(extracted)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    first_name = factory.Iterator(["Jan", "Marie", "Ahmed", "Sofie", "Luc"])
    last_name = factory.Iterator(
        ["Peeters", "Dubois", "El Amrani", "Janssens", "Lambert"]
    )
    date_of_birth = dt.date(1985, 4, 12)
    nationality = "BE"
    employer = factory.SubFactory(OrganisationFactory)
    document_type = Person.DocumentType.ID_CARD
    document_number = factory.Sequence(lambda n: f"592{n:07d}")


class FacilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Facility

    port = factory.SubFactory(PortFactory)
    code = factory.Sequence(lambda n: f"F{n:04d}")
    name = factory.Sequence(lambda n: f"Terminal {n}")
    operator = factory.SubFactory(OrganisationFactory)
    kind = Facility.Kind.CONTAINER
    boundary = factory.LazyFunction(lambda: square(4.25, 51.28))


class ZoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Zone

    facility = factory.SubFactory(FacilityFactory)
    port = factory.LazyAttribute(lambda o: o.facility.port)
    name = factory.Sequence(lambda n: f"Zone {n}")
    kind = Zone.Kind.CONTROLLED
    boundary = factory.LazyFunction(lambda: square(4.251, 51.281, 0.005))


class AccessPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccessPoint

    zone = factory.SubFactory(ZoneFactory)
    code = factory.Sequence(lambda n: f"G{n:03d}")
    name = factory.Sequence(lambda n: f"Gate {n}")
    kind = AccessPoint.Kind.VEHICLE_LANE
    location = factory.LazyFunction(
        lambda: {"type": "Point", "coordinates": [4.252, 51.282]}
    )


class DeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Device

    access_point = factory.SubFactory(AccessPointFactory)
    kind = Device.Kind.BADGE_READER
    serial = factory.Sequence(lambda n: f"RDR-{n:05d}")


class VehicleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vehicle

    plate = factory.Sequence(lambda n: f"1ABC{n % 1000:03d}")
    country = "BE"
    kind = Vehicle.Kind.TRUCK
    owner = factory.SubFactory(OrganisationFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("correct horse battery staple")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = "company_admin"
