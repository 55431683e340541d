from django.contrib import admin

from pomoc.reports.models import Badge, PointRule


@admin.register(PointRule)
class PointRuleAdmin(admin.ModelAdmin):
    list_display = ("achievement", "points")


@admin.register(Badge)
class BadgeAdmin(admin.ModelAdmin):
    list_display = ("name", "achievement", "threshold", "active")
