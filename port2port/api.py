"""The JSON API under /api/v1/: one NinjaAPI, one router per app."""

from __future__ import annotations

from ninja import NinjaAPI

from port2port.core.api import router as core_router
from port2port.core.apikit import TokenAuth, VerifiedSessionAuth, install_error_handlers

api = NinjaAPI(
    title="Port2Port API",
    version="1",
    description=(
        "The national port security platform. Authenticate devices and integrations "
        "with `Authorization: Bearer <token>`; the browser uses its session. Every "
        'refusal answers `{"error": {"code", "message", "fields"}}`.'
    ),
    auth=[TokenAuth(), VerifiedSessionAuth()],
    urls_namespace="api",
)
install_error_handlers(api)
api.add_router("/", core_router)
