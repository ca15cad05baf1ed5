"""Importing EDIFACT COREOR container release orders."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from port2port.release.coreor import CoreorError, coreor_parse
from port2port.release.models import Release
from port2port.release.tests.conftest import Chain, api, client_for

BRUSSELS = zoneinfo.ZoneInfo("Europe/Brussels")

# A COREOR interchange as a shipping agent's system sends it (D95B, ITIGG
# conventions): one order for two containers of one bill of lading, one for a
# single container with two bills of lading and a validity window.
INTERCHANGE = """UNA:+.? '
UNB+UNOC:3+MERIDIANAGY:ZZZ+PORT2PORT:ZZZ+301215:0930+MLA000042'
UNH+1+COREOR:D:95B:UN:ITG14'
BGM+129+MLA-REL-88412+9'
DTM+137:203012150930:203'
RFF+RE:MLA-REL-88412'
RFF+BM:MEDUAN123456'
DTM+36:203012312359:203'
TDT+20+044W+1++MSCU:172:20+++9839179:146::MSC ANNA'
LOC+11+BEANR:139:6+BEANR-0001:TER:ZZZ'
NAD+CA+BE0490000151:160:ZZZ'
NAD+FW+BE0490000250:160:ZZZ++Brabo Freight NV'
EQD+CN+CSQU3054383+45G1:102:5++3+5'
EQD+CN+MWCU6059784+22G1:102:5++3+5'
CNT+16:2'
UNT+14+1'
UNH+2+COREOR:D:95B:UN:ITG14'
BGM+129+MLA-REL-88413+9'
RFF+BM:MEDUAN555001'
RFF+BM:MEDUAN555002'
DTM+7:20301216:102'
DTM+36:203101151200:203'
LOC+11+BEANR:139:6+BEANR-0001:TER:ZZZ'
NAD+FW+0490000250:160:ZZZ'
EQD+CN+MSCU1234566+45R1:102:5++3+5'
UNT+10+2'
UNZ+2+MLA000042'
"""

REPLACE_AND_CANCEL = """UNB+UNOC:3+MERIDIANAGY:ZZZ+PORT2PORT:ZZZ+301216:0800+MLA000043'
UNH+1+COREOR:D:95B:UN:ITG14'
BGM+129+MLA-REL-88413+5'
RFF+BM:MEDUAN555001'
DTM+36:203102011200:203'
LOC+11+BEANR:139:6+BEANR-0001:TER:ZZZ'
NAD+FW+BE0490000250:160:ZZZ'
EQD+CN+MSCU1234566+45R1:102:5++3+5'
UNT+8+1'
UNH+2+COREOR:D:95B:UN:ITG14'
BGM+129+MLA-REL-88412+1'
EQD+CN+CSQU3054383+45G1:102:5++3+5'
EQD+CN+MWCU6059784+22G1:102:5++3+5'
UNT+5+2'
UNZ+2+MLA000043'
"""


def test_the_parser_reads_every_order_of_the_interchange() -> None:
    orders = coreor_parse(INTERCHANGE, tz=BRUSSELS)
    assert len(orders) == 2
    first, second = orders
    assert first.function == "original"
    assert first.reference == "MLA-REL-88412"
    assert first.containers == ["CSQU3054383", "MWCU6059784"]
    assert first.bills_of_lading == ["MEDUAN123456"]
    assert first.valid_until == dt.datetime(2030, 12, 31, 23, 59, tzinfo=BRUSSELS)
    assert first.port_locode == "BEANR"
    assert first.terminal_code == "BEANR-0001"
    assert first.carrier == "BE0490000151"
    assert first.holder == "BE0490000250"
    assert second.reference == "MLA-REL-88413"
    assert second.valid_from == dt.datetime(2030, 12, 16, tzinfo=BRUSSELS)
    assert second.bills_of_lading == ["MEDUAN555001", "MEDUAN555002"]


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("this is not edifact", "interchange"),
        (
            "UNB+UNOC:3+A+B+301215:0930+1'UNH+1+IFTMIN:D:95B:UN'UNT+2+1'UNZ+1+1'",
            "interchange",
        ),
        (
            "UNB+UNOC:3+A+B+301215:0930+1'UNH+1+COREOR:D:95B:UN'BGM+129+R1+9'"
            "EQD+CN+CSQU3054383'UNT+4+1'UNZ+1+1'",
            "messages.0.valid_until",
        ),
        (
            "UNB+UNOC:3+A+B+301215:0930+1'UNH+1+COREOR:D:95B:UN'BGM+129+R1+9'"
            "DTM+36:2030-12-31:203'UNT+4+1'UNZ+1+1'",
            "messages.0.dtm",
        ),
    ],
)
def test_the_parser_refuses_what_it_cannot_read(text: str, field: str) -> None:
    with pytest.raises(CoreorError) as caught:
        coreor_parse(text, tz=BRUSSELS)
    assert field in caught.value.fields


@pytest.mark.django_db
def test_an_interchange_creates_replaces_and_cancels_releases(chain: Chain) -> None:
    agent = client_for(chain.agent)
    response = api(agent, "post", "/releases/coreor", {"interchange": INTERCHANGE})
    assert response.status_code == 201, response.json()
    assert len(response.json()["created"]) == 3
    releases = {r.container_number: r for r in Release.objects.all()}
    assert set(releases) == {"CSQU3054383", "MWCU6059784", "MSCU1234566"}
    first = releases["CSQU3054383"]
    assert first.reference == "MLA-REL-88412/CSQU3054383"
    assert first.holder_id == chain.forwarder_org.pk
    assert first.carrier_id == chain.agent_org.pk
    assert first.terminal_id == chain.world.deurganck.pk
    assert first.source == "coreor"
    single = releases["MSCU1234566"]
    assert single.reference == "MLA-REL-88413"
    assert single.bills_of_lading == ["MEDUAN555001", "MEDUAN555002"]

    response = api(
        agent, "post", "/releases/coreor", {"interchange": REPLACE_AND_CANCEL}
    )
    assert response.status_code == 201, response.json()
    assert response.json() == {
        "created": [],
        "updated": [single.pk],
        "withdrawn": [first.pk, releases["MWCU6059784"].pk],
    }
    single.refresh_from_db()
    assert single.valid_until == dt.datetime(2031, 2, 1, 12, 0, tzinfo=BRUSSELS)
    assert single.bills_of_lading == ["MEDUAN555001"]
    first.refresh_from_db()
    assert first.status == "withdrawn"


@pytest.mark.django_db
def test_an_interchange_with_an_unknown_party_changes_nothing(chain: Chain) -> None:
    text = INTERCHANGE.replace("NAD+FW+0490000250", "NAD+FW+BE0999999999")
    response = api(
        client_for(chain.agent), "post", "/releases/coreor", {"interchange": text}
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "messages.1.holder": ["No organisation is registered as BE0999999999."]
    }
    assert Release.objects.count() == 0


@pytest.mark.django_db
def test_a_bad_check_digit_in_an_interchange_is_refused(chain: Chain) -> None:
    text = INTERCHANGE.replace("MSCU1234566", "MSCU1234567")
    response = api(
        client_for(chain.agent), "post", "/releases/coreor", {"interchange": text}
    )
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["releases.2.container_number"]
    assert Release.objects.count() == 0
