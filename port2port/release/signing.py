"""Webhook signatures and retry delays: framework-free, standard library only.

Every notification is signed with HMAC-SHA256 under the subscription's secret.
The ``Port2Port-Signature`` header carries the time of signing and the signature
of ``"<timestamp>.<body>"``: ``t=1767225600,v1=5f0c…``. A receiver recomputes the
signature over the raw body it received, compares in constant time and refuses a
timestamp older than a few minutes, so that a captured request cannot be
replayed later. The ``eventId`` in the body (and the ``Port2Port-Event-Id``
header) is the same on every retry: a receiver that has seen it ignores it.
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "Port2Port-Signature"
EVENT_ID_HEADER = "Port2Port-Event-Id"
EVENT_TYPE_HEADER = "Port2Port-Event"
# How old a signature a receiver should accept, in seconds.
DEFAULT_TOLERANCE = 300


def signature_compute(*, secret: str, body: bytes, timestamp: int) -> str:
    """Return the hex HMAC-SHA256 of ``"<timestamp>.<body>"`` under ``secret``."""
    message = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def signature_header(*, secret: str, body: bytes, timestamp: int) -> str:
    """Return the value of the signature header for ``body`` signed at ``timestamp``."""
    signature = signature_compute(secret=secret, body=body, timestamp=timestamp)
    return f"t={timestamp},v1={signature}"


def signature_verify(
    *,
    secret: str,
    body: bytes,
    header: str,
    now: int,
    tolerance: int = DEFAULT_TOLERANCE,
) -> bool:
    """Return whether ``header`` signs ``body`` under ``secret`` within ``tolerance``."""
    parts: dict[str, list[str]] = {}
    for item in header.split(","):
        key, _, value = item.strip().partition("=")
        parts.setdefault(key, []).append(value)
    try:
        timestamp = int(parts["t"][0])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance:
        return False
    expected = signature_compute(secret=secret, body=body, timestamp=timestamp)
    return any(hmac.compare_digest(expected, given) for given in parts.get("v1", []))


def backoff_seconds(attempt: int, *, base: float, cap: float) -> float:
    """Return how long to wait after failed attempt number ``attempt`` (1, 2, …).

    The delay doubles with every attempt (``base``, ``2 base``, ``4 base`` …) up to
    ``cap``, so that a receiver that is down is not hammered, and one that comes
    back is reached again soon.
    """
    if attempt < 1:
        return 0.0
    return float(min(cap, base * 2 ** (attempt - 1)))
