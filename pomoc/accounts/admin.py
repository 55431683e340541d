from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pomoc.accounts.models import AgentPresence, ApiToken, Department, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "email", "first_name", "last_name", "role", "is_active", "is_staff", "last_login")
    list_filter = ("role", "is_active", "is_staff", "is_superuser", "departments", "language")
    search_fields = ("username", "first_name", "last_name", "email")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Pomoc"), {"fields": ("role", "language", "time_zone")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Pomoc"), {"fields": ("role", "email", "first_name", "last_name")}),
    )

    def has_delete_permission(self, request, obj=None):
        # Users are deactivated, never deleted: their replies and timeline events name them.
        return False


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "member_count", "created_at")
    search_fields = ("name", "description")
    filter_horizontal = ("members",)

    @admin.display(description=_("members"))
    def member_count(self, obj):
        return obj.members.count()


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are created in the administrators' area (the raw value is shown once there).

    Here they can be looked at and revoked; the hash is never displayed.
    """

    list_display = ("key_prefix", "name", "user", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("key_prefix", "name", "user__username", "user__email")
    list_select_related = ("user",)
    fields = ("user", "name", "key_prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("user", "key_prefix", "created_at", "last_used_at")
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())


@admin.register(AgentPresence)
class AgentPresenceAdmin(admin.ModelAdmin):
    list_display = ("user", "status", "last_seen_at", "ticket_capacity", "chat_capacity")
    list_filter = ("status",)
    search_fields = ("user__username",)
    raw_id_fields = ("user",)
