from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "pomoc.orders"
    label = "orders"
    verbose_name = "Orders"

    def ready(self) -> None:
        from pomoc.orders import history

        history.register()
