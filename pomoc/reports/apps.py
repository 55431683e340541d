from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "pomoc.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        import datetime as dt

        from django.conf import settings
        from django.db.models.signals import post_delete, post_save

        from pomoc.core import scheduler
        from pomoc.orders.models import Order
        from pomoc.reports import activity, rollups, schedules
        from pomoc.tickets.models import Ticket
        from pomoc.timetracking.models import TimeEntry

        def rollup_job():
            seconds = getattr(settings, "POMOC_REPORT_ROLLUP_INTERVAL", 60)
            return scheduler.Periodic("reports.rollups", "pomoc.reports.tasks.advance_rollups",
                                      dt.timedelta(seconds=seconds), has_work=rollups.has_work) if seconds else None

        scheduler.register("reports.rollups", rollup_job)
        scheduler.register("reports.schedules", lambda: scheduler.Periodic(
            "reports.schedules", "pomoc.reports.tasks.send_scheduled_reports", dt.timedelta(minutes=5),
            has_work=schedules.has_work))
        # No event says so: time tracked on a ticket, a ticket deleted (its events go with it).
        post_save.connect(lambda sender, instance, **kw: rollups.mark_dirty([instance.ticket_id]),
                          sender=TimeEntry, weak=False, dispatch_uid="reports_rollup_time")
        post_delete.connect(lambda sender, instance, **kw: rollups.mark_dirty([instance.ticket_id]),
                            sender=TimeEntry, weak=False, dispatch_uid="reports_rollup_time_gone")
        post_delete.connect(lambda sender, instance, **kw: rollups.mark_dirty([instance.pk]),
                            sender=Ticket, weak=False, dispatch_uid="reports_rollup_ticket_gone")
        # An order placed, changed or removed changes who was active on its day (churn).
        for signal, uid in ((post_save, "reports_activity_order"), (post_delete, "reports_activity_order_gone")):
            signal.connect(lambda sender, instance, **kw: activity.mark_order_day(instance.placed_at),
                           sender=Order, weak=False, dispatch_uid=uid)
