"""Decoding real NMEA sentences, multi-part assembly, and the fast path."""

from __future__ import annotations

import random

import pyais
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyais.encode import encode_dict

from port2port.ais import NmeaDecoder, PositionReport, StaticReport, nmea_checksum
from port2port.ais.nmea import convert

T = 1_745_316_000.0

# Real sentences (receiver feeds published with gpsd's and pyais's documentation).
TYPE_1 = "!AIVDM,1,1,,B,15M67FC000G?ufbE`FepT@3n00Sa,0*5C"
TYPE_1_UNDER_WAY = "!AIVDM,1,1,,B,181:Kjh01ewHFRPDK1s3IRcn06sd,0*08"
TYPE_3_MOORED = "!AIVDM,1,1,,A,35NSH95001G?wopE`beasVk@0E5:,0*6F"
TYPE_5 = (
    "!AIVDM,2,1,1,A,55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8,0*1C",
    "!AIVDM,2,2,1,A,88888888880,2*25",
)
TYPE_5_NORDIC = (
    "!AIVDM,2,1,9,A,538CQ>02A;h?D9QC800pu8@T>0P4l9E8L0000017Ah:;;5r50Ahm5;C0,0*0F",
    "!AIVDM,2,2,9,A,F@V@00000000000,2*3D",
)
TYPE_18 = "!AIVDM,1,1,,A,B5NJ;PP005l4ot5Isbl03wsUkP06,0*76"
TYPE_18_NOT_AVAILABLE = "!AIVDO,1,1,,,B>qc:003wk?8mP=18D3Q3wgTiT;T,0*13"
TYPE_19 = "!AIVDM,1,1,,B,C5N3SRgPEnJGEBT>NhWAwwo862PaLELTBJ:V00000000S0D:R220,0*0B"
TYPE_24_A = "!AIVDM,1,1,,A,H42O55i18tMET00000000000000,2*6D"
TYPE_24_B = "!AIVDM,1,1,,A,H42O55lti4hhhilD3nink000?050,0*40"
TYPE_27 = "!AIVDM,1,1,,B,KC5E2b@U19PFdLbMuc5=ROv62<7m,0*16"


def decode(*lines: str) -> object:
    decoder = NmeaDecoder()
    reports = [decoder.decode(line, T) for line in lines]
    assert all(report is None for report in reports[:-1])
    return reports[-1]


def test_type_1() -> None:
    assert decode(TYPE_1) == PositionReport(
        mmsi=366053209,
        msg_type=1,
        time=T,
        lon=-122.341618,
        lat=37.802118,
        sog=0.0,
        cog=219.3,
        heading=1,
        nav_status=3,
        accuracy=False,
        second=59,
    )
    under_way = decode(TYPE_1_UNDER_WAY)
    assert isinstance(under_way, PositionReport)
    assert (under_way.mmsi, under_way.sog, under_way.cog) == (538090443, 10.9, 87.0)


def test_type_3_moored() -> None:
    report = decode(TYPE_3_MOORED)
    assert isinstance(report, PositionReport)
    assert (
        report.mmsi,
        report.msg_type,
        report.nav_status,
        report.sog,
        report.heading,
    ) == (
        367581220,
        3,
        5,
        0.1,
        217,
    )
    assert (round(report.lat or 0, 4), round(report.lon or 0, 4)) == (
        37.8107,
        -122.3343,
    )


def test_type_5_in_two_parts() -> None:
    assert decode(*TYPE_5) == StaticReport(
        mmsi=351759000,
        msg_type=5,
        time=T,
        imo=9134270,
        name="EVER DIADEM",
        callsign="3FOF8",
        ship_type=70,
        to_bow=225,
        to_stern=70,
        to_port=1,
        to_starboard=31,
        destination="NEW YORK",
        draught=12.2,
    )
    nordic = decode(*TYPE_5_NORDIC)
    assert isinstance(nordic, StaticReport)
    assert (nordic.mmsi, nordic.name) == (210035000, "NORDIC HAMBURG")


def test_the_parts_may_come_in_either_order_and_interleaved() -> None:
    decoder = NmeaDecoder()
    assert decoder.decode(TYPE_5[1], T) is None
    assert decoder.decode(TYPE_5_NORDIC[0], T) is None
    assert decoder.decode(TYPE_1, T) is not None
    first = decoder.decode(TYPE_5[0], T)
    second = decoder.decode(TYPE_5_NORDIC[1], T)
    assert isinstance(first, StaticReport)
    assert isinstance(second, StaticReport)
    assert (first.name, second.name) == ("EVER DIADEM", "NORDIC HAMBURG")


