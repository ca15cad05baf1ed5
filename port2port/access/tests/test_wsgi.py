"""The served application: device requests take the lean handler, browsers the full one."""

from __future__ import annotations

import io
import json
import os
from typing import Any

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from conftest import World
from port2port.access.models import AccessEvent
from port2port.access.tests.conftest import Gates

pytestmark = pytest.mark.django_db


@pytest.fixture
def served() -> Any:
    """The served module, with the connection kept open as Django's test client does."""
    os.environ["P2P_WARM_UP"] = "0"
    from port2port import wsgi

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield wsgi
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def call(
    app: Any, method: str, path: str, body: Any = None, **headers: str
) -> tuple[int, dict[str, str], bytes]:
    raw = json.dumps(body).encode() if body is not None else b""
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(raw),
        "CONTENT_LENGTH": str(len(raw)),
        "CONTENT_TYPE": "application/json",
    }
    for name, value in headers.items():
        environ[f"HTTP_{name.upper()}"] = value
    started: list[Any] = []
    result = app.application(
        environ, lambda status, hdrs: started.append((status, hdrs))
    )
    content = b"".join(result)
    getattr(result, "close", lambda: None)()
    status, hdrs = started[0]
    return int(status.split()[0]), dict(hdrs), content


def test_device_requests_are_recognised(served: Any) -> None:
    assert served.is_device_request(
        {"PATH_INFO": "/api/v1/x", "HTTP_AUTHORIZATION": "Bearer p2p_x"}
    )
    assert not served.is_device_request({"PATH_INFO": "/api/v1/x"})
    assert not served.is_device_request(
        {"PATH_INFO": "/access/", "HTTP_AUTHORIZATION": "Bearer p2p_x"}
    )


def test_a_gate_decision_through_the_lean_handler_is_decided_and_stored(
    served: Any, gates: Gates, gate_token: str
) -> None:
    status, headers, content = call(
        served,
        "POST",
        f"/api/v1/access-points/{gates.gate.pk}/decisions",
        {"credential": gates.driver_pass.number},
        authorization=f"Bearer {gate_token}",
    )
    assert status == 200, content
    answer = json.loads(content)
    assert answer["allowed"] is True
    assert AccessEvent.objects.get(pk=answer["decision_id"]).allowed is True
    # The browser middleware did not run: no session cookie, no CSP header.
    assert "Set-Cookie" not in headers
    assert "Content-Security-Policy" not in headers
    # The security headers still apply.
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_the_lean_handler_answers_bad_input_and_wrong_tokens_in_the_error_shape(
    served: Any, gates: Gates, gate_token: str
) -> None:
    path = f"/api/v1/access-points/{gates.gate.pk}/decisions"
    status, _, content = call(
        served,
        "POST",
        path,
        {"biometric": "maybe"},
        authorization=f"Bearer {gate_token}",
    )
    assert status == 400
    assert json.loads(content)["error"]["code"] == "invalid"
    status, _, content = call(
        served, "POST", path, {"credential": "X"}, authorization="Bearer p2p_wrong"
    )
    assert status == 401
    assert json.loads(content)["error"]["code"] == "unauthenticated"
    assert AccessEvent.objects.count() == 0


def test_browser_requests_keep_the_full_middleware(served: Any, world: World) -> None:
    status, headers, _ = call(served, "GET", "/accounts/login/")
    assert status == 200
    assert "Content-Security-Policy" in headers
    status, _, content = call(served, "GET", "/api/v1/me")
    assert status == 401
    assert json.loads(content)["error"]["code"] == "unauthenticated"
