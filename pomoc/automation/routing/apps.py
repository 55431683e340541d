from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutingConfig(AppConfig):
    name = "pomoc.automation.routing"
    label = "routing"
    verbose_name = _("Routing")

    def ready(self) -> None:
        import datetime as dt

        from pomoc.automation.routing import services, subscribers
        from pomoc.core import scheduler
        from pomoc.tickets import dispatch

        # after the rules (which may assign or move a ticket), before the SLA timers
        dispatch.register("routing", subscribers.on_events, order=dispatch.RULES + 5)
        scheduler.register("routing.sweep", lambda: scheduler.Periodic(
            "routing.sweep", "pomoc.automation.routing.tasks.sweep", dt.timedelta(minutes=1),
            has_work=services.routing_in_use))