def test_a_lost_part_is_dropped_and_counted() -> None:
    decoder = NmeaDecoder(partial_ttl_s=10)
    assert decoder.decode(TYPE_5[0], T) is None
    assert decoder.decode(TYPE_5_NORDIC[0], T + 20) is None  # forgets the stale one
    assert decoder.stats["incomplete"] == 1
    assert decoder.decode(TYPE_5[1], T + 21) is None  # its first part is gone
    assert decoder.decode(TYPE_5_NORDIC[0], T + 22) is None
    assert decoder.stats["incomplete"] == 2  # a part seen twice starts a new message


def test_type_18() -> None:
    assert decode(TYPE_18) == PositionReport(
        mmsi=367430530,
        msg_type=18,
        time=T,
        lon=-122.26732,
        lat=37.785035,
        sog=0.0,
        cog=0.0,
        heading=None,
        nav_status=None,
        accuracy=False,
        second=55,
    )


def test_values_that_are_not_available_are_none() -> None:
    report = decode(TYPE_18_NOT_AVAILABLE)
    assert isinstance(report, PositionReport)
    assert (
        report.mmsi,
        report.lon,
        report.lat,
        report.sog,
        report.cog,
        report.heading,
    ) == (
        1000000000,
        None,
        None,
        None,
        None,
        None,
    )


def test_type_19_carries_position_and_static_data() -> None:
    report = decode(TYPE_19)
    assert isinstance(report, PositionReport)
    assert (report.mmsi, report.sog, report.lat, report.cog) == (
        367059850,
        8.7,
        29.543695,
        335.9,
    )
    assert report.static == StaticReport(
        mmsi=367059850,
        msg_type=19,
        time=T,
        name="CAPT.J.RIMES",
        ship_type=70,
        to_bow=5,
        to_stern=21,
        to_port=4,
        to_starboard=4,
    )


def test_type_24_parts_a_and_b() -> None:
    assert decode(TYPE_24_A) == StaticReport(
        mmsi=271041815, msg_type=24, time=T, name="PROGUY", part="A"
    )
    assert decode(TYPE_24_B) == StaticReport(
        mmsi=271041815,
        msg_type=24,
        time=T,
        callsign="TC6163",
        ship_type=60,
        to_bow=0,
        to_stern=15,
        to_port=0,
        to_starboard=5,
        part="B",
    )


def test_type_27() -> None:
    report = decode(TYPE_27)
    assert isinstance(report, PositionReport)
    assert (
        report.mmsi,
        report.lon,
        report.lat,
        report.sog,
        report.cog,
        report.nav_status,
    ) == (
        206914217,
        137.023333,
        4.84,
        57.0,
        167.0,
        2,
    )


def test_a_tag_block_gives_the_receiver_time_and_station() -> None:
    decoder = NmeaDecoder()
    seconds = decoder.decode("\\s:Zeebrugge,c:1700000000*00\\" + TYPE_1, T)
    millis = decoder.decode("\\c:1700000000500*00\\" + TYPE_1, T)
    assert isinstance(seconds, PositionReport)
    assert isinstance(millis, PositionReport)
    assert (seconds.time, seconds.station) == (1_700_000_000.0, "Zeebrugge")
    assert (millis.time, millis.station) == (1_700_000_000.5, None)
    odd = decoder.decode("\\c:nan,s:*00\\" + TYPE_1, T)
    assert isinstance(odd, PositionReport)
    assert (odd.time, odd.station) == (T, None)


@pytest.mark.parametrize(
    ("line", "counter"),
    [
        (TYPE_1.replace("*5C", "*5D"), "bad_checksum"),
        (TYPE_1.replace("15M67", "15M68"), "bad_checksum"),
        ("!AIVDM,1,1,,B,15M67FC000G?ufbE", "malformed"),
        (
            "$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47",
            "malformed",
        ),
        ("garbage", "malformed"),
        ("", "malformed"),
        ("\\c:1700000000*00!AIVDM,1,1,,B,1,0*00", "malformed"),
        (
            "!AIVDM,1,1,,A,403OviQuMGCqWrRO9>E6fE700@GO,0*4D",
            "unsupported",
        ),  # a base station
        (b"!AIVDM,1,1,,B,\xff,0*00", "malformed"),
    ],
)
def test_bad_or_untracked_sentences_are_counted_not_raised(
    line: str | bytes, counter: str
) -> None:
    decoder = NmeaDecoder()
    assert decoder.decode(line, T) is None
    assert decoder.stats[counter] == 1


