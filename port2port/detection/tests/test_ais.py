"""AIS ingestion: real NMEA sentences into vessels and ``ais.position`` events.

The sentences are the usual public samples (gpsd's and pyais's): a class A
position (type 1), the two-part static report of the EVER DIADEM (type 5), a
class B position (type 18) and both parts of a class B static report
(type 24). The last line is a position of the EVER DIADEM on the Scheldt,
encoded with pyais for this test.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connections
from pyais.encode import encode_dict

from conftest import World
from port2port.detection import services
from port2port.detection.models import Event, Source, Vessel

RECEIVED = 1767226455.0  # 2026-01-01 00:14:15 UTC

REAL = [
    "!AIVDM,1,1,,B,15NG6V0P01G?cFhE`R2IU?wn28R>,0*05",
    "!AIVDM,2,1,1,A,55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8,0*1C",
    "!AIVDM,2,2,1,A,88888888880,2*25",
    "!AIVDM,1,1,,A,B5NJ;PP005l4ot5Isbl03wsUkP06,0*76",
    "!AIVDM,1,1,,A,H42O55i18tMET00000000000000,2*6D",
    "!AIVDM,1,1,,A,H42O55lti4hhhilD3nink000?050,0*40",
]
(SCHELDT,) = encode_dict(
    {
        "type": 1,
        "mmsi": 351759000,
        "status": 0,
        "speed": 9.4,
        "lon": 4.2571,
        "lat": 51.3012,
        "course": 135.0,
        "heading": 134,
        "second": 15,
    },
    talker_id="AI",
    radio_channel="A",
)


@pytest.fixture
def receiver(world: World) -> Source:
    return services.source_create(
        port=world.antwerp,
        code="BEANR-AIS1",
        name="Zandvliet AIS receiver",
        kind=Source.Kind.AIS_RECEIVER,
        geometry={"type": "Point", "coordinates": [4.31, 51.36]},
    )


@pytest.mark.django_db
def test_sentences_become_vessels_and_position_events(receiver: Source) -> None:
    results = services.ais_ingest(
        source=receiver,
        feed=services.ais_feed_for(source=receiver),
        lines=[*REAL, SCHELDT],
        received_at=RECEIVED,
    )
    assert [r.status for r in results] == ["accepted"] * 3
    assert sorted(Event.objects.values_list("kind", flat=True)) == ["ais.position"] * 3
    diadem = Vessel.objects.get(mmsi=351759000)
    assert (diadem.imo, diadem.name, diadem.callsign, diadem.ship_type) == (
        9134270,
        "EVER DIADEM",
        "3FOF8",
        70,
    )
    assert (diadem.lon, diadem.lat, diadem.sog, diadem.cog, diadem.heading) == (
        4.2571,
        51.3012,
        9.4,
        135.0,
        134,
    )
    assert diadem.length_m == 295.0
    assert diadem.track == [[RECEIVED, 4.2571, 51.3012]]
    assert diadem.port_id == receiver.port_id
    event = Event.objects.get(payload__mmsi=351759000)
    assert (event.lon, event.lat, event.source_id) == (4.2571, 51.3012, receiver.pk)
    assert event.payload["name"] == "EVER DIADEM"
    assert event.payload["imo"] == 9134270
    assert set(Vessel.objects.values_list("mmsi", flat=True)) == {
        367380120,
        367430530,
        351759000,
    }
    # The same reports heard again (a second station) are not stored twice.
    again = services.ais_ingest(
        source=receiver,
        feed=services.ais_feed_for(source=receiver),
        lines=[SCHELDT],
        received_at=RECEIVED,
    )
    assert [r.status for r in again] == ["duplicate"]


@pytest.mark.django_db
def test_the_command_reads_a_file(receiver: Source, tmp_path: Path) -> None:
    path = tmp_path / "scheldt.nmea"
    path.write_text("\n".join([*REAL, "garbage", SCHELDT]) + "\n")
    out = _call("--file", str(path))
    assert out == (
        "8 lines: 3 events stored, 0 duplicates, 0 refused; 4 vessels tracked.\n"
    )
    assert Vessel.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_the_command_listens_on_udp(receiver: Source) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    outcome: list[str] = []

    def listen() -> None:
        try:
            outcome.append(_call("--udp", f"127.0.0.1:{port}", "--max-lines", "3"))
        finally:
            connections.close_all()

    thread = threading.Thread(target=listen)
    thread.start()
    time.sleep(0.5)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
        sender.sendto("\r\n".join([*REAL[1:3], SCHELDT]).encode(), ("127.0.0.1", port))
    thread.join(10)
    assert outcome
    assert outcome[0].endswith(
        "3 lines: 1 events stored, 0 duplicates, 0 refused; 1 vessels tracked.\n"
    )
    assert Vessel.objects.get().name == "EVER DIADEM"


def _call(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("ais_ingest", "--source", "BEANR-AIS1", *args, stdout=out)
    return out.getvalue()
