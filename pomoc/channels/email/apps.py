from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmailChannelConfig(AppConfig):
    """The e-mail channel: parsing, threading, fetching, smtpd, SMTP delivery and the raw mail store."""

    name = "pomoc.channels.email"
    label = "email"
    verbose_name = _("E-mail")

    def ready(self) -> None:
        from pomoc.channels.email import kind
        from pomoc.channels.email.pipe_endpoint import announce
        from pomoc.core import serving

        kind.register()
        serving.on_start(announce)
