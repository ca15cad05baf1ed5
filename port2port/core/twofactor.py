"""TOTP two-factor authentication: who must use it and whether they have."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django_otp import user_has_device

from port2port.core.models import Membership, User


def two_factor_required(user: User) -> bool:
    """Return whether the user's roles oblige them to use a second factor."""
    roles = settings.TWO_FACTOR_REQUIRED_ROLES
    if not roles:
        return False
    return Membership.objects.filter(user=user, role__in=roles).exists()


def two_factor_missing(request: HttpRequest) -> bool:
    """Return whether the signed-in user still owes a second factor this session.

    A user with a confirmed TOTP device always gives it; a user whose role
    requires one and who has none must set it up first.
    """
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        return False
    if getattr(user, "is_verified", lambda: False)():
        return False
    cached = getattr(request, "_p2p_2fa_missing", None)
    if cached is None:
        cached = user_has_device(user, confirmed=True) or two_factor_required(user)
        request._p2p_2fa_missing = cached  # type: ignore[attr-defined]
    return bool(cached)
