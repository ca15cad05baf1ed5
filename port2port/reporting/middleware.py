"""Keep the public reporting pages free of anything that identifies a reporter.

The middleware stands first in ``MIDDLEWARE``. For the public pages it keeps
only the request headers the pages need, so that the client's address, the
forwarding headers of proxies, the browser's user agent, the referring page and
the like never reach another middleware, a view, the database or a log line. On
the way out it replaces the security headers with a strict set and drops any
cookie except the reporter's own session cookie, which only the receipt login
sets.

For the other pages it only remembers the request for the duration of the
call, so that a password change anywhere can re-seal the handler's key from
the unlocked copy in the session (see ``port2port.reporting.keyring``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest, HttpResponse
from django.http.cookie import parse_cookie

from port2port.reporting import keyring

PUBLIC_PREFIX = "/report/"
REPORTER_COOKIE = "p2p_report"

# The request's environment keeps only these keys on the public pages (and of the
# cookies, only the reporter's). Everything else (REMOTE_ADDR, REMOTE_HOST, X-Forwarded-For, X-Real-IP, Forwarded, Via,
# User-Agent, Referer, the Sec-CH-UA client hints, Accept-Language, DNT …) goes.
_KEEP = frozenset(
    {
        "REQUEST_METHOD",
        "PATH_INFO",
        "SCRIPT_NAME",
        "QUERY_STRING",
        "CONTENT_TYPE",
        "CONTENT_LENGTH",
        "SERVER_NAME",
        "SERVER_PORT",
        "SERVER_PROTOCOL",
        "HTTP_HOST",
        "HTTP_COOKIE",
        "HTTP_ORIGIN",
        "HTTP_SEC_FETCH_SITE",
        "HTTP_ACCEPT",
        "HTTP_ACCEPT_ENCODING",
        "HTTP_X_FORWARDED_PROTO",
        "HTTP_HX_REQUEST",
        "HTTP_IF_NONE_MATCH",
        "HTTP_IF_MODIFIED_SINCE",
        "HTTP_CACHE_CONTROL",
        "HTTP_PRAGMA",
    }
)

# The page itself loads its script, style sheet and images from this site only;
# it connects nowhere, and only submits forms to itself.
PUBLIC_CSP = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    )
)
PUBLIC_HEADERS = {
    "Content-Security-Policy": PUBLIC_CSP,
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": (
        "geolocation=(), camera=(), microphone=(), payment=(), usb=(), "
        "interest-cohort=(), browsing-topics=()"
    ),
}


def is_public(path: str) -> bool:
    return path.startswith(PUBLIC_PREFIX)


def strip_request(request: HttpRequest) -> None:
    """Remove every identifying detail from the request, in place.

    Cookies go too, except the reporter's own: a staff member who is signed in
    to the platform in the same browser reports as anonymously as anyone, and
    no log line of a public page carries their account.
    """
    for key in list(request.META):
        if key not in _KEEP and not key.startswith("wsgi.") and key != "asgi":
            del request.META[key]
    reporter = parse_cookie(request.META.pop("HTTP_COOKIE", "")).get(REPORTER_COOKIE)
    if reporter and reporter.isprintable() and ";" not in reporter:
        request.META["HTTP_COOKIE"] = f"{REPORTER_COOKIE}={reporter}"
    request.__dict__.pop("COOKIES", None)
    # Some servers pass the client on the request object as well.
    for attribute in ("_remote_addr", "client"):
        request.__dict__.pop(attribute, None)


def harden_response(response: HttpResponse) -> HttpResponse:
    """Set the strict headers and drop every cookie but the reporter's session."""
    for name, value in PUBLIC_HEADERS.items():
        response[name] = value
    for name in list(response.cookies):
        if name != REPORTER_COOKIE:
            del response.cookies[name]
    if "Vary" in response:
        # Nothing on these pages depends on the reader's language header.
        vary = [
            v.strip()
            for v in response["Vary"].split(",")
            if v.strip().lower() != "accept-language"
        ]
        response["Vary"] = ", ".join(vary)
        if not response["Vary"]:
            del response["Vary"]
    return response


Handler = Callable[[HttpRequest], Any]


class ReporterPrivacyMiddleware:
    """Strip identifying details from the public reporting pages (sync and async)."""

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
        if is_public(request.path_info):
            strip_request(request)
            return harden_response(self.get_response(request))
        token = keyring.current_request.set(request)
        try:
            response: HttpResponse = self.get_response(request)
        finally:
            keyring.current_request.reset(token)
        return response

    async def acall(self, request: HttpRequest) -> HttpResponse:
        if is_public(request.path_info):
            strip_request(request)
            return harden_response(await self.get_response(request))
        token = keyring.current_request.set(request)
        try:
            response: HttpResponse = await self.get_response(request)
        finally:
            keyring.current_request.reset(token)
        return response
