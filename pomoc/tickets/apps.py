from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "pomoc.tickets"
    label = "tickets"
    verbose_name = _("Tickets")

    def ready(self) -> None:
        import datetime as dt

        from pomoc.core import scheduler
        from pomoc.tickets import dispatch, live, snooze, view_counts

        dispatch.register("live_updates", live.publish_events, order=dispatch.LIVE_UPDATES)
        scheduler.register("attachments.sweep", lambda: scheduler.Periodic(
            "attachments.sweep", "pomoc.tickets.tasks.sweep_attachment_files", dt.timedelta(hours=6)))
        scheduler.register("tickets.wake_snoozed", lambda: scheduler.Periodic(
            "tickets.wake_snoozed", "pomoc.tickets.tasks.wake_snoozed_tickets", dt.timedelta(minutes=1),
            has_work=snooze.has_due_snoozed))
        # The sidebar counts follow every committed change at once, the agent's own included: retired
        # before the live update tells the browsers to fetch them again.
        dispatch.register("view_counts", view_counts.forget_counts, order=dispatch.LIVE_UPDATES - 1)
