from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "pomoc.orders"
    label = "orders"
    verbose_name = "Orders"

    def ready(self) -> None:
        from pomoc.contacts import registry
        from pomoc.orders import history, personal_data
        from pomoc.tickets import page_query

        history.register()
        page_query.register("orders", lambda tickets, user: tickets.select_related("return_request"), sidebar=True)
        registry.register_personal_data(personal_data.PERSONAL_DATA)
        registry.register_personal_data(personal_data.WEBHOOK_PAYLOADS)
        registry.register_personal_data(personal_data.IMPORT_FILES)
        for sweep in personal_data.SWEEPS:
            registry.register_retention_sweep(sweep)
        registry.register_timeline(personal_data.TIMELINE)
