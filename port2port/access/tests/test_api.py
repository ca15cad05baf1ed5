from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from conftest import World
from port2port.access.models import AccessEvent, LateBanAlert, PortBan, PortPass, Visit
from port2port.access.tests.conftest import Gates
from port2port.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def post(client: Client, path: str, data: dict[str, Any], **headers: str) -> Any:
    return client.post(
        path,
        data=json.dumps(data, default=str),
        content_type="application/json",
        headers=headers,
    )


def decide(client: Client, token: str, point: int, **body: Any) -> Any:
    return post(
        client,
        f"/api/v1/access-points/{point}/decisions",
        body,
        Authorization=f"Bearer {token}",
    )


def test_holder_with_grant_is_let_in_and_the_decision_is_stored(
    client: Client, gates: Gates, gate_token: str, world: World
) -> None:
    response = decide(client, gate_token, gates.gate.pk, credential="P2P000000000001")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["allowed"] is True
    assert body["person_name"] == "Jan Peeters"
    assert body["via"] == "grant"
    event = AccessEvent.objects.get(pk=body["decision_id"])
    assert event.allowed is True
    assert event.person_id == world.driver.pk
    assert event.access_point_id == gates.gate.pk


def test_unknown_credential_is_a_deny_with_a_reason(
    client: Client, gates: Gates, gate_token: str
) -> None:
    response = decide(client, gate_token, gates.gate.pk, credential="NOPE")
    assert response.status_code == 200
    assert response.json()["allowed"] is False
    assert [r["code"] for r in response.json()["reasons"]] == ["UNKNOWN_CREDENTIAL"]
    assert AccessEvent.objects.get().reasons == "UNKNOWN_CREDENTIAL"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "credential"),
        ({"credential": "X", "biometric": "maybe"}, "biometric"),
        ({"credential": "X", "direction": "up"}, "direction"),
        ({"credential": "X", "extra": 1}, "extra"),
        ({"credential": ""}, "credential"),
    ],
)
def test_malformed_decision_requests_are_400_and_store_nothing(
    client: Client, gates: Gates, gate_token: str, body: dict[str, Any], field: str
) -> None:
    response = decide(client, gate_token, gates.gate.pk, **body)
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert AccessEvent.objects.count() == 0


def test_decisions_need_a_gate_token(
    client: Client, gates: Gates, haulier_token: tuple[Any, str]
) -> None:
    assert (
        decide(client, "p2p_bad_token", gates.gate.pk, credential="X").status_code
        == 401
    )
    response = decide(client, haulier_token[1], gates.gate.pk, credential="X")
    assert response.status_code == 403


def test_a_gate_token_cannot_decide_at_another_facility(
    client: Client, gates: Gates, gate_token: str
) -> None:
    response = decide(
        client, gate_token, gates.ghent_gate.pk, credential="P2P000000000001"
    )
    assert response.status_code == 404


def test_retry_with_the_same_idempotency_key_returns_the_stored_decision(
    client: Client, gates: Gates, gate_token: str
) -> None:
    headers = {"Authorization": f"Bearer {gate_token}", "Idempotency-Key": "req-1"}
    first = post(
        client,
        f"/api/v1/access-points/{gates.gate.pk}/decisions",
        {"credential": "P2P000000000001"},
        **headers,
    )
    again = post(
        client,
        f"/api/v1/access-points/{gates.gate.pk}/decisions",
        {"credential": "P2P000000000001"},
        **headers,
    )
    assert first.json()["decision_id"] == again.json()["decision_id"]
    assert AccessEvent.objects.count() == 1


