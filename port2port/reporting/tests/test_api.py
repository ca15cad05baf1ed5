"""The reporting API: scoped to the caller's groups, with the one error shape."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from conftest import _client_for
from port2port.core.models import ApiToken
from port2port.reporting.models import Category, Message
from port2port.reporting.tests.conftest import Desk, submit, unlocked_client

pytestmark = pytest.mark.django_db


def post(client: Client, path: str, data: dict[str, Any], **headers: str) -> Any:
    return client.post(
        path, data=json.dumps(data), content_type="application/json", headers=headers
    )


def test_a_handler_lists_and_reads_the_reports_of_their_groups(desk: Desk) -> None:
    report, _ = submit(desk, what="Drone over the locks.")
    submit(desk, category=Category.SMUGGLING)
    client = unlocked_client(desk.hanna)

    listing = client.get("/api/v1/reporting/reports?status=open").json()
    detail = client.get(f"/api/v1/reporting/reports/{report.pk}").json()

    assert listing["count"] == 2
    assert detail["report"]["reference"] == report.reference
    assert detail["content"]["what"] == "Drone over the locks."
    assert [g["code"] for g in detail["groups"]] == ["aik"]
    assert (
        unlocked_client(desk.hugo).get("/api/v1/reporting/reports").json()["count"] == 1
    )


def test_a_report_outside_the_callers_groups_is_404_with_the_error_shape(
    desk: Desk,
) -> None:
    report, _ = submit(desk)
    henk = unlocked_client(desk.henk)

    for response in (
        henk.get(f"/api/v1/reporting/reports/{report.pk}"),
        post(
            henk, f"/api/v1/reporting/reports/{report.pk}/status", {"status": "closed"}
        ),
        post(henk, f"/api/v1/reporting/reports/{report.pk}/questions", {"text": "?"}),
        henk.get("/api/v1/reporting/reports/999999"),
    ):
        assert response.status_code == 404
        assert response.json() == {
            "error": {"code": "not_found", "message": "Report not found.", "fields": {}}
        }


def test_a_locked_key_is_refused_with_key_locked(desk: Desk) -> None:
    report, _ = submit(desk)
    client = _client_for(desk.hanna)

    response = post(
        client, f"/api/v1/reporting/reports/{report.pk}/notes", {"text": "x"}
    )

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "key_locked"
    assert Message.objects.count() == 0


def test_bad_input_is_refused_with_the_fields_at_fault(desk: Desk) -> None:
    report, _ = submit(desk)
    client = unlocked_client(desk.hanna)

    unknown = post(
        client, f"/api/v1/reporting/reports/{report.pk}/status", {"status": "lost"}
    )
    extra = post(
        client, f"/api/v1/reporting/reports/{report.pk}/notes", {"text": "x", "spy": 1}
    )
    empty = post(
        client, f"/api/v1/reporting/reports/{report.pk}/questions", {"text": ""}
    )
    assignee = post(
        client,
        f"/api/v1/reporting/reports/{report.pk}/assignee",
        {"assignee_id": desk.hugo.pk},
    )
    forward = post(
        client,
        f"/api/v1/reporting/reports/{report.pk}/forward",
        {"group_id": desk.aik.pk},
    )

    for response in (unknown, extra, empty, assignee, forward):
        assert response.status_code == 400, response.content
        assert response.json()["error"]["code"] == "invalid"
    assert list(unknown.json()["error"]["fields"]) == ["status"]
    assert list(extra.json()["error"]["fields"]) == ["spy"]
    assert assignee.json()["error"]["fields"] == {
        "assignee_id": ["not a handler of the report's groups"]
    }
    assert forward.json()["error"]["fields"] == {"group_id": ["not found"]}


def test_questions_notes_and_forwarding_through_the_api(desk: Desk) -> None:
    report, _ = submit(desk)
    client = unlocked_client(desk.hanna)

    asked = post(
        client, f"/api/v1/reporting/reports/{report.pk}/questions", {"text": "When?"}
    )
    forwarded = post(
        client,
        f"/api/v1/reporting/reports/{report.pk}/forward",
        {"group_id": desk.customs_group.pk, "note": "Container involved."},
    )

    assert asked.status_code == 201
    assert asked.json()["kind"] == "question"
    assert forwarded.status_code == 200
    assert forwarded.json()["status"] == "forwarded"
    hugo = (
        unlocked_client(desk.hugo).get(f"/api/v1/reporting/reports/{report.pk}").json()
    )
    assert [m["kind"] for m in hugo["messages"]] == ["question", "event"]


def test_an_api_token_opens_no_report(desk: Desk, dave: Any, world: Any) -> None:
    from port2port.core import services as core_services

    submit(desk)
    _token, secret = core_services.api_token_create(
        actor=dave, organisation=world.haulier, name="t", permissions=["registry:read"]
    )
    client = Client()

    response = client.get(
        "/api/v1/reporting/reports", headers={"Authorization": f"Bearer {secret}"}
    )
    anonymous = client.get("/api/v1/reporting/reports")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "unauthenticated"
    assert ApiToken.objects.count() == 1
