"""Secure-container-release demo data on top of the Belgian registry and passes.

A Belgian shipping agent (Meridian Liner Agency) releases a few hundred import
containers at the Antwerp container terminals to forwarders; the forwarders pass
most of them to hauliers, which assign their drivers; the terminals and customs
report; some containers are picked up and gated out, some are blocked, withdrawn
or expired, and a few pick-ups by the wrong driver raise fraud signals. Every
step goes through the services, so the timelines and the audit trail are the
real ones. Deterministic: one ``random.Random`` drawn in a fixed order.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from stdnum import iso6346

from port2port.access.models import PassActivation, PortPass
from port2port.core.models import Facility, Organisation, Role, User
from port2port.core.services import membership_create
from port2port.release import services
from port2port.release.models import Release

SEED = 20260115
DEMO_PASSWORD = "demo"
RELEASES = 320
ACCOUNTS = (
    (
        "agent.meridian",
        "Company administrator",
        "Meridian Liner Agency NV (shipping agent)",
    ),
    ("forwarder.brabo", "Transport dispatcher", "Brabo Freight NV (forwarder)"),
    ("customs.antwerp", "Report handler", "Customs: release timelines of its ports"),
)
# Owner codes of real container fleets (ISO 6346 prefixes); the serials are made up.
OWNER_CODES = ("MSCU", "MEDU", "MAEU", "CMAU", "HLXU", "ONEU", "EGLU", "TGHU", "CSQU")


def _say(stdout: Any, message: str) -> None:
    if stdout is not None:
        stdout.write(message)


def _first(name: str, role: str, port: str = "BEANR") -> Organisation:
    """Return the organisation named so, or else the first of its trade in the port."""
    found = Organisation.objects.filter(name=name).first()
    if found is None:
        found = (
            Organisation.objects.filter(
                roles__icontains=f'"{role}"', ports__locode=port
            )
            .order_by("pk")
            .first()
        )
    if found is None:
        raise RuntimeError(f"The registry demo has no {role} in {port}.")
    return found


def _account(
    username: str, organisation: Organisation, role: str, password: str
) -> User:
    user = User.objects.create(
        username=username,
        first_name=username.split(".")[0].title(),
        last_name=organisation.name.split()[0],
        password=password,
    )
    membership_create(actor=None, user=user, organisation=organisation, role=role)
    return user


def _containers(rng: random.Random, count: int) -> list[str]:
    taken = set(Release.objects.values_list("container_number", flat=True))
    numbers: list[str] = []
    while len(numbers) < count:
        base = f"{rng.choice(OWNER_CODES)}{rng.randint(0, 999_999):06d}"
        number = base + iso6346.calc_check_digit(base)
        if number not in taken:
            taken.add(number)
            numbers.append(number)
    return numbers


def seed(*, stdout: Any = None) -> dict[str, int]:
    """Load the release demo data; return the counts."""
    rng = random.Random(SEED)
    now = timezone.now()
    password = make_password(DEMO_PASSWORD)
    agent_org = _first("Meridian Liner Agency NV", Organisation.Role.SHIPPING_AGENT)
    forwarders = [
        _first("Brabo Freight NV", Organisation.Role.FORWARDER),
        _first("Transcontinental Expeditie NV", Organisation.Role.FORWARDER),
        _first("Gateway Forwarding Belgium NV", Organisation.Role.FORWARDER),
    ]
    hauliers = [
        _first("Transport Van Damme & Zonen NV", Organisation.Role.TRANSPORT_OPERATOR),
        _first("Wouters Transport NV", Organisation.Role.TRANSPORT_OPERATOR),
        _first("Maes Logistics BV", Organisation.Role.TRANSPORT_OPERATOR),
    ]
    customs_org = _first(
        "General Administration of Customs and Excise", Organisation.Role.CUSTOMS
    )
    terminals = list(
        Facility.objects.filter(port__locode="BEANR", kind=Facility.Kind.CONTAINER)
        .select_related("port", "operator")
        .order_by("code")
    )
    if not terminals:
        raise RuntimeError("The registry demo has no container terminal in Antwerp.")
    # The terminals' reports and gate checks are made as the platform administrator,
    # who acts for every terminal.
    admin = User.objects.filter(is_superuser=True).order_by("pk").first()
    if admin is None:
        raise RuntimeError("The registry demo has no platform administrator.")

    # Drivers of each haulier whose active pass opens each terminal.
    drivers: dict[tuple[int, int], list[PortPass]] = defaultdict(list)
    activations = PassActivation.objects.filter(
        port_pass__state=PortPass.State.ACTIVE,
        port_pass__valid_until__gt=now,
        port_pass__person__employer__in=hauliers,
        facility__in=terminals,
    ).select_related("port_pass", "port_pass__person")
    for activation in activations.order_by("pk"):
        port_pass = activation.port_pass
        drivers[(port_pass.person.employer_id or 0, activation.facility_id)].append(
            port_pass
        )

    with transaction.atomic():
        agent = _account("agent.meridian", agent_org, Role.COMPANY_ADMIN, password)
        forwarder_user = _account(
            "forwarder.brabo", forwarders[0], Role.TRANSPORT_DISPATCHER, password
        )
        customs = _account(
            "customs.antwerp", customs_org, Role.REPORT_HANDLER, password
        )
        forwarder_staff = {forwarders[0].pk: forwarder_user}
        for org in forwarders[1:]:
            forwarder_staff[org.pk] = _account(
                f"demo.{org.pk}.dispatcher", org, Role.TRANSPORT_DISPATCHER, password
            )
        haulier_staff = {
            org.pk: _account(
                f"demo.{org.pk}.haulier", org, Role.TRANSPORT_DISPATCHER, password
            )
            for org in hauliers
        }

        _say(stdout, f"{RELEASES} container releases…")
        rows = [
            services.ReleaseInput(
                container_number=number,
                terminal_id=rng.choice(terminals).pk,
                holder_id=rng.choice(forwarders).pk,
                valid_until=now
                + dt.timedelta(days=rng.randint(3, 21), hours=rng.randint(0, 23)),
                bills_of_lading=[f"MLA{rng.randint(1_000_000, 9_999_999)}"],
                reference=f"MLA-{2026_00000 + i}",
            )
            for i, number in enumerate(_containers(rng, RELEASES))
        ]
        result = services.release_create_bulk(
            actor=agent, agent=agent_org, rows=rows, source=Release.Source.COREOR
        )
        releases = list(
            Release.objects.filter(pk__in=result.ids)
            .select_related("terminal", "port", "holder", "agent", "carrier")
            .order_by("pk")
        )
        counts: defaultdict[str, int] = defaultdict(int)
        for release in releases:
            roll = rng.random()
            # The terminal reports most discharges and releases; customs clears most.
            if rng.random() < 0.85:
                services.release_terminal_report(
                    actor=admin,
                    release=release,
                    discharged=True,
                    terminal_released=rng.random() < 0.85,
                )
            status = rng.choices(
                ["released", "selectedforscan", "documentarycontrol", "notreleased"],
                weights=[80, 8, 3, 9],
            )[0]
            if status != "notreleased":
                services.release_customs_report(
                    actor=customs, release=release, status=status
                )
            if roll < 0.05:
                services.release_block(
                    actor=agent, release=release, reason="Freight not paid"
                )
                counts["releases_blocked"] += 1
                continue
            if roll < 0.08:
                services.release_withdraw(
                    actor=agent, release=release, reason="Bill of lading amended"
                )
                counts["releases_withdrawn"] += 1
                continue
            if roll < 0.18:
                continue  # Still with the forwarder.
            haulier = rng.choice(hauliers)
            transfer = services.transfer_create(
                actor=forwarder_staff[release.holder_id],
                release=release,
                receiver=haulier,
            )
            counts["release_transfers"] += 1
            if roll < 0.26:
                continue  # Waiting in the haulier's inbox.
            if roll < 0.29:
                services.transfer_deny(
                    actor=haulier_staff[haulier.pk],
                    transfer=transfer,
                    reason="No capacity this week",
                )
                continue
            services.transfer_accept(actor=haulier_staff[haulier.pk], transfer=transfer)
            release.refresh_from_db()
            pool = drivers.get((haulier.pk, release.terminal_id), [])
            if not pool or roll < 0.36:
                continue  # Accepted, no driver yet.
            driver_pass = rng.choice(pool)
            services.release_assign(
                actor=haulier_staff[haulier.pk],
                release=release,
                pass_number=driver_pass.number,
            )
            counts["driver_assignments"] += 1
            release.refresh_from_db()
            if release.light != "green" or roll < 0.6:
                continue
            # A pick-up by a colleague first, now and then: a fraud signal.
            others = [p for p in pool if p.person_id != driver_pass.person_id]
            if others and rng.random() < 0.15:
                services.pickup_check(
                    actor=admin,
                    terminal=release.terminal,
                    container_number=release.container_number,
                    credential=rng.choice(others).number,
                    biometric="match",
                )
            outcome = services.pickup_check(
                actor=admin,
                terminal=release.terminal,
                container_number=release.container_number,
                credential=driver_pass.number,
                biometric="match",
            )
            if outcome.decision.allowed:
                counts["pickups"] += 1
                if roll < 0.85:
                    services.release_gate_out(actor=admin, release=release)
                    counts["gate_outs"] += 1

        # Containers discharged before the agent released them: the terminal's
        # report waits for the release, and half of them have one by now.
        taken = set(Release.objects.values_list("container_number", flat=True))
        early = [n for n in _containers(random.Random(SEED + 1), 40) if n not in taken]
        for i, number in enumerate(early[:8]):
            terminal = terminals[i % len(terminals)]
            services.container_terminal_report(
                actor=admin,
                terminal=terminal,
                container_number=number,
                discharged=True,
                terminal_released=i % 2 == 0,
            )
            counts["discharged_before_release"] += 1
            if i % 2 == 0:
                services.release_create(
                    actor=agent,
                    agent=agent_org,
                    container_number=number,
                    terminal=terminal,
                    holder=forwarders[i % len(forwarders)],
                    valid_until=now + dt.timedelta(days=10),
                    bills_of_lading=[f"MLA{rng.randint(1_000_000, 9_999_999)}"],
                    reference=f"MLA-EARLY-{i:03d}",
                )

        # A few releases whose validity ended yesterday: the expiry job closes them.
        expiring = list(
            Release.objects.filter(pk__in=result.ids, status=Release.Status.ACTIVE)
            .order_by("-pk")
            .values_list("pk", flat=True)[:6]
        )
        Release.objects.filter(pk__in=expiring).update(
            valid_from=now - dt.timedelta(days=20),
            valid_until=now - dt.timedelta(days=1),
        )
        counts["releases_expired"] = services.release_expire_due(now=now)
    return {"releases": len(releases), **dict(counts)}
