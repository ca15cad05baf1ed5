from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from port2port.core.models import AuditEntry
from port2port.release import services
from port2port.release.models import (
    FraudSignal,
    PickupAttempt,
    Release,
    ReleaseEvent,
    ReleaseTransfer,
    TerminalContainerStatus,
)
from port2port.release.tests.conftest import (
    CONTAINER,
    Chain,
    api,
    client_for,
    gate_headers,
    lights_green,
    ready_release,
    release_for,
    to_haulier,
)

pytestmark = pytest.mark.django_db


def _release_body(chain: Chain, **overrides: Any) -> dict[str, Any]:
    body = {
        "container_number": "csqu 305438-3",
        "bills_of_lading": ["MEDUAN123456", "MEDUAN123457"],
        "terminal_id": chain.world.deurganck.pk,
        "holder_id": chain.forwarder_org.pk,
        "valid_until": (timezone.now() + dt.timedelta(days=14)).isoformat(),
        "reference": "REL-2026-0001",
    }
    body.update(overrides)
    return body


def test_the_whole_chain_from_release_to_gate_out_through_the_api(
    chain: Chain,
) -> None:
    agent = client_for(chain.agent)
    forwarder = client_for(chain.forwarder)
    haulier = client_for(chain.haulier)
    terminal = client_for(chain.gate_operator)
    customs = client_for(chain.customs)
    gate = Client()

    # 1. The shipping agent releases the container to the forwarder.
    response = api(agent, "post", "/releases", _release_body(chain))
    assert response.status_code == 201, response.json()
    body = response.json()
    release_id = body["id"]
    assert body["container_number"] == CONTAINER
    assert body["holder"] == {"id": chain.forwarder_org.pk, "name": "Brabo Freight NV"}
    assert body["status"] == "active"
    assert body["lights"] == {
        "commercialRelease": "ok",
        "discharge": "notdischarged",
        "terminalRelease": "notreleased",
        "customs": "notreleased",
        "overall": "red",
    }

    # 2. The forwarder passes the right to the haulier, which accepts it.
    response = api(
        forwarder,
        "post",
        f"/releases/{release_id}/transfers",
        {"receiver_id": chain.world.haulier.pk},
    )
    assert response.status_code == 201, response.json()
    transfer_id = response.json()["id"]
    inbox = api(haulier, "get", "/releases/transfers?incoming=true").json()
    assert [t["id"] for t in inbox["items"]] == [transfer_id]
    response = api(haulier, "post", f"/releases/transfers/{transfer_id}/accept")
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "accepted"

    # 3. The haulier assigns its driver, the truck and a slot.
    response = api(
        haulier,
        "post",
        f"/releases/{release_id}/assignment",
        {
            "pass_number": chain.driver_pass.number,
            "plate": "1-ABC-123",
            "slot_from": (timezone.now() - dt.timedelta(hours=1)).isoformat(),
            "slot_until": (timezone.now() + dt.timedelta(hours=3)).isoformat(),
        },
    )
    assert response.status_code == 201, response.json()
    assert response.json()["driver_name"] == "Jan Peeters"
    assert response.json()["plate"] == "1ABC123"

    # 4. The terminal reports discharge and its release; customs releases.
    response = api(
        terminal,
        "post",
        f"/releases/{release_id}/terminal-status",
        {"discharged": True, "terminal_released": True},
    )
    assert response.status_code == 200, response.json()
    assert response.json()["lights"]["overall"] == "red"
    response = api(
        customs,
        "post",
        f"/releases/{release_id}/customs-status",
        {"status": "released"},
    )
    assert response.status_code == 200, response.json()
    assert response.json()["lights"] == {
        "commercialRelease": "ok",
        "discharge": "discharged",
        "terminalRelease": "released",
        "customs": "released",
        "overall": "green",
    }

    # 5. At the gate: the assigned driver, fingerprint matched, the assigned truck.
    check = {
        "container_number": CONTAINER,
        "credential": chain.driver_pass.number,
        "biometric": "match",
        "plate": "1ABC123",
    }
    response = api(gate, "post", "/releases/pickups", check, **gate_headers(chain))
    assert response.status_code == 200, response.json()
    answer = response.json()
    assert answer["allowed"] is True
    assert answer["reasons"] == []
    assert answer["release_id"] == release_id
    assert answer["person_name"] == "Jan Peeters"
    # The pick-up is single use.
    again = api(gate, "post", "/releases/pickups", check, **gate_headers(chain)).json()
    assert again["allowed"] is False
    assert [r["code"] for r in again["reasons"]] == ["ALREADY_PICKED_UP"]

    # 6. Gate-out ends the chain.
    response = api(
        gate, "post", f"/releases/{release_id}/gate-out", **gate_headers(chain)
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "gated_out"
    assert response.json()["lights"]["customs"] == "gateoutreceived"
    release = Release.objects.get(pk=release_id)
    assert release.closed_at is not None
    assert release.holder_id == chain.world.haulier.pk

    timeline = api(agent, "get", f"/releases/{release_id}/timeline").json()
    kinds = [e["kind"] for e in timeline["events"]]
    assert kinds == [
        "created",
        "transfer_requested",
        "transfer_accepted",
        "driver_assigned",
        "discharged",
        "terminal_released",
        "light_changed",
        "light_changed",
        "customs_status",
        "light_changed",
        "light_changed",
        "pickup_allowed",
        "pickup_refused",
        "gated_out",
        "light_changed",
    ]
    assert timeline["events"][2]["organisation_name"] == "Scheldt Haulage BV"
    assert list(
        AuditEntry.objects.filter(
            object_type="release.release", object_id=str(release_id)
        )
        .order_by("seq")
        .values_list("action", flat=True)
    ) == [
        "release.create",
        "release.transfer",
        "release.transfer_accepted",
        "release.assign",
        "release.terminal_status",
        "release.customs_status",
        "release.pickup_allowed",
        "release.pickup_refused",
        "release.gate_out",
    ]


def test_bulk_release_creates_every_row_or_none(chain: Chain) -> None:
    agent = client_for(chain.agent)
    rows = [
        _release_body(chain, container_number=number, reference=f"BULK-{i}")
        for i, number in enumerate(["CSQU3054383", "MWCU6059784", "MSCU1234566"])
    ]
    response = api(agent, "post", "/releases/bulk", {"releases": rows})
    assert response.status_code == 201, response.json()
    assert response.json()["created"] == 3
    assert Release.objects.count() == 3
    assert ReleaseEvent.objects.filter(kind="created").count() == 3
    entry = AuditEntry.objects.get(action="release.create_bulk")
    assert entry.object_repr == "3 releases"

    bad = [
        _release_body(chain, container_number="TGHU9876542", reference="B-1"),
        _release_body(chain, container_number="TGHU9876543", reference="B-2"),
    ]
    response = api(agent, "post", "/releases/bulk", {"releases": bad})
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["releases.1.container_number"]
    assert Release.objects.count() == 3


def test_a_container_with_a_live_release_cannot_be_released_again(
    chain: Chain,
) -> None:
    agent = client_for(chain.agent)
    assert api(agent, "post", "/releases", _release_body(chain)).status_code == 201
    response = api(
        agent, "post", "/releases", _release_body(chain, reference="REL-OTHER")
    )
    assert response.status_code == 409
    assert response.json()["error"]["fields"] == {
        "container_number": ["The container already has a live release."]
    }


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"container_number": "CSQU3054384"}, "container_number"),
        ({"bills_of_lading": []}, "bills_of_lading"),
        ({"valid_until": "2020-01-01T00:00:00+00:00"}, "valid_until"),
        ({"valid_until": "2030-01-01T00:00:00"}, "valid_until"),
        ({"terminal_id": 999999}, "terminal_id"),
        ({"holder_id": 999999}, "holder_id"),
        ({"colour": "blue"}, "colour"),
        ({"reference": "x" * 36}, "reference"),
    ],
)
def test_invalid_releases_are_400_with_the_field_and_change_nothing(
    chain: Chain, overrides: dict[str, Any], field: str
) -> None:
    response = api(
        client_for(chain.agent), "post", "/releases", _release_body(chain, **overrides)
    )
    assert response.status_code == 400, response.json()
    assert field in response.json()["error"]["fields"]
    assert Release.objects.count() == 0


