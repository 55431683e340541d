from django.contrib import admin

from pomoc.orders.models import ImportJob, Order, OrderSource, ReturnRequest, WebhookDelivery


@admin.register(OrderSource)
class OrderSourceAdmin(admin.ModelAdmin):
    list_display = ("key", "name", "created_at")
    exclude = ("secret_encrypted",)


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ("__str__", "source", "contact", "status", "total", "currency", "placed_at")
    list_filter = ("status", "source")
    raw_id_fields = ("contact",)


@admin.register(ReturnRequest)
class ReturnRequestAdmin(admin.ModelAdmin):
    list_display = ("__str__", "kind", "state", "order", "created_at")
    raw_id_fields = ("ticket", "order", "contact", "created_by")


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ("file_name", "kind", "state", "rows_done", "rows_failed", "created_at")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ("received_at", "source", "event_id", "accepted", "error")
    list_filter = ("accepted", "source")
    readonly_fields = ("source", "event_id", "received_at", "headers", "body", "accepted", "error", "order")
