"""Top-level routes: pages per app, the API, health and language switching."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from port2port.api import api
from port2port.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("access/", include("port2port.access.urls")),
    path("detection/", include("port2port.detection.urls")),
    path("compliance/", include("port2port.compliance.urls")),
    path("report/", include("port2port.reporting.urls_public")),
    path("reporting/", include("port2port.reporting.urls")),
    path("release/", include("port2port.release.urls")),
    path("hub/", include("port2port.sharing.urls")),
    path("", include("port2port.core.urls")),
]

handler404 = "port2port.core.views.page_not_found"
handler500 = "port2port.core.views.server_error"
