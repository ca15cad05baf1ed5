from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from conftest import World
from port2port.core.models import (
    ApiToken,
    AuditEntry,
    Facility,
    Organisation,
    Person,
    Vehicle,
)

pytestmark = pytest.mark.django_db

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[4.26, 51.29], [4.27, 51.29], [4.27, 51.3], [4.26, 51.29]]],
}


def post(client: Client, path: str, data: dict[str, Any], **headers: str) -> Any:
    return client.post(
        path, data=json.dumps(data), content_type="application/json", headers=headers
    )


def patch(client: Client, path: str, data: dict[str, Any]) -> Any:
    return client.patch(path, data=json.dumps(data), content_type="application/json")


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


# Authentication -----------------------------------------------------------------


def test_anonymous_callers_get_401_in_the_error_shape(
    client: Client, world: World
) -> None:
    response = client.get("/api/v1/facilities")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"
    assert set(response.json()["error"]) == {"code", "message", "fields"}


def test_token_authenticates_and_records_last_use(
    client: Client, haulier_token: tuple[ApiToken, str]
) -> None:
    token, secret = haulier_token
    response = client.get("/api/v1/me", headers=bearer(secret))
    assert response.status_code == 200
    assert response.json()["kind"] == "token"
    assert response.json()["name"] == f"token:{token.prefix}"
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_revoked_token_is_refused(
    client: Client, dave_client: Client, haulier_token: tuple[ApiToken, str]
) -> None:
    token, secret = haulier_token
    response = dave_client.delete(f"/api/v1/tokens/{token.pk}")
    assert response.status_code == 200
    assert response.json()["revoked_at"] is not None
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 401
    assert (
        AuditEntry.objects.filter(
            action="api_token.revoke", object_id=str(token.pk)
        ).count()
        == 1
    )


def test_token_secret_is_shown_once_and_stored_hashed(
    dave_client: Client, world: World
) -> None:
    response = post(
        dave_client,
        "/api/v1/tokens",
        {
            "name": "Gate",
            "organisation_id": world.haulier.pk,
            "permissions": ["registry:read"],
        },
    )
    assert response.status_code == 201
    secret = response.json()["secret"]
    token = ApiToken.objects.get(pk=response.json()["id"])
    assert secret.startswith(f"p2p_{token.prefix}_")
    assert secret not in token.key_hash
    listed = dave_client.get("/api/v1/tokens").json()["items"]
    assert "secret" not in listed[0]


def test_token_without_write_permission_cannot_write(
    client: Client, dave: Any, world: World
) -> None:
    from port2port.core.services import api_token_create

    _, secret = api_token_create(
        actor=dave, organisation=world.haulier, name="ro", permissions=["registry:read"]
    )
    response = post(
        client,
        "/api/v1/vehicles",
        {"plate": "1-XYZ-789", "kind": "truck", "owner_id": world.haulier.pk},
        **bearer(secret),
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert not Vehicle.objects.filter(plate="1XYZ789").exists()


def test_token_sees_only_its_organisation(
    client: Client, haulier_token: tuple[ApiToken, str], world: World
) -> None:
    _, secret = haulier_token
    people = client.get("/api/v1/people", headers=bearer(secret)).json()
    assert [p["id"] for p in people["items"]] == [world.driver.pk]
    response = client.get(
        f"/api/v1/people/{world.ghent_person.pk}", headers=bearer(secret)
    )
    assert response.status_code == 404


# Scoping: charlie (Ghent) gets 404 for Antwerp ----------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/facilities/{deurganck}",
        "/api/v1/people/{driver}",
        "/api/v1/vehicles/{truck}",
        "/api/v1/organisations/{haulier}",
    ],
)
def test_charlie_gets_404_for_antwerp_objects(
    charlie_client: Client, alice_client: Client, world: World, path: str
) -> None:
    url = path.format(
        deurganck=world.deurganck.pk,
        driver=world.driver.pk,
        truck=world.truck.pk,
        haulier=world.haulier.pk,
    )
    assert alice_client.get(url).status_code == 200
    response = charlie_client.get(url)
    assert response.status_code == 404
    assert response.json() == {
        "error": {
            "code": "not_found",
            "message": response.json()["error"]["message"],
            "fields": {},
        }
    }


