"""Fixtures of the compliance tests: the officers, inspectors and committees of Antwerp.

Beside the root cast (``alice`` the Antwerp port security officer, ``bob`` her
control-room colleague, ``charlie`` the Ghent officer) come the PFSO of the
Antwerp terminal, an Antwerp inspector, a member of the Antwerp local committee
and the national authority.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from conftest import World, _client_for, _member
from port2port.access.tests.conftest import (  # noqa: F401 - fixtures
    _fresh_snapshot,
    gate_token,
    gates,
)
from port2port.compliance import services
from port2port.compliance.models import ChecklistTemplate, Inspection
from port2port.core.models import User
from port2port.core.tests import factories

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _files(settings: Any, tmp_path: Any) -> None:
    """Keep the files a test stores in its own folder."""
    settings.MEDIA_ROOT = str(tmp_path / "files")


@pytest.fixture
def pfso(world: World) -> User:
    return _member("pfso", world.terminal_operator, "pfso", facility=world.deurganck)


@pytest.fixture
def inspector(world: World) -> User:
    user = _member("inspector", world.poab, "inspector", port=world.antwerp)
    user.first_name, user.last_name = "Ines", "Pector"
    user.save()
    return user


@pytest.fixture
def lcmb(world: World) -> User:
    return _member("lcmb", world.poab, "committee_member", port=world.antwerp)


@pytest.fixture
def namb(world: World) -> User:
    authority = factories.OrganisationFactory(
        name="FPS Mobility – DG Shipping", roles=["other_authority"]
    )
    return _member("namb", authority, "national_authority")


@pytest.fixture
def ghent_pfso(world: World) -> User:
    return _member("ghentpfso", world.ghent_operator, "pfso", facility=world.kluizendok)


@pytest.fixture
def pfso_client(pfso: User) -> Client:
    return _client_for(pfso)


@pytest.fixture
def inspector_client(inspector: User) -> Client:
    return _client_for(inspector)


@pytest.fixture
def lcmb_client(lcmb: User) -> Client:
    return _client_for(lcmb)


@pytest.fixture
def namb_client(namb: User) -> Client:
    return _client_for(namb)


@pytest.fixture
def interim() -> ChecklistTemplate:
    return ChecklistTemplate.objects.get(code="interim-isps", version=1)


@pytest.fixture
def inspection(world: World, inspector: User, interim: ChecklistTemplate) -> Inspection:
    return services.inspection_plan(
        actor=inspector,
        facility=world.deurganck,
        template=interim,
        kind="unannounced",
        planned_on=timezone.localdate(),
    )


def answer_all(
    inspection: Inspection, actor: User, *, skip: set[str] = frozenset()
) -> None:  # type: ignore[assignment]
    """Answer every item that needs an answer: yes, 1, or a short text."""
    at = timezone.now()
    for item in inspection.template.items.exclude(answer_type="photo"):
        if item.key in skip:
            continue
        values: dict[str, Any] = {
            "yes_no_na": {"choice": "yes"},
            "number": {"number": 1},
            "text": {"text": "Nothing to report."},
        }[item.answer_type]
        services.answer_save(
            actor=actor,
            inspection=inspection,
            item_key=item.key,
            client_saved_at=at,
            **values,
        )


@dataclass
class Plan:
    """A PFSP version taken through the workflow up to a given step."""

    version: Any


def draft(actor: User, facility: Any, kind: str = "pfsp") -> Any:
    return services.document_version_create(
        actor=actor,
        facility=facility,
        kind=kind,
        file_name="plan.pdf",
        content=PDF,
        summary={"organisation": "PFSO and two deputies."}
        if kind == "pfsp"
        else {"physical_security": "Fence 2.4 m with anti-climb."},
        note="First version.",
    )


def days_ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)
