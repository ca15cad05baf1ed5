"""The compliance API: validated input, the one error shape, 404 outside the scope."""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from conftest import World
from port2port.compliance import services
from port2port.compliance.models import (
    Answer,
    Inspection,
    InspectionPhoto,
    SecurityLevelChange,
    TrainingRecord,
)
from port2port.compliance.tests.conftest import PDF
from port2port.compliance.tests.test_inspections import PNG
from port2port.core.models import User

pytestmark = pytest.mark.django_db

API = "/api/v1/compliance"


def send(client: Client, method: str, path: str, data: Any = None) -> Any:
    return getattr(client, method)(
        f"{API}{path}",
        data=json.dumps(data, default=str),
        content_type="application/json",
    )


def error(response: Any) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    return body["error"]  # type: ignore[no-any-return]


def test_the_port_officer_sets_a_level_and_the_pfso_acknowledges(
    alice_client: Client, pfso_client: Client, world: World
) -> None:
    response = send(
        alice_client,
        "post",
        "/security-levels",
        {"port": "BEANR", "level": 2, "reason": "Threat to container traffic"},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["level"], body["port"], body["previous_level"]) == (2, "BEANR", 1)
    ack = body["acknowledgements"][0]
    assert ack["facility"] == "Deurganck Terminal"
    acked = send(pfso_client, "post", f"/acknowledgements/{ack['id']}")
    assert acked.status_code == 200
    assert acked.json()["acknowledged_by"] == "pfso"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"port": "BEANR", "level": 4, "reason": "x"}, "level"),
        ({"port": "BEANR", "level": 2}, "reason"),
        ({"port": "BEANR", "level": 2, "reason": "x", "colour": "red"}, "colour"),
        ({"port": "XXXXX", "level": 2, "reason": "x"}, "port"),
    ],
)
def test_a_bad_level_request_is_400_and_changes_nothing(
    alice_client: Client, body: dict[str, Any], field: str
) -> None:
    response = send(alice_client, "post", "/security-levels", body)
    assert response.status_code == 400
    assert field in error(response)["fields"]
    assert not SecurityLevelChange.objects.exists()


def test_a_control_room_operator_is_forbidden_to_set_the_level(
    bob_client: Client,
) -> None:
    response = send(
        bob_client,
        "post",
        "/security-levels",
        {"port": "BEANR", "level": 3, "reason": "x"},
    )
    assert response.status_code == 403
    assert error(response)["code"] == "forbidden"


def test_without_credentials_the_api_answers_401(client: Client) -> None:
    response = client.get(f"{API}/inspections")
    assert response.status_code == 401
    assert error(response)["code"] == "unauthenticated"


def test_another_ports_officer_gets_404_for_everything_of_antwerp(
    charlie_client: Client,
    inspection: Inspection,
    inspector: User,
    pfso: User,
    world: World,
) -> None:
    finding = services.finding_create(
        actor=inspector, inspection=inspection, severity="minor", description="x"
    )
    version = services.document_version_create(
        actor=pfso,
        facility=world.deurganck,
        kind="pfsp",
        file_name="p.pdf",
        content=PDF,
        summary={},
    )
    for path in (
        f"/inspections/{inspection.pk}",
        f"/inspections/{inspection.pk}/report.pdf",
        f"/findings/{finding.pk}",
        f"/documents/{version.document_id}",
        f"/document-versions/{version.pk}/file",
        f"/facilities/{world.deurganck.pk}/status",
        f"/facilities/{world.deurganck.pk}/training",
    ):
        response = charlie_client.get(f"{API}{path}")
        assert response.status_code == 404, path
        assert error(response)["code"] == "not_found"
    response = send(
        charlie_client,
        "put",
        f"/inspections/{inspection.pk}/answers/plan-approved",
        {"choice": "no", "client_saved_at": timezone.now()},
    )
    assert response.status_code == 404
    assert charlie_client.get(f"{API}/inspections").json()["count"] == 0
    assert not Answer.objects.exists()


def test_answers_are_saved_idempotently_over_the_api(
    inspector_client: Client, inspection: Inspection
) -> None:
    at = timezone.now()
    path = f"/inspections/{inspection.pk}/answers/plan-approved"
    first = send(inspector_client, "put", path, {"choice": "no", "client_saved_at": at})
    again = send(inspector_client, "put", path, {"choice": "no", "client_saved_at": at})
    stale = send(
        inspector_client,
        "put",
        path,
        {"choice": "yes", "client_saved_at": at - dt.timedelta(seconds=30)},
    )
    assert [r.status_code for r in (first, again, stale)] == [200, 200, 200]
    assert (again.json()["revision"], again.json()["applied"]) == (1, True)
    assert (stale.json()["choice"], stale.json()["applied"]) == ("no", False)
    assert Answer.objects.get().choice == "no"
    bad = send(
        inspector_client, "put", path, {"choice": "maybe", "client_saved_at": at}
    )
    assert bad.status_code == 400
    assert "choice" in error(bad)["fields"]
    missing = send(inspector_client, "put", path, {"choice": "yes"})
    assert "client_saved_at" in error(missing)["fields"]


