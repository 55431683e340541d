from django.contrib import admin
from django.urls import include, path, re_path
from django.views.i18n import JavaScriptCatalog

from pomoc.api.errors import json_errors
from pomoc.api.urls import not_found as api_not_found
from pomoc.core import views as core_views
from pomoc.kb.sitemaps import sitemap as kb_sitemap

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("pomoc.api.urls")),
    re_path(r"^api/(?P<rest>.*)$", json_errors(api_not_found)),  # another version, or none: JSON 404 too
    path("accounts/", include("pomoc.accounts.urls")),
    path("manage/", include("pomoc.administration.urls")),
    path("reports/", include("pomoc.reports.urls")),
    path("", include("pomoc.surveys.urls")),
    path("", include("pomoc.automation.routing.urls")),
    path("canned/", include("pomoc.automation.canned.urls")),
    path("manage/follow-ups/", include("pomoc.administration.urls_followups")),
    path("chat/", include("pomoc.channels.chat.urls")),
    path("", include("pomoc.channels.email.urls")),
    path("", include("pomoc.drafts.urls")),
    path("", include("pomoc.notifications.urls")),
    path("", include("pomoc.timetracking.urls")),
    path("", include("pomoc.orders.urls")),
    path("", include("pomoc.automation.macros.urls")),
    path("", include("pomoc.customers.urls")),
    path("", include("pomoc.tickets.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("community/", include("pomoc.community.urls")),
    path("ideas/", include("pomoc.community.urls_ideas")),
    path("sitemap.xml", kb_sitemap, name="sitemap"),
    path("", include("pomoc.kb.urls")),
    path("", include("pomoc.portal.urls")),
]
