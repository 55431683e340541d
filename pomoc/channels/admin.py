from django.contrib import admin

from pomoc.channels.models import Inbox


@admin.register(Inbox)
class InboxAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "address", "department", "active", "created_at")
    list_filter = ("kind", "active")
    search_fields = ("name", "address")
