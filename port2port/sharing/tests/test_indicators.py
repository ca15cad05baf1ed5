import datetime as dt

import pytest

from port2port.lib.identifiers import InvalidIdentifier
from port2port.sharing.indicators import (
    indicator_line_parse,
    indicator_normalise,
    name_key,
)


@pytest.mark.parametrize(
    ("kind", "raw", "value"),
    [
        ("plate", "1-abc-123", "1ABC123"),
        ("plate", "NL:AB-123-C", "AB123C"),
        ("container", "csqu 305438 3", "CSQU3054383"),
        ("kbo", "BE 0403.170.701", "0403170701"),
        ("eori", "BE0403170701", "BE0403170701"),
        ("imo", "IMO 9074729", "9074729"),
        ("mmsi", "205 123 000", "205123000"),
        ("phone", "03 123 45 67", "+3231234567"),
        ("phone", "0031 6 1234 5678", "+31612345678"),
        ("email", "Boss@Example.BE", "boss@example.be"),
        ("domain", "Cargo-Fix.example.", "cargo-fix.example"),
    ],
)
def test_indicators_are_normalised(kind: str, raw: str, value: str) -> None:
    assert indicator_normalise(kind, raw).value == value


@pytest.mark.parametrize(
    ("kind", "raw"),
    [
        ("plate", "1-ABC-12"),
        ("container", "CSQU3054384"),
        ("kbo", "0403170702"),
        ("imo", "9074728"),
        ("mmsi", "20512300"),
        ("phone", "12"),
        ("email", "no-at-sign"),
        ("domain", "localhost"),
        ("person", "Jan Peeters"),
        ("colour", "red"),
    ],
)
def test_invalid_indicators_are_refused(kind: str, raw: str) -> None:
    with pytest.raises(InvalidIdentifier):
        indicator_normalise(kind, raw)


def test_a_person_is_keyed_on_name_without_accents_or_order() -> None:
    found = indicator_normalise(
        "person", "Élodie  Dubois", date_of_birth=dt.date(1990, 1, 2)
    )
    assert found.value == "dubois elodie"
    assert name_key("DUBOIS, Elodie") == "dubois elodie"


def test_an_indicator_line_is_parsed() -> None:
    assert indicator_line_parse("plate: 1-ABC-123") == ("plate", "1-ABC-123", None)
    assert indicator_line_parse("person: Jan Peeters 1980-04-12") == (
        "person",
        "Jan Peeters",
        dt.date(1980, 4, 12),
    )
    with pytest.raises(InvalidIdentifier):
        indicator_line_parse("1-ABC-123")
