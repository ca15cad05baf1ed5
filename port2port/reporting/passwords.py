"""The hook that keeps a report handler's key usable when their password changes.

Django calls ``password_changed`` of every configured password validator after
a user with a new password is saved, whichever page, form or command changed
it (the admin site, ``changepassword``, the reporting key page). The hook hands
the change to ``handler_key_password_changed``, which re-seals the handler's
private key under the new password when the unlocked key is at hand, and
otherwise gives the handler a new key pair.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _


class HandlerKeyPasswordHook:
    """A password validator that validates nothing and follows password changes."""

    def validate(self, password: str, user: Any = None) -> None:
        return None

    def get_help_text(self) -> str:
        return _(
            "If you handle anonymous reports, your reporting key follows the new password."
        )

    def password_changed(self, password: str, user: Any = None) -> None:
        if user is None or getattr(user, "pk", None) is None:
            return
        from port2port.reporting.services import handler_key_password_changed

        handler_key_password_changed(user=user, password=password)
