"""ASGI entry point (uvicorn).

Django's views and middleware are synchronous. Served through Django's own ASGI
handler, every request would get a fresh thread, and so a fresh database
connection, which costs more than a gate decision itself. So the synchronous
application runs in a fixed pool of threads (a2wsgi), whose database
connections persist; paths that stream (``ASYNC_PATH_PREFIXES``, for
server-sent events) go to Django's asynchronous handler.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "port2port.settings")

from a2wsgi import WSGIMiddleware
from django.conf import settings
from django.core.asgi import get_asgi_application
from django.core.wsgi import get_wsgi_application

_sync_app = WSGIMiddleware(
    get_wsgi_application(),  # type: ignore[arg-type]
    workers=settings.WEB_THREADS,
)
_async_app = get_asgi_application()


def _warm_up() -> None:
    from django.db import connection

    from port2port.access.gate import state_current

    try:
        state_current()
    finally:
        connection.close()


async def application(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Route streaming paths to the asynchronous handler, the rest to the thread pool."""
    if scope["type"] == "http" and scope["path"].startswith(
        tuple(settings.ASYNC_PATH_PREFIXES)
    ):
        await _async_app(scope, receive, send)
    elif scope["type"] == "lifespan":
        await _lifespan(receive, send)
    else:
        await _sync_app(scope, receive, send)  # type: ignore[arg-type]


async def _lifespan(receive: Any, send: Any) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            # Build the gate snapshot before the first decision is asked for, so
            # that the first gate to ask does not wait for it.
            await asyncio.to_thread(_warm_up)
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
