"""Admin pages for the reporting set-up: channels, routing and handler groups.

Reports, messages, files and keys are not shown here: they are sealed, and the
admin site is no place to read them.
"""

from __future__ import annotations

from django.contrib import admin

from port2port.reporting.models import Channel, HandlerGroup, RecoveryKey, RoutingRule


class RoutingRuleInline(admin.TabularInline[RoutingRule, Channel]):
    model = RoutingRule
    extra = 0
    autocomplete_fields = ["port", "group"]


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin[Channel]):
    list_display = ["name", "slug", "is_active", "triage_group", "order"]
    inlines = [RoutingRuleInline]
    filter_horizontal = ["ports"]


@admin.register(HandlerGroup)
class HandlerGroupAdmin(admin.ModelAdmin[HandlerGroup]):
    list_display = ["name", "code", "organisation"]
    search_fields = ["name", "code"]
    filter_horizontal = ["members"]
    autocomplete_fields = ["organisation"]


@admin.register(RecoveryKey)
class RecoveryKeyAdmin(admin.ModelAdmin[RecoveryKey]):
    list_display = ["organisation", "fingerprint", "created_at", "retired_at"]
    readonly_fields = ["organisation", "fingerprint", "created_at", "retired_at"]
    exclude = ["public_key"]

    def has_add_permission(self, request: object) -> bool:
        return False
