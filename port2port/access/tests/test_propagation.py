"""A ban made in one process reaches the gate decisions of another within a second.

Two real processes share a database of their own (a file for SQLite, a fresh
database on the PostgreSQL server): a gate process decides every 50 ms, and a
second process issues a port ban. The gate must refuse the person less than one
second after the ban's transaction committed, without rebuilding its snapshot.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from port2port.gate import Reason

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(settings.BASE_DIR)

SETUP = """
import datetime as dt, json
from django.utils import timezone
from port2port.core.models import *
from port2port.core import services as cs
from port2port.access.models import PortPass, PassActivation, AccessGrant
port = Port.objects.create(locode="BEANR", name_en="Antwerp", name_nl="Antwerpen",
    name_fr="Anvers", kind="seaport", centre={"type": "Point", "coordinates": [4.3, 51.2]})
op = Organisation.objects.create(name="Terminal NV", roles=["terminal_operator"])
court = Organisation.objects.create(name="Prosecutor", roles=["other_authority"])
square = {"type": "Polygon", "coordinates": [[[4.2, 51.2], [4.3, 51.2], [4.3, 51.3], [4.2, 51.2]]]}
facility = Facility.objects.create(port=port, code="F1", name="T1", operator=op,
    kind="container", boundary=square)
zone = Zone.objects.create(port=port, facility=facility, name="Quay", kind="controlled",
    boundary=square)
point = AccessPoint.objects.create(zone=zone, code="G1", name="Gate", kind="turnstile",
    location={"type": "Point", "coordinates": [4.25, 51.25]})
person = Person.objects.create(first_name="Jan", last_name="Peeters",
    date_of_birth=dt.date(1980, 1, 1), nationality="BE", employer=op,
    document_type="id_card", document_number="X1")
now = timezone.now()
p = PortPass.objects.create(number="P2P000000000009", person=person, state="active",
    issued_by=op, issued_at=now, collect_by=now.date(), activated_at=now,
    valid_until=now + dt.timedelta(days=900))
PassActivation.objects.create(port_pass=p, facility=facility, activated_at=now)
AccessGrant.objects.create(zone=zone, person=person, valid_from=now - dt.timedelta(days=1))
judge = User.objects.create(username="judge")
cs.membership_create(actor=None, user=judge, organisation=court, role="judicial_authority")
print(json.dumps({"point": point.pk, "person": person.pk}))
"""

GATE = """
import json, sys, time
from port2port.access import gate
deadline = time.monotonic() + 15
while time.monotonic() < deadline:
    decision, event = gate.gate_decide(access_point_id={point}, credential="P2P000000000009",
        plate=None)
    print(json.dumps({{"t": time.time(), "allowed": decision.allowed,
        "reasons": list(decision.reasons)}}), flush=True)
    if not decision.allowed:
        break
    time.sleep(0.05)
"""

BAN = """
import datetime as dt, json, time
from django.utils import timezone
from port2port.access.services import ban_issue
from port2port.core.models import Person, User
ban_issue(actor=User.objects.get(username="judge"), person=Person.objects.get(pk={person}),
    starts_on=timezone.localdate(), ends_on=timezone.localdate() + dt.timedelta(days=365),
    legal_reference="AN.12.L3.2026/1")
print(json.dumps({{"committed": time.time()}}))
"""


@pytest.fixture
def shared_database(tmp_path: Path) -> Iterator[dict[str, str]]:
    """An environment whose processes share one database of their own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("P2P_", "DJANGO_"))}
    env.update({"P2P_MODE": "demo", "DJANGO_SETTINGS_MODULE": "port2port.settings"})
    env["P2P_LOG_LEVEL"] = "WARNING"
    dropper = None
    if connection.vendor == "postgresql":
        import psycopg

        params = connection.settings_dict
        name = f"p2p_propagation_{uuid.uuid4().hex[:8]}"
        admin = psycopg.connect(
            host=params["HOST"],
            port=params["PORT"] or 5432,
            user=params["USER"],
            dbname="postgres",
            autocommit=True,
        )
        admin.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = (
            f"postgres://{params['USER']}@{params['HOST']}:{params['PORT'] or 5432}/{name}"
        )

        def dropper() -> None:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.close()
    else:
        env.pop("DATABASE_URL", None)
        env["P2P_VAR_DIR"] = str(tmp_path)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True
    )
    try:
        yield env
    finally:
        if dropper is not None:
            dropper()


def _shell(env: dict[str, str], code: str) -> subprocess.Popen[str]:
    return subprocess.Popen(  # noqa: S603 - our own interpreter and a fixed snippet
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )


def test_a_ban_in_one_process_denies_at_the_gate_of_another_within_a_second(
    shared_database: dict[str, str],
) -> None:
    setup = _shell(shared_database, SETUP)
    ids = json.loads(setup.communicate(timeout=60)[0].strip().splitlines()[-1])

    gate = _shell(shared_database, GATE.format(point=ids["point"]))
    assert gate.stdout is not None
    first = json.loads(gate.stdout.readline())
    assert first["allowed"] is True  # the gate process has built its snapshot

    ban = _shell(shared_database, BAN.format(person=ids["person"]))
    committed = json.loads(ban.communicate(timeout=60)[0].strip().splitlines()[-1])[
        "committed"
    ]
    lines = [json.loads(line) for line in gate.communicate(timeout=30)[0].splitlines()]

    denial = next(line for line in lines if not line["allowed"])
    assert Reason.PORT_BAN in denial["reasons"]
    delay = denial["t"] - committed
    assert delay < 1.0, f"the ban reached the gate after {delay:.2f} s"
    # Until the ban, the person was let in: the refusal is the ban's doing.
    assert all(line["allowed"] for line in lines if line["t"] < committed - 0.1)


@pytest.mark.django_db
def test_threads_decide_on_the_state_they_have_while_another_polls(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A poll in progress holds up no other thread; a forced poll waits for it."""
    import threading

    from port2port.access import gate

    gate.snapshot_reset()
    first = gate.state_current()
    monkeypatch.setattr(settings, "GATE_POLL_SECONDS", 0.0)  # every call would poll
    with gate._holder.lock:  # another thread is polling
        answers: list[object] = []
        deciding = threading.Thread(target=lambda: answers.append(gate.state_current()))
        deciding.start()
        deciding.join(5)
        assert answers == [first]  # answered at once, on the state it had
        waited = threading.Event()

        def forced() -> None:
            gate.state_current(force_poll=True)
            waited.set()
            connection.close()

        thread = threading.Thread(target=forced)
        thread.start()
        assert not waited.wait(0.3)  # it waits for the poll in progress
    thread.join(10)
    assert waited.is_set()
    gate.snapshot_reset()