def test_ban_issued_by_the_judge_denies_the_person_at_a_gate_of_another_port(
    client: Client,
    judge_client: Client,
    gates: Gates,
    ghent_gate_token: str,
    world: World,
) -> None:
    assert (
        decide(
            client, ghent_gate_token, gates.ghent_gate.pk, credential="P2P000000000001"
        ).json()["allowed"]
        is True
    )
    response = post(
        judge_client,
        "/api/v1/bans",
        {
            "person_id": world.driver.pk,
            "starts_on": str(timezone.localdate()),
            "ends_on": str(timezone.localdate() + dt.timedelta(days=3650)),
            "legal_reference": "AN.12.L3.2026/123",
        },
    )
    assert response.status_code == 201, response.json()

    denied = decide(
        client, ghent_gate_token, gates.ghent_gate.pk, credential="P2P000000000001"
    ).json()

    assert denied["allowed"] is False
    assert "PORT_BAN" in [r["code"] for r in denied["reasons"]]
    gates.driver_pass.refresh_from_db()
    assert gates.driver_pass.state == PortPass.State.SUSPENDED
    assert AuditEntry.objects.filter(action="ban.issue").count() == 1
    # Both facilities that had activated the pass are told of the late ban.
    assert set(LateBanAlert.objects.values_list("facility__code", flat=True)) == {
        "BEANR-0001",
        "BEGNE-0001",
    }


def test_only_a_judicial_authority_issues_bans(
    alice_client: Client, world: World
) -> None:
    response = post(
        alice_client,
        "/api/v1/bans",
        {
            "person_id": world.driver.pk,
            "starts_on": "2026-01-01",
            "ends_on": "2027-01-01",
            "legal_reference": "REF-1",
        },
    )
    assert response.status_code == 403
    assert PortBan.objects.count() == 0


def test_a_ban_lasts_at_most_twenty_years(judge_client: Client, world: World) -> None:
    response = post(
        judge_client,
        "/api/v1/bans",
        {
            "person_id": world.driver.pk,
            "starts_on": "2026-01-01",
            "ends_on": "2046-01-02",
            "legal_reference": "REF-1",
        },
    )
    assert response.status_code == 400
    assert "ends_on" in response.json()["error"]["fields"]


def test_offline_list_is_signed_with_ed25519(
    client: Client, gates: Gates, gate_token: str
) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from port2port.lib.canonical import canonical_json

    response = client.get(
        f"/api/v1/access-points/{gates.gate.pk}/offline-list",
        headers={"Authorization": f"Bearer {gate_token}"},
    )
    assert response.status_code == 200
    body = response.json()
    key = client.get(
        "/api/v1/gate/signing-key", headers={"Authorization": f"Bearer {gate_token}"}
    ).json()
    public = Ed25519PublicKey.from_public_bytes(base64.b64decode(key["public_key"]))
    public.verify(
        base64.b64decode(body["signature"]), canonical_json(body["list"]).encode()
    )
    assert [e["credential"] for e in body["list"]["allow"]] == ["P2P000000000001"]
    tampered = {**body["list"], "deny": [{"credential": "X", "reason": "PORT_BAN"}]}
    from cryptography.exceptions import InvalidSignature

    with pytest.raises(InvalidSignature):
        public.verify(
            base64.b64decode(body["signature"]), canonical_json(tampered).encode()
        )


def test_visit_is_approved_and_the_day_pass_opens_the_gate_only_in_its_window(
    client: Client,
    dave_client: Client,
    pfso_client: Client,
    gates: Gates,
    gate_token: str,
    world: World,
) -> None:
    from port2port.core.tests.factories import PersonFactory

    visitor = PersonFactory(
        first_name="Piet", last_name="Claes", employer=world.haulier
    )
    start = timezone.now() - dt.timedelta(minutes=5)
    created = post(
        dave_client,
        "/api/v1/visits",
        {
            "requester_id": world.haulier.pk,
            "facility_id": world.deurganck.pk,
            "zone_id": gates.zone.pk,
            "purpose": "delivery",
            "starts_at": start.isoformat(),
            "ends_at": (start + dt.timedelta(hours=2)).isoformat(),
            "visitor_ids": [visitor.pk],
        },
    )
    assert created.status_code == 201, created.json()
    visit_id = created.json()["id"]
    assert created.json()["visitors"][0]["screening"] == "clear"
    rejected_without_reason = post(
        pfso_client,
        f"/api/v1/visits/{visit_id}/decision",
        {"party": "terminal", "approve": False},
    )
    assert rejected_without_reason.status_code == 400
    approved = post(
        pfso_client,
        f"/api/v1/visits/{visit_id}/decision",
        {"party": "terminal", "approve": True},
    )
    assert approved.status_code == 200
    assert approved.json()["status"] == Visit.Status.APPROVED
    token = approved.json()["visitors"][0]["day_pass"]
    assert token

    inside = decide(client, gate_token, gates.gate.pk, credential=token).json()
    assert inside["allowed"] is True
    assert inside["via"] == "day_pass"

    import time_machine

    with time_machine.travel(start + dt.timedelta(hours=3)):
        from port2port.access import gate as gate_module

        gate_module.snapshot_reset()
        late = decide(client, gate_token, gates.gate.pk, credential=token).json()
    assert late["allowed"] is False
    assert [r["code"] for r in late["reasons"]] == ["VISIT_OUTSIDE_WINDOW", "VISITOR"]

    # A day after the visit the token itself has expired.
    with time_machine.travel(start + dt.timedelta(hours=2, days=1, seconds=1)):
        expired = decide(client, gate_token, gates.gate.pk, credential=token).json()
    assert expired["allowed"] is False
    assert [r["code"] for r in expired["reasons"]] == ["UNKNOWN_CREDENTIAL"]
    assert AccessEvent.objects.get(pk=expired["decision_id"]).credential == token[:64]

    forged = decide(
        client, gate_token, gates.gate.pk, credential=token[:-2] + "xx"
    ).json()
    assert forged["allowed"] is False
    assert [r["code"] for r in forged["reasons"]] == ["UNKNOWN_CREDENTIAL"]


