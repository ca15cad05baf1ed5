"""The compliance pages: each role sees its dashboard; others get 404."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from conftest import World
from port2port.compliance import services
from port2port.compliance.models import (
    Exercise,
    Finding,
    Inspection,
    LevelAcknowledgement,
    Scenario,
)
from port2port.compliance.tests.conftest import draft
from port2port.core.models import Port, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy(
    world: World, alice: User, pfso: User, inspector: User, inspection: Inspection
) -> dict[str, object]:
    """A facility with a level to acknowledge, a finding, a drill and a plan."""
    change = services.security_level_set(
        actor=alice, port=world.antwerp, level=2, reason="Threat"
    )
    finding = services.finding_create(
        actor=inspector,
        inspection=inspection,
        severity="major",
        description="Gate left open",
    )
    exercise = services.exercise_plan(
        actor=pfso,
        kind="drill",
        title="",
        planned_on=timezone.localdate(),
        facilities=[world.deurganck],
        scenario=Scenario.objects.get(code="D05"),
    )
    version = draft(pfso, world.deurganck)
    return {
        "change": change,
        "finding": finding,
        "exercise": exercise,
        "version": version,
    }


def test_every_page_renders_for_the_pfso(
    pfso_client: Client, world: World, busy: dict[str, object], inspection: Inspection
) -> None:
    finding = busy["finding"]
    assert isinstance(finding, Finding)
    exercise = busy["exercise"]
    assert isinstance(exercise, Exercise)
    for path in (
        "/compliance/",
        f"/compliance/facilities/{world.deurganck.pk}/",
        "/compliance/levels/",
        f"/compliance/versions/{busy['version'].pk}/",  # type: ignore[attr-defined]
        "/compliance/inspections/",
        f"/compliance/inspections/{inspection.pk}/",
        f"/compliance/findings/{finding.pk}/",
        "/compliance/exercises/",
        f"/compliance/exercises/{exercise.pk}/",
        "/compliance/scenarios/",
        "/compliance/scenarios/E01/",
        "/compliance/training/",
        "/compliance/ships/",
        "/compliance/calendar/",
    ):
        response = pfso_client.get(path, follow=True)
        assert response.status_code == 200, path


def test_a_single_facility_pfso_lands_on_the_facility_page(
    pfso_client: Client, world: World
) -> None:
    response = pfso_client.get("/compliance/")
    assert response.status_code == 302
    assert response["Location"] == f"/compliance/facilities/{world.deurganck.pk}/"


def test_the_pfso_acknowledges_the_level_on_the_facility_page(
    pfso_client: Client, world: World, busy: dict[str, object]
) -> None:
    page = pfso_client.get(
        f"/compliance/facilities/{world.deurganck.pk}/"
    ).content.decode()
    ack = LevelAcknowledgement.objects.get(facility=world.deurganck)
    assert f"/compliance/acknowledgements/{ack.pk}/" in page
    pfso_client.post(f"/compliance/acknowledgements/{ack.pk}/")
    ack.refresh_from_db()
    assert ack.acknowledged_at is not None


def test_the_port_officer_sets_the_level_on_the_levels_page(
    alice_client: Client, world: World
) -> None:
    response = alice_client.post(
        "/compliance/levels/", {"port": "BEANR", "level": "3", "reason": "Imminent"}
    )
    assert response.status_code == 302
    assert Port.objects.get(pk=world.antwerp.pk).security_level == 3
    refused = alice_client.post("/compliance/levels/", {"port": "BEANR", "level": "3"})
    assert refused.status_code == 400


def test_the_dashboards_of_the_inspector_committee_and_authority_render(
    inspector_client: Client,
    lcmb_client: Client,
    namb_client: Client,
    alice_client: Client,
    busy: dict[str, object],
) -> None:
    page = inspector_client.get("/compliance/").content.decode()
    assert "My inspections" in page
    assert "Deurganck Terminal" in page
    assert "Deurganck Terminal" in lcmb_client.get("/compliance/").content.decode()
    assert namb_client.get("/compliance/").status_code == 200
    assert alice_client.get("/compliance/").status_code == 200


def test_the_run_page_carries_the_save_as_you_go_script(
    inspector_client: Client, inspection: Inspection
) -> None:
    page = inspector_client.get(
        f"/compliance/inspections/{inspection.pk}/run/"
    ).content.decode()
    assert "compliance/inspection.js" in page
    assert (
        f'data-answer-url="/api/v1/compliance/inspections/{inspection.pk}/answers/ITEM"'
        in page
    )
    assert page.count('class="run-item"') == inspection.template.items.count()


def test_another_port_gets_404_on_every_page(
    charlie_client: Client,
    world: World,
    busy: dict[str, object],
    inspection: Inspection,
) -> None:
    finding = busy["finding"]
    for path in (
        f"/compliance/facilities/{world.deurganck.pk}/",
        f"/compliance/versions/{busy['version'].pk}/",  # type: ignore[attr-defined]
        f"/compliance/inspections/{inspection.pk}/",
        f"/compliance/inspections/{inspection.pk}/run/",
        f"/compliance/inspections/{inspection.pk}/report.pdf",
        f"/compliance/findings/{finding.pk}/",  # type: ignore[attr-defined]
        f"/compliance/exercises/{busy['exercise'].pk}/",  # type: ignore[attr-defined]
    ):
        assert charlie_client.get(path).status_code == 404, path


def test_the_pfso_answers_a_finding_with_a_plan_on_its_page(
    pfso_client: Client, busy: dict[str, object]
) -> None:
    finding = busy["finding"]
    assert isinstance(finding, Finding)
    deadline = timezone.localdate() + dt.timedelta(days=10)
    response = pfso_client.post(
        f"/compliance/findings/{finding.pk}/plan/",
        {"action": "Lock it", "owner": "Shift lead", "deadline": deadline.isoformat()},
    )
    assert response.status_code == 302
    finding.refresh_from_db()
    assert (finding.status, finding.action_owner) == ("planned", "Shift lead")
    closed = pfso_client.post(
        f"/compliance/findings/{finding.pk}/close/", {"text": "x"}
    )
    assert closed.status_code == 400


def test_a_training_file_is_imported_on_the_training_page(
    dave_client: Client, world: World
) -> None:
    services.course_catalogue_load()
    upload = SimpleUploadedFile(
        "p.csv",
        f"person_id,course,completed_on\n{world.driver.pk},awareness,2026-01-10\n".encode(),
    )
    response = dave_client.post("/compliance/training/import/", {"file": upload})
    assert response.status_code == 302
    page = dave_client.get(response["Location"]).content.decode()
    assert "1 imported, 0 unchanged, 0 rejected" in page


def test_the_calendar_feed_lists_the_inspectors_inspections(
    inspector_client: Client, inspection: Inspection, client: Client
) -> None:
    page = inspector_client.get("/compliance/calendar/").content.decode()
    feed = re.search(
        r'value="http://testserver(/compliance/calendar/[^"]+\.ics)"', page
    )
    assert feed is not None
    response = client.get(feed.group(1))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content.decode()
    assert "BEGIN:VEVENT" in body
    assert "Deurganck Terminal" in body
    assert client.get("/compliance/calendar/forged.ics").status_code == 404


def test_the_run_page_speaks_dutch(
    inspector_client: Client, inspection: Inspection
) -> None:
    page = inspector_client.get(
        f"/compliance/inspections/{inspection.pk}/run/", HTTP_ACCEPT_LANGUAGE="nl"
    ).content.decode()
    assert "Alle antwoorden bewaard" in page
    assert "Foto toevoegen" in page
