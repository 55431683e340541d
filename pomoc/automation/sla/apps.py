from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "pomoc.automation.sla"
    label = "sla"
    verbose_name = _("Service-level agreements")

    def ready(self) -> None:
        import datetime as dt

        from pomoc.automation.sla import sweep, timers
        from pomoc.core import scheduler
        from pomoc.tickets import dispatch, page_query

        dispatch.register("sla_timers", timers.on_events, order=dispatch.SLA_TIMERS)
        page_query.register("sla", lambda tickets, user: tickets.select_related("sla", "sla__policy"), sidebar=True)
        scheduler.register("sla.sweep", lambda: scheduler.Periodic(
            "sla.sweep", "pomoc.automation.sla.tasks.sla_sweep", dt.timedelta(minutes=1), has_work=sweep.has_work))
