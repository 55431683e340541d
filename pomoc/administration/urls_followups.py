from django.urls import path

from pomoc.administration import views_followups as views

app_name = "followups"
urlpatterns = [
    path("", views.policies, name="policies"),
    path("<str:kind>/<int:pk>/", views.policy_edit, name="policy"),
]
