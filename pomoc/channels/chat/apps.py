from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatChannelConfig(AppConfig):
    """Live chat: the widget's HTTP API and socket, visitors, conversations, queue, agent side."""

    name = "pomoc.channels.chat"
    label = "chat"
    verbose_name = _("Live chat")

    def ready(self) -> None:
        from pomoc.channels.chat import kind, subscribers

        kind.register()
        subscribers.register()
