from django.urls import path

from pomoc.orders import views

app_name = "orders"
urlpatterns = [
    path("contacts/<int:contact_id>/orders-panel/", views.customer_panel, name="customer-panel"),
    path("orders/<int:order_id>/return/", views.return_start, name="return-start"),
    path("returns/<int:return_id>/state/", views.return_transition, name="return-transition"),
    path("manage/imports/", views.import_list, name="imports"),
    path("manage/imports/<int:job_id>/", views.import_detail, name="import"),
    path("manage/imports/<int:job_id>/resume/", views.import_resume, name="import-resume"),
    path("hooks/orders/<slug:source_key>/", views.order_webhook, name="webhook"),
]
