from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "port2port.reporting"
    label = "reporting"
    verbose_name = _("Anonymous reporting")
