"""The public reporting pages, under ``/report/`` (see the privacy middleware)."""

from __future__ import annotations

from django.urls import path

from port2port.reporting import views

app_name = "report"

urlpatterns = [
    path("", views.public_root, name="root"),
    path("<str:lang>/", views.public_home, name="home"),
    path("<str:lang>/follow-up/", views.follow_up_login, name="login"),
    path("<str:lang>/follow-up/report/", views.follow_up, name="follow-up"),
    path("<str:lang>/follow-up/sign-out/", views.follow_up_logout, name="logout"),
    path("<str:lang>/<slug:slug>/", views.channel_form, name="channel"),
]
