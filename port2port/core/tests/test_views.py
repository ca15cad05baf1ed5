from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from conftest import World
from port2port.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_pages_require_sign_in(client: Client, world: World) -> None:
    response = client.get("/facilities/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/map/",
        "/ports/",
        "/ports/BEANR/",
        "/facilities/",
        "/access-points/",
        "/organisations/",
        "/people/",
        "/vehicles/",
        "/audit/",
        "/accounts/profile/",
    ],
)
def test_alice_opens_every_registry_page(alice_client: Client, path: str) -> None:
    response = alice_client.get(path)
    assert response.status_code == 200


def test_facility_page_shows_the_facility_to_alice_and_404_to_charlie(
    alice_client: Client, charlie_client: Client, world: World
) -> None:
    url = f"/facilities/{world.deurganck.pk}/"
    response = alice_client.get(url)
    assert response.status_code == 200
    assert "Deurganck Terminal" in response.content.decode()
    assert charlie_client.get(url).status_code == 404


@pytest.mark.parametrize("path", ["/people/{driver}/", "/organisations/{haulier}/"])
def test_charlie_gets_404_on_antwerp_detail_pages(
    charlie_client: Client, world: World, path: str
) -> None:
    url = path.format(driver=world.driver.pk, haulier=world.haulier.pk)
    assert charlie_client.get(url).status_code == 404


def test_facility_list_htmx_request_gets_only_the_table(
    alice_client: Client, world: World
) -> None:
    full = alice_client.get("/facilities/?q=deur")
    partial = alice_client.get("/facilities/?q=deur", headers={"HX-Request": "true"})
    assert "<html" in full.content.decode()
    body = partial.content.decode()
    assert "<html" not in body
    assert "Deurganck Terminal" in body


def test_search_filters_the_people_list(alice_client: Client, world: World) -> None:
    body = alice_client.get(
        "/people/?q=peeters", headers={"HX-Request": "true"}
    ).content
    assert b"Peeters" in body
    body = alice_client.get("/people/?q=nobody", headers={"HX-Request": "true"}).content
    assert b"Peeters" not in body


def test_people_list_query_count_is_fixed(
    alice_client: Client, world: World, django_assert_max_num_queries: Any
) -> None:
    from port2port.core.tests.factories import PersonFactory

    PersonFactory.create_batch(20, employer=world.haulier)
    with django_assert_max_num_queries(12):
        response = alice_client.get("/people/")
    assert response.status_code == 200


def test_map_features_are_scoped(
    alice_client: Client, charlie_client: Client, world: World
) -> None:
    names = {
        f["properties"]["name"]
        for f in alice_client.get("/map/features.geojson").json()["features"]
        if f["properties"]["layer"] == "facility"
    }
    assert names == {"Deurganck Terminal"}
    names = {
        f["properties"]["name"]
        for f in charlie_client.get("/map/features.geojson").json()["features"]
        if f["properties"]["layer"] == "facility"
    }
    assert names == {"Kluizendok Terminal"}


def test_port_officer_sets_the_level_on_the_port_page(
    alice_client: Client, bob_client: Client, world: World
) -> None:
    response = alice_client.post("/ports/BEANR/", {"level": "2", "reason": "Bulletin"})
    assert response.status_code == 302
    world.antwerp.refresh_from_db()
    assert world.antwerp.security_level == 2
    bob_client.post("/ports/BEANR/", {"level": "3", "reason": "No right"})
    world.antwerp.refresh_from_db()
    assert world.antwerp.security_level == 2
    assert AuditEntry.objects.filter(action="port.security_level").count() == 1


def test_company_admin_creates_and_revokes_a_token_in_the_browser(
    dave_client: Client, world: World
) -> None:
    response = dave_client.post(
        "/tokens/",
        {
            "name": "Gate",
            "organisation": world.haulier.pk,
            "permissions": ["registry:read"],
        },
    )
    assert response.status_code == 200
    secret = response.context["secret"]
    assert secret.startswith("p2p_")
    token = world.haulier.api_tokens.get()
    assert dave_client.post(f"/tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_language_switch_to_dutch(alice_client: Client) -> None:
    response = alice_client.post(
        "/i18n/setlang/", {"language": "nl", "next": "/ports/"}
    )
    assert response.status_code == 302
    body = alice_client.get("/ports/").content.decode()
    assert 'lang="nl"' in body
    assert "Havens" in body


def test_pages_send_a_content_security_policy_without_unsafe_inline(
    alice_client: Client,
) -> None:
    response = alice_client.get("/map/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_unknown_api_path_answers_json(client: Client) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
