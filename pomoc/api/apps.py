from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "pomoc.api"
    label = "api"
    verbose_name = "API"
