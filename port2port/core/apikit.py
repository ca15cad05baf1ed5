"""Shared pieces of the JSON API: authentication, the one error shape, helpers."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer, SessionAuth

from port2port.core.errors import ApplicationError, InvalidInput, NotPermitted
from port2port.core.models import ApiToken, User
from port2port.core.scopes import Actor, scope_for
from port2port.core.services import api_token_authenticate


class TokenAuth(HttpBearer):
    """``Authorization: Bearer p2p_…`` for devices and integrations."""

    openapi_description = "An API token created by an organisation's administrator."

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        return api_token_authenticate(token)


class VerifiedSessionAuth(SessionAuth):
    """The browser session, once any required second factor has been given.

    A request that carries a bearer token is authenticated by the token alone:
    a wrong token is answered 401, not judged as a browser request (and it is
    served without the session middleware, see ``port2port.wsgi``).
    """

    def __call__(self, request: HttpRequest) -> Any:
        if request.headers.get("Authorization", "").startswith("Bearer ") or not (
            hasattr(request, "user")
        ):
            return None
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = super().authenticate(request, key)
        if user is None:
            return None
        from port2port.core.twofactor import two_factor_missing

        if two_factor_missing(request):
            return None
        return user  # type: ignore[no-any-return]


def error_body(
    code: str, message: str, fields: dict[str, list[str]] | None = None
) -> dict[str, Any]:
    """Return the one error shape of the API."""
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def _location(loc: Any) -> str:
    # Drop the parameter source ("body", "query", "path") and the payload name.
    parts = [
        str(p) for p in loc if p not in ("body", "query", "path", "payload", "filters")
    ]
    return ".".join(parts) or "request"


def install_error_handlers(api: NinjaAPI) -> None:
    """Answer every refusal with ``{"error": {"code", "message", "fields"}}``."""

    @api.exception_handler(ValidationError)
    def _validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        fields: dict[str, list[str]] = {}
        for item in exc.errors:
            fields.setdefault(_location(item.get("loc", ())), []).append(
                str(item["msg"])
            )
        return api.create_response(
            request,
            error_body("invalid", "The request is not valid; see fields.", fields),
            status=400,
        )

    @api.exception_handler(ApplicationError)
    def _application(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
        return api.create_response(
            request, error_body(exc.code, exc.message, exc.fields), status=exc.status
        )

    @api.exception_handler(Http404)
    def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return api.create_response(
            request, error_body("not_found", "Not found."), status=404
        )

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(
        request: HttpRequest, exc: AuthenticationError
    ) -> HttpResponse:
        return api.create_response(
            request,
            error_body(
                "unauthenticated",
                "Send an API token as 'Authorization: Bearer …' or sign in.",
            ),
            status=401,
        )

    @api.exception_handler(HttpError)
    def _http(request: HttpRequest, exc: HttpError) -> HttpResponse:
        codes = {400: "invalid", 403: "forbidden", 404: "not_found", 405: "not_allowed"}
        return api.create_response(
            request,
            error_body(codes.get(exc.status_code, "error"), str(exc.message)),
            status=exc.status_code,
        )


def actor_of(request: HttpRequest, permission: str) -> Actor:
    """Return the authenticated caller, checking an API token's permission.

    Every endpoint starts here, so it is also where query strings and paths with
    a NUL character are refused: PostgreSQL cannot compare text that holds one.
    """
    if "\x00" in request.path or any(
        "\x00" in value for values in request.GET.lists() for value in values[1]
    ):
        raise InvalidInput(
            "Text may not contain NUL characters.", fields={"query": ["NUL character"]}
        )
    actor: Actor = request.auth  # type: ignore[attr-defined]
    if not scope_for(actor).allows(permission):
        raise NotPermitted(f"This token lacks the '{permission}' permission.")
    return actor


PAGE_SIZE = getattr(settings, "API_PAGE_SIZE", 50)
