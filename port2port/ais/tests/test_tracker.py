"""The vessel tracker, and AIS sentences all the way to a geofence alert."""

from __future__ import annotations

from pyais.encode import encode_dict

from port2port.ais import (
    AIS_POSITION,
    AIS_STATIC,
    AisFeed,
    NmeaDecoder,
    PositionReport,
    StaticReport,
    VesselTracker,
)
from port2port.rules import Area, Engine, Port, Topology, rule_from_dict

T = 1_745_316_000.0
ANTWERP = (4.20, 51.20, 4.45, 51.40)
MMSI = 205123000


def position(
    time: float,
    lon: float = 4.30,
    lat: float = 51.30,
    sog: float = 0.0,
    **extra: object,
) -> PositionReport:
    fields: dict[str, object] = {
        "mmsi": MMSI,
        "msg_type": 1,
        "time": time,
        "lon": lon,
        "lat": lat,
        "sog": sog,
        "cog": 90.0,
        "heading": 90,
        "nav_status": 0,
        **extra,
    }
    return PositionReport(**fields)  # type: ignore[arg-type]


def tracker(**kwargs: object) -> VesselTracker:
    return VesselTracker(source_id="AIS-SCHELDT", ports={"BEANR": ANTWERP}, **kwargs)  # type: ignore[arg-type]


def test_a_position_becomes_an_event_with_the_static_data_in_its_payload() -> None:
    t = tracker()
    assert (
        t.update(
            StaticReport(
                MMSI,
                5,
                T,
                imo=9321483,
                name="EVER GIVEN",
                callsign="H3RC",
                ship_type=70,
                to_bow=300,
                to_stern=100,
                to_port=30,
                to_starboard=29,
            )
        )
        is None
    )  # no position yet: nowhere to put an event
    event = t.update(position(T + 1, sog=12.5))
    assert event is not None
    assert event.kind == AIS_POSITION
    assert (event.id, event.time, event.source_id, event.port_id) == (
        f"ais:{MMSI}:{int((T + 1) * 1000)}",
        T + 1,
        "AIS-SCHELDT",
        "BEANR",
    )
    assert event.position == (4.30, 51.30)
    assert event.payload == {
        "mmsi": MMSI,
        "imo": 9321483,
        "name": "EVER GIVEN",
        "callsign": "H3RC",
        "ship_type": 70,
        "length_m": 400.0,
        "beam_m": 59.0,
        "sog": 12.5,
        "cog": 90.0,
        "heading": 90,
        "nav_status": 0,
        "msg_type": 1,
    }


def test_a_changed_identity_is_an_ais_static_event() -> None:
    t = tracker()
    t.update(position(T))
    renamed = t.update(StaticReport(MMSI, 24, T + 5, name="SHADOW", part="A"))
    assert renamed is not None
    assert renamed.kind == AIS_STATIC
    assert renamed.payload["name"] == "SHADOW"
    assert t.update(StaticReport(MMSI, 24, T + 6, name="SHADOW", part="A")) is None
    assert (
        t.update(StaticReport(MMSI, 5, T + 7, destination="BEANR")) is None
    )  # not identity


def test_type_24_parts_a_and_b_and_type_19_fill_the_vessel() -> None:
    t = tracker()
    t.update(StaticReport(MMSI, 24, T, name="PROGUY", part="A"))
    t.update(
        StaticReport(
            MMSI,
            24,
            T,
            callsign="TC6163",
            ship_type=60,
            to_bow=0,
            to_stern=15,
            to_port=0,
            to_starboard=5,
            part="B",
        )
    )
    vessel = t.get(MMSI)
    assert vessel is not None
    assert (
        vessel.name,
        vessel.callsign,
        vessel.ship_type,
        vessel.length_m,
        vessel.beam_m,
    ) == ("PROGUY", "TC6163", 60, 15.0, 5.0)
    static = StaticReport(
        MMSI,
        19,
        T,
        name="CAPT.J.RIMES",
        ship_type=70,
        to_bow=5,
        to_stern=21,
        to_port=4,
        to_starboard=4,
    )
    event = t.update(position(T + 1, msg_type=19, nav_status=None, static=static))
    assert event is not None
    assert (
        event.payload["name"],
        event.payload["length_m"],
        event.payload["nav_status"],
    ) == ("CAPT.J.RIMES", 26.0, None)


