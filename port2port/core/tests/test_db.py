"""The hot-path database helpers: prepared inserts, batches and raw rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from port2port.core.audit import (
    audit_entry,
    audit_head_statements,
    audit_link,
    audit_record,
    audit_verify,
)
from port2port.core.db import (
    insert_instance,
    insert_statement,
    inserted,
    prepared_cursor,
    row_convert,
    row_converters,
    statement_batch,
)
from port2port.core.models import AuditEntry, Committee

pytestmark = pytest.mark.django_db


def _committee(code: str) -> Committee:
    return Committee(code=code, name=f"Committee {code}", kind=Committee.Kind.LCMB)


def test_an_inserted_instance_reads_back_as_the_orm_would_have_stored_it() -> None:
    committee = _committee("c-one")
    insert_instance(committee)
    assert committee.pk is not None
    assert committee._state.adding is False
    stored = Committee.objects.get(pk=committee.pk)
    assert (stored.code, stored.name, stored.kind) == (
        "c-one",
        "Committee c-one",
        "lcmb",
    )
    # auto_now and defaults were applied as save() applies them.
    assert stored.updated_at is not None
    assert abs(stored.created_at - timezone.now()) < dt.timedelta(minutes=1)


def test_a_batch_returns_each_statement_result_after_it_ran() -> None:
    first, second = _committee("c-two"), _committee("c-three")
    with transaction.atomic():
        with statement_batch() as batch:
            one = batch.execute(*insert_statement(first))
            two = batch.execute(*insert_statement(second))
            renamed = batch.execute(
                'UPDATE "core_committee" SET "name" = %s WHERE "code" IN (%s, %s)',
                ["Renamed", "c-two", "c-three"],
            )
        inserted(first, one.row)
        inserted(second, two.row)
    assert renamed.rowcount == 2
    assert second.pk > first.pk
    assert set(
        Committee.objects.filter(name="Renamed").values_list("pk", flat=True)
    ) == {
        first.pk,
        second.pk,
    }


def test_a_failing_statement_of_a_batch_is_djangos_error_and_leaves_nothing() -> None:
    insert_instance(_committee("c-four"))
    duplicate, other = _committee("c-four"), _committee("c-five")

    def both() -> None:
        with transaction.atomic(), statement_batch() as batch:
            batch.execute(*insert_statement(other))
            batch.execute(*insert_statement(duplicate))

    with pytest.raises(IntegrityError):
        both()
    assert not Committee.objects.filter(code="c-five").exists()
    assert Committee.objects.filter(code="c-four").count() == 1


def test_raw_rows_are_converted_as_the_orm_converts_them() -> None:
    committee = _committee("c-six")
    insert_instance(committee)
    names = ["id", "created_at", "code", "kind"]
    with prepared_cursor() as cursor:
        cursor.execute(
            'SELECT "id", "created_at", "code", "kind" FROM "core_committee" '
            'WHERE "code" = %s',
            ["c-six"],
        )
        row = cursor.fetchone()
    values = row_convert(row, row_converters(Committee, names))
    stored = Committee.objects.get(pk=committee.pk)
    assert values == [stored.pk, stored.created_at, "c-six", "lcmb"]
    assert values[1].tzinfo is not None


def test_an_entry_linked_to_the_head_read_in_a_batch_extends_the_chain() -> None:
    audit_record(actor=None, action="test.first", object_type="test", object_id="1")
    with transaction.atomic():
        with statement_batch() as batch:
            heads = [batch.execute(*sql) for sql in audit_head_statements()]
        entry = audit_link(
            audit_entry(actor=None, action="test.second", object_type="test"),
            heads[-1].row,
        )
        insert_instance(entry)
    audit_record(actor=None, action="test.third", object_type="test", object_id="3")
    assert list(
        AuditEntry.objects.order_by("seq").values_list("action", flat=True)
    ) == [
        "test.first",
        "test.second",
        "test.third",
    ]
    assert audit_verify().ok
