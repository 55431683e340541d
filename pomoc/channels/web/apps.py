from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebChannelConfig(AppConfig):
    """The web form channel: the portal's contact form (also embedded on other sites) opens tickets
    through the inbound pipeline; replies go out by e-mail and are read in the portal."""

    name = "pomoc.channels.web"
    label = "web"
    verbose_name = _("Web form")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from pomoc.channels.web import kind

        kind.register()
