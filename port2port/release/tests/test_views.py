from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from port2port.release.models import (
    DriverAssignment,
    PickupAttempt,
    PickupOverride,
    Release,
    ReleaseTransfer,
    WebhookSubscription,
)
from port2port.release.tests.conftest import (
    CONTAINER,
    Chain,
    client_for,
    ready_release,
    release_for,
    to_haulier,
)

pytestmark = pytest.mark.django_db


def _html(response: Any) -> str:
    return response.content.decode()


def test_the_agent_releases_a_container_from_the_page(chain: Chain) -> None:
    client = client_for(chain.agent)
    page = client.get("/release/agent/")
    assert page.status_code == 200
    assert "Releases of Meridian Liner Agency NV" in _html(page)
    until = (timezone.localtime() + dt.timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        "/release/agent/create/",
        {
            "container_number": "CSQU 305438 3",
            "bills_of_lading": "MEDUAN123456, MEDUAN123457",
            "terminal": chain.world.deurganck.pk,
            "holder": chain.forwarder_org.pk,
            "valid_until": until,
            "reference": "WEB-1",
        },
    )
    release = Release.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/release/releases/{release.pk}/"
    assert release.source == "web"
    assert release.bills_of_lading == ["MEDUAN123456", "MEDUAN123457"]
    detail = client.get(response["Location"])
    assert CONTAINER in _html(detail)
    assert 'data-kind="created"' in _html(detail)


