from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "pomoc.orders"
    label = "orders"
    verbose_name = "Orders"

    def ready(self) -> None:
        from pomoc.contacts import registry
        from pomoc.orders import history, personal_data

        history.register()
        registry.register_personal_data(personal_data.PERSONAL_DATA)
        registry.register_timeline(personal_data.TIMELINE)
