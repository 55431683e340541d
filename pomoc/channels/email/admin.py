from django.contrib import admin

from pomoc.channels.email.models import RawMail


@admin.register(RawMail)
class RawMailAdmin(admin.ModelAdmin):
    """Kept mail, unprocessable mail first to look at; the bytes themselves are never edited here."""

    list_display = ("received_at", "inbox", "status", "classification", "message_id_header", "size", "attempts")
    list_filter = ("status", "classification", "inbox")
    search_fields = ("message_id_header", "sha256", "error")
    readonly_fields = ("inbox", "sha256", "size", "message_id_header", "received_at", "status", "classification",
                       "error", "message", "attempts", "processed_at")
    exclude = ("raw",)

    def has_add_permission(self, request):
        return False
