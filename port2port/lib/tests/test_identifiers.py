from __future__ import annotations

import pytest

from port2port.lib.identifiers import (
    InvalidIdentifier,
    container_number_normalise,
    eori_normalise,
    imo_normalise,
    kbo_normalise,
    locode_normalise,
    mmsi_normalise,
    national_register_number_normalise,
    plate_display,
    plate_normalise,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("BEANR", "BEANR"), ("be zee", "BEZEE"), ("BEGNK", "BEGNK"), ("NLRTM", "NLRTM")],
)
def test_locode_is_normalised(raw: str, expected: str) -> None:
    assert locode_normalise(raw) == expected


@pytest.mark.parametrize("raw", ["BEAN", "BEANRX", "B1ANR", "BEAN1", "BEAN0"])
def test_invalid_locode_is_refused(raw: str) -> None:
    with pytest.raises(InvalidIdentifier, match="UN/LOCODE"):
        locode_normalise(raw)


def test_container_number_check_digit() -> None:
    assert container_number_normalise("CSQU 305438-3") == "CSQU3054383"
    assert container_number_normalise("MWCU6059784") == "MWCU6059784"
    with pytest.raises(InvalidIdentifier, match="ISO 6346"):
        container_number_normalise("CSQU3054384")


def test_imo_check_digit() -> None:
    assert imo_normalise("IMO 9074729") == "9074729"
    with pytest.raises(InvalidIdentifier):
        imo_normalise("IMO 9074728")


def test_mmsi_is_nine_digits() -> None:
    assert mmsi_normalise("205 123 000") == "205123000"
    with pytest.raises(InvalidIdentifier):
        mmsi_normalise("20512300")


def test_kbo_accepts_vat_form_and_checks_modulo_97() -> None:
    assert kbo_normalise("BE 0403.170.701") == "0403170701"
    assert kbo_normalise("0403170701") == "0403170701"
    with pytest.raises(InvalidIdentifier, match="enterprise number"):
        kbo_normalise("0403170702")


def test_belgian_eori_wraps_a_valid_enterprise_number() -> None:
    assert eori_normalise("be0403170701") == "BE0403170701"
    assert eori_normalise("NL123456789") == "NL123456789"
    with pytest.raises(InvalidIdentifier):
        eori_normalise("BE0403170702")


def test_national_register_number_checks() -> None:
    assert national_register_number_normalise("93.05.18-223.61") == "93051822361"
    with pytest.raises(InvalidIdentifier, match="national register"):
        national_register_number_normalise("93051822362")


@pytest.mark.parametrize(
    ("raw", "country", "expected", "display"),
    [
        ("1-abc-123", "BE", "1ABC123", "1-ABC-123"),
        ("2 TBC 456", "BE", "2TBC456", "2-TBC-456"),
        ("ABC-123", "BE", "ABC123", "ABC-123"),
        ("123-ABC", "BE", "123ABC", "123-ABC"),
        ("XK-12-BZ", "NL", "XK12BZ", "XK12BZ"),
    ],
)
def test_plates_are_normalised_as_anpr_reads_them(
    raw: str, country: str, expected: str, display: str
) -> None:
    plate = plate_normalise(raw, country=country)
    assert plate == expected
    assert plate_display(plate, country=country) == display


@pytest.mark.parametrize("raw", ["12-34", "1-AB-123", "", "1-ÄBC-123"])
def test_invalid_belgian_plates_are_refused(raw: str) -> None:
    with pytest.raises(InvalidIdentifier):
        plate_normalise(raw, country="BE")
