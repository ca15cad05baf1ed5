"""Admin site registrations of the detection module.

On-call rules are configuration that the platform administrators keep here;
notifications and broadcasts are records and only shown.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from port2port.detection.models import (
    Broadcast,
    BroadcastRecipient,
    Notification,
    OnCallRule,
)


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(OnCallRule)
class OnCallRuleAdmin(admin.ModelAdmin[OnCallRule]):
    list_display = [
        "port",
        "zone",
        "min_severity",
        "level",
        "user",
        "channel",
        "target",
        "escalate_after_minutes",
        "active",
    ]
    list_filter = ["port", "channel", "active"]
    raw_id_fields = ["user", "zone"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["sent_at", "alert", "level", "channel", "target", "succeeded"]
    list_filter = ["channel", "succeeded"]


class RecipientInline(admin.TabularInline[BroadcastRecipient, Broadcast]):
    model = BroadcastRecipient
    extra = 0
    fields = ["organisation", "acknowledged_at", "acknowledged_by"]
    readonly_fields = ["organisation", "acknowledged_at", "acknowledged_by"]
    can_delete = False


@admin.register(Broadcast)
class BroadcastAdmin(ReadOnlyAdmin):
    list_display = ["sent_at", "port", "level", "title", "exercise"]
    list_filter = ["port", "level"]
    inlines = [RecipientInline]
