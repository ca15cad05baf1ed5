"""Pages of the compliance module, under ``/compliance/``."""

from __future__ import annotations

from django.urls import path

from port2port.compliance import views

app_name = "compliance"

urlpatterns = [
    path("", views.index, name="index"),
    path("reminders/<int:pk>/read/", views.reminder_read, name="reminder-read"),
    path("facilities/<int:pk>/", views.facility, name="facility"),
    path("facilities/<int:pk>/level/", views.facility_level, name="facility-level"),
    path(
        "facilities/<int:pk>/documents/",
        views.facility_document,
        name="facility-document",
    ),
    path(
        "facilities/<int:pk>/major-change/",
        views.facility_major_change,
        name="facility-major-change",
    ),
    path("facilities/<int:pk>/risk/", views.facility_risk, name="facility-risk"),
    path("acknowledgements/<int:pk>/", views.acknowledge, name="acknowledge"),
    path("levels/", views.levels, name="levels"),
    path("versions/<int:pk>/", views.version, name="version"),
    path("versions/<int:pk>/file/", views.version_file, name="version-file"),
    path(
        "versions/<int:pk>/<slug:action>/",
        views.version_action,
        name="version-action",
    ),
    path("inspections/", views.inspections, name="inspections"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar-feed"),
    path("inspections/<int:pk>/", views.inspection, name="inspection"),
    path("inspections/<int:pk>/run/", views.inspection_run, name="inspection-run"),
    path(
        "inspections/<int:pk>/findings/",
        views.inspection_finding,
        name="inspection-finding",
    ),
    path(
        "inspections/<int:pk>/complete/",
        views.inspection_complete,
        name="inspection-complete",
    ),
    path(
        "inspections/<int:pk>/report.pdf",
        views.inspection_report,
        name="inspection-report",
    ),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("findings/<int:pk>/", views.finding, name="finding"),
    path(
        "findings/<int:pk>/files/<int:update>/",
        views.evidence_file,
        name="evidence-file",
    ),
    path(
        "findings/<int:pk>/<slug:action>/",
        views.finding_action,
        name="finding-action",
    ),
    path("exercises/", views.exercises, name="exercises"),
    path("exercises/<int:pk>/", views.exercise, name="exercise"),
    path(
        "exercises/<int:pk>/<slug:action>/",
        views.exercise_action,
        name="exercise-action",
    ),
    path("scenarios/", views.scenarios, name="scenarios"),
    path("scenarios/<str:code>/", views.scenario, name="scenario"),
    path("training/", views.training, name="training"),
    path("training/import/", views.training_import, name="training-import-new"),
    path(
        "training/imports/<int:pk>/",
        views.training_import_result,
        name="training-import",
    ),
    path("training/rules/", views.training_rule, name="training-rule"),
    path(
        "training/rules/<int:pk>/delete/",
        views.training_rule_delete,
        name="training-rule-delete",
    ),
    path("ships/", views.ships, name="ships"),
    path("ships/<int:pk>/", views.ship_call, name="ship-call"),
    path(
        "ships/<int:pk>/<slug:action>/",
        views.ship_call_action,
        name="ship-call-action",
    ),
    path("declarations/<int:pk>/", views.declaration, name="declaration"),
]
