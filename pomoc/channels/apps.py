from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    """The channel platform: inboxes, the registry of kinds, the inbound pipeline and delivery.

    Its label stays ``inboxes`` (the tables' prefix since the first release); ``channels`` is
    Django Channels' label."""

    name = "pomoc.channels"
    label = "inboxes"
    verbose_name = _("Channels")

    def ready(self) -> None:
        from pomoc.channels import routes

        routes.install()
