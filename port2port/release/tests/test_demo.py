from __future__ import annotations

import pytest

from port2port.access import demo as access_demo
from port2port.access import gate
from port2port.core.audit import audit_verify
from port2port.core.demo.seed import seed_demo
from port2port.core.models import User
from port2port.release import demo, selectors
from port2port.release.models import (
    FraudSignal,
    Release,
    ReleaseEvent,
    ReleaseTransfer,
    TerminalContainerStatus,
)


@pytest.mark.django_db
def test_the_demo_seeds_a_few_hundred_releases_in_varied_states() -> None:
    seed_demo()
    access_demo.seed()
    gate.snapshot_reset()
    counts = demo.seed()
    gate.snapshot_reset()
    assert counts["releases"] == demo.RELEASES
    # And four released after their discharge was reported (four more wait).
    assert counts["discharged_before_release"] == 8
    assert Release.objects.count() == demo.RELEASES + 4
    assert TerminalContainerStatus.objects.count() == 4
    assert ReleaseEvent.objects.filter(details__before_release=True).count() == 8
    statuses = set(Release.objects.values_list("status", flat=True))
    assert {
        "active",
        "blocked",
        "withdrawn",
        "expired",
        "picked_up",
        "gated_out",
    } <= statuses
    assert set(Release.objects.values_list("light", flat=True)) >= {"green", "red"}
    assert set(ReleaseTransfer.objects.values_list("state", flat=True)) >= {
        "pending",
        "accepted",
        "denied",
    }
    assert counts["pickups"] > 0
    assert FraudSignal.objects.filter(kind="wrong_driver").exists()
    for username, _, _ in demo.ACCOUNTS:
        assert User.objects.filter(username=username).exists()
    agent = User.objects.get(username="agent.meridian")
    assert selectors.release_list_for_user(actor=agent).count() == demo.RELEASES + 4
    forwarder = User.objects.get(username="forwarder.brabo")
    assert 0 < selectors.release_list_for_user(actor=forwarder).count() < demo.RELEASES
    assert audit_verify().ok
