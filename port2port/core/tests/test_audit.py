from __future__ import annotations

import hashlib
from itertools import pairwise

import pytest
from django.core.management import call_command
from django.db import connection

from port2port.core.audit import GENESIS_HASH, audit_record, audit_verify, entry_hash
from port2port.core.models import AuditEntry
from port2port.lib.canonical import canonical_json


def _tamper(sql: str, params: list[object]) -> None:
    """Change audit rows behind the platform's back, as someone with database access could."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "ALTER TABLE core_auditentry DISABLE TRIGGER core_auditentry_append_only"
            )
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute(
                "ALTER TABLE core_auditentry ENABLE TRIGGER core_auditentry_append_only"
            )


@pytest.fixture
def chain(db: object) -> list[AuditEntry]:
    return [
        audit_record(
            actor=None,
            action=f"test.step{i}",
            object_type="test",
            object_id=str(i),
            object_repr=f"step {i}",
            details={"n": i, "note": "é"},
        )
        for i in range(1, 6)
    ]


def test_entries_link_to_their_predecessor(chain: list[AuditEntry]) -> None:
    assert [e.seq for e in chain] == [1, 2, 3, 4, 5]
    assert chain[0].prev_hash == GENESIS_HASH
    for before, after in pairwise(chain):
        assert after.prev_hash == before.hash


def test_hash_covers_the_canonical_fields(chain: list[AuditEntry]) -> None:
    entry = AuditEntry.objects.get(seq=3)
    fields = {
        "seq": 3,
        "at": entry.at.astimezone(__import__("datetime").UTC).isoformat(
            timespec="microseconds"
        ),
        "actor_id": None,
        "actor_label": "system",
        "action": "test.step3",
        "object_type": "test",
        "object_id": "3",
        "object_repr": "step 3",
        "port_id": None,
        "facility_id": None,
        "organisation_id": None,
        "details": '{"n":3,"note":"é"}',
    }
    expected = hashlib.sha256(
        (entry.prev_hash + "\n" + canonical_json(fields)).encode()
    ).hexdigest()
    assert entry.hash == expected == entry_hash(entry)


def test_verify_passes_on_an_intact_chain(chain: list[AuditEntry]) -> None:
    result = audit_verify()
    assert result.ok is True
    assert result.checked == 5
    assert result.head_hash == chain[-1].hash


@pytest.mark.django_db(transaction=True)
def test_verify_names_the_entry_altered_with_raw_sql(chain: list[AuditEntry]) -> None:
    _tamper("UPDATE core_auditentry SET details = %s WHERE seq = %s", ['{"n":99}', 3])

    result = audit_verify()

    assert result.ok is False
    assert result.first_bad_seq == 3
    assert "altered" in result.problem
    assert result.checked == 2


@pytest.mark.django_db(transaction=True)
def test_verify_names_a_removed_entry(chain: list[AuditEntry]) -> None:
    _tamper("DELETE FROM core_auditentry WHERE seq = %s", [2])

    result = audit_verify()

    assert result.ok is False
    assert result.first_bad_seq == 3
    assert "#2 is missing" in result.problem


@pytest.mark.django_db(transaction=True)
def test_verify_notices_a_rewritten_and_rehashed_entry(chain: list[AuditEntry]) -> None:
    # Recomputing the altered entry's own hash still breaks the next link.
    entry = AuditEntry.objects.get(seq=2)
    entry.action = "test.forged"
    forged = entry_hash(entry)
    _tamper(
        "UPDATE core_auditentry SET action = %s, hash = %s WHERE seq = %s",
        ["test.forged", forged, 2],
    )

    result = audit_verify()

    assert result.ok is False
    assert result.first_bad_seq == 3
    assert "does not link" in result.problem


def test_audit_verify_command_succeeds_on_intact_chain(
    chain: list[AuditEntry], capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("audit", "verify")
    out = capsys.readouterr().out
    assert "5 entries verified" in out
    assert chain[-1].hash in out


@pytest.mark.django_db(transaction=True)
def test_audit_verify_command_fails_naming_the_entry(
    chain: list[AuditEntry], capsys: pytest.CaptureFixture[str]
) -> None:
    _tamper("UPDATE core_auditentry SET object_repr = %s WHERE seq = %s", ["x", 4])

    with pytest.raises(SystemExit) as exc:
        call_command("audit", "verify")

    assert exc.value.code == 1
    assert "entry #4 was altered" in capsys.readouterr().err


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_database_refuses_to_update_audit_rows_on_postgresql(
    chain: list[AuditEntry],
) -> None:
    from django.db import DatabaseError, transaction

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(seq=1).update(action="x")
