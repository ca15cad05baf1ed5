"""The hub's API: validation, the one error shape, 404 outside scope, import and export."""

from __future__ import annotations

import json

from django.test import Client

from conftest import World, _client_for
from port2port.core.models import User
from port2port.sharing.tests.conftest import Hub, bulletin_make

BODY = {
    "title": "Cloned plates",
    "text": "Trucks with cloned plates.",
    "tlp": "amber",
    "distribution": "port",
    "port": "BEGNE",
    "indicators": [{"kind": "plate", "value": "1-XYZ-789"}],
}


def _post(client: Client, url: str, body: object) -> object:
    return client.post(url, json.dumps(body), content_type="application/json")


def test_a_bulletin_is_created_read_and_exported(
    world: World, hub: Hub, alice_client: Client, charlie_client: Client
) -> None:
    created = _post(alice_client, "/api/v1/sharing/bulletins", BODY)
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    detail = charlie_client.get(f"/api/v1/sharing/bulletins/{pk}").json()
    assert detail["indicators"][0]["value"] == "1XYZ789"
    stix = charlie_client.get(
        f"/api/v1/sharing/bulletins/{pk}/export?format=stix"
    ).json()
    assert stix["type"] == "bundle"
    assert (
        charlie_client.get(f"/api/v1/sharing/bulletins/{pk}/receipts").status_code
        == 404
    )
    receipts = alice_client.get(f"/api/v1/sharing/bulletins/{pk}/receipts").json()
    assert [r["user"] for r in receipts] == ["charlie"]


def test_invalid_input_answers_the_one_error_shape(
    world: World, hub: Hub, alice_client: Client
) -> None:
    response = _post(
        alice_client,
        "/api/v1/sharing/bulletins",
        {**BODY, "indicators": [{"kind": "container", "value": "CSQU3054384"}]},
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert list(response.json()["error"]["fields"]) == ["indicators"]
    extra = _post(alice_client, "/api/v1/sharing/bulletins", {**BODY, "colour": "red"})
    assert extra.status_code == 400


def test_a_bulletin_outside_scope_is_404(
    world: World, hub: Hub, alice: User, dave: User
) -> None:
    bulletin = bulletin_make(alice, distribution="port", port=world.ghent)
    response = _client_for(dave).get(f"/api/v1/sharing/bulletins/{bulletin.pk}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_misp_event_is_imported(
    world: World, hub: Hub, alice: User, charlie_client: Client
) -> None:
    from port2port.sharing import interchange

    original = bulletin_make(alice)
    document = interchange.misp_export(original)
    document["Event"]["uuid"] = "6f1f2f3a-0000-4000-8000-000000000001"
    imported = _post(
        charlie_client,
        "/api/v1/sharing/bulletins/import",
        {"document": document, "distribution": "organisation"},
    )
    assert imported.status_code == 201, imported.content
    assert imported.json()["uuid"] == "6f1f2f3a-0000-4000-8000-000000000001"
    assert imported.json()["owner"] == "North Sea Port"
