from django.urls import path

from pomoc.administration import views

app_name = "administration"
urlpatterns = [
    path("", views.home, name="home"),
    path("users/", views.users, name="users"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_detail, name="user"),
    path("users/<int:pk>/deactivate/", views.user_deactivate, name="user_deactivate"),
    path("users/<int:pk>/invite/", views.user_invite, name="user_invite"),
    path("users/<int:pk>/tokens/", views.user_tokens, name="user_tokens"),
    path("users/<int:pk>/tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("departments/", views.departments, name="departments"),
    path("departments/new/", views.department_create, name="department_create"),
    path("departments/<int:pk>/", views.department_edit, name="department"),
    path("tags/", views.tags, name="tags"),
    path("tags/new/", views.tag_edit, name="tag_create"),
    path("tags/<int:pk>/", views.tag_edit, name="tag"),
    path("tags/<int:pk>/delete/", views.tag_delete, name="tag_delete"),
    path("fields/", views.custom_fields, name="custom_fields"),
    path("fields/new/", views.custom_field_edit, name="custom_field_create"),
    path("fields/<int:pk>/", views.custom_field_edit, name="custom_field"),
    path("organisation/", views.organisation, name="organisation"),
    path("inboxes/", views.inboxes, name="inboxes"),
    path("inboxes/new/", views.inbox_create, name="inbox_create"),
    path("inboxes/<int:pk>/", views.inbox_edit, name="inbox"),
    path("inboxes/<int:pk>/deactivate/", views.inbox_deactivate, name="inbox_deactivate"),
    path("inboxes/<int:pk>/test/", views.inbox_test, name="inbox_test"),
    path("mail/", views.raw_mails, name="raw_mails"),
    path("mail/reprocess/", views.raw_mail_reprocess_all, name="raw_mail_reprocess_all"),
    path("mail/<int:pk>/raw/", views.raw_mail_download, name="raw_mail_download"),
    path("mail/<int:pk>/reprocess/", views.raw_mail_reprocess, name="raw_mail_reprocess"),
]
