from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from port2port.core.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


def _settings_import(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("P2P_")}
    return subprocess.run(
        [sys.executable, "-c", "import port2port.settings"],
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_the_default_secret_key_and_missing_hosts() -> None:
    result = _settings_import({"P2P_MODE": "production"})
    assert result.returncode == 1
    assert "P2P_SECRET_KEY must be set" in result.stderr
    assert "P2P_ALLOWED_HOSTS must name" in result.stderr


def test_production_refuses_debug() -> None:
    result = _settings_import(
        {
            "P2P_MODE": "production",
            "P2P_DEBUG": "true",
            "P2P_SECRET_KEY": "x" * 60,
            "P2P_IDENTITY_HASH_KEY": "y" * 60,
            "P2P_ALLOWED_HOSTS": "port2port.example",
        }
    )
    assert result.returncode == 1
    assert "P2P_DEBUG must be off in production" in result.stderr


def test_production_starts_with_safe_settings() -> None:
    result = _settings_import(
        {
            "P2P_MODE": "production",
            "P2P_SECRET_KEY": "x" * 60,
            "P2P_IDENTITY_HASH_KEY": "y" * 60,
            "P2P_ALLOWED_HOSTS": "port2port.example",
        }
    )
    assert result.returncode == 0, result.stderr


def test_bad_boolean_setting_names_the_variable() -> None:
    result = _settings_import({"P2P_MODE": "demo", "P2P_DEBUG": "perhaps"})
    assert result.returncode == 1
    assert "P2P_DEBUG must be true or false" in result.stderr


def test_healthz_reports_a_missing_worker(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "degraded",
        "checks": {"database": "ok", "migrations": "ok", "worker": "never seen"},
    }


# The worker closes connections between tasks, as a long-running process must: the
# test runs outside a wrapping transaction so that this is harmless.
@pytest.mark.django_db(transaction=True)
def test_healthz_is_ok_with_a_fresh_heartbeat(client: Client) -> None:
    call_command("worker", "--once")
    assert WorkerHeartbeat.objects.count() == 1
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_healthz_reports_a_stale_heartbeat(client: Client) -> None:
    WorkerHeartbeat.objects.create(
        name="old", seen_at=timezone.now() - dt.timedelta(minutes=5)
    )
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"].startswith("last seen 30")


def test_request_log_is_structured_and_has_no_client_address(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="port2port.request")
    client.get("/healthz", REMOTE_ADDR="203.0.113.7")
    record = next(r for r in caplog.records if r.name == "port2port.request")
    assert record.path == "/healthz"  # type: ignore[attr-defined]
    assert record.status == 503  # type: ignore[attr-defined]
    from port2port.core.logging import JsonFormatter

    line = JsonFormatter().format(record)
    assert '"path": "/healthz"' in line
    assert "203.0.113.7" not in line
