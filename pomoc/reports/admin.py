from django.contrib import admin

from pomoc.reports.models import Badge, PointRule, ReportDelivery, ReportSubscription


@admin.register(PointRule)
class PointRuleAdmin(admin.ModelAdmin):
    list_display = ("achievement", "points")


@admin.register(Badge)
class BadgeAdmin(admin.ModelAdmin):
    list_display = ("name", "achievement", "threshold", "active")


@admin.register(ReportSubscription)
class ReportSubscriptionAdmin(admin.ModelAdmin):
    list_display = ("name", "owner", "frequency", "language", "active", "next_send_at")
    list_filter = ("frequency", "active")


@admin.register(ReportDelivery)
class ReportDeliveryAdmin(admin.ModelAdmin):
    list_display = ("subscription", "first_day", "last_day", "status", "attempts", "recipients", "sent_at", "error")
    list_filter = ("status",)
    readonly_fields = ("subscription", "first_day", "last_day", "status", "attempts", "recipients", "error",
                       "retry_at", "sent_at", "created_at")