def test_a_photo_is_stored_once_over_the_api(
    inspector_client: Client, inspection: Inspection
) -> None:
    body = {
        "client_id": str(uuid.uuid4()),
        "content_type": "image/png",
        "data": "data:image/png;base64," + base64.b64encode(PNG).decode(),
        "item": "access-gate-photo",
    }
    first = send(inspector_client, "post", f"/inspections/{inspection.pk}/photos", body)
    again = send(inspector_client, "post", f"/inspections/{inspection.pk}/photos", body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert InspectionPhoto.objects.count() == 1
    bad = send(
        inspector_client,
        "post",
        f"/inspections/{inspection.pk}/photos",
        {**body, "client_id": str(uuid.uuid4()), "data": "%%%"},
    )
    assert bad.status_code == 400


def test_the_pdf_report_is_served_as_pdf(
    inspector_client: Client, inspection: Inspection
) -> None:
    response = inspector_client.get(f"{API}/inspections/{inspection.pk}/report.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")


def test_a_plan_is_drafted_with_a_file_and_a_summary(
    pfso_client: Client, world: World
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = pfso_client.post(
        f"{API}/facilities/{world.deurganck.pk}/documents/pfsp/versions",
        {
            "file": SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf"),
            "summary": json.dumps({"organisation": "PFSO and deputies"}),
            "note": "First",
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["number"], body["status"], body["summary"]) == (
        1,
        "draft",
        {"organisation": "PFSO and deputies"},
    )
    download = pfso_client.get(f"{API}/document-versions/{body['id']}/file")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    bad = pfso_client.post(
        f"{API}/facilities/{world.deurganck.pk}/documents/pfsp/versions",
        {"file": SimpleUploadedFile("plan.pdf", PDF), "summary": "{not json"},
    )
    assert bad.status_code == 400
    assert "summary" in error(bad)["fields"]


def test_a_training_file_is_imported_with_a_result_per_row(
    dave_client: Client, world: World
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    services.course_catalogue_load()
    text = (
        "person_id,course,completed_on\n"
        f"{world.driver.pk},awareness,2026-01-10\n"
        f"{world.driver.pk},awareness,not-a-date\n"
    )
    response = dave_client.post(
        f"{API}/training-imports",
        {"file": SimpleUploadedFile("p.csv", text.encode())},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert [r["status"] for r in body["results"]] == ["imported", "rejected"]
    assert body["results"][1]["fields"] == {
        "completed_on": ["Write the date as YYYY-MM-DD."]
    }
    assert TrainingRecord.objects.count() == 1


def test_a_ship_call_with_its_information_is_announced_once(
    pfso_client: Client, world: World
) -> None:
    eta = timezone.now() + dt.timedelta(days=2)
    body = {
        "facility_id": world.deurganck.pk,
        "ship_name": "MSC Aurora",
        "imo": "9074729",
        "mmsi": "636012345",
        "eta": eta.isoformat(),
        "pre_arrival": {
            "issc_number": "ISSC-1",
            "issc_issuer": "Liberia",
            "issc_expires_on": "2028-01-01",
            "ship_level": 1,
            "sso_contact": "SSO",
            "port_calls": [
                {
                    "port": "NLRTM",
                    "arrived_on": "2026-01-01",
                    "departed_on": "2026-01-02",
                    "level": 1,
                }
            ],
        },
    }
    first = send(pfso_client, "post", "/ship-calls", body)
    again = send(pfso_client, "post", "/ship-calls", body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["state"] == "on_time"
    bad = send(pfso_client, "post", "/ship-calls", {**body, "mmsi": "123"})
    assert bad.status_code == 400
    assert "mmsi" in error(bad)["fields"]


def test_every_compliance_endpoint_is_documented() -> None:
    # Built from this router alone, so that another app's document does not hide
    # a fault of this one.
    from port2port.compliance.api import router

    paths = {f"/api/v1{path}" for path in router.path_operations}
    for path in (
        "/api/v1/compliance/security-levels",
        "/api/v1/compliance/inspections/{int:inspection_id}/answers/{item_key}",
        "/api/v1/compliance/exercises",
        "/api/v1/compliance/training-imports",
        "/api/v1/compliance/ship-calls",
        "/api/v1/compliance/declarations",
    ):
        assert path in paths, path
    for path_view in router.path_operations.values():
        for operation in path_view.operations:
            assert operation.summary, operation.view_func.__name__
            for model in operation.models:
                assert model.model_json_schema()["type"] == "object"
            for response in operation.response_models.values():
                if response is not None:
                    response.model_json_schema()
