"""Admin site registrations of the release module: read-only.

Every change of a release chain goes through the services, which check the
caller and write the timeline and the audit trail; the admin only shows.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from port2port.release.models import (
    ContainerWatch,
    FraudSignal,
    PickupAttempt,
    Release,
    ReleaseTransfer,
    TerminalContainerStatus,
    WebhookDelivery,
    WebhookSubscription,
)


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Release)
class ReleaseAdmin(ReadOnlyAdmin):
    list_display = [
        "container_number",
        "reference",
        "agent",
        "holder",
        "status",
        "light",
    ]
    list_filter = ["status", "light", "customs_status"]
    search_fields = ["container_number", "reference"]
    list_select_related = ["agent", "holder"]


@admin.register(ReleaseTransfer)
class ReleaseTransferAdmin(ReadOnlyAdmin):
    list_display = ["release", "sender", "receiver", "state", "created_at"]
    list_filter = ["state"]
    list_select_related = ["release", "sender", "receiver"]


@admin.register(PickupAttempt)
class PickupAttemptAdmin(ReadOnlyAdmin):
    list_display = ["at", "container_number", "terminal", "allowed", "reasons"]
    list_filter = ["allowed"]
    search_fields = ["container_number"]


@admin.register(FraudSignal)
class FraudSignalAdmin(ReadOnlyAdmin):
    list_display = ["at", "kind", "container_number", "terminal"]
    list_filter = ["kind"]


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "url", "active"]
    exclude = ["secret"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "event_type", "subscription", "state", "attempts"]
    list_filter = ["state", "event_type"]


@admin.register(ContainerWatch)
class ContainerWatchAdmin(ReadOnlyAdmin):
    list_display = ["container_number", "reference", "active"]
    search_fields = ["container_number", "reference"]


@admin.register(TerminalContainerStatus)
class TerminalContainerStatusAdmin(ReadOnlyAdmin):
    list_display = [
        "container_number",
        "terminal",
        "discharged_at",
        "terminal_released_at",
        "reported_by",
    ]
    search_fields = ["container_number"]
