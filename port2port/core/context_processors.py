"""What every page's shell needs: navigation by role and the languages."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from port2port.core.models import Role, User
from port2port.core.scopes import scope_for

# (url name, label, roles that see it; empty means every signed-in user)
_NAVIGATION = (
    ("core:home", _("Home"), ()),
    ("core:map", _("Map"), ()),
    ("core:port-list", _("Ports"), ()),
    ("core:facility-list", _("Facilities"), ()),
    ("core:access-point-list", _("Access points"), ()),
    ("core:organisation-list", _("Organisations"), ()),
    ("core:person-list", _("People"), ()),
    ("core:vehicle-list", _("Vehicles"), ()),
    (
        "core:audit-list",
        _("Audit trail"),
        (
            Role.NATIONAL_AUTHORITY,
            Role.PORT_SECURITY_OFFICER,
            Role.PFSO,
            Role.COMPANY_ADMIN,
        ),
    ),
    ("core:token-list", _("API tokens"), (Role.COMPANY_ADMIN,)),
    ("access:overview", _("Access"), ()),
    ("sharing:index", _("Hub"), ()),
    ("compliance:index", _("Compliance"), ()),
    (
        "detection:control-room",
        _("Control room"),
        (
            Role.PORT_SECURITY_OFFICER,
            Role.CONTROL_ROOM_OPERATOR,
            Role.NATIONAL_AUTHORITY,
        ),
    ),
    ("reporting:index", _("Reports"), (Role.REPORT_HANDLER, Role.NATIONAL_AUTHORITY)),
    (
        "access:gates",
        _("Gates"),
        (Role.GATE_OPERATOR, Role.PFSO, Role.PORT_SECURITY_OFFICER),
    ),
    ("access:facility-home", _("My facility"), (Role.PFSO,)),
    (
        "access:company",
        _("My company"),
        (Role.COMPANY_ADMIN, Role.TRANSPORT_DISPATCHER),
    ),
    (
        "access:bans",
        _("Port bans"),
        (
            Role.JUDICIAL_AUTHORITY,
            Role.NATIONAL_AUTHORITY,
            Role.PORT_SECURITY_OFFICER,
        ),
    ),
    # Container release: the chain companies (shipping agents, forwarders,
    # transport operators) act through their administrators and dispatchers, the
    # terminals through their gate operators and PFSO; customs and police staff
    # hold the report-handler role (any member of theirs may search the chains).
    (
        "release:home",
        _("Releases"),
        (
            Role.COMPANY_ADMIN,
            Role.TRANSPORT_DISPATCHER,
            Role.GATE_OPERATOR,
            Role.PFSO,
            Role.REPORT_HANDLER,
        ),
    ),
)


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    navigation = []
    if isinstance(user, User) and user.is_authenticated:
        scope = scope_for(user)
        for url_name, label, roles in _NAVIGATION:
            if not roles or scope.is_platform_admin or scope.roles & set(roles):
                navigation.append({"url_name": url_name, "label": label})
    return {
        "navigation": navigation,
        "languages": settings.LANGUAGES,
        "demo_mode": settings.DEMO,
    }
