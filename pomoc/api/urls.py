from django.urls import path

from pomoc.api.api import api

urlpatterns = [path("", api.urls)]
