"""Admin site registrations for the registry, accounts and tokens."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from port2port.core.models import (
    AccessPoint,
    ApiToken,
    AuditEntry,
    Committee,
    Device,
    Facility,
    Membership,
    Organisation,
    Person,
    Port,
    User,
    Vehicle,
    Zone,
)


class MembershipInline(admin.TabularInline[Membership, User]):
    model = Membership
    fk_name = "user"
    extra = 0
    autocomplete_fields = ["organisation", "port", "facility"]


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    inlines = [MembershipInline]
    fieldsets = (
        *BaseUserAdmin.fieldsets,  # type: ignore[misc]
        ("Port2Port", {"fields": ("clearance", "language", "person")}),
    )
    raw_id_fields = ["person"]


@admin.register(Port)
class PortAdmin(admin.ModelAdmin[Port]):
    list_display = ["locode", "name_en", "kind", "security_level", "committee"]
    search_fields = ["locode", "name_en", "name_nl", "name_fr"]


@admin.register(Committee)
class CommitteeAdmin(admin.ModelAdmin[Committee]):
    list_display = ["code", "name", "kind"]
    search_fields = ["code", "name"]


@admin.register(Facility)
class FacilityAdmin(admin.ModelAdmin[Facility]):
    list_display = ["code", "name", "port", "kind", "isps", "operator"]
    list_filter = ["port", "kind", "isps"]
    search_fields = ["code", "name"]
    raw_id_fields = ["pfso", "operator"]


@admin.register(Zone)
class ZoneAdmin(admin.ModelAdmin[Zone]):
    list_display = ["name", "port", "facility", "kind"]
    list_filter = ["port", "kind"]
    search_fields = ["name"]


class DeviceInline(admin.TabularInline[Device, AccessPoint]):
    model = Device
    extra = 0


@admin.register(AccessPoint)
class AccessPointAdmin(admin.ModelAdmin[AccessPoint]):
    list_display = ["code", "name", "zone", "kind", "direction"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]
    inlines = [DeviceInline]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin[Organisation]):
    list_display = ["name", "kbo_number", "eori"]
    search_fields = ["name", "kbo_number"]
    filter_horizontal = ["ports"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin[Person]):
    list_display = ["last_name", "first_name", "employer", "nationality"]
    search_fields = ["last_name", "first_name", "document_number"]
    raw_id_fields = ["employer"]
    exclude = ["national_register_hash"]


@admin.register(Vehicle)
class VehicleAdmin(admin.ModelAdmin[Vehicle]):
    list_display = ["plate", "country", "kind", "owner"]
    search_fields = ["plate"]
    raw_id_fields = ["owner"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = [
        "name",
        "prefix",
        "organisation",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    readonly_fields = ["prefix", "key_hash", "created_at", "last_used_at"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin[AuditEntry]):
    """Read-only: the audit trail is never edited through the admin."""

    list_display = ["seq", "at", "actor_label", "action", "object_repr"]
    list_filter = ["action"]
    search_fields = ["object_repr", "actor_label"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
