"""Fixtures of the detection tests: a fence, a camera covering it, the rules."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from conftest import World
from port2port.core import services as core_services
from port2port.core.models import ApiToken, User
from port2port.detection import runner, services
from port2port.detection.models import Rule, Source

INTRUSION = {
    "id": "intrusion",
    "kind": "correlation",
    "name": "Confirmed intrusion",
    "severity": "high",
    "first": {"kinds": ["fence.alarm"]},
    "then": {"kinds": ["camera.object"], "where": {"payload.label": "person"}},
    "within_s": 60,
    "relation": "covers",
}


@dataclass
class Sensors:
    fence: Source
    camera: Source
    ghent_fence: Source
    rule: Rule


@pytest.fixture(autouse=True)
def _fresh_engine() -> Any:
    runner.engine_reset()
    yield
    runner.engine_reset()


@pytest.fixture
def sensors(world: World) -> Sensors:
    fence = services.source_create(
        port=world.antwerp,
        code="BEANR-F1",
        name="Deurganck fence 1",
        kind=Source.Kind.FENCE_SEGMENT,
        geometry={"type": "LineString", "coordinates": [[4.25, 51.27], [4.26, 51.27]]},
        sensor_ids=["s1", "s2"],
    )
    camera = services.source_create(
        port=world.antwerp,
        code="BEANR-C1",
        name="Deurganck camera 1",
        kind=Source.Kind.CAMERA,
        geometry={
            "type": "Polygon",
            "coordinates": [
                [[4.25, 51.27], [4.26, 51.27], [4.255, 51.265], [4.25, 51.27]]
            ],
        },
        covers=[fence],
    )
    ghent_fence = services.source_create(
        port=world.ghent,
        code="BEGNE-F1",
        name="Kluizendok fence",
        kind=Source.Kind.FENCE_SEGMENT,
    )
    rule = services.rule_save(actor=None, definition=dict(INTRUSION))
    return Sensors(fence=fence, camera=camera, ghent_fence=ghent_fence, rule=rule)


@pytest.fixture
def sensor_token(world: World, admin_user: User) -> tuple[ApiToken, str]:
    """A token of the Antwerp port authority that may send events."""
    return core_services.api_token_create(
        actor=admin_user,
        organisation=world.poab,
        name="Fence controller",
        permissions=["events:write"],
    )
