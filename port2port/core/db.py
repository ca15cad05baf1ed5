"""Database helpers shared by the modules."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connections

# SQLite lets one writer in at a time, and a writer that finds the database busy
# sleeps in growing steps (1, 2, 5, 10 … 100 ms) before it tries again: under a
# steady stream of writes from the threads of one process, those sleeps become
# the latency. Threads of a process therefore queue here for their turn instead,
# and are woken the moment it comes.
_sqlite_writer = threading.RLock()


@contextmanager
def writer_turn(using: str = "default") -> Iterator[None]:
    """Wait for this process's turn to write (SQLite only); a no-op on PostgreSQL.

    Wrap a short, hot write that many threads make at once (a gate decision's
    access-log row). Not for long transactions: one that waits for another
    process's writer would hold up every thread of its own process (measured:
    around the pick-up check's transaction it cut throughput).
    """
    if connections[using].vendor != "sqlite":
        yield
        return
    with _sqlite_writer:
        yield
