from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "pomoc.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        import datetime as dt

        from django.conf import settings

        from pomoc.core import scheduler
        from pomoc.notifications import selectors, services, subscriber
        from pomoc.tickets import dispatch, page_query, unread

        dispatch.register("notifications", subscriber.on_ticket_events, order=dispatch.LIVE_UPDATES + 5)
        unread.install(opened=services.ticket_opened, mark=services.mark_unread)
        page_query.register("notifications", selectors.annotate_ticket_page)
        every = dt.timedelta(seconds=settings.POMOC_NOTIFICATION_EMAIL_INTERVAL)
        scheduler.register("notifications.email", lambda: scheduler.Periodic(
            "notifications.email", "pomoc.notifications.tasks.send_notification_emails", every,
            has_work=services.has_pending_email) if every else None)
        scheduler.register("notifications.prune", lambda: scheduler.Periodic(
            "notifications.prune", "pomoc.notifications.tasks.prune_read_notifications", dt.timedelta(days=1),
            has_work=services.has_old_read_notifications))
