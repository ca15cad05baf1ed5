"""Pages of the access module, under ``/access/``."""

from __future__ import annotations

from django.urls import path

from port2port.access import views

app_name = "access"

urlpatterns = [
    path("", views.index, name="index"),
    path("overview/", views.overview, name="overview"),
    path("facility/", views.facility_home, name="facility-home"),
    path("facility/<int:pk>/", views.facility_dashboard, name="facility"),
    path(
        "facility/<int:pk>/activations/",
        views.facility_activate,
        name="facility-activate",
    ),
    path("facility/<int:pk>/grants/", views.facility_grant, name="facility-grant"),
    path("grants/<int:pk>/revoke/", views.grant_revoke, name="grant-revoke"),
    path("visits/<int:pk>/decision/", views.visit_decide, name="visit-decide"),
    path("visits/<int:pk>/cancel/", views.visit_cancel, name="visit-cancel"),
    path(
        "visits/<int:pk>/day-passes/<int:person>/",
        views.day_pass,
        name="day-pass",
    ),
    path(
        "alerts/<int:pk>/acknowledge/",
        views.alert_acknowledge,
        name="alert-acknowledge",
    ),
    path("gates/", views.gates, name="gates"),
    path("gates/check/", views.gate_check, name="gate-check"),
    path("company/", views.company, name="company"),
    path("company/visits/", views.visit_announce, name="visit-announce"),
    path("company/people/<int:pk>/pass/", views.pass_request, name="pass-request"),
    path("passes/<int:pk>/collect/", views.pass_collect, name="pass-collect"),
    path("passes/<int:pk>/lost/", views.pass_lost, name="pass-lost"),
    path("passes/<int:pk>/state/", views.pass_state, name="pass-state"),
    path("people/<int:pk>/", views.person_access, name="person"),
    path("bans/", views.ban_list, name="bans"),
    path("bans/new/", views.ban_new, name="ban-new"),
    path("bans/<int:pk>/lift/", views.ban_lift, name="ban-lift"),
]
