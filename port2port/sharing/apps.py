from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SharingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "port2port.sharing"
    label = "sharing"
    verbose_name = _("Hub: committees, bulletins and practices")
