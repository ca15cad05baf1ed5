"""Slow down spam and receipt guessing without identifying anyone.

- **Proof of work**: each public form carries a signed, single-use challenge.
  The page's script finds a number whose SHA-256 together with the challenge
  starts with enough zero bits (a small hashcash); the server checks it with
  one hash. Without scripts the form still works, but its requests share a
  much smaller global allowance (``REPORTING_RATE_SUBMIT_NO_SCRIPT``).
- **Global rate limits**: counters per kind of request and time window, for
  everyone together, in the database (so that every web process shares them).
- **Receipt guessing**: failed receipt logins are counted for everyone; as they
  grow, the login asks for more work, and past a limit it pauses for everyone
  until the window ends. No address or browser detail is used or kept.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from port2port.reporting.models import RateWindow, SpentChallenge

_SIGNING_SALT = "port2port.reporting.pow"


class Refused(Exception):
    """A public request refused by the abuse controls (shown as a message)."""

    def __init__(self, reason: str, retry_after: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


# Proof of work -----------------------------------------------------------------------


@dataclass(frozen=True)
class Challenge:
    token: str
    bits: int


def challenge_issue(purpose: str, bits: int) -> Challenge:
    """Return a fresh signed challenge for a form."""
    payload = {"n": secrets.token_hex(16), "p": purpose, "b": bits}
    return Challenge(token=signing.dumps(payload, salt=_SIGNING_SALT), bits=bits)


def leading_zero_bits(digest: bytes) -> int:
    bits = 0
    for byte in digest:
        if byte == 0:
            bits += 8
            continue
        bits += 8 - byte.bit_length()
        break
    return bits


def work_is_done(token: str, solution: str, bits: int) -> bool:
    """Return whether SHA-256(token ':' solution) starts with ``bits`` zero bits."""
    if not solution.isdigit() or len(solution) > 20:
        return False
    digest = hashlib.sha256(f"{token}:{solution}".encode("ascii")).digest()
    return leading_zero_bits(digest) >= bits


def work_solve(token: str, bits: int) -> str:
    """Find a solution (what the page's script does; used by tests and tools)."""
    counter = 0
    while not work_is_done(token, str(counter), bits):
        counter += 1
    return str(counter)


def challenge_redeem(
    token: str, solution: str, *, purpose: str, now: dt.datetime | None = None
) -> bool:
    """Check a challenge and use it up; return whether the work was done.

    Raise ``Refused`` for a challenge that is forged, expired, used or meant
    for another form. A missing or wrong solution returns False: the caller
    then applies the allowance of requests without scripts.
    """
    ttl = settings.REPORTING_POW_TTL_SECONDS
    try:
        payload = signing.loads(token, salt=_SIGNING_SALT, max_age=ttl)
    except signing.BadSignature:
        raise Refused("expired") from None
    if not isinstance(payload, dict) or payload.get("p") != purpose:
        raise Refused("expired")
    now = now or timezone.now()
    try:
        with transaction.atomic():
            SpentChallenge.objects.create(
                nonce=str(payload["n"])[:64],
                expires_at=now + dt.timedelta(seconds=ttl),
            )
    except IntegrityError:
        raise Refused("used") from None
    return work_is_done(token, solution, int(payload.get("b", 0)))


# Global counters ---------------------------------------------------------------------------


def _window(now: dt.datetime, seconds: int) -> dt.datetime:
    start = math.floor(now.timestamp() / seconds) * seconds
    return dt.datetime.fromtimestamp(start, tz=dt.UTC)


def rate_take(
    bucket: str, limit: tuple[int, int], *, now: dt.datetime | None = None
) -> None:
    """Count one request in ``bucket``; raise ``Refused`` when the window is full."""
    count, seconds = limit
    now = now or timezone.now()
    start = _window(now, seconds)
    RateWindow.objects.bulk_create(
        [RateWindow(bucket=bucket, window_start=start)], ignore_conflicts=True
    )
    taken = RateWindow.objects.filter(
        bucket=bucket, window_start=start, count__lt=count
    ).update(count=F("count") + 1)
    if taken != 1:
        retry = int((start + dt.timedelta(seconds=seconds) - now).total_seconds()) + 1
        raise Refused("busy", retry_after=max(retry, 1))


def rate_note(bucket: str, seconds: int, *, now: dt.datetime | None = None) -> None:
    """Count one event (a failed login) in ``bucket``, without any limit."""
    now = now or timezone.now()
    start = _window(now, seconds)
    RateWindow.objects.bulk_create(
        [RateWindow(bucket=bucket, window_start=start)], ignore_conflicts=True
    )
    RateWindow.objects.filter(bucket=bucket, window_start=start).update(
        count=F("count") + 1
    )


def rate_count(bucket: str, seconds: int, *, now: dt.datetime | None = None) -> int:
    start = _window(now or timezone.now(), seconds)
    row = RateWindow.objects.filter(bucket=bucket, window_start=start).first()
    return row.count if row else 0


def login_bits(*, now: dt.datetime | None = None) -> int:
    """Return the work the receipt login asks now: more after many failures."""
    limit, seconds = settings.REPORTING_RATE_RECEIPT_FAILURES
    failures = rate_count("receipt-failure", seconds, now=now)
    extra = min(4, failures * 4 // max(limit, 1))
    return settings.REPORTING_POW_LOGIN_BITS + extra


def login_paused(*, now: dt.datetime | None = None) -> int:
    """Return the seconds until receipt logins resume, or 0 when they are open."""
    limit, seconds = settings.REPORTING_RATE_RECEIPT_FAILURES
    now = now or timezone.now()
    if rate_count("receipt-failure", seconds, now=now) < limit:
        return 0
    start = _window(now, seconds)
    return int((start + dt.timedelta(seconds=seconds) - now).total_seconds()) + 1


def sweep(*, now: dt.datetime | None = None) -> int:
    """Delete spent challenges and counters that no longer matter."""
    now = now or timezone.now()
    deleted, _ = SpentChallenge.objects.filter(expires_at__lt=now).delete()
    old, _ = RateWindow.objects.filter(
        window_start__lt=now - dt.timedelta(days=1)
    ).delete()
    return deleted + old