def test_facility_list_is_scoped_to_the_callers_port(
    alice_client: Client, charlie_client: Client, world: World
) -> None:
    alice_codes = [
        f["code"] for f in alice_client.get("/api/v1/facilities").json()["items"]
    ]
    charlie_codes = [
        f["code"] for f in charlie_client.get("/api/v1/facilities").json()["items"]
    ]
    assert alice_codes == ["BEANR-0001"]
    assert charlie_codes == ["BEGNE-0001"]


def test_ports_are_national_reference_data(
    charlie_client: Client, world: World
) -> None:
    body = charlie_client.get("/api/v1/ports").json()
    assert body["count"] == 2
    assert [p["locode"] for p in body["items"]] == ["BEANR", "BEGNE"]


def test_charlie_cannot_patch_an_antwerp_facility(
    charlie_client: Client, world: World
) -> None:
    response = patch(
        charlie_client, f"/api/v1/facilities/{world.deurganck.pk}", {"name": "X"}
    )
    assert response.status_code == 404
    world.deurganck.refresh_from_db()
    assert world.deurganck.name == "Deurganck Terminal"


# Writes ----------------------------------------------------------------------------------


def test_alice_registers_a_facility_and_it_is_audited(
    alice_client: Client, world: World
) -> None:
    response = post(
        alice_client,
        "/api/v1/facilities",
        {
            "port": "BEANR",
            "code": "beanr-0002",
            "name": "Europa Terminal",
            "operator_id": world.terminal_operator.pk,
            "kind": "container",
            "boundary": SQUARE,
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["code"] == "BEANR-0002"
    assert body["boundary"]["coordinates"][0][-1] == [4.26, 51.29]
    entry = AuditEntry.objects.get(action="facility.create")
    assert entry.actor_label == "alice"
    assert entry.object_id == str(body["id"])
    assert entry.port_id == world.antwerp.pk


def test_bob_may_read_but_not_register_a_facility(
    bob_client: Client, world: World
) -> None:
    assert bob_client.get(f"/api/v1/facilities/{world.deurganck.pk}").status_code == 200
    response = post(
        bob_client,
        "/api/v1/facilities",
        {
            "port": "BEANR",
            "code": "X1",
            "name": "X",
            "operator_id": world.terminal_operator.pk,
            "kind": "container",
            "boundary": SQUARE,
        },
    )
    assert response.status_code == 403
    assert Facility.objects.count() == 2


def test_duplicate_facility_code_is_a_conflict(
    alice_client: Client, world: World
) -> None:
    response = post(
        alice_client,
        "/api/v1/facilities",
        {
            "port": "BEANR",
            "code": "BEANR-0001",
            "name": "Again",
            "operator_id": world.terminal_operator.pk,
            "kind": "container",
            "boundary": SQUARE,
        },
    )
    assert response.status_code == 409
    assert response.json()["error"]["fields"] == {"code": ["taken"]}


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"boundary": {"type": "Point", "coordinates": [4, 51]}}, "boundary"),
        (
            {"boundary": {"type": "Polygon", "coordinates": [[[4, 51], [5, 91]]]}},
            "boundary",
        ),
        ({"kind": "spaceport"}, "kind"),
        ({"operator_id": "abc"}, "operator_id"),
        ({"unexpected": 1}, "unexpected"),
    ],
)
def test_bad_facility_input_is_a_400_naming_the_field(
    alice_client: Client, world: World, payload: dict[str, Any], field: str
) -> None:
    base = {
        "port": "BEANR",
        "code": "NEW",
        "name": "New",
        "operator_id": world.terminal_operator.pk,
        "kind": "container",
        "boundary": SQUARE,
    }
    response = post(alice_client, "/api/v1/facilities", {**base, **payload})
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert Facility.objects.count() == 2
    assert not AuditEntry.objects.filter(action="facility.create").exists()


