from django.contrib import admin

from pomoc.notifications.models import Notification, NotificationPreferences, TicketFollower


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("recipient", "kind", "ticket", "actor", "created_at", "read_at", "email_pending")
    list_filter = ("kind",)
    raw_id_fields = ("recipient", "ticket", "actor")


@admin.register(TicketFollower)
class TicketFollowerAdmin(admin.ModelAdmin):
    list_display = ("ticket", "user", "created_at")
    raw_id_fields = ("ticket", "user")


@admin.register(NotificationPreferences)
class NotificationPreferencesAdmin(admin.ModelAdmin):
    list_display = ("user", "email_kinds")
    raw_id_fields = ("user",)
