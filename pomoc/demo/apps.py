from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "pomoc.demo"
    label = "demo"
    verbose_name = "Demo data"
