from django.contrib import admin
from django.urls import include, path

from pomoc.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("pomoc.api.urls")),
    path("accounts/", include("pomoc.accounts.urls")),
    path("manage/", include("pomoc.administration.urls")),
    path("", include("pomoc.tickets.urls")),
]
