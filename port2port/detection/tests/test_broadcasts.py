"""Area broadcasts to the companies of a port, and their acknowledgements."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from conftest import World
from port2port.core.errors import InvalidInput, NotPermitted
from port2port.core.models import AuditEntry, User
from port2port.core.tests.factories import FacilityFactory, OrganisationFactory, square
from port2port.detection import services
from port2port.detection.models import Broadcast

pytestmark = pytest.mark.django_db

# Around the Deurganck terminal (its boundary is a square at 4.25, 51.28).
DEURGANCK_AREA: dict[str, Any] = square(4.24, 51.27, 0.03)


def _names(broadcast: Broadcast) -> list[str]:
    return [r.organisation.name for r in broadcast.recipients.all()]


def test_a_broadcast_reaches_every_company_of_the_port_but_the_sender(
    world: World, bob: User
) -> None:
    broadcast = services.broadcast_send(
        actor=bob,
        port=world.antwerp,
        level="preventive",
        title="Drone activity",
        message="Report drones over the Deurganck dock.",
    )
    assert _names(broadcast) == [
        "Deurganck Container Terminal NV",
        "Scheldt Haulage BV",
    ]
    assert AuditEntry.objects.filter(action="detection.broadcast.send").count() == 1


def test_an_area_broadcast_reaches_the_companies_with_a_facility_inside(
    world: World, bob: User
) -> None:
    elsewhere = OrganisationFactory(name="Far Terminal NV", ports=[world.antwerp])
    FacilityFactory(
        port=world.antwerp,
        code="BEANR-0099",
        operator=elsewhere,
        boundary=square(4.4, 51.2),
    )
    broadcast = services.broadcast_send(
        actor=bob,
        port=world.antwerp,
        level="urgent",
        title="Intruder on the quay",
        message="Close the gates.",
        area=DEURGANCK_AREA,
    )
    assert _names(broadcast) == ["Deurganck Container Terminal NV"]


def test_only_the_ports_control_room_sends_and_input_is_checked(
    world: World, bob: User, charlie: User, dave: User
) -> None:
    for actor in (charlie, dave):
        with pytest.raises(NotPermitted):
            services.broadcast_send(
                actor=actor, port=world.antwerp, level="urgent", title="x", message="y"
            )
    with pytest.raises(InvalidInput) as problem:
        services.broadcast_send(
            actor=bob,
            port=world.antwerp,
            level="loud",
            title=" ",
            message="y",
            area={"type": "Point"},
        )
    assert sorted(problem.value.fields) == ["area", "level", "title"]


def test_companies_acknowledge_and_the_sender_sees_who_has_not(
    world: World,
    bob: User,
    bob_client: Client,
    dave: User,
    dave_client: Client,
    charlie_client: Client,
) -> None:
    broadcast = services.broadcast_send(
        actor=bob,
        port=world.antwerp,
        level="urgent",
        title="Gate closed",
        message="Gate 3 is closed until 14:00.",
    )
    url = f"/detection/broadcasts/{broadcast.pk}/"
    page = bob_client.get(url).content.decode()
    assert "2 companies have not acknowledged" in page
    assert dave_client.get("/detection/broadcasts/").status_code == 200
    assert "Gate closed" in dave_client.get("/detection/broadcasts/").content.decode()
    response = dave_client.post(url)
    assert response.status_code == 302
    recipient = broadcast.recipients.get(organisation=world.haulier)
    assert recipient.acknowledged_by == dave
    page = bob_client.get(url).content.decode()
    assert "1 company has not acknowledged" in page
    assert charlie_client.get(url).status_code == 404
    with pytest.raises(NotPermitted):
        services.broadcast_acknowledge(actor=bob, broadcast=broadcast)


def test_a_broadcast_is_sent_from_the_page_with_a_drawn_area(
    world: World, bob_client: Client
) -> None:
    import json

    response = bob_client.post(
        "/detection/broadcasts/",
        {
            "port": "BEANR",
            "level": "preventive",
            "title": "Suspicious van",
            "message": "A white van near the terminal.",
            "area": json.dumps(DEURGANCK_AREA),
        },
    )
    broadcast = Broadcast.objects.get()
    assert response["Location"] == f"/detection/broadcasts/{broadcast.pk}/"
    assert _names(broadcast) == ["Deurganck Container Terminal NV"]
    assert b'id="b-map"' in bob_client.get("/detection/broadcasts/").content


def test_the_broadcast_api(
    world: World, bob_client: Client, dave_client: Client
) -> None:
    response = bob_client.post(
        "/api/v1/broadcasts",
        {
            "port": "BEANR",
            "level": "urgent",
            "title": "Storm",
            "message": "Secure cranes.",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert [r["organisation"] for r in body["recipients"]] == [
        "Deurganck Container Terminal NV",
        "Scheldt Haulage BV",
    ]
    ack = dave_client.post(f"/api/v1/broadcasts/{body['id']}/acknowledge")
    assert ack.status_code == 200, ack.content
    assert [r["organisation"] for r in ack.json()["recipients"]] == [
        "Scheldt Haulage BV"
    ]
    assert ack.json()["recipients"][0]["acknowledged_at"] is not None
    listed = bob_client.get("/api/v1/broadcasts").json()
    assert [b["title"] for b in listed["items"]] == ["Storm"]
