"""WSGI entry point: the application that ``port2port serve`` runs under granian.

Two Django handlers share the process. Requests to the API that carry a bearer
token (gate controllers, ANPR lanes, integrations) go to a lean handler whose
middleware is ``DEVICE_MIDDLEWARE``: no session, CSRF, messages, two-factor or
content-security-policy work, which a token caller never uses and which cost
more than a gate decision itself. Everything else goes through the full
``MIDDLEWARE``. The URLs, views and error handling are the same for both.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "port2port.settings")

import django
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler

logger = logging.getLogger(__name__)


class DeviceHandler(WSGIHandler):
    """A WSGI handler with the device middleware instead of the browser one."""

    def load_middleware(self, is_async: bool = False) -> None:
        browser = settings.MIDDLEWARE
        settings.MIDDLEWARE = settings.DEVICE_MIDDLEWARE
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = browser


def is_device_request(environ: dict[str, Any]) -> bool:
    """An API request authenticated by a bearer token, not by a browser session."""
    return environ.get("PATH_INFO", "").startswith("/api/") and environ.get(
        "HTTP_AUTHORIZATION", ""
    ).startswith("Bearer ")


def build_application() -> Callable[..., Iterable[bytes]]:
    """Return the dispatching WSGI application (Django must be set up)."""
    browser = WSGIHandler()
    device = DeviceHandler()

    def application(
        environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        handler = device if is_device_request(environ) else browser
        return handler(environ, start_response)

    return application


def _warm_up() -> None:
    """Build the gate snapshot before the first request, so no gate waits for it."""
    from django.db import connection

    from port2port.access.gate import state_current

    try:
        state_current()
    except Exception:
        # The database may not be migrated yet; the first decision builds it then.
        logger.warning(
            "The gate snapshot could not be built at start-up", exc_info=True
        )
    finally:
        connection.close()


django.setup(set_prefix=False)
application = build_application()
if os.environ.get("P2P_WARM_UP", "1") == "1":
    _warm_up()