def test_a_port_security_level_change_reaches_the_gate(
    client: Client, alice_client: Client, gates: Gates, gate_token: str
) -> None:
    assert decide(
        client, gate_token, gates.gate.pk, credential="P2P000000000001"
    ).json()["allowed"]
    response = post(
        alice_client,
        "/api/v1/ports/BEANR/security-level",
        {"level": 3, "reason": "Incident imminent"},
    )
    assert response.status_code == 200

    denied = decide(
        client, gate_token, gates.gate.pk, credential="P2P000000000001"
    ).json()

    assert denied["allowed"] is False
    assert [r["code"] for r in denied["reasons"]] == ["SECURITY_LEVEL"]


# Day passes, cancelled visits, late-ban alerts ---------------------------------------------


def _approved_visit(
    dave_client: Client, pfso_client: Client, gates: Gates, world: World, visitor: Any
) -> dict[str, Any]:
    start = timezone.now() - dt.timedelta(minutes=5)
    created = post(
        dave_client,
        "/api/v1/visits",
        {
            "requester_id": world.haulier.pk,
            "facility_id": world.deurganck.pk,
            "zone_id": gates.zone.pk,
            "purpose": "repair",
            "starts_at": start.isoformat(),
            "ends_at": (start + dt.timedelta(hours=2)).isoformat(),
            "visitor_ids": [visitor.pk],
        },
    )
    assert created.status_code == 201, created.json()
    approved = post(
        pfso_client,
        f"/api/v1/visits/{created.json()['id']}/decision",
        {"party": "terminal", "approve": True},
    )
    assert approved.status_code == 200, approved.json()
    return approved.json()


def test_the_token_in_the_day_pass_qr_code_opens_the_visit_s_gate_in_its_window(
    client: Client,
    dave_client: Client,
    pfso_client: Client,
    gates: Gates,
    gate_token: str,
    ghent_gate_token: str,
    world: World,
) -> None:
    import time_machine

    from port2port.access import gate as gate_module
    from port2port.core.tests.factories import PersonFactory
    from port2port.lib.tests.test_qr import qr_read

    visitor = PersonFactory(
        first_name="Els", last_name="Wouters", employer=world.haulier
    )
    visit = _approved_visit(dave_client, pfso_client, gates, world, visitor)

    response = dave_client.get(f"/api/v1/visits/{visit['id']}/day-passes/{visitor.pk}")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["person_name"] == "Els Wouters"
    assert (body["facility_id"], body["zone_id"]) == (world.deurganck.pk, gates.zone.pk)
    assert body["svg"].startswith("<svg ")
    token = qr_read(body["svg"])
    assert token == body["token"]

    inside = decide(client, gate_token, gates.gate.pk, credential=token).json()
    assert inside["allowed"] is True, inside
    assert (inside["person_name"], inside["via"]) == ("Els Wouters", "day_pass")
    elsewhere = decide(
        client, ghent_gate_token, gates.ghent_gate.pk, credential=token
    ).json()
    assert elsewhere["allowed"] is False
    assert "VISIT_WRONG_LOCATION" in [r["code"] for r in elsewhere["reasons"]]
    with time_machine.travel(dt.datetime.fromisoformat(visit["ends_at"])):
        gate_module.snapshot_reset()
        late = decide(client, gate_token, gates.gate.pk, credential=token).json()
    assert late["allowed"] is False
    assert [r["code"] for r in late["reasons"]] == ["VISIT_OUTSIDE_WINDOW", "VISITOR"]


