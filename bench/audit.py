"""Benchmark the audit chain: appends per second and verification per second.

Run as ``port2port bench audit [N]`` on the configured database (SQLite by
default, PostgreSQL with DATABASE_URL). It works in a throw-away test database,
so the platform's own data is untouched. The last line is a JSON object.
"""

from __future__ import annotations

import json
import sys
import time

from django.db import connection, transaction
from django.test.utils import setup_test_environment, teardown_test_environment

from port2port.core.audit import audit_record, audit_verify


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        started = time.perf_counter()
        # Appends commit in batches of 100, as a busy platform's transactions would.
        for start in range(0, n, 100):
            with transaction.atomic():
                for i in range(start, min(start + 100, n)):
                    audit_record(
                        actor=None,
                        action="bench.append",
                        object_type="bench",
                        object_id=str(i),
                        details={"i": i, "reason": "benchmark"},
                    )
        append_s = time.perf_counter() - started
        started = time.perf_counter()
        result = audit_verify()
        verify_s = time.perf_counter() - started
        assert result.ok
        assert result.checked == n
        figures = {
            "entries": n,
            "append_per_s": round(n / append_s),
            "verify_per_s": round(n / verify_s),
            "database": connection.vendor,
        }
        print(
            f"Appended {n} audit entries in {append_s:.2f} s ({figures['append_per_s']}/s)"
        )
        print(f"Verified the chain in {verify_s:.2f} s ({figures['verify_per_s']}/s)")
        print(json.dumps(figures))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    main()
