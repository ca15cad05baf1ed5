"""The tamper-evident audit trail: append an entry, verify the chain.

Each entry's hash is SHA-256 over the previous entry's hash and the canonical
JSON of the entry's own fields, so that changing, inserting or removing any
entry breaks every link after it. Writers are serialised (an advisory lock on
PostgreSQL, the database write lock on SQLite) so that the chain never forks;
the unique ``prev_hash`` column makes a fork impossible even if they were not.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from port2port.core.db import insert_instance, prepared_cursor
from port2port.core.models import ApiToken, AuditEntry, User
from port2port.lib.canonical import canonical_json

GENESIS_HASH = "0" * 64
# An arbitrary constant that names the audit chain's advisory lock.
_PG_LOCK_KEY = 0x50325041554454
_LOCK_SQL = "SELECT pg_advisory_xact_lock(%s)"
# The head of the chain (read on every append, so written once, not built each time).
_LAST_SQL = (
    f'SELECT "seq", "hash" FROM "{AuditEntry._meta.db_table}" '  # noqa: S608 - the model's name
    'ORDER BY "seq" DESC LIMIT 1'
)


def _entry_fields(entry: AuditEntry) -> dict[str, Any]:
    at = entry.at.astimezone(dt.UTC)
    return {
        "seq": entry.seq,
        "at": at.isoformat(timespec="microseconds"),
        "actor_id": entry.actor_id,
        "actor_label": entry.actor_label,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "port_id": entry.port_id,
        "facility_id": entry.facility_id,
        "organisation_id": entry.organisation_id,
        "details": entry.details,
    }


def entry_hash(entry: AuditEntry) -> str:
    """Return the hash that ``entry`` must carry, given its ``prev_hash``."""
    payload = entry.prev_hash + "\n" + canonical_json(_entry_fields(entry))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def audit_head_statements() -> list[tuple[str, Sequence[Any]]]:
    """Return the statements that take the chain and read its head, in order.

    The first takes the writers' lock on PostgreSQL (held to the end of the
    transaction; SQLite's single writer needs none); the last returns the head's
    sequence number and hash, or no row for an empty chain. Run them inside the
    change's transaction, then ``audit_link`` the new entry to that row.
    """
    if connection.vendor == "postgresql":
        return [(_LOCK_SQL, [_PG_LOCK_KEY]), (_LAST_SQL, ())]
    return [(_LAST_SQL, ())]


def audit_entry(
    *,
    actor: User | ApiToken | None,
    action: str,
    obj: Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    details: dict[str, Any] | None = None,
    port_id: int | None = None,
    facility_id: int | None = None,
    organisation_id: int | None = None,
) -> AuditEntry:
    """Return a new audit entry, not yet linked into the chain nor stored."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
    if isinstance(actor, ApiToken):
        actor_user, actor_label = None, f"token:{actor.prefix}"
    elif actor is not None:
        actor_user, actor_label = actor, actor.get_username()
    else:
        actor_user, actor_label = None, "system"
    return AuditEntry(
        actor=actor_user,
        actor_label=actor_label,
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:200],
        port_id=port_id,
        facility_id=facility_id,
        organisation_id=organisation_id,
        details=canonical_json(details or {}),
    )


def audit_link(entry: AuditEntry, head: Sequence[Any] | None) -> AuditEntry:
    """Make ``entry`` the successor of the chain's ``head`` (seq, hash), timed now."""
    entry.seq = (head[0] + 1) if head else 1
    entry.at = timezone.now()
    entry.prev_hash = head[1] if head else GENESIS_HASH
    entry.hash = entry_hash(entry)
    return entry


def audit_record(
    *,
    actor: User | ApiToken | None,
    action: str,
    obj: Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    details: dict[str, Any] | None = None,
    port_id: int | None = None,
    facility_id: int | None = None,
    organisation_id: int | None = None,
) -> AuditEntry:
    """Append an entry to the audit chain in the caller's transaction.

    Call it inside the transaction that makes the change, so that the change and
    its entry commit or roll back together.
    """
    return audit_record_entry(
        audit_entry(
            actor=actor,
            action=action,
            obj=obj,
            object_type=object_type,
            object_id=object_id,
            object_repr=object_repr,
            details=details,
            port_id=port_id,
            facility_id=facility_id,
            organisation_id=organisation_id,
        )
    )


def audit_record_entry(entry: AuditEntry) -> AuditEntry:
    """Append an entry made by ``audit_entry`` in the caller's transaction."""
    # Inside a caller's transaction no savepoint is needed: a failure here fails
    # the change with it.
    with transaction.atomic(savepoint=False):
        with prepared_cursor() as cursor:
            for sql, params in audit_head_statements():
                cursor.execute(sql, params)
            head = cursor.fetchone()
        audit_link(entry, head)
        insert_instance(entry)
    return entry


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of a chain verification."""

    ok: bool
    checked: int
    head_hash: str
    first_bad_seq: int | None = None
    problem: str = ""


def _entries(batch: int = 5000) -> Iterator[AuditEntry]:
    last_seq = 0
    while True:
        rows = list(AuditEntry.objects.filter(seq__gt=last_seq).order_by("seq")[:batch])
        if not rows:
            return
        yield from rows
        last_seq = rows[-1].seq


def audit_verify() -> VerifyResult:
    """Recompute the whole chain and name the first entry that does not fit.

    An edited entry fails its own hash; a removed or inserted entry breaks the
    sequence or the link to its predecessor.
    """
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    for entry in _entries():
        if entry.seq != expected_seq:
            return VerifyResult(
                False,
                checked,
                expected_prev,
                entry.seq,
                f"entry #{expected_seq} is missing (next is #{entry.seq})",
            )
        if entry.prev_hash != expected_prev:
            return VerifyResult(
                False,
                checked,
                expected_prev,
                entry.seq,
                f"entry #{entry.seq} does not link to the entry before it",
            )
        if entry_hash(entry) != entry.hash:
            return VerifyResult(
                False,
                checked,
                expected_prev,
                entry.seq,
                f"entry #{entry.seq} was altered: its content does not match its hash",
            )
        checked += 1
        expected_prev = entry.hash
        expected_seq += 1
    return VerifyResult(True, checked, expected_prev)
