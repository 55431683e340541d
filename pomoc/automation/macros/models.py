from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Macro(models.Model):
    """Named actions an agent applies in one click (the rules' action executor runs them)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    # [{"type": "set_status", "value": "pending"}, …] (pomoc.automation.rules.actions.MACRO_ACTIONS)
    actions = models.JSONField(_("actions"), default=list)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("macro")
        verbose_name_plural = _("macros")

    def __str__(self) -> str:
        return self.name
