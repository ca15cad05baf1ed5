"""Pages of the hub, under ``/hub/``."""

from __future__ import annotations

from django.urls import path

from port2port.sharing import views

app_name = "sharing"

urlpatterns = [
    path("", views.index, name="index"),
    path("bulletins/new/", views.bulletin_new, name="bulletin-new"),
    path("bulletins/import/", views.bulletin_import, name="bulletin-import"),
    path("bulletins/<int:pk>/", views.bulletin_detail, name="bulletin"),
    path("bulletins/<int:pk>/acknowledge/", views.bulletin_ack, name="bulletin-ack"),
    path(
        "bulletins/<int:pk>/withdraw/",
        views.bulletin_withdraw,
        name="bulletin-withdraw",
    ),
    path(
        "bulletins/<int:pk>/export/<str:fmt>/",
        views.bulletin_export,
        name="bulletin-export",
    ),
    path(
        "bulletins/<int:pk>/attachments/<int:attachment>/",
        views.attachment_download,
        name="attachment",
    ),
    path("matches/", views.match_list, name="matches"),
    path("matches/<int:pk>/", views.match_detail, name="match"),
    path("committees/", views.committee_list, name="committees"),
    path("committees/<int:pk>/", views.committee_detail, name="committee"),
    path("committees/<int:pk>/meetings/new/", views.meeting_new, name="meeting-new"),
    path("committees/<int:pk>/members/new/", views.member_add, name="member-add"),
    path("committees/<int:pk>/documents/new/", views.document_new, name="document-new"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("actions/<int:pk>/done/", views.action_done, name="action-done"),
    path("documents/<int:pk>/", views.document_download, name="document"),
    path("library/", views.library, name="library"),
    path("library/<slug:slug>/", views.article_detail, name="article"),
    path("overview/", views.overview, name="overview"),
]
