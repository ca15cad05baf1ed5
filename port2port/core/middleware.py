"""Request logging, the two-factor gate and private caching.

Each middleware works natively under ASGI and WSGI: a middleware that could
only run synchronously would make Django hop between threads around it on
every request, which costs more than the work of a gate decision.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from port2port.core.twofactor import two_factor_missing

logger = logging.getLogger("port2port.request")

# Paths that a user who still owes a second factor may open.
_TWO_FACTOR_OPEN = ("/accounts/", "/static/", "/healthz", "/i18n/", "/api/")

Handler = Callable[[HttpRequest], Any]


class _DualMiddleware:
    """A middleware with a synchronous and an asynchronous path."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response
        self.async_mode = iscoroutinefunction(get_response)
        if self.async_mode:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> HttpResponse | Awaitable[HttpResponse]:
        if self.async_mode:
            return self.acall(request)
        return self.call(request)

    def call(self, request: HttpRequest) -> HttpResponse:
        raise NotImplementedError

    async def acall(self, request: HttpRequest) -> HttpResponse:
        raise NotImplementedError


class RequestLogMiddleware(_DualMiddleware):
    """Log each request as one structured line: method, path, status, duration, user.

    The client address is not logged: the platform has no need for it, and the
    public reporting pages must not leave one behind.
    """

    def _log(
        self, request: HttpRequest, response: HttpResponse, started: float
    ) -> None:
        if not logger.isEnabledFor(logging.INFO):
            return
        user = request.__dict__.get("_cached_user")
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

    def call(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response: HttpResponse = self.get_response(request)
        self._log(request, response, started)
        return response

    async def acall(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response: HttpResponse = await self.get_response(request)
        self._log(request, response, started)
        return response


class PrivatePagesMiddleware(_DualMiddleware):
    """Keep signed-in pages out of shared and browser caches."""

    @staticmethod
    def _mark(request: HttpRequest, response: HttpResponse) -> HttpResponse:
        # Only a session can make a page personal; the user is never loaded here.
        if (
            request.COOKIES.get(settings.SESSION_COOKIE_NAME)
            and "Cache-Control" not in response
        ):
            response["Cache-Control"] = "private, no-store"
        return response

    def call(self, request: HttpRequest) -> HttpResponse:
        return self._mark(request, self.get_response(request))

    async def acall(self, request: HttpRequest) -> HttpResponse:
        return self._mark(request, await self.get_response(request))


class TwoFactorRequiredMiddleware(_DualMiddleware):
    """Send a signed-in user who owes a second factor to verify or set it up."""

    def call(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(_TWO_FACTOR_OPEN) and two_factor_missing(
            request
        ):
            return HttpResponseRedirect(reverse("core:two-factor"))
        response: HttpResponse = self.get_response(request)
        return response

    async def acall(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(_TWO_FACTOR_OPEN) and await sync_to_async(
            two_factor_missing
        )(request):
            return HttpResponseRedirect(reverse("core:two-factor"))
        response: HttpResponse = await self.get_response(request)
        return response
