from django.urls import path

from pomoc.automation.routing import views

app_name = "routing"
urlpatterns = [
    path("presence/", views.presence, name="presence"),
]