def test_a_wrong_check_digit_is_shown_on_the_form(chain: Chain) -> None:
    until = (timezone.localtime() + dt.timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    response = client_for(chain.agent).post(
        "/release/agent/create/",
        {
            "container_number": "CSQU3054384",
            "bills_of_lading": "MEDUAN123456",
            "terminal": chain.world.deurganck.pk,
            "holder": chain.forwarder_org.pk,
            "valid_until": until,
        },
    )
    assert response.status_code == 400
    assert "A container number is 4 letters, 6 digits and a check digit" in _html(
        response
    )
    assert Release.objects.count() == 0


def test_the_agent_uploads_a_csv_file(chain: Chain) -> None:
    content = (
        "container_number;bills_of_lading;terminal;holder;valid_until;reference\n"
        "CSQU3054383;MEDUAN1;BEANR-0001;BE0490000250;2030-12-31 23:00;CSV-1\n"
        "MWCU6059784;MEDUAN2 MEDUAN3;BEANR-0001;0490000250;2030-12-31;CSV-2\n"
    )
    upload = SimpleUploadedFile("releases.csv", content.encode(), "text/csv")
    response = client_for(chain.agent).post("/release/agent/upload/", {"file": upload})
    assert response.status_code == 302, _html(response)
    assert sorted(Release.objects.values_list("reference", flat=True)) == [
        "CSV-1",
        "CSV-2",
    ]
    assert Release.objects.get(reference="CSV-2").bills_of_lading == [
        "MEDUAN2",
        "MEDUAN3",
    ]


def test_a_csv_file_with_a_bad_line_creates_nothing(chain: Chain) -> None:
    content = (
        "container_number,bills_of_lading,terminal,holder,valid_until\n"
        "CSQU3054383,MEDUAN1,BEANR-0001,BE0490000250,2030-12-31\n"
        "MWCU6059785,MEDUAN2,BEANR-0001,BE0490000250,2030-12-31\n"
    )
    upload = SimpleUploadedFile("releases.csv", content.encode(), "text/csv")
    response = client_for(chain.agent).post("/release/agent/upload/", {"file": upload})
    assert response.status_code == 400
    assert "3 (container_number)" in _html(response)
    assert Release.objects.count() == 0


def test_the_agent_blocks_from_the_list(chain: Chain) -> None:
    release = release_for(chain)
    client = client_for(chain.agent)
    response = client.post(
        f"/release/releases/{release.pk}/block/",
        {"reason": "Freight unpaid", "next": "/release/agent/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/release/agent/"
    release.refresh_from_db()
    assert release.status == "blocked"
    assert release.block_reason == "Freight unpaid"


def test_the_agent_list_takes_a_fixed_number_of_queries(
    chain: Chain, django_assert_max_num_queries: Any
) -> None:
    for n, number in enumerate(["CSQU3054383", "MWCU6059784", "MSCU1234566"]):
        release_for(chain, container=number, reference=f"Q{n}")
    client = client_for(chain.agent)
    client.get("/release/agent/")
    with django_assert_max_num_queries(14):
        response = client.get("/release/agent/")
    assert response.status_code == 200


def test_the_forwarder_accepts_and_passes_on_from_the_inbox(chain: Chain) -> None:
    release = release_for(chain)
    forwarder = client_for(chain.forwarder)
    page = forwarder.get("/release/inbox/")
    assert page.status_code == 200
    assert CONTAINER in _html(page)
    response = forwarder.post(
        f"/release/releases/{release.pk}/transfer/",
        {"receiver": chain.world.haulier.pk},
    )
    assert response.status_code == 302
    transfer = ReleaseTransfer.objects.get()
    haulier = client_for(chain.haulier)
    inbox = haulier.get("/release/inbox/")
    assert f'id="transfer-{transfer.pk}"' in _html(inbox)
    haulier.post(f"/release/transfers/{transfer.pk}/accept/")
    release.refresh_from_db()
    assert release.holder_id == chain.world.haulier.pk


def test_the_receiver_denies_from_the_inbox(chain: Chain) -> None:
    release = release_for(chain)
    client_for(chain.forwarder).post(
        f"/release/releases/{release.pk}/transfer/",
        {"receiver": chain.world.haulier.pk},
    )
    transfer = ReleaseTransfer.objects.get()
    client_for(chain.haulier).post(
        f"/release/transfers/{transfer.pk}/deny/", {"reason": "Unknown customer"}
    )
    transfer.refresh_from_db()
    assert transfer.state == "denied"
    assert transfer.reason == "Unknown customer"


def test_the_haulier_assigns_a_driver_from_its_page(chain: Chain) -> None:
    release = to_haulier(chain, release_for(chain))
    client = client_for(chain.haulier)
    page = client.get("/release/assign/")
    assert page.status_code == 200
    assert CONTAINER in _html(page)
    response = client.post(
        f"/release/releases/{release.pk}/assign/",
        {
            "mode": "truck",
            "pass_number": chain.driver_pass.number,
            "plate": "1-ABC-123",
        },
    )
    assert response.status_code == 302
    assignment = DriverAssignment.objects.get(active=True)
    assert assignment.driver_id == chain.world.driver.pk
    assert assignment.plate == "1ABC123"
    assert "Jan Peeters" in _html(client.get("/release/assign/"))


def test_the_gate_lets_the_assigned_driver_take_the_container_and_refuses_a_colleague(
    chain: Chain,
) -> None:
    ready_release(chain)
    client = client_for(chain.gate_operator)
    assert client.get("/release/gate/").status_code == 200
    check = {
        "terminal": chain.world.deurganck.pk,
        "container_number": CONTAINER,
        "credential": chain.colleague_pass.number,
        "biometric": "match",
    }
    refused = client.post("/release/gate/check/", check, headers={"HX-Request": "true"})
    assert refused.status_code == 200
    assert "verdict--denied" in _html(refused)
    assert 'data-reason="WRONG_DRIVER"' in _html(refused)
    assert "<html" not in _html(refused)
    check["credential"] = chain.driver_pass.number
    allowed = client.post("/release/gate/check/", check, headers={"HX-Request": "true"})
    assert "verdict--allowed" in _html(allowed)
    assert "Jan Peeters" in _html(allowed)
    release = Release.objects.get()
    assert release.status == "picked_up"
    client.post(f"/release/releases/{release.pk}/gate-out/")
    release.refresh_from_db()
    assert release.status == "gated_out"


def test_the_terminal_overrides_from_the_gate_page(chain: Chain) -> None:
    release = ready_release(chain)
    client = client_for(chain.gate_operator)
    client.post(
        "/release/gate/check/",
        {
            "terminal": chain.world.deurganck.pk,
            "container_number": CONTAINER,
            "credential": chain.driver_pass.number,
            "biometric": "not_checked",
        },
    )
    attempt = PickupAttempt.objects.get()
    assert attempt.allowed is False
    client.post(
        f"/release/attempts/{attempt.pk}/override/",
        {
            "decision": "allow",
            "reason": "Reader out of order, identity checked by hand.",
        },
    )
    assert PickupOverride.objects.get().decision == "allow"
    release.refresh_from_db()
    assert release.status == "picked_up"


def test_the_timeline_is_404_for_another_forwarder(
    chain: Chain, charlie_client: Client
) -> None:
    release = release_for(chain)
    assert (
        client_for(chain.outsider).get(f"/release/releases/{release.pk}/").status_code
        == 404
    )
    assert charlie_client.get(f"/release/releases/{release.pk}/").status_code == 404
    assert (
        client_for(chain.police).get(f"/release/releases/{release.pk}/").status_code
        == 200
    )


def test_pages_of_other_parties_are_404(chain: Chain) -> None:
    forwarder = client_for(chain.forwarder)
    assert forwarder.get("/release/agent/").status_code == 404
    assert forwarder.get("/release/assign/").status_code == 404
    assert forwarder.get("/release/gate/").status_code == 404


def test_each_party_lands_on_its_page(chain: Chain) -> None:
    assert client_for(chain.agent).get("/release/")["Location"] == "/release/agent/"
    assert client_for(chain.haulier).get("/release/")["Location"] == "/release/assign/"
    assert client_for(chain.forwarder).get("/release/")["Location"] == "/release/inbox/"
    assert (
        client_for(chain.gate_operator).get("/release/")["Location"] == "/release/gate/"
    )
    assert client_for(chain.police).get("/release/")["Location"] == "/release/search/"


def test_an_administrator_subscribes_and_sees_the_secret_once(chain: Chain) -> None:
    client = client_for(chain.terminal_admin)
    response = client.post(
        "/release/webhooks/",
        {"url": "https://tos.example.be/hooks", "events": ["ReleaseLightChanged"]},
    )
    assert response.status_code == 200
    subscription = WebhookSubscription.objects.get()
    assert subscription.secret in _html(response)
    assert subscription.secret not in _html(client.get("/release/webhooks/"))


def test_the_pages_ask_to_sign_in(client: Client) -> None:
    response = client.get("/release/agent/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/release/agent/"