def test_malformed_json_is_a_400(alice_client: Client, world: World) -> None:
    response = alice_client.post(
        "/api/v1/facilities", data="{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_operator_of_another_port_is_an_unknown_reference(
    charlie_client: Client, world: World
) -> None:
    response = post(
        charlie_client,
        "/api/v1/facilities",
        {
            "port": "BEGNE",
            "code": "G2",
            "name": "G2",
            "operator_id": world.terminal_operator.pk,
            "kind": "container",
            "boundary": SQUARE,
        },
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"operator_id": ["not found"]}


def test_company_admin_registers_a_person_and_only_the_keyed_hash_is_kept(
    dave_client: Client, world: World
) -> None:
    response = post(
        dave_client,
        "/api/v1/people",
        {
            "first_name": "Els",
            "last_name": "Wouters",
            "date_of_birth": "1993-05-18",
            "nationality": "be",
            "employer_id": world.haulier.pk,
            "document_type": "id_card",
            "document_number": "592-1234567-89",
            "national_register_number": "93.05.18-223.61",
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["has_national_register_number"] is True
    assert "national_register" not in json.dumps(
        {k: v for k, v in body.items() if k != "has_national_register_number"}
    )
    person = Person.objects.get(pk=body["id"])
    assert person.nationality == "BE"
    assert "93051822361" not in person.national_register_hash
    assert len(person.national_register_hash) == 64


def test_invalid_national_register_number_changes_nothing(
    dave_client: Client, world: World
) -> None:
    before = Person.objects.count()
    response = post(
        dave_client,
        "/api/v1/people",
        {
            "first_name": "Els",
            "last_name": "Wouters",
            "date_of_birth": "1993-05-18",
            "nationality": "BE",
            "employer_id": world.haulier.pk,
            "document_type": "id_card",
            "document_number": "592123456789",
            "national_register_number": "93051822362",
        },
    )
    assert response.status_code == 400
    assert "national_register_number" in response.json()["error"]["fields"]
    assert Person.objects.count() == before


def test_vehicle_plate_is_normalised(dave_client: Client, world: World) -> None:
    response = post(
        dave_client,
        "/api/v1/vehicles",
        {"plate": "2-tbc-456", "kind": "truck", "owner_id": world.haulier.pk},
    )
    assert response.status_code == 201
    assert response.json()["plate"] == "2TBC456"
    assert response.json()["plate_display"] == "2-TBC-456"


def test_invalid_belgian_plate_is_refused(dave_client: Client, world: World) -> None:
    response = post(
        dave_client,
        "/api/v1/vehicles",
        {"plate": "12-34", "kind": "truck", "owner_id": world.haulier.pk},
    )
    assert response.status_code == 400
    assert "plate" in response.json()["error"]["fields"]


def test_organisation_with_invalid_kbo_is_refused(
    alice_client: Client, world: World
) -> None:
    before = Organisation.objects.count()
    response = post(
        alice_client,
        "/api/v1/organisations",
        {
            "name": "New Forwarding NV",
            "kbo_number": "0403.170.702",
            "roles": ["forwarder"],
            "ports": ["BEANR"],
        },
    )
    assert response.status_code == 400
    assert "kbo_number" in response.json()["error"]["fields"]
    assert Organisation.objects.count() == before


def test_port_officer_registers_an_organisation_in_their_port(
    alice_client: Client, world: World
) -> None:
    response = post(
        alice_client,
        "/api/v1/organisations",
        {
            "name": "New Forwarding NV",
            "kbo_number": "BE 0403.170.701",
            "eori": "be0403170701",
            "roles": ["forwarder"],
            "ports": ["BEANR"],
        },
    )
    assert response.status_code == 201
    assert response.json()["kbo_number"] == "0403170701"
    assert response.json()["eori"] == "BE0403170701"
    assert response.json()["vat_number"] == "BE0403170701"


def test_port_officer_cannot_register_an_organisation_in_another_port(
    alice_client: Client, world: World
) -> None:
    response = post(
        alice_client,
        "/api/v1/organisations",
        {"name": "Ghent Co", "roles": ["forwarder"], "ports": ["BEGNE"]},
    )
    assert response.status_code == 403


def test_security_level_change_by_the_ports_officer(
    alice_client: Client, charlie_client: Client, world: World
) -> None:
    response = post(
        alice_client,
        "/api/v1/ports/BEANR/security-level",
        {"level": 2, "reason": "Threat"},
    )
    assert response.status_code == 200
    assert response.json()["security_level"] == 2
    refused = post(
        charlie_client,
        "/api/v1/ports/BEANR/security-level",
        {"level": 3, "reason": "Not mine"},
    )
    assert refused.status_code == 403
    world.antwerp.refresh_from_db()
    assert world.antwerp.security_level == 2
    entry = AuditEntry.objects.get(action="port.security_level")
    assert json.loads(entry.details) == {"from": 1, "reason": "Threat", "to": 2}


# Lists ---------------------------------------------------------------------------------


def test_lists_are_paginated_and_filterable(
    admin_client_: Client, world: World
) -> None:
    body = admin_client_.get("/api/v1/organisations?page_size=2").json()
    assert body["count"] == 5
    assert len(body["items"]) == 2
    page3 = admin_client_.get("/api/v1/organisations?page_size=2&page=3").json()
    assert len(page3["items"]) == 1
    filtered = admin_client_.get("/api/v1/organisations?role=transport_operator").json()
    assert [o["name"] for o in filtered["items"]] == ["Scheldt Haulage BV"]
    by_port = admin_client_.get("/api/v1/facilities?port=begne").json()
    assert [f["code"] for f in by_port["items"]] == ["BEGNE-0001"]


def test_page_size_is_bounded(admin_client_: Client, world: World) -> None:
    response = admin_client_.get("/api/v1/people?page_size=0")
    assert response.status_code == 400


def test_facility_list_query_count_does_not_grow_with_rows(
    alice_client: Client, world: World, django_assert_max_num_queries: Any
) -> None:
    from port2port.core.tests.factories import FacilityFactory

    FacilityFactory.create_batch(
        10, port=world.antwerp, operator=world.terminal_operator
    )
    with django_assert_max_num_queries(6):
        response = alice_client.get("/api/v1/facilities")
    assert response.json()["count"] == 11


# Audit trail -----------------------------------------------------------------------------


def test_audit_trail_is_scoped(
    alice_client: Client, bob_client: Client, charlie_client: Client, world: World
) -> None:
    post(
        alice_client,
        "/api/v1/ports/BEANR/security-level",
        {"level": 2, "reason": "Drill"},
    )
    post(
        charlie_client,
        "/api/v1/ports/BEGNE/security-level",
        {"level": 2, "reason": "Drill"},
    )
    alice_actions = [
        (e["action"], e["port_id"])
        for e in alice_client.get("/api/v1/audit").json()["items"]
    ]
    assert ("port.security_level", world.antwerp.pk) in alice_actions
    assert all(port == world.antwerp.pk for _, port in alice_actions)
    assert bob_client.get("/api/v1/audit").json()["items"] == []


def test_audit_export_streams_json_lines(alice_client: Client, world: World) -> None:
    post(
        alice_client,
        "/api/v1/ports/BEANR/security-level",
        {"level": 2, "reason": "Drill"},
    )
    response = alice_client.get("/api/v1/audit/export")
    assert response.status_code == 200
    lines = b"".join(response.streaming_content).decode().splitlines()
    rows = [json.loads(line) for line in lines]
    assert [r["action"] for r in rows] == ["port.security_level", "membership.create"]
    assert all(len(r["hash"]) == 64 for r in rows)


# OpenAPI -----------------------------------------------------------------------------------


def test_openapi_document_lists_the_registry_endpoints(client: Client) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in [
        "/api/v1/ports",
        "/api/v1/facilities",
        "/api/v1/facilities/{facility_id}",
        "/api/v1/zones",
        "/api/v1/access-points",
        "/api/v1/organisations",
        "/api/v1/people",
        "/api/v1/vehicles",
        "/api/v1/audit",
        "/api/v1/tokens",
    ]:
        assert path in paths
    assert client.get("/api/v1/docs").status_code == 200
