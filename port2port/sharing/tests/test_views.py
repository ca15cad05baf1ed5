"""The hub's pages: every read path keeps to TLP, distribution and clearance."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from conftest import World, _client_for
from port2port.core.models import User
from port2port.sharing import services
from port2port.sharing.demo import ARTICLES
from port2port.sharing.models import Bulletin, Match
from port2port.sharing.tests.conftest import Hub, bulletin_make, gate_read


def test_the_owner_publishes_from_the_form_and_a_recipient_acknowledges(
    world: World, hub: Hub, alice_client: Client, charlie_client: Client
) -> None:
    response = alice_client.post(
        reverse("sharing:bulletin-new"),
        {
            "title": "Fake pick-up orders",
            "text": "Watch for this truck.",
            "tlp": "amber",
            "distribution": "all_ports",
            "min_clearance": "0",
            "indicators": "plate: 1-XYZ-789\ncontainer: CSQU3054383",
        },
    )
    bulletin = Bulletin.objects.get()
    assert response.status_code == 302
    assert sorted(bulletin.indicators.values_list("value", flat=True)) == [
        "1XYZ789",
        "CSQU3054383",
    ]
    page = charlie_client.get(reverse("sharing:bulletin", args=[bulletin.pk]))
    assert "Watch for this truck." in page.content.decode()
    charlie_client.post(reverse("sharing:bulletin-ack", args=[bulletin.pk]))
    owner_page = alice_client.get(
        reverse("sharing:bulletin", args=[bulletin.pk])
    ).content.decode()
    assert "charlie" in owner_page


def test_a_bad_indicator_is_shown_on_the_form(
    world: World, hub: Hub, alice_client: Client
) -> None:
    response = alice_client.post(
        reverse("sharing:bulletin-new"),
        {
            "title": "x",
            "text": "y",
            "tlp": "amber",
            "distribution": "all_ports",
            "min_clearance": "0",
            "indicators": "plate: 1-AB",
        },
    )
    assert response.status_code == 200
    assert "1: 1-AB – A Belgian plate looks like" in response.content.decode()
    assert Bulletin.objects.count() == 0


@pytest.mark.parametrize("path", ["bulletin", "export-misp", "export-stix"])
def test_hidden_bulletins_answer_404_on_every_page(
    world: World, hub: Hub, alice: User, ghent_operator: User, path: str
) -> None:
    bulletin = bulletin_make(alice, tlp="amber+strict")
    client = _client_for(ghent_operator)
    url = (
        reverse("sharing:bulletin", args=[bulletin.pk])
        if path == "bulletin"
        else reverse("sharing:bulletin-export", args=[bulletin.pk, path.split("-")[1]])
    )
    assert client.get(url).status_code == 404
    listing = client.get(reverse("sharing:index"), {"q": "1XYZ789"}).content.decode()
    assert bulletin.title not in listing


def test_the_control_room_sees_the_match_but_not_the_bulletin(
    world: World, hub: Hub, alice: User, ghent_operator: User
) -> None:
    bulletin = bulletin_make(alice, tlp="amber+strict")
    gate_read(hub.ghent_gate, "1XYZ789")
    services.matches_run_live()
    match = Match.objects.get()
    page = _client_for(ghent_operator).get(reverse("sharing:match", args=[match.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "1-XYZ-789" in text
    assert "Kluizendok gate" in text
    assert bulletin.title not in text
    assert bulletin.text not in text


def test_the_library_searches_and_the_overview_is_national_only(
    world: World, hub: Hub, alice_client: Client
) -> None:
    for article in ARTICLES:
        services.article_save(actor=None, **article)
    page = alice_client.get(
        reverse("sharing:library"), {"q": "anonymous"}
    ).content.decode()
    assert "Portwatch" in page
    assert alice_client.get(reverse("sharing:overview")).status_code == 404


def test_the_overview_hides_small_counts(world: World, hub: Hub, alice: User) -> None:
    from conftest import _member

    namb = _member("namb", world.poab, "national_authority")
    for _ in range(2):
        bulletin_make(alice)
    page = _client_for(namb).get(reverse("sharing:overview"), HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Bulletins by TLP" in text
    assert "Training compliance by port" in text
    assert "&lt; 5" in text


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_pages_are_translated(
    world: World, hub: Hub, alice_client: Client, language: str
) -> None:
    page = alice_client.get(reverse("sharing:index"), HTTP_ACCEPT_LANGUAGE=language)
    expected = {"nl": "Beveiligingsbulletins", "fr": "Bulletins de sûreté"}[language]
    assert expected in page.content.decode()
