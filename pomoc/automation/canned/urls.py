from django.urls import path

from pomoc.automation.canned import views

app_name = "canned"
urlpatterns = [
    path("", views.canned_list, name="list"),
    path("new/", views.canned_edit, name="new"),
    path("preview/", views.canned_preview, name="preview"),
    path("search/", views.canned_search, name="search"),
    path("<int:pk>/", views.canned_edit, name="edit"),
    path("<int:pk>/delete/", views.canned_delete, name="delete"),
    path("<int:pk>/use/", views.canned_use, name="use"),
    path("attachments/<str:public_id>/", views.canned_attachment, name="attachment"),
    path("attachments/<str:public_id>/remove/", views.canned_attachment_remove, name="attachment-remove"),
]