def test_the_release_right_goes_only_to_a_release_party(chain: Chain) -> None:
    response = api(
        client_for(chain.agent),
        "post",
        "/releases",
        _release_body(chain, holder_id=chain.customs_org.pk),
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "holder_id": ["The release right goes to a forwarder or a transport operator."]
    }


def test_only_a_shipping_agent_releases(chain: Chain) -> None:
    response = api(
        client_for(chain.forwarder),
        "post",
        "/releases",
        _release_body(chain, agent_id=chain.forwarder_org.pk),
    )
    assert response.status_code == 403
    assert Release.objects.count() == 0


def test_revoke_before_acceptance_keeps_the_right_with_the_sender(
    chain: Chain,
) -> None:
    release = release_for(chain)
    forwarder = client_for(chain.forwarder)
    transfer = api(
        forwarder,
        "post",
        f"/releases/{release.pk}/transfers",
        {"receiver_id": chain.world.haulier.pk},
    ).json()
    response = api(forwarder, "post", f"/releases/transfers/{transfer['id']}/revoke")
    assert response.status_code == 200
    assert response.json()["state"] == "revoked"
    # The receiver can no longer accept it.
    response = api(
        client_for(chain.haulier),
        "post",
        f"/releases/transfers/{transfer['id']}/accept",
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "transfer_revoked"
    release.refresh_from_db()
    assert release.holder_id == chain.forwarder_org.pk


def test_revoke_after_acceptance_is_refused(chain: Chain) -> None:
    release = release_for(chain)
    forwarder = client_for(chain.forwarder)
    transfer = api(
        forwarder,
        "post",
        f"/releases/{release.pk}/transfers",
        {"receiver_id": chain.world.haulier.pk},
    ).json()
    api(
        client_for(chain.haulier),
        "post",
        f"/releases/transfers/{transfer['id']}/accept",
    )
    response = api(forwarder, "post", f"/releases/transfers/{transfer['id']}/revoke")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "transfer_accepted"
    release.refresh_from_db()
    assert release.holder_id == chain.world.haulier.pk
    # The former holder can no longer pass the right on.
    response = api(
        forwarder,
        "post",
        f"/releases/{release.pk}/transfers",
        {"receiver_id": chain.other_haulier.pk},
    )
    assert response.status_code == 403


def test_a_denied_transfer_leaves_the_right_with_the_sender(chain: Chain) -> None:
    release = release_for(chain)
    transfer = api(
        client_for(chain.forwarder),
        "post",
        f"/releases/{release.pk}/transfers",
        {"receiver_id": chain.world.haulier.pk},
    ).json()
    response = api(
        client_for(chain.haulier),
        "post",
        f"/releases/transfers/{transfer['id']}/deny",
        {"reason": "Not our customer"},
    )
    assert response.status_code == 200
    assert response.json()["state"] == "denied"
    assert response.json()["reason"] == "Not our customer"
    release.refresh_from_db()
    assert release.holder_id == chain.forwarder_org.pk


def test_only_one_transfer_waits_at_a_time(chain: Chain) -> None:
    release = release_for(chain)
    forwarder = client_for(chain.forwarder)
    path = f"/releases/{release.pk}/transfers"
    assert (
        api(
            forwarder, "post", path, {"receiver_id": chain.world.haulier.pk}
        ).status_code
        == 201
    )
    response = api(forwarder, "post", path, {"receiver_id": chain.other_haulier.pk})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "transfer_pending"
    assert ReleaseTransfer.objects.count() == 1


def test_only_a_transport_operator_assigns_a_driver(chain: Chain) -> None:
    release = release_for(chain)
    response = api(
        client_for(chain.forwarder),
        "post",
        f"/releases/{release.pk}/assignment",
        {"pass_number": chain.driver_pass.number},
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "not_transport_operator"


def test_a_driver_is_assigned_by_an_active_pass(chain: Chain) -> None:
    release = to_haulier(chain, release_for(chain))
    response = api(
        client_for(chain.haulier),
        "post",
        f"/releases/{release.pk}/assignment",
        {"pass_number": "P2P999999999999"},
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "pass_number": ["No active port pass has this number."]
    }


def test_block_after_assignment_stops_the_pickup_until_unblocked(
    chain: Chain,
) -> None:
    release = ready_release(chain)
    agent = client_for(chain.agent)
    response = api(
        agent, "post", f"/releases/{release.pk}/block", {"reason": "Payment missing"}
    )
    assert response.status_code == 200
    assert response.json()["lights"]["commercialRelease"] == "blocked"
    assert response.json()["lights"]["overall"] == "red"
    check = {
        "container_number": CONTAINER,
        "credential": chain.driver_pass.number,
        "biometric": "match",
    }
    answer = api(Client(), "post", "/releases/pickups", check, **gate_headers(chain))
    assert [r["code"] for r in answer.json()["reasons"]] == ["RELEASE_BLOCKED"]
    signal = FraudSignal.objects.get()
    assert signal.kind == "blocked_release"
    assert signal.release_id == release.pk
    # The assignment survived the block.
    assert api(agent, "post", f"/releases/{release.pk}/unblock").status_code == 200
    answer = api(Client(), "post", "/releases/pickups", check, **gate_headers(chain))
    assert answer.json()["allowed"] is True


def test_the_terminal_can_override_a_refusal_with_a_reason(chain: Chain) -> None:
    release = ready_release(chain)
    services_check = {
        "container_number": CONTAINER,
        "credential": chain.driver_pass.number,
        "biometric": "not_checked",
    }
    refused = api(
        Client(), "post", "/releases/pickups", services_check, **gate_headers(chain)
    ).json()
    assert [r["code"] for r in refused["reasons"]] == ["BIOMETRIC_REQUIRED"]
    path = f"/releases/pickups/{refused['attempt_id']}/override"
    short = api(
        Client(),
        "post",
        path,
        {"decision": "allow", "reason": "ok"},
        **gate_headers(chain),
    )
    assert short.status_code == 400
    response = api(
        Client(),
        "post",
        path,
        {"decision": "allow", "reason": "Fingerprint reader broken; ID card checked."},
        **gate_headers(chain),
    )
    assert response.status_code == 201, response.json()
    assert response.json()["refused_for"] == ["BIOMETRIC_REQUIRED"]
    release.refresh_from_db()
    assert release.status == "picked_up"
    # Police read the override in the timeline.
    timeline = api(client_for(chain.police), "get", f"/releases/{release.pk}/timeline")
    assert timeline.status_code == 200
    assert [o["reason"] for o in timeline.json()["overrides"]] == [
        "Fingerprint reader broken; ID card checked."
    ]
    assert AuditEntry.objects.filter(action="release.override").count() == 1


def test_a_gate_token_without_the_decide_permission_is_refused(chain: Chain) -> None:
    from port2port.core import services as core_services

    _, secret = core_services.api_token_create(
        actor=chain.terminal_admin,
        organisation=chain.world.terminal_operator,
        facility=chain.world.deurganck,
        name="Read only",
        permissions=["registry:read"],
    )
    response = api(
        Client(),
        "post",
        "/releases/pickups",
        {"container_number": CONTAINER, "credential": "P2P000000000001"},
        Authorization=f"Bearer {secret}",
    )
    assert response.status_code == 403
    assert PickupAttempt.objects.count() == 0


def test_a_retried_pickup_check_returns_the_stored_answer(chain: Chain) -> None:
    ready_release(chain)
    check = {
        "container_number": CONTAINER,
        "credential": chain.driver_pass.number,
        "biometric": "match",
    }
    headers = {**gate_headers(chain), "Idempotency-Key": "gate-7-000123"}
    first = api(Client(), "post", "/releases/pickups", check, **headers).json()
    second = api(Client(), "post", "/releases/pickups", check, **headers).json()
    assert first["allowed"] is True
    assert second == first
    assert PickupAttempt.objects.count() == 1


# Scoping ---------------------------------------------------------------------------------


def test_another_organisation_gets_404_for_everything_of_the_chain(
    chain: Chain, charlie_client: Client
) -> None:
    release = release_for(chain)
    transfer = api(
        client_for(chain.forwarder),
        "post",
        f"/releases/{release.pk}/transfers",
        {"receiver_id": chain.world.haulier.pk},
    ).json()
    for client in (client_for(chain.outsider), charlie_client):
        assert api(client, "get", f"/releases/{release.pk}").status_code == 404
        assert api(client, "get", f"/releases/{release.pk}/timeline").status_code == 404
        assert (
            api(
                client, "post", f"/releases/{release.pk}/block", {"reason": "spite"}
            ).status_code
            == 404
        )
        assert (
            api(
                client, "post", f"/releases/transfers/{transfer['id']}/accept"
            ).status_code
            == 404
        )
        assert api(client, "get", "/releases").json()["count"] == 0


def test_a_party_that_is_not_the_agent_may_read_but_not_block(chain: Chain) -> None:
    release = release_for(chain)
    forwarder = client_for(chain.forwarder)
    assert api(forwarder, "get", f"/releases/{release.pk}").status_code == 200
    response = api(
        forwarder, "post", f"/releases/{release.pk}/block", {"reason": "not paid"}
    )
    assert response.status_code == 403


def test_police_and_customs_read_the_timelines_of_their_port(chain: Chain) -> None:
    release = release_for(chain)
    for user in (chain.police, chain.customs):
        response = api(client_for(user), "get", f"/releases/{release.pk}/timeline")
        assert response.status_code == 200
        assert [e["kind"] for e in response.json()["events"]] == ["created"]


def test_only_customs_reports_the_customs_status(chain: Chain) -> None:
    release = release_for(chain)
    response = api(
        client_for(chain.police),
        "post",
        f"/releases/{release.pk}/customs-status",
        {"status": "released"},
    )
    assert response.status_code == 403


def test_the_terminal_of_another_release_cannot_report_for_it(chain: Chain) -> None:
    release = release_for(chain)
    release.terminal = chain.world.kluizendok
    release.save()
    response = api(
        client_for(chain.gate_operator),
        "post",
        f"/releases/{release.pk}/terminal-status",
        {"discharged": True},
    )
    assert response.status_code == 404


def _report_early(chain: Chain, **body: Any) -> Any:
    return api(
        client_for(chain.gate_operator),
        "post",
        "/releases/terminal-status",
        {"terminal_id": chain.world.deurganck.pk, **body},
    )


def test_a_discharge_reported_before_the_release_is_carried_onto_it(
    chain: Chain,
) -> None:
    response = _report_early(chain, container_number=CONTAINER.lower(), discharged=True)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body == {
        "container_number": CONTAINER,
        "release_id": None,
        "recorded_before_release": True,
        "discharged": True,
        "terminal_released": False,
    }
    assert AuditEntry.objects.filter(
        action="release.terminal_status_before_release"
    ).exists()
    assert _report_early(
        chain, container_number=CONTAINER, terminal_released=True
    ).json()["terminal_released"]

    release = release_for(chain)
    assert release.discharged_at is not None
    assert release.terminal_released_at is not None
    lights = release.lights(now=timezone.now()).values()
    assert lights["discharge"] == "discharged"
    assert lights["terminalRelease"] == "released"
    # Customs alone stands between this container and the gate.
    release = lights_green(chain, to_haulier(chain, release))
    assert release.light == "green"
    kinds = set(
        ReleaseEvent.objects.filter(release=release).values_list("kind", flat=True)
    )
    assert {"created", "discharged", "terminal_released"} <= kinds
    early = ReleaseEvent.objects.get(release=release, kind="discharged")
    assert early.details["before_release"] is True
    # As the terminal reported it: its time (before the release) and its reporter.
    created = ReleaseEvent.objects.get(release=release, kind="created")
    assert early.at < created.at
    assert early.actor_label == chain.gate_operator.username
    # Carried once: now the report is the release's own.
    response = _report_early(chain, container_number=CONTAINER, discharged=False)
    assert response.json()["release_id"] == release.pk
    assert response.json()["recorded_before_release"] is False
    release.refresh_from_db()
    assert release.discharged_at is None


def test_a_report_before_the_release_stays_with_its_terminal(chain: Chain) -> None:
    _report_early(chain, container_number=CONTAINER, discharged=True)
    release = services.release_create(
        actor=chain.agent,
        agent=chain.agent_org,
        container_number=CONTAINER,
        terminal=chain.world.kluizendok,
        holder=chain.forwarder_org,
        valid_until=timezone.now() + dt.timedelta(days=5),
        bills_of_lading=["MEDUAN123456"],
    )
    assert release.discharged_at is None


def test_an_early_report_taken_back_leaves_nothing_to_carry(chain: Chain) -> None:
    _report_early(chain, container_number=CONTAINER, discharged=True)
    answer = _report_early(chain, container_number=CONTAINER, discharged=False)
    assert answer.json()["recorded_before_release"] is True
    assert answer.json()["discharged"] is False
    assert not TerminalContainerStatus.objects.exists()
    assert (
        AuditEntry.objects.filter(
            action="release.terminal_status_before_release"
        ).count()
        == 2
    )
    release = release_for(chain)
    assert release.discharged_at is None
    assert not ReleaseEvent.objects.filter(release=release, kind="discharged").exists()


def test_an_early_report_is_validated_and_scoped(chain: Chain) -> None:
    bad = _report_early(chain, container_number="MSCU1234567", discharged=True)
    assert bad.status_code == 400
    assert "container_number" in bad.json()["error"]["fields"]
    empty = _report_early(chain, container_number=CONTAINER)
    assert empty.status_code == 400
    outsider = api(
        client_for(chain.outsider),
        "post",
        "/releases/terminal-status",
        {
            "terminal_id": chain.world.deurganck.pk,
            "container_number": CONTAINER,
            "discharged": True,
        },
    )
    assert outsider.status_code == 404
    assert not TerminalContainerStatus.objects.exists()


def test_the_openapi_document_lists_the_release_routes(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    paths = set(schema["paths"])
    assert {
        "/api/v1/releases",
        "/api/v1/releases/bulk",
        "/api/v1/releases/coreor",
        "/api/v1/releases/pickups",
        "/api/v1/releases/terminal-status",
        "/api/v1/releases/{release_id}/timeline",
        "/api/v1/releases/transfers/{transfer_id}/accept",
        "/api/v1/releases/webhooks",
    } <= paths
