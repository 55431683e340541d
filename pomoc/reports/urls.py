from django.urls import path

from pomoc.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("tickets/", views.tickets, name="tickets"),
    path("agents/", views.agents, name="agents"),
    path("schedules/", views.schedule_create, name="schedule_create"),
    path("schedules/<int:subscription_id>/delete/", views.schedule_delete, name="schedule_delete"),
]
