from django.urls import path

from pomoc.notifications import views

app_name = "notifications"
urlpatterns = [
    path("notifications/", views.notification_list, name="list"),
    path("notifications/read/", views.notifications_read, name="read"),
    path("notifications/preferences/", views.preferences, name="preferences"),
    path("notifications/<int:notification_id>/", views.notification_open, name="open"),
    path("notifications/tickets/<int:ticket_id>/follow/", views.ticket_follow, name="follow"),
    path("notifications/tickets/<int:ticket_id>/mentions/", views.mention_suggestions, name="mentions"),
]
