from django.urls import path

from pomoc.channels.email import views

app_name = "email"
urlpatterns = [
    path("tickets/<int:number>/messages/<int:message_id>/raw/", views.raw_message, name="raw-message"),
]
