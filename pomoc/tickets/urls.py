from django.urls import path

from pomoc.tickets import views_inbox, views_misc, views_ticket

app_name = "tickets"
urlpatterns = [
    path("inbox/", views_inbox.inbox_entry, name="inbox"),
    path("inbox/bulk/", views_inbox.bulk_update, name="bulk"),
    path("inbox/views/", views_inbox.save_view, name="save-view"),
    path("inbox/views/<int:view_id>/delete/", views_inbox.delete_view, name="delete-view"),
    path("search/", views_misc.search, name="search"),
    path("contacts/lookup/", views_misc.contact_lookup, name="contact-lookup"),
    path("tickets/new/", views_misc.new_ticket, name="new"),
    path("tickets/<int:number>/", views_ticket.detail, name="detail"),
    path("tickets/<int:number>/header/", views_ticket.header_partial, name="detail-header"),
    path("tickets/<int:number>/conversation/", views_ticket.conversation_partial, name="detail-conversation"),
    path("tickets/<int:number>/sidebar/", views_ticket.sidebar_partial, name="detail-sidebar"),
    path("tickets/<int:number>/update/", views_ticket.update, name="update"),
    path("tickets/<int:number>/history/", views_ticket.history_toggle, name="history-toggle"),
    path("tickets/<int:number>/fields/", views_ticket.custom_fields_update, name="custom-fields"),
    path("tickets/<int:number>/reply/", views_ticket.reply, name="reply"),
    path("tickets/<int:number>/reply-route/", views_ticket.reply_route, name="reply-route"),
    path("tickets/<int:number>/note/", views_ticket.note, name="note"),
    path("tickets/<int:number>/forward/", views_ticket.forward, name="forward"),
    path("tickets/<int:number>/merge/", views_ticket.merge, name="merge"),
    path("tickets/<int:number>/merge/candidates/", views_ticket.merge_candidates, name="merge-candidates"),
    path("tickets/<int:number>/merge/preview/", views_ticket.merge_preview, name="merge-preview"),
    path("tickets/<int:number>/merge/undo/", views_ticket.merge_undo, name="merge-undo"),
    path("tickets/<int:number>/split/undo/", views_ticket.split_undo, name="split-undo"),
    path("tickets/<int:number>/snooze/", views_ticket.snooze_set, name="snooze"),
    path("tickets/<int:number>/messages/<int:message_id>/split/", views_ticket.split, name="split"),
    path("tickets/<int:number>/messages/<int:message_id>/retry/", views_ticket.retry, name="retry-delivery"),
    path("attachments/<str:public_id>/", views_ticket.attachment, name="attachment"),
    path("attachments/<str:public_id>/inline/", views_ticket.inline_image, name="inline-image"),
]
