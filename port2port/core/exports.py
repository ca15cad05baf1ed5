"""Exports of the audit trail, streamed so that a large export stays small in memory."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import QuerySet

from port2port.core.models import AuditEntry
from port2port.lib.canonical import canonical_json


def audit_jsonl(entries: QuerySet[AuditEntry]) -> Iterator[str]:
    """Yield one canonical JSON line per entry, with the hashes to verify them."""
    for entry in entries.iterator(chunk_size=2000):
        yield (
            canonical_json(
                {
                    "seq": entry.seq,
                    "at": entry.at.isoformat(),
                    "actor": entry.actor_label,
                    "action": entry.action,
                    "object_type": entry.object_type,
                    "object_id": entry.object_id,
                    "object_repr": entry.object_repr,
                    "port_id": entry.port_id,
                    "facility_id": entry.facility_id,
                    "organisation_id": entry.organisation_id,
                    "details": entry.details,
                    "prev_hash": entry.prev_hash,
                    "hash": entry.hash,
                }
            )
            + "\n"
        )
