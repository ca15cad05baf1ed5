"""Pages of the release module, under ``/release/``."""

from __future__ import annotations

from django.urls import path

from port2port.release import views

app_name = "release"

urlpatterns = [
    path("", views.home, name="home"),
    path("agent/", views.agent, name="agent"),
    path("agent/create/", views.agent_create, name="agent-create"),
    path("agent/upload/", views.agent_upload, name="agent-upload"),
    path("inbox/", views.inbox, name="inbox"),
    path("assign/", views.assign, name="assign"),
    path("gate/", views.gate, name="gate"),
    path("gate/check/", views.gate_check, name="gate-check"),
    path("search/", views.search, name="search"),
    path("webhooks/", views.webhooks, name="webhooks"),
    path(
        "webhooks/<int:pk>/stop/", views.webhook_deactivate, name="webhook-deactivate"
    ),
    path("releases/<int:pk>/", views.detail, name="detail"),
    path("releases/<int:pk>/block/", views.release_block, name="block"),
    path("releases/<int:pk>/unblock/", views.release_unblock, name="unblock"),
    path("releases/<int:pk>/withdraw/", views.release_withdraw, name="withdraw"),
    path("releases/<int:pk>/transfer/", views.release_transfer, name="transfer"),
    path("releases/<int:pk>/assign/", views.release_assign, name="assign-driver"),
    path("releases/<int:pk>/gate-out/", views.release_gate_out, name="gate-out"),
    path("transfers/<int:pk>/accept/", views.transfer_accept, name="transfer-accept"),
    path("transfers/<int:pk>/deny/", views.transfer_deny, name="transfer-deny"),
    path("transfers/<int:pk>/revoke/", views.transfer_revoke, name="transfer-revoke"),
    path("attempts/<int:pk>/override/", views.attempt_override, name="override"),
]
