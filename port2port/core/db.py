"""Database helpers shared by the modules."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models import Field, Model
from django.db.models.fields import AutoFieldMixin

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


# Hot paths: the ORM's generic machinery costs far more CPU than the statements it
# runs (building and compiling a query is 0.3 to 0.5 ms; the statement itself is
# tens of microseconds). For the few writes and reads that every gate request
# makes, these helpers keep the ORM's own conversions (the fields' adaptation of
# values and their converters of results) but build each statement once.


def _concrete(model: type[Model]) -> tuple[Field[Any, Any], ...]:
    return tuple(
        field
        for field in model._meta.concrete_fields
        if not (field.primary_key and isinstance(field, AutoFieldMixin))
    )


@functools.cache
def _insert_plan(model: type[Model]) -> tuple[tuple[Field[Any, Any], ...], str]:
    fields = _concrete(model)
    columns = ", ".join(f'"{field.column}"' for field in fields)
    marks = ", ".join(["%s"] * len(fields))
    table = model._meta.db_table
    pk = model._meta.pk.column  # type: ignore[union-attr]
    # Standard SQL, the same on SQLite (3.35+) and PostgreSQL.
    sql = f'INSERT INTO "{table}" ({columns}) VALUES ({marks}) RETURNING "{pk}"'  # noqa: S608 - names from the model
    return fields, sql


class _PreparedCursor:
    """A PostgreSQL cursor whose statements the server parses and plans once.

    Django's PostgreSQL cursors bind parameters on the client (the statement is
    sent as text with the values in it, parsed and planned each time): for the
    platform's hottest statements that is most of their server time. These
    statements run on the same connection, in the same transaction, with the
    same type adaptation; database errors are Django's, as from any cursor.
    """

    def __init__(self, connection: Any) -> None:
        import psycopg

        self._connection = connection
        self._cursor = psycopg.Cursor(connection.connection)

    def execute(self, sql: str, params: Sequence[Any]) -> None:
        with self._connection.wrap_database_errors:
            self._cursor.execute(sql, params, prepare=True)  # type: ignore[arg-type]

    def fetchone(self) -> Any:
        return self._cursor.fetchone()

    def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def description(self) -> Any:
        return self._cursor.description

    def close(self) -> None:
        self._cursor.close()


@contextmanager
def prepared_cursor(using: str = "default") -> Iterator[Any]:
    """Yield a cursor for a hot statement: prepared on PostgreSQL, Django's on SQLite.

    SQLite keeps its own cache of compiled statements, so Django's cursor is
    already the fast one there. Use ``%s`` placeholders and ``execute``,
    ``fetchone``, ``fetchall`` and ``rowcount`` only.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        with connection.cursor() as plain:
            yield plain
        return
    connection.ensure_connection()
    cursor = _PreparedCursor(connection)
    try:
        yield cursor
    finally:
        cursor.close()


def insert_statement(instance: Model, using: str = "default") -> tuple[str, list[Any]]:
    """Return the prepared INSERT of a new, unsaved model instance, and its values.

    What ``save()`` does for a new row (the fields' ``pre_save`` and database
    adaptation), without its signals (the platform has none) or its query
    compilation. The statement returns the generated key: give its row to
    ``inserted``.
    """
    connection = connections[using]
    fields, sql = _insert_plan(type(instance))
    values = [
        field.get_db_prep_save(field.pre_save(instance, True), connection)
        for field in fields
    ]
    return sql, values


def inserted(
    instance: Model, row: Sequence[Any] | None, using: str = "default"
) -> None:
    """Mark ``instance`` as stored, with the key that its INSERT returned."""
    assert row is not None  # noqa: S101 - an INSERT … RETURNING returns its row
    instance.pk = row[0]
    instance._state.adding = False
    instance._state.db = using


def insert_instance(instance: Model, using: str = "default") -> None:
    """Insert a new, unsaved model instance with one prepared statement."""
    sql, values = insert_statement(instance, using)
    with prepared_cursor(using) as cursor:
        cursor.execute(sql, values)
        inserted(instance, cursor.fetchone(), using)


@dataclass
class BatchResult:
    """What one statement of a batch returned, once the batch has run."""

    rowcount: int = -1
    row: tuple[Any, ...] | None = None


class StatementBatch:
    """Statements sent to the database together; their results read afterwards.

    On PostgreSQL they go out in one pipeline (and prepared), so a transaction's
    writes cost one round trip to the server instead of one each; on SQLite,
    which runs in the process, they simply run one after the other.
    """

    def __init__(self, connection: Any) -> None:
        self._connection = connection
        self._pipelined = connection.vendor == "postgresql"
        self._pending: list[tuple[_PreparedCursor, BatchResult]] = []

    def execute(self, sql: str, params: Sequence[Any]) -> BatchResult:
        result = BatchResult()
        if self._pipelined:
            cursor = _PreparedCursor(self._connection)
            cursor.execute(sql, params)
            self._pending.append((cursor, result))
        else:
            with self._connection.cursor() as cursor:
                cursor.execute(sql, params)
                result.rowcount = cursor.rowcount
                result.row = cursor.fetchone() if cursor.description else None
        return result

    def _collect(self) -> None:
        for cursor, result in self._pending:
            result.rowcount = cursor.rowcount
            result.row = cursor.fetchone() if cursor.description else None
            cursor.close()
        self._pending.clear()


@contextmanager
def statement_batch(using: str = "default") -> Iterator[StatementBatch]:
    """Run the statements given in the block together; read their results after it.

    A statement cannot use what an earlier one of the same batch returned: that
    takes a second batch. Database errors are Django's, raised at the block's end
    on PostgreSQL.
    """
    connection = connections[using]
    batch = StatementBatch(connection)
    if connection.vendor != "postgresql":
        yield batch
        return
    connection.ensure_connection()
    with connection.wrap_database_errors:
        with connection.connection.pipeline():
            yield batch
        batch._collect()


RowConverter = tuple[tuple[Callable[..., Any], ...], Any]


def row_converters(
    model: type[Model], names: Sequence[str], using: str = "default"
) -> list[RowConverter | None]:
    """Return, for each named field, what turns a raw column value into Python.

    The same converters the ORM applies to a query's results (times made aware
    on SQLite, JSON decoded, …); None where the value is already right. Build
    them once per model and fields; apply them with ``row_convert``.
    """
    connection = connections[using]
    result: list[RowConverter | None] = []
    for name in names:
        field = model._meta.get_field(name)
        column = field.get_col(model._meta.db_table)  # type: ignore[union-attr]
        functions = (
            *connection.ops.get_db_converters(column),
            *field.get_db_converters(connection),  # type: ignore[union-attr]
        )
        result.append((functions, column) if functions else None)
    return result


def row_convert(
    row: Sequence[Any],
    converters: Sequence[RowConverter | None],
    using: str = "default",
) -> list[Any]:
    """Apply ``row_converters`` to the leading values of a raw row."""
    connection = connections[using]
    values = list(row)
    for i, plan in enumerate(converters):
        if plan is not None:
            functions, column = plan
            value = values[i]
            for function in functions:
                value = function(value, column, connection)
            values[i] = value
    return values
