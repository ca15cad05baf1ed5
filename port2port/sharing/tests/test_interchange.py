"""MISP and STIX 2.1: export, import, and the round trip."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from port2port.core.models import User
from port2port.sharing import interchange, services
from port2port.sharing.models import Bulletin
from port2port.sharing.tests.conftest import Hub, bulletin_make

INDICATORS = [
    services.IndicatorInput(kind="plate", value="1-XYZ-789", comment="white truck"),
    services.IndicatorInput(kind="container", value="CSQU3054383"),
    services.IndicatorInput(kind="kbo", value="0403.170.701"),
    services.IndicatorInput(kind="eori", value="BE0403170701"),
    services.IndicatorInput(kind="imo", value="9074729"),
    services.IndicatorInput(kind="mmsi", value="205123000"),
    services.IndicatorInput(kind="phone", value="+32 470 12 34 56"),
    services.IndicatorInput(kind="email", value="fixer@cargo.example"),
    services.IndicatorInput(kind="domain", value="cargo.example"),
    services.IndicatorInput(
        kind="person", value="Jan O'Brien", date_of_birth=dt.date(1980, 4, 12)
    ),
]


def _key(bulletin: Bulletin) -> tuple[object, ...]:
    return (
        bulletin.title,
        bulletin.text,
        bulletin.tlp,
        sorted(
            (i.kind, i.value, i.date_of_birth, i.comment)
            for i in bulletin.indicators.all()
        ),
    )


@pytest.mark.parametrize("fmt", ["misp", "stix"])
def test_a_bulletin_survives_the_round_trip(hub: Hub, alice: User, fmt: str) -> None:
    original = bulletin_make(alice, tlp="amber+strict", indicators=INDICATORS)
    exported = (
        interchange.misp_export(original)
        if fmt == "misp"
        else interchange.stix_export(original)
    )
    text = json.dumps(exported)
    kind, data = interchange.detect_and_import(text)
    assert kind == fmt
    assert data.uuid == str(original.uuid)
    copy = bulletin_make(
        alice,
        title=data.title,
        text=data.text,
        tlp=data.tlp,
        indicators=[
            services.IndicatorInput(
                kind=i.kind,
                value=i.value,
                date_of_birth=i.date_of_birth,
                comment=i.comment,
            )
            for i in data.indicators
        ],
    )
    assert _key(copy) == _key(original)
    if fmt == "misp":
        # The stix comment lives on the indicator's description, the misp one on
        # the attribute; both come back.
        assert exported["Event"]["Tag"][0] == {"name": "tlp:amber+strict"}
    else:
        markings = [o for o in exported["objects"] if o["type"] == "marking-definition"]
        assert markings[0]["id"] == interchange.TLP_MARKINGS["amber+strict"]


def test_stix_tlp1_markings_are_read_as_tlp2(hub: Hub, alice: User) -> None:
    original = bulletin_make(alice, tlp="green")
    exported = interchange.stix_export(original)
    for obj in exported["objects"]:
        if obj.get("object_marking_refs"):
            obj["object_marking_refs"] = [
                "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"
            ]
    assert interchange.stix_import(exported).tlp == "green"


@pytest.mark.parametrize(
    "raw",
    [
        "not json",
        json.dumps({"Event": {"info": "x"}}),
        json.dumps({"type": "bundle", "id": "bundle--1"}),
    ],
)
def test_unreadable_files_are_refused(raw: str) -> None:
    with pytest.raises(interchange.InterchangeError):
        interchange.detect_and_import(raw)