def test_positions_outside_every_port_are_tracked_without_an_event() -> None:
    t = tracker()
    assert t.update(position(T, lon=2.0, lat=51.5)) is None
    vessel = t.get(MMSI)
    assert vessel is not None
    assert (vessel.lon, vessel.lat) == (2.0, 51.5)
    with_default = tracker(default_port="BEZEE")
    event = with_default.update(position(T, lon=2.0, lat=51.5))
    assert event is not None
    assert event.port_id == "BEZEE"


def test_a_report_without_a_position_makes_no_event() -> None:
    t = tracker()
    assert t.update(position(T, lon=None, lat=None, sog=3.0)) is None
    vessel = t.get(MMSI)
    assert vessel is not None
    assert (vessel.lon, vessel.sog) == (None, 3.0)


def test_the_same_report_from_two_stations_is_one_event() -> None:
    t = tracker()
    assert t.update(position(T)) is not None
    assert t.update(position(T + 0.5)) is None
    assert t.update(position(T + 3)) is not None
    assert t.update(position(T + 3.5, lon=4.31)) is not None


def test_the_history_is_thinned_and_bounded() -> None:
    t = tracker(history_size=3, history_every_s=30)
    for second in range(0, 200, 10):
        t.update(position(T + second, lon=4.30 + second / 10_000))
    vessel = t.get(MMSI)
    assert vessel is not None
    assert [time - T for time, _, _ in vessel.history] == [90, 120, 150, 180][-3:]


def test_silent_vessels_are_forgotten() -> None:
    t = tracker(forget_after_s=3600)
    t.update(position(T))
    t.update(StaticReport(MMSI + 1, 5, T + 3000, name="OTHER"))
    assert len(t) == 2
    assert t.expire(T + 3601) == 1
    assert [v.mmsi for v in t.vessels()] == [MMSI + 1]
    t.update(position(T + 7000))  # expiry also runs as reports come
    assert [v.mmsi for v in t.vessels()] == [MMSI]


def test_nmea_lines_all_the_way_to_a_restricted_area_alert() -> None:
    restricted = ((4.30, 51.30), (4.32, 51.30), (4.32, 51.31), (4.30, 51.31))
    engine = Engine(
        [
            rule_from_dict(
                {
                    "id": "restricted",
                    "kind": "geofence",
                    "trigger": "enter",
                    "severity": "high",
                    "area_kinds": ["restricted"],
                }
            ),
            rule_from_dict(
                {
                    "id": "watched",
                    "kind": "watchlist",
                    "match": {"kinds": ["ais.position", "ais.static"]},
                    "fields": ["payload.imo"],
                    "lists": ["vessels"],
                }
            ),
        ],
        Topology.of(
            ports=[Port("BEANR", "Europe/Brussels")],
            areas=[Area("R1", (restricted,), "restricted", "BEANR")],
        ),
        watchlists={"vessels": ["9134270"]},
    )
    feed = AisFeed(NmeaDecoder(), tracker())
    lines = [
        *encode_dict(
            {
                "type": 1,
                "mmsi": 351759000,
                "lon": 4.29,
                "lat": 51.305,
                "speed": 4.0,
                "course": 90,
            },
            talker_id="AI",
        ),
        "!AIVDM,2,1,1,A,55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8,0*1C",
        "!AIVDM,2,2,1,A,88888888880,2*25",
        *encode_dict(
            {
                "type": 1,
                "mmsi": 351759000,
                "lon": 4.305,
                "lat": 51.305,
                "speed": 4.0,
                "course": 90,
            },
            talker_id="AI",
        ),
    ]
    matches = []
    for offset, line in enumerate(lines):
        matches += engine.process(feed.feed_lines([line], T + offset * 10))
    assert [(m.rule_id, m.time) for m in matches] == [
        ("watched", T + 20),  # the type 5 report named IMO 9134270
        ("restricted", T + 30),
        ("watched", T + 30),
    ]
    assert matches[1].details == {"area": "R1", "key": 351759000}
    assert feed.decoder.stats["decoded"] == 3
