"""Factories for the access module."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from port2port.access.models import AccessGrant, PassActivation, PortPass, Schedule
from port2port.core.tests.factories import (
    OrganisationFactory,
    PersonFactory,
    ZoneFactory,
)


class PortPassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PortPass

    number = factory.Sequence(lambda n: f"P2P{n:012d}")
    person = factory.SubFactory(PersonFactory)
    state = PortPass.State.ACTIVE
    issued_by = factory.LazyAttribute(
        lambda o: o.person.employer or OrganisationFactory()
    )
    issued_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=30))
    collect_by = factory.LazyFunction(
        lambda: timezone.localdate() + dt.timedelta(days=150)
    )
    activated_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=29))
    valid_until = factory.LazyFunction(
        lambda: timezone.now() + dt.timedelta(days=5 * 365)
    )


class PassActivationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PassActivation

    port_pass = factory.SubFactory(PortPassFactory)
    facility = factory.SubFactory("port2port.core.tests.factories.FacilityFactory")
    activated_at = factory.LazyFunction(timezone.now)


class ScheduleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Schedule

    name = "Day shift"
    windows = factory.LazyFunction(
        lambda: [{"days": [0, 1, 2, 3, 4], "from": "06:00", "to": "18:00"}]
    )


class AccessGrantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccessGrant

    zone = factory.SubFactory(ZoneFactory)
    person = factory.SubFactory(PersonFactory)
    valid_from = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=10))
