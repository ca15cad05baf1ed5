"""Webhook notifications: signed, retried with backoff, harmless when repeated."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from port2port.release import services
from port2port.release.models import WebhookDelivery
from port2port.release.signing import (
    backoff_seconds,
    signature_header,
    signature_verify,
)
from port2port.release.tests.conftest import (
    CONTAINER,
    Chain,
    api,
    client_for,
    release_for,
)

pytestmark = pytest.mark.django_db


class Receiver:
    """A local HTTP endpoint that answers with the next status of ``statuses``."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses
        self.requests: list[dict[str, Any]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                body = self.rfile.read(length)
                receiver.requests.append({"headers": dict(self.headers), "body": body})
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/p2p"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver([])
    receiver.thread.start()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


def _subscribe(
    chain: Chain, receiver: Receiver, events: list[str] | None = None
) -> str:
    response = api(
        client_for(chain.terminal_admin),
        "post",
        "/releases/webhooks",
        {"url": receiver.url, "events": events or ["ReleaseLightChanged"]},
    )
    assert response.status_code == 201, response.json()
    secret = response.json()["secret"]
    assert secret.startswith("whsec_")
    return str(secret)


def test_a_light_change_is_pushed_signed_in_the_release_light_changed_shape(
    chain: Chain, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    release = release_for(chain)
    secret = _subscribe(chain, receiver)
    with django_capture_on_commit_callbacks(execute=True):
        services.release_terminal_report(
            actor=chain.gate_operator, release=release, discharged=True
        )
    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    body = request["body"]
    headers = request["headers"]
    assert signature_verify(
        secret=secret,
        body=body,
        header=headers["Port2Port-Signature"],
        now=int(timezone.now().timestamp()),
    )
    payload = json.loads(body)
    assert headers["Port2Port-Event"] == "ReleaseLightChanged"
    assert headers["Port2Port-Event-Id"] == payload["eventId"]
    assert payload["event"] == "ReleaseLightChanged"
    assert payload["greenLightName"] == "discharge"
    assert payload["originalValue"] == "notdischarged"
    assert payload["newValue"] == "discharged"
    assert payload["equipmentNumber"] == CONTAINER
    assert payload["portLoCode"] == "BEANR"
    assert payload["terminalCode"] == "BEANR-0001"
    assert payload["billOfLadingNumbers"] == ["MEDUAN123456"]
    assert payload["releaseId"] == release.pk
    assert payload["publicReferenceId"] == str(release.public_id)
    assert payload["carrier"]["name"] == "Meridian Liner Agency NV"
    assert set(payload) == {
        "eventId",
        "event",
        "occurredAtUtc",
        "publicReferenceId",
        "releaseId",
        "releaseIdentification",
        "carrier",
        "terminalCode",
        "portLoCode",
        "equipmentNumber",
        "billOfLadingNumbers",
        "greenLightName",
        "originalValue",
        "newValue",
        "releaseDateTimeUtc",
        "expirationDateTimeUtc",
    }
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "delivered"
    assert delivery.attempts == 1
    assert delivery.last_status_code == 200


def test_a_failed_delivery_is_retried_with_backoff_and_the_same_event_id(
    chain: Chain, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    release = release_for(chain)
    secret = _subscribe(chain, receiver)
    receiver.statuses = [503, 500]
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            services.release_terminal_report(
                actor=chain.gate_operator, release=release, discharged=True
            )
        delivery = WebhookDelivery.objects.get()
        assert delivery.state == "pending"
        assert delivery.attempts == 1
        assert delivery.last_status_code == 503
        assert delivery.next_attempt_at == start + dt.timedelta(seconds=30)
        # Not due yet: nothing is sent.
        assert services.webhook_retry_due() == 0
    with time_machine.travel(start + dt.timedelta(seconds=31), tick=False):
        assert services.webhook_retry_due() == 1
        delivery.refresh_from_db()
        assert delivery.attempts == 2
        assert delivery.next_attempt_at == start + dt.timedelta(seconds=31 + 60)
    with time_machine.travel(start + dt.timedelta(seconds=92), tick=False):
        assert services.webhook_retry_due() == 1
    delivery.refresh_from_db()
    assert delivery.state == "delivered"
    assert delivery.attempts == 3
    event_ids = {r["headers"]["Port2Port-Event-Id"] for r in receiver.requests}
    assert event_ids == {str(delivery.event_id)}
    for request in receiver.requests:
        assert signature_verify(
            secret=secret,
            body=request["body"],
            header=request["headers"]["Port2Port-Signature"],
            now=int(timezone.now().timestamp()),
            tolerance=3600,
        )


def test_a_delivery_gives_up_after_the_last_attempt(
    chain: Chain,
    receiver: Receiver,
    django_capture_on_commit_callbacks: Any,
    settings: Any,
) -> None:
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    release = release_for(chain)
    _subscribe(chain, receiver)
    receiver.statuses = [500, 500, 500]
    with django_capture_on_commit_callbacks(execute=True):
        services.release_terminal_report(
            actor=chain.gate_operator, release=release, discharged=True
        )
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=5)):
        services.webhook_retry_due()
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "failed"
    assert delivery.attempts == 2
    assert delivery.next_attempt_at is None
    assert len(receiver.requests) == 2


def test_a_delivered_event_is_not_sent_again(
    chain: Chain, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    release = release_for(chain)
    _subscribe(chain, receiver)
    with django_capture_on_commit_callbacks(execute=True):
        services.release_terminal_report(
            actor=chain.gate_operator, release=release, discharged=True
        )
    delivery = WebhookDelivery.objects.get()
    assert services.webhook_delivery_attempt(delivery_id=delivery.pk) is None
    assert len(receiver.requests) == 1


def test_transfers_are_pushed_to_both_parties(
    chain: Chain, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    release = release_for(chain)
    response = api(
        client_for(chain.haulier),
        "post",
        "/releases/webhooks",
        {"url": receiver.url, "events": ["ReleaseTransferRequested"]},
    )
    assert response.status_code == 201
    with django_capture_on_commit_callbacks(execute=True):
        services.transfer_create(
            actor=chain.forwarder, release=release, receiver=chain.world.haulier
        )
    payload = json.loads(receiver.requests[0]["body"])
    assert payload["event"] == "ReleaseTransferRequested"
    assert payload["transfer"]["to"]["name"] == "Scheldt Haulage BV"
    assert payload["transfer"]["from"]["name"] == "Brabo Freight NV"


def test_the_deliveries_are_listed_for_the_subscriber_only(
    chain: Chain, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    release = release_for(chain)
    _subscribe(chain, receiver)
    with django_capture_on_commit_callbacks(execute=True):
        services.release_terminal_report(
            actor=chain.gate_operator, release=release, discharged=True
        )
    mine = api(client_for(chain.terminal_admin), "get", "/releases/webhooks/deliveries")
    assert [d["state"] for d in mine.json()["items"]] == ["delivered"]
    theirs = api(client_for(chain.agent), "get", "/releases/webhooks/deliveries")
    assert theirs.json()["count"] == 0


@pytest.mark.parametrize(
    "url", ["ftp://example.com/hook", "https://user:pw@example.com/hook", "not a url"]
)
def test_a_subscription_needs_an_https_address(chain: Chain, url: str) -> None:
    response = api(
        client_for(chain.terminal_admin),
        "post",
        "/releases/webhooks",
        {"url": url},
    )
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["url"]


def test_private_addresses_are_refused_outside_demonstrations(
    chain: Chain,
    receiver: Receiver,
    django_capture_on_commit_callbacks: Any,
    settings: Any,
) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE = False
    release = release_for(chain)
    _subscribe(chain, receiver)
    with django_capture_on_commit_callbacks(execute=True):
        services.release_terminal_report(
            actor=chain.gate_operator, release=release, discharged=True
        )
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "pending"
    assert "not a public one" in delivery.last_error
    assert receiver.requests == []


def test_only_an_administrator_subscribes(chain: Chain, receiver: Receiver) -> None:
    response = api(
        client_for(chain.forwarder),
        "post",
        "/releases/webhooks",
        {"url": receiver.url, "organisation_id": chain.forwarder_org.pk},
    )
    assert response.status_code == 403


def test_unsubscribing_stops_the_deliveries(chain: Chain, receiver: Receiver) -> None:
    client = client_for(chain.terminal_admin)
    created = api(client, "post", "/releases/webhooks", {"url": receiver.url}).json()
    response = api(client, "delete", f"/releases/webhooks/{created['id']}")
    assert response.status_code == 200
    assert response.json()["active"] is False
    assert api(Client(), "get", "/releases/webhooks").status_code == 401


# Signing alone -------------------------------------------------------------------------


def test_a_signature_fails_for_another_body_secret_or_an_old_time() -> None:
    body = b'{"event":"ReleaseLightChanged"}'
    header = signature_header(secret="whsec_a", body=body, timestamp=1_767_225_600)
    assert signature_verify(
        secret="whsec_a", body=body, header=header, now=1_767_225_660
    )
    assert not signature_verify(
        secret="whsec_a", body=body + b" ", header=header, now=1_767_225_660
    )
    assert not signature_verify(
        secret="whsec_b", body=body, header=header, now=1_767_225_660
    )
    assert not signature_verify(
        secret="whsec_a", body=body, header=header, now=1_767_225_600 + 301
    )
    assert not signature_verify(secret="whsec_a", body=body, header="v1=abc", now=0)


def test_the_backoff_doubles_up_to_its_cap() -> None:
    delays = [backoff_seconds(n, base=30, cap=3600) for n in range(1, 10)]
    assert delays == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]
