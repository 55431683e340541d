from django.urls import path

from pomoc.automation.followups import views

app_name = "followups"
urlpatterns = [
    path("", views.policies, name="policies"),
    path("<str:kind>/<int:pk>/", views.policy_edit, name="policy"),
]
