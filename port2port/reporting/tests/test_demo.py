"""The reporting demo data loads on top of the registry and can be followed up."""

from __future__ import annotations

import io
import re

import pytest

from conftest import World
from port2port.core.models import User
from port2port.core.tests import factories
from port2port.reporting import demo, services
from port2port.reporting.models import Channel, Report

pytestmark = pytest.mark.django_db


def test_the_demo_loads_channels_groups_keys_and_reports(world: World) -> None:
    factories.OrganisationFactory(
        name="Federal Police – Shipping Police", roles=["police"]
    )
    factories.OrganisationFactory(
        name="General Administration of Customs and Excise", roles=["customs"]
    )
    out = io.StringIO()

    counts = demo.seed(stdout=out)

    assert counts == {"handler_groups": 3, "reporting_channels": 2, "reports": 4}
    assert list(Channel.objects.values_list("slug", flat=True)) == [
        "portwatch",
        "drug-free",
    ]
    receipts = re.findall(r"demo receipt of (R-\d{4}-\d{5}): (\d{16})", out.getvalue())
    assert len(receipts) == 4
    _cookie, report = services.receipt_login(receipt=receipts[0][1])
    assert report.reference == receipts[0][0]
    police = User.objects.get(username="handler.police")
    private = services.handler_key_unlock(user=police, password=demo.DEMO_PASSWORD)
    plain = services.report_open(actor=police, report=report, private=private)
    assert [m.kind for m in plain.messages] == ["question"]
    smuggling = Report.objects.get(category="smuggling")
    assert set(smuggling.groups.values_list("code", flat=True)) == {
        "aik-triage",
        "customs-investigation",
    }
    drug_free = Report.objects.get(channel__slug="drug-free")
    assert set(drug_free.groups.values_list("code", flat=True)) == {
        "aik-triage",
        "antwerp-security",
    }
    accounts = {username for username, _role, _scope in demo.ACCOUNTS}
    assert accounts <= set(User.objects.values_list("username", flat=True))
