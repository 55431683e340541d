from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "pomoc.tickets"
    label = "tickets"
    verbose_name = _("Tickets")

    def ready(self) -> None:
        import datetime as dt

        from pomoc.core import scheduler
        from pomoc.tickets import dispatch, live

        dispatch.register("live_updates", live.publish_events, order=dispatch.LIVE_UPDATES)
        scheduler.register("attachments.sweep", lambda: scheduler.Periodic(
            "attachments.sweep", "pomoc.tickets.tasks.sweep_attachment_files", dt.timedelta(hours=6)))
