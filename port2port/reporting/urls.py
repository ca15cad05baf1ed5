"""Handlers' pages of the reporting module, under ``/reporting/``."""

from __future__ import annotations

from django.urls import path

from port2port.reporting import views

app_name = "reporting"

urlpatterns = [
    path("", views.index, name="index"),
    path("unlock/", views.unlock, name="unlock"),
    path("lock/", views.lock, name="lock"),
    path("inbox/", views.inbox, name="inbox"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
    path("reports/<int:pk>/status/", views.report_status, name="report-status"),
    path("reports/<int:pk>/assign/", views.report_assign, name="report-assign"),
    path("reports/<int:pk>/messages/", views.report_message, name="report-message"),
    path("reports/<int:pk>/forward/", views.report_forward, name="report-forward"),
    path(
        "reports/<int:pk>/files/<int:file_pk>/",
        views.report_file,
        name="report-file",
    ),
    path("reports/<int:pk>/export/", views.report_export, name="report-export"),
    path("key/", views.key_page, name="key"),
    path("statistics/", views.statistics, name="statistics"),
]