def test_the_checksum_can_be_ignored() -> None:
    decoder = NmeaDecoder(verify_checksum=False)
    assert decoder.decode(TYPE_1.replace("*5C", "*00"), T) is not None


def test_the_checksum_is_the_xor_of_the_bytes() -> None:
    for line in (TYPE_1, TYPE_18, TYPE_24_A, *TYPE_5):
        body, _, given_sum = line[1:].partition("*")
        expected = 0
        for byte in body.encode():
            expected ^= byte
        assert nmea_checksum(body.encode()) == expected == int(given_sum, 16)
    assert nmea_checksum(b"") == 0
    assert nmea_checksum(b"A") == 65


# ----------------------------------------------------------------- fast path


def _reference(line: str) -> object:
    """Return what pyais decodes, converted the same way."""
    return convert(pyais.decode(line), T)


positions = st.fixed_dictionaries(
    {
        "type": st.sampled_from([1, 2, 3, 18, 27]),
        "mmsi": st.integers(0, 2**30 - 1),
        "status": st.integers(0, 15),
        "lon": st.one_of(st.floats(-180, 180), st.just(181.0)),
        "lat": st.one_of(st.floats(-90, 90), st.just(91.0)),
        "speed": st.one_of(st.floats(0, 102.2), st.just(102.3)),
        "course": st.one_of(st.floats(0, 359.9), st.just(360.0)),
        "heading": st.one_of(st.integers(0, 359), st.just(511)),
        "second": st.integers(0, 63),
        "accuracy": st.booleans(),
    }
)


@settings(max_examples=500, deadline=None, database=None)
@given(positions, st.sampled_from("AB"))
def test_the_fast_path_decodes_what_pyais_decodes(
    fields: dict[str, object], channel: str
) -> None:
    if fields["type"] == 27:
        fields = {
            **fields,
            "speed": min(int(fields["speed"]), 63),
            "course": min(int(fields["course"]), 511),
        }  # type: ignore[call-overload]
    [line] = encode_dict(fields, talker_id="AI", radio_channel=channel)
    fast = NmeaDecoder(fast=True).decode(line, T)
    assert fast == _reference(line)


def test_the_fast_path_agrees_with_pyais_on_a_mixed_feed() -> None:
    rnd = random.Random(5)
    fast, slow = NmeaDecoder(fast=True), NmeaDecoder(fast=False)
    lines = [
        TYPE_1,
        TYPE_1_UNDER_WAY,
        TYPE_3_MOORED,
        TYPE_18,
        TYPE_18_NOT_AVAILABLE,
        TYPE_27,
    ]
    for _ in range(300):
        lines += encode_dict(
            {
                "type": rnd.choice([1, 2, 3, 18]),
                "mmsi": rnd.randrange(2**30),
                "lon": rnd.uniform(2.5, 4.5),
                "lat": rnd.uniform(51.0, 51.5),
                "speed": rnd.uniform(0, 20),
                "course": rnd.uniform(0, 360),
                "heading": rnd.randrange(360),
            },
            talker_id="AI",
        )
    for line in lines:
        assert fast.decode(line, T) == slow.decode(line, T), line
    assert fast.stats == slow.stats


@settings(max_examples=500, deadline=None, database=None)
@given(
    st.sampled_from([TYPE_1, TYPE_18, TYPE_27, TYPE_24_A, TYPE_19, *TYPE_5]),
    st.integers(0, 90),
    st.characters(min_codepoint=0, max_codepoint=300),
    st.booleans(),
)
def test_a_damaged_sentence_never_raises(
    line: str, where: int, char: str, check: bool
) -> None:
    damaged = line[:where] + char + line[where + 1 :]
    decoder = NmeaDecoder(verify_checksum=check)
    report = decoder.decode(damaged, T)
    assert report is None or isinstance(report, PositionReport | StaticReport)
    assert sum(decoder.stats.values()) <= 1


@settings(max_examples=300, deadline=None, database=None)
@given(st.text(max_size=90), st.binary(max_size=90))
def test_any_text_or_bytes_never_raise(text: str, data: bytes) -> None:
    decoder = NmeaDecoder()
    assert decoder.decode(text, T) is None or text.startswith(("!", "\\"))
    decoder.decode(data, T)
