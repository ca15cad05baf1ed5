"""Where a handler's unlocked private key lives between requests.

A handler unlocks their key by typing their password on the reporting pages.
The private key is then sealed (AES-256-GCM) under a fresh random 256-bit
*session secret* and the sealed copy is kept in the server-side session. The
session secret itself goes to the browser in a separate cookie (HttpOnly,
SameSite=Strict, Secure under HTTPS) and is never stored on the server. So:

- a copy of the database (sessions included) holds only the sealed copy;
- the cookie alone, without the session row, opens nothing;
- signing out deletes the session row, and with it the sealed copy; the unlock
  also expires after ``REPORTING_KEY_UNLOCK_HOURS`` and with the session.

The key is never put in the session in the clear, and nothing unlocks it at
sign-in: only the explicit unlock does, with the password.

During a request, ``current_request`` holds the request (set by the privacy
middleware), so that the password hook can re-seal the key from the unlocked
copy when the password changes on any page of the platform.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import secrets
from collections.abc import Iterator

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from port2port.reporting import crypto

COOKIE = "p2p_keyring"
_SESSION_BLOB = "reporting_key"
_SESSION_UNTIL = "reporting_key_until"
_SESSION_USER = "reporting_key_user"

current_request: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar(
    "reporting_current_request", default=None
)
# A private key handed over explicitly while a password changes.
_rewrap_private: contextvars.ContextVar[tuple[int, bytes] | None] = (
    contextvars.ContextVar("reporting_rewrap_private", default=None)
)


def _aad(user_id: int) -> bytes:
    return f"keyring:user:{user_id}".encode()


def keyring_store(request: HttpRequest, response: HttpResponse, private: bytes) -> None:
    """Keep the unlocked key for this session: sealed in the session, its key in a cookie."""
    user_id = int(request.user.pk or 0)
    secret = secrets.token_bytes(crypto.KEY_BYTES)
    until = timezone.now() + dt.timedelta(hours=settings.REPORTING_KEY_UNLOCK_HOURS)
    request.session[_SESSION_BLOB] = crypto.b64(
        crypto.seal(secret, private, aad=_aad(user_id))
    )
    request.session[_SESSION_UNTIL] = until.isoformat()
    request.session[_SESSION_USER] = user_id
    response.set_cookie(
        COOKIE,
        crypto.b64(secret),
        max_age=settings.REPORTING_KEY_UNLOCK_HOURS * 3600,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )
    # Remember for the rest of this request too.
    request._reporting_private = private  # type: ignore[attr-defined]


def keyring_load(request: HttpRequest) -> bytes | None:
    """Return the handler's unlocked private key, or None when it is locked."""
    cached = getattr(request, "_reporting_private", None)
    if isinstance(cached, bytes):
        return cached
    session = getattr(request, "session", None)
    user = getattr(request, "user", None)
    if session is None or user is None or not user.is_authenticated:
        return None
    blob, until = session.get(_SESSION_BLOB), session.get(_SESSION_UNTIL)
    cookie = request.COOKIES.get(COOKIE)
    if not (blob and until and cookie) or session.get(_SESSION_USER) != user.pk:
        return None
    try:
        if dt.datetime.fromisoformat(until) <= timezone.now():
            return None
        private = crypto.unseal(
            crypto.unb64(cookie), crypto.unb64(blob), aad=_aad(user.pk)
        )
    except (ValueError, crypto.CryptoError):
        return None
    request._reporting_private = private  # type: ignore[attr-defined]
    return private


def keyring_clear(request: HttpRequest, response: HttpResponse | None = None) -> None:
    """Forget the unlocked key: the sealed copy in the session and the cookie."""
    session = getattr(request, "session", None)
    if session is not None:
        for key in (_SESSION_BLOB, _SESSION_UNTIL, _SESSION_USER):
            session.pop(key, None)
    request.__dict__.pop("_reporting_private", None)
    if response is not None:
        response.delete_cookie(COOKIE, samesite="Strict")


@contextlib.contextmanager
def rewrap_with(user_id: int, private: bytes) -> Iterator[None]:
    """Hand the unlocked key to the password hook while a password is saved."""
    token = _rewrap_private.set((user_id, private))
    try:
        yield
    finally:
        _rewrap_private.reset(token)


def private_for_rewrap(user_id: int) -> bytes | None:
    """Return the user's unlocked key if this request or call has it, else None."""
    handed = _rewrap_private.get()
    if handed is not None and handed[0] == user_id:
        return handed[1]
    request = current_request.get()
    if request is not None and getattr(request.user, "pk", None) == user_id:
        return keyring_load(request)
    return None
