"""Request logging and the two-factor gate."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from port2port.core.twofactor import two_factor_missing

logger = logging.getLogger("port2port.request")

# Paths that a user who still owes a second factor may open.
_TWO_FACTOR_OPEN = ("/accounts/", "/static/", "/healthz", "/i18n/", "/api/")


class RequestLogMiddleware:
    """Log each request as one structured line: method, path, status, duration, user.

    The client address is not logged: the platform has no need for it, and the
    public reporting pages must not leave one behind.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        user = getattr(request, "user", None)
        logger.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "user_id": getattr(user, "pk", None),
            },
        )
        return response


class PrivatePagesMiddleware:
    """Keep signed-in pages out of shared and browser caches."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response:
            response["Cache-Control"] = "private, no-store"
        return response


class TwoFactorRequiredMiddleware:
    """Send a signed-in user who owes a second factor to verify or set it up."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(_TWO_FACTOR_OPEN) and two_factor_missing(
            request
        ):
            return HttpResponseRedirect(reverse("core:two-factor"))
        return self.get_response(request)
