"""``port2port ais_ingest``: AIS NMEA sentences from a file, UDP or TCP into events.

One feed per receiver: the sentences are decoded (multi-part messages
included), the vessels tracked and stored, and their positions become
``ais.position`` events of the AIS receiver source named by ``--source``.
Lines are stored in batches, at least once a second.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections, connection

from port2port.detection.models import Source
from port2port.detection.services import ais_feed_for, ais_ingest

BATCH_LINES = 2000
BATCH_SECONDS = 1.0
RECONNECT_MAX_SECONDS = 30.0


def _address(value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    if not port.isdigit():
        raise CommandError(f"{value}: expected HOST:PORT")
    return host or "0.0.0.0", int(port)  # noqa: S104 - listening for a receiver


class Command(BaseCommand):
    help = "Read AIS NMEA sentences from a file, UDP or TCP and store their events."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--source", required=True, help="Code of the AIS receiver source."
        )
        where = parser.add_mutually_exclusive_group(required=True)
        where.add_argument("--file", help="A file of NMEA sentences, one a line.")
        where.add_argument("--udp", help="Listen on HOST:PORT for datagrams.")
        where.add_argument("--tcp", help="Connect to HOST:PORT and read lines.")
        parser.add_argument("--exercise", action="store_true")
        parser.add_argument(
            "--max-lines",
            type=int,
            default=0,
            help="Stop after this many sentences (0: at the end of the file, or never).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        source = (
            Source.objects.select_related("port")
            .filter(code=options["source"], active=True)
            .first()
        )
        if source is None:
            raise CommandError(f"No active source {options['source']}.")
        self.source = source
        self.exercise = options["exercise"]
        self.max_lines = options["max_lines"]
        self.feed = ais_feed_for(source=source)
        self.counts = {"lines": 0, "accepted": 0, "duplicate": 0, "rejected": 0}
        try:
            if options["file"]:
                with open(options["file"], "rb") as handle:
                    self._batches(iter(handle))
            elif options["udp"]:
                self._batches(self._udp(_address(options["udp"])))
            else:
                self._tcp(_address(options["tcp"]))
        except KeyboardInterrupt:
            pass
        finally:
            self.stdout.write(
                "{lines} lines: {accepted} events stored, {duplicate} duplicates, "
                "{rejected} refused; {vessels} vessels tracked.".format(
                    **self.counts, vessels=len(self.feed.tracker)
                )
            )

    def _flush(self, lines: list[bytes]) -> None:
        if not lines:
            return
        if not connection.in_atomic_block:
            # A long-running feed: drop a connection the database closed meanwhile.
            close_old_connections()
        results = ais_ingest(
            source=self.source,
            feed=self.feed,
            lines=lines,
            received_at=time.time(),
            exercise=self.exercise,
        )
        self.counts["lines"] += len(lines)
        for result in results:
            self.counts[result.status] += 1

    def _done(self, pending: int = 0) -> bool:
        return 0 < self.max_lines <= self.counts["lines"] + pending

    def _batches(self, lines: Iterator[bytes]) -> None:
        batch: list[bytes] = []
        started = time.monotonic()
        for line in lines:
            if line.strip():
                batch.append(line.strip())
            if (
                len(batch) >= BATCH_LINES
                or time.monotonic() - started > BATCH_SECONDS
                or self._done(len(batch))
            ):
                self._flush(batch)
                batch, started = [], time.monotonic()
                if self._done():
                    return
        self._flush(batch)

    def _udp(self, address: tuple[str, int]) -> Iterator[bytes]:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.bind(address)
            sock.settimeout(BATCH_SECONDS)
            self.stdout.write(f"Listening for AIS on udp://{address[0]}:{address[1]}")
            while True:
                try:
                    datagram = sock.recv(65535)
                except TimeoutError:
                    yield b""  # Lets the batch go out when the feed is quiet.
                    continue
                yield from datagram.splitlines()

    def _tcp(self, address: tuple[str, int]) -> None:
        delay = 1.0
        while True:
            try:
                with socket.create_connection(address, timeout=30) as sock:
                    self.stdout.write(
                        f"Reading AIS from tcp://{address[0]}:{address[1]}"
                    )
                    delay = 1.0
                    sock.settimeout(BATCH_SECONDS)
                    self._batches(self._tcp_lines(sock))
                if self._done():
                    return
            except OSError as exc:
                self.stderr.write(f"AIS feed: {exc}; retrying in {delay:.0f} s")
            time.sleep(delay)
            delay = min(delay * 2, RECONNECT_MAX_SECONDS)

    @staticmethod
    def _tcp_lines(sock: socket.socket) -> Iterator[bytes]:
        buffer = b""
        while True:
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                yield b""
                continue
            if not chunk:
                return
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            yield from lines
