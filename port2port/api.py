"""The JSON API under /api/v1/: one NinjaAPI, one router per app."""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI

from port2port.access.api import router as access_router
from port2port.compliance.api import router as compliance_router
from port2port.core.api import router as core_router
from port2port.core.apikit import TokenAuth, VerifiedSessionAuth, install_error_handlers
from port2port.detection.api import router as detection_router
from port2port.release.api import router as release_router
from port2port.reporting.api import router as reporting_router
from port2port.sharing.api import router as sharing_router

_ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "fields"],
            "properties": {
                "code": {"type": "string", "examples": ["invalid"]},
                "message": {"type": "string"},
                "fields": {
                    "type": "object",
                    "additionalProperties": {
                        "type": "array",
                        "items": {"type": "string"},
                    },
                },
            },
        }
    },
}
_ERRORS = {
    "400": "The input is not valid; `fields` names what is wrong. Nothing changed.",
    "401": "No valid API token or session.",
    "403": "The caller may see the object but not make this change.",
    "404": "The object does not exist or lies outside the caller's scope.",
    "405": "The method is not allowed on this path.",
    "409": "The change clashes with the current state (a duplicate, a used code).",
}


class PlatformAPI(NinjaAPI):
    """The API whose document lists the one error shape on every operation."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = (
            _ERROR_SCHEMA
        )
        ref = {"$ref": "#/components/schemas/Error"}
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for status, description in _ERRORS.items():
                    responses.setdefault(
                        status,
                        {
                            "description": description,
                            "content": {"application/json": {"schema": ref}},
                        },
                    )
        return schema


api = PlatformAPI(
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
api.add_router("/", access_router)
api.add_router("/", release_router)
api.add_router("/", detection_router)
api.add_router("/", reporting_router)
api.add_router("/", compliance_router)
api.add_router("/", sharing_router)
