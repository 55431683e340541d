from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MacrosConfig(AppConfig):
    """Macros: several actions applied in one click, on one ticket or many."""

    name = "pomoc.automation.macros"
    label = "macros"
    verbose_name = _("Macros")