@pytest.mark.parametrize("who", ["charlie_client", "bob_client"])
def test_a_day_pass_outside_the_caller_s_scope_is_404(
    request: pytest.FixtureRequest,
    dave_client: Client,
    pfso_client: Client,
    gates: Gates,
    world: World,
    who: str,
) -> None:
    from port2port.core.tests.factories import PersonFactory

    visitor = PersonFactory(employer=world.haulier)
    visit = _approved_visit(dave_client, pfso_client, gates, world, visitor)
    response = request.getfixturevalue(who).get(
        f"/api/v1/visits/{visit['id']}/day-passes/{visitor.pk}"
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    # A visitor with a port pass has no day pass.
    assert (
        pfso_client.get(
            f"/api/v1/visits/{visit['id']}/day-passes/{world.driver.pk}"
        ).status_code
        == 404
    )


def test_a_cancelled_visit_s_day_pass_stops_opening_the_gate(
    client: Client,
    dave_client: Client,
    pfso_client: Client,
    charlie_client: Client,
    gates: Gates,
    gate_token: str,
    world: World,
) -> None:
    from port2port.core.tests.factories import PersonFactory

    visitor = PersonFactory(employer=world.haulier)
    visit = _approved_visit(dave_client, pfso_client, gates, world, visitor)
    token = visit["visitors"][0]["day_pass"]
    assert decide(client, gate_token, gates.gate.pk, credential=token).json()["allowed"]
    path = f"/api/v1/visits/{visit['id']}/cancel"
    assert post(charlie_client, path, {}).status_code == 404
    assert post(dave_client, path, {"why": "x"}).status_code == 400

    cancelled = post(dave_client, path, {"reason": "The repair is postponed"})

    assert cancelled.status_code == 200, cancelled.json()
    assert cancelled.json()["status"] == Visit.Status.CANCELLED
    assert cancelled.json()["visitors"][0]["day_pass"] is None
    refused = decide(client, gate_token, gates.gate.pk, credential=token).json()
    assert refused["allowed"] is False
    assert [r["code"] for r in refused["reasons"]] == ["UNKNOWN_CREDENTIAL"]
    again = post(dave_client, path, {})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "conflict"
    assert AuditEntry.objects.filter(action="visit.cancel").count() == 1
    assert (
        dave_client.get(
            f"/api/v1/visits/{visit['id']}/day-passes/{visitor.pk}"
        ).status_code
        == 404
    )


def test_the_pfso_lists_and_acknowledges_late_ban_alerts(
    pfso_client: Client,
    charlie_client: Client,
    dave_client: Client,
    judge_client: Client,
    gates: Gates,
    world: World,
) -> None:
    post(
        judge_client,
        "/api/v1/bans",
        {
            "person_id": world.driver.pk,
            "starts_on": str(timezone.localdate()),
            "ends_on": str(timezone.localdate() + dt.timedelta(days=30)),
            "legal_reference": "AN.12.L3.2026/5",
        },
    )
    listed = pfso_client.get("/api/v1/late-ban-alerts").json()
    # The newest first; the Ghent facility's alerts are not the PFSO's.
    assert [(a["facility_id"], a["kind"]) for a in listed["items"]] == [
        (world.deurganck.pk, "pass"),
        (world.deurganck.pk, "grant"),
    ]
    alert = next(a for a in listed["items"] if a["kind"] == "pass")
    path = f"/api/v1/late-ban-alerts/{alert['id']}/acknowledge"
    assert post(charlie_client, path, {}).status_code == 404
    assert post(dave_client, path, {}).status_code == 404

    first = post(pfso_client, path, {})
    retry = post(pfso_client, path, {})

    assert first.status_code == retry.status_code == 200
    assert first.json()["acknowledged_by"] == "pfso"
    assert retry.json()["acknowledged_at"] == first.json()["acknowledged_at"]
    assert AuditEntry.objects.filter(action="late_ban_alert.acknowledge").count() == 1
    still_open = pfso_client.get("/api/v1/late-ban-alerts").json()["items"]
    assert [a["kind"] for a in still_open] == ["grant"]
    everything = pfso_client.get("/api/v1/late-ban-alerts?open=false").json()
    assert everything["count"] == 2


def test_the_shipping_agent_finds_and_approves_its_visits_through_the_api(
    dave_client: Client, pfso_client: Client, gates: Gates, world: World
) -> None:
    from conftest import _client_for, _member
    from port2port.core.tests.factories import OrganisationFactory

    agent = OrganisationFactory(
        name="Antwerp Shipping Agency", roles=["shipping_agent"], ports=[world.antwerp]
    )
    agent_client = _client_for(_member("agentadmin", agent, "company_admin"))
    start = timezone.now() + dt.timedelta(hours=1)
    created = post(
        dave_client,
        "/api/v1/visits",
        {
            "requester_id": world.haulier.pk,
            "facility_id": world.deurganck.pk,
            "purpose": "crew_change",
            "starts_at": start.isoformat(),
            "ends_at": (start + dt.timedelta(hours=2)).isoformat(),
            "visitor_ids": [world.driver.pk],
            "vessel_name": "MSC Anna",
            "agent_id": agent.pk,
        },
    ).json()
    assert created["agent_decision"] == "pending"

    waiting = agent_client.get(
        f"/api/v1/visits?waiting_for_me=true&agent={agent.pk}"
    ).json()
    assert [v["id"] for v in waiting["items"]] == [created["id"]]
    post(
        agent_client,
        f"/api/v1/visits/{created['id']}/decision",
        {"party": "agent", "approve": True},
    )
    done = post(
        pfso_client,
        f"/api/v1/visits/{created['id']}/decision",
        {"party": "terminal", "approve": True},
    ).json()
    assert (done["agent_decision"], done["status"]) == ("approved", "approved")


def test_the_openapi_document_lists_the_new_access_endpoints(client: Client) -> None:
    document = client.get("/api/v1/openapi.json").json()
    paths = document["paths"]
    error = {"$ref": "#/components/schemas/Error"}
    for path, method in [
        ("/api/v1/late-ban-alerts", "get"),
        ("/api/v1/late-ban-alerts/{alert_id}/acknowledge", "post"),
        ("/api/v1/visits/{visit_id}/cancel", "post"),
        ("/api/v1/visits/{visit_id}/day-passes/{person_id}", "get"),
    ]:
        responses = paths[path][method]["responses"]
        for status in ("400", "404"):
            assert responses[status]["content"]["application/json"]["schema"] == error
    day_pass = document["components"]["schemas"]["DayPassOut"]["properties"]
    assert {"token", "svg", "valid_from", "valid_until"} <= set(day_pass)


def test_a_refusal_is_answered_in_the_language_the_client_asks_for(
    dave_client: Client, pfso_client: Client, gates: Gates, world: World
) -> None:
    start = timezone.now() + dt.timedelta(hours=1)
    created = post(
        dave_client,
        "/api/v1/visits",
        {
            "requester_id": world.haulier.pk,
            "facility_id": world.deurganck.pk,
            "purpose": "meeting",
            "starts_at": start.isoformat(),
            "ends_at": (start + dt.timedelta(hours=1)).isoformat(),
            "visitor_ids": [world.driver.pk],
        },
    ).json()
    response = post(
        pfso_client,
        f"/api/v1/visits/{created['id']}/decision",
        {"party": "terminal", "approve": False},
        **{"Accept-Language": "fr"},
    )
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "invalid",
        "message": "Un refus doit être motivé.",
        "fields": {"reason": ["Un refus doit être motivé."]},
    }
