from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatChannelConfig(AppConfig):
    """Live chat: the widget's HTTP API and socket, visitors, conversations, queue, agent side."""

    name = "pomoc.channels.chat"
    label = "chat"
    verbose_name = _("Live chat")

    def ready(self) -> None:
        import datetime as dt

        from pomoc.channels.chat import intake, kind, subscribers
        from pomoc.core import scheduler

        kind.register()
        subscribers.register()
        scheduler.register("chat.intake_sweep", lambda: scheduler.Periodic(
            "chat.intake_sweep", "pomoc.channels.chat.tasks.intake_sweep", dt.timedelta(minutes=1),
            has_work=intake.sweep_has_work))
