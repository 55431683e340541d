from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "pomoc.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from pomoc.core import signals  # noqa: F401  (cache invalidation)
