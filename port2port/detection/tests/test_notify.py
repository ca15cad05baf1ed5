"""On-call notifications of alerts by e-mail, SMS and webhook, and escalation."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from conftest import World
from port2port.core.models import AuditEntry, User
from port2port.detection import services
from port2port.detection.models import Alert, Notification, OnCallRule

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _addresses(alice: User, bob: User) -> None:
    for user in (alice, bob):
        user.email = f"{user.username}@portofantwerp.example"
        user.save(update_fields=["email"])


class _Recorder(BaseHTTPRequestHandler):
    received: list[tuple[str, dict[str, Any], str]] = []

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        body = json.loads(self.rfile.read(length))
        self.received.append((self.path, body, self.headers.get("Authorization", "")))
        self.send_response(500 if self.path == "/broken" else 202)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def http_server() -> Iterator[str]:
    """A local HTTP server that records what is posted to it."""
    _Recorder.received = []
    server = HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _alert(world: World, severity: str = "high", **values: Any) -> Alert:
    now = timezone.now()
    return services.alert_raise(
        port_id=world.antwerp.pk,
        rule_code="intrusion",
        title="Confirmed intrusion",
        severity=severity,
        dedup_key=f"intrusion:{severity}:{values.pop('key', '1')}",
        at=now,
        position=(4.25, 51.27),
        **values,
    )


def test_a_new_alert_goes_to_the_first_level_by_every_channel(
    world: World, alice: User, bob: User, http_server: str, settings: Any
) -> None:
    settings.DETECTION_SMS_GATEWAY_URL = f"{http_server}/sms"
    settings.DETECTION_SMS_GATEWAY_TOKEN = "gateway-secret"
    port = world.antwerp
    OnCallRule.objects.create(port=port, channel="email", user=bob)
    OnCallRule.objects.create(port=port, channel="sms", target="+32470000001")
    OnCallRule.objects.create(
        port=port, channel="webhook", target=f"{http_server}/hook"
    )
    OnCallRule.objects.create(port=port, channel="email", user=alice, level=1)
    alert = _alert(world)
    _alert(world, severity="low", key="2")  # below every rule's severity

    sent = services.alerts_notify()

    assert [(n.channel, n.succeeded, n.level) for n in sent] == [
        ("email", True, 0),
        ("sms", True, 0),
        ("webhook", True, 0),
    ]
    assert [m.to for m in mail.outbox] == [[bob.email]]
    assert mail.outbox[0].subject == "[High] Confirmed intrusion"
    (sms_path, sms, token), (hook_path, hook, _none) = _Recorder.received
    assert (sms_path, sms["to"], token) == (
        "/sms",
        "+32470000001",
        "Bearer gateway-secret",
    )
    assert sms["message"].startswith("[High] Confirmed intrusion\nPort: BEANR")
    assert (hook_path, hook["alert"]["id"], hook["level"]) == ("/hook", alert.pk, 0)
    assert AuditEntry.objects.filter(action="detection.alert.notify").count() == 3
    # Run again: nothing more until the escalation delay has passed.
    assert services.alerts_notify() == []


def test_an_unacknowledged_alert_escalates_to_the_next_level(
    world: World, alice: User, bob: User
) -> None:
    port = world.antwerp
    OnCallRule.objects.create(
        port=port, channel="email", user=bob, escalate_after_minutes=10
    )
    OnCallRule.objects.create(port=port, channel="email", user=alice, level=1)
    alert = _alert(world)
    start = timezone.now()
    services.alerts_notify(now=start)
    assert services.alerts_notify(now=start + dt.timedelta(minutes=9)) == []
    escalated = services.alerts_notify(now=start + dt.timedelta(minutes=10))
    assert [(n.level, n.target) for n in escalated] == [(1, alice.email)]
    assert [m.to for m in mail.outbox] == [[bob.email], [alice.email]]
    assert "Escalation level 1" in mail.outbox[1].body
    assert AuditEntry.objects.filter(action="detection.alert.escalate").count() == 1
    alert.refresh_from_db()
    assert (alert.notify_level, alert.notified_at) == (
        1,
        start + dt.timedelta(minutes=10),
    )
    # No level 2: nothing more, ever.
    assert services.alerts_notify(now=start + dt.timedelta(hours=1)) == []


def test_an_acknowledged_alert_does_not_escalate(
    world: World, alice: User, bob: User
) -> None:
    port = world.antwerp
    OnCallRule.objects.create(port=port, channel="email", user=bob)
    OnCallRule.objects.create(port=port, channel="email", user=alice, level=1)
    alert = _alert(world)
    services.alerts_notify()
    services.alert_acknowledge(actor=bob, alert=alert)
    with time_machine.travel(timezone.now() + dt.timedelta(hours=1)):
        assert services.alerts_notify() == []
    assert len(mail.outbox) == 1


def test_rules_of_another_zone_or_port_are_not_told(
    world: World, bob: User, charlie: User
) -> None:
    from port2port.core.tests.factories import ZoneFactory

    zone = ZoneFactory(port=world.antwerp)
    OnCallRule.objects.create(port=world.antwerp, zone=zone, channel="email", user=bob)
    OnCallRule.objects.create(port=world.ghent, channel="email", user=charlie)
    _alert(world)
    assert services.alerts_notify() == []
    _alert(world, key="in-zone", zone_id=zone.pk)
    assert [n.target for n in services.alerts_notify()] == [bob.email]


def test_a_failing_gateway_is_recorded(
    world: World, http_server: str, settings: Any
) -> None:
    settings.DETECTION_SMS_GATEWAY_URL = f"{http_server}/broken"
    OnCallRule.objects.create(port=world.antwerp, channel="sms", target="+3247")
    OnCallRule.objects.create(port=world.antwerp, channel="webhook", target="ftp://x")
    _alert(world)
    sent = services.alerts_notify()
    assert [(n.succeeded, n.error) for n in sent] == [
        (False, "HTTP Error 500: Internal Server Error"),
        (False, "Only http and https addresses are called."),
    ]
    assert Notification.objects.filter(succeeded=False).count() == 2


def test_administrators_keep_the_on_call_rules_in_the_admin(
    world: World, admin_user: User
) -> None:
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save(update_fields=["is_staff", "is_superuser"])
    admin_client_ = Client()
    admin_client_.force_login(admin_user)
    OnCallRule.objects.create(port=world.antwerp, channel="sms", target="+32470000009")
    listing = admin_client_.get("/admin/detection/oncallrule/")
    assert listing.status_code == 200
    assert b"+32470000009" in listing.content
    assert admin_client_.get("/admin/detection/oncallrule/add/").status_code == 200
    assert admin_client_.get("/admin/detection/notification/").status_code == 200
    assert admin_client_.get("/admin/detection/broadcast/").status_code == 200
