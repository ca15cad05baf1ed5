from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReleaseConfig(AppConfig):
    name = "port2port.release"
    label = "release"
    verbose_name = _("Secure container release")
