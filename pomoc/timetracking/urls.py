from django.urls import path

from pomoc.timetracking import views

app_name = "timetracking"
urlpatterns = [
    path("tickets/<int:number>/time/", views.panel, name="panel"),
    path("tickets/<int:number>/time/activity/", views.activity, name="activity"),
    path("tickets/<int:number>/time/entries/", views.entry_add, name="entry-add"),
    path("tickets/<int:number>/time/entries/<int:entry_id>/", views.entry_update, name="entry-update"),
    path("tickets/<int:number>/time/entries/<int:entry_id>/delete/", views.entry_delete, name="entry-delete"),
]
