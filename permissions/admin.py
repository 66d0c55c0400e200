from django.contrib import admin

from permissions.models import ApiToken, AuditEntry, Membership


class ReadOnlyAdmin(admin.ModelAdmin):
    """Memberships and tokens change only through permissions.services (GraphQL), never by hand here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ("organization", "user", "group", "role", "subtree", "expires_at")
    list_filter = ("role", "subtree")
    search_fields = ("user__username", "organization__name")


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ("name", "organization", "key_prefix", "expires_at", "revoked_at", "last_used_at")
    search_fields = ("name", "organization__name")


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "actor_label", "action", "target_type", "target_id", "organization", "ip")
    list_filter = ("action",)
    search_fields = ("actor_label", "target_id")
