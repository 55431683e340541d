from django.urls import path

from pomoc.automation.macros import views

app_name = "macros"
urlpatterns = [
    path("macros/apply/", views.apply_bulk, name="apply_bulk"),
    path("tickets/<int:number>/macro/", views.apply_to_ticket, name="apply"),
]
