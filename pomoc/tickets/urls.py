from django.http import HttpResponse
from django.urls import path

app_name = "tickets"
urlpatterns = [
    path("", lambda r: HttpResponse("inbox"), name="inbox"),
]
