from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplianceConfig(AppConfig):
    name = "port2port.compliance"
    label = "compliance"
    verbose_name = _("Compliance")
