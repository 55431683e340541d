from django.urls import path

from pomoc.drafts import views

app_name = "drafts"
urlpatterns = [
    path("drafts/tickets/<int:ticket_id>/", views.ticket_drafts, name="ticket"),
    path("drafts/tickets/<int:ticket_id>/<str:kind>/", views.ticket_drafts, name="save"),
]
