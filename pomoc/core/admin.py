from django.contrib import admin

from pomoc.core.models import Counter, OrganisationSettings, PeriodicJob


@admin.register(OrganisationSettings)
class OrganisationSettingsAdmin(admin.ModelAdmin):
    list_display = ("name", "ticket_tag_prefix", "administrators_see_all_tickets", "supervisors_see_all_tickets",
                    "agents_see_unassigned_department_less")

    def has_add_permission(self, request):
        # One row, created on first use by OrganisationSettings.get().
        return not OrganisationSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Counter)
class CounterAdmin(admin.ModelAdmin):
    """Ticket numbers are never reused: counters can be looked at, not changed."""

    list_display = ("name", "value")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PeriodicJob)
class PeriodicJobAdmin(admin.ModelAdmin):
    """When each periodic job runs next; moving ``next_run_at`` back runs it at the next tick."""

    list_display = ("name", "next_run_at", "last_enqueued_at", "last_task_id")
    readonly_fields = ("name", "last_enqueued_at", "last_task_id")

    def has_add_permission(self, request):
        return False  # the scheduler creates its rows
