"""Django's admin shows tickets, messages and events read-only.

Changes to tickets go through the agent interface or the API, so that every change is written
to the ticket's timeline (TicketEvent) and pushed to open pages; the admin would bypass both.
"""

from django.contrib import admin

from pomoc.tickets.models import (
    Attachment,
    CustomFieldDefinition,
    Message,
    SavedView,
    Tag,
    Ticket,
    TicketEvent,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MessageInline(admin.TabularInline):
    model = Message
    extra = 0
    fields = ("created_at", "kind", "channel", "author_user", "author_contact", "delivery_state")
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    list_display = ("number", "subject", "status", "priority", "channel", "department", "assignee", "requester",
                    "updated_at")
    list_filter = ("status", "priority", "channel", "department", "tags")
    search_fields = ("=number", "subject", "requester__name", "requester__identities__value")
    list_select_related = ("department", "assignee", "requester")
    date_hierarchy = "created_at"
    inlines = [MessageInline]
    show_full_result_count = False


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ("id", "ticket", "kind", "channel", "author_user", "author_contact", "delivery_state",
                    "created_at")
    list_filter = ("kind", "channel", "delivery_state")
    search_fields = ("=ticket__number", "external_id")
    list_select_related = ("ticket", "author_user", "author_contact")
    show_full_result_count = False


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ("file_name", "content_type", "size", "message", "created_at")
    search_fields = ("file_name", "sha256")
    list_filter = ("content_type",)
    list_select_related = ("message",)
    exclude = ("file",)  # downloads go through the permission-checked URL, never a direct link


@admin.register(TicketEvent)
class TicketEventAdmin(ReadOnlyAdmin):
    """The timeline is append-only: no add, change or delete here either."""

    list_display = ("at", "type", "ticket", "actor")
    list_filter = ("type",)
    search_fields = ("=ticket__number",)
    list_select_related = ("ticket", "actor")
    date_hierarchy = "at"
    show_full_result_count = False


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name", "color")
    search_fields = ("name",)


@admin.register(CustomFieldDefinition)
class CustomFieldDefinitionAdmin(admin.ModelAdmin):
    list_display = ("label", "key", "type", "required", "active")
    list_filter = ("type", "required", "active")
    search_fields = ("label", "key")

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: values stored on tickets stay meaningful


@admin.register(SavedView)
class SavedViewAdmin(admin.ModelAdmin):
    list_display = ("name", "owner", "shared", "created_at")
    list_filter = ("shared",)
    search_fields = ("name", "owner__username")
    list_select_related = ("owner",)
