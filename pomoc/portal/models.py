from django.core.cache import cache
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

CACHE_KEY = "pomoc:portal-settings"
COLOUR = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Write the colour as #RRGGBB, such as #1d4ed8."))


class PortalSettings(models.Model):
    """One row: how the portal looks (title, logo, brand colour) and who sees which tickets in it.

    ``version`` changes with every save; the brand stylesheet's address carries it, so browsers
    cache the stylesheet for good and fetch the new one after a change."""

    title = models.CharField(
        _("portal title"), max_length=100, blank=True,
        help_text=_("Shown in the header and the browser tab; the organisation's name when empty."))
    brand_colour = models.CharField(_("brand colour"), max_length=7, blank=True, validators=[COLOUR])
    logo = models.FileField(_("logo"), upload_to="portal/", blank=True)
    company_sees_tickets = models.BooleanField(
        _("a company's contacts see the company's tickets"), default=False,
        help_text=_("In \"My requests\", customers also see the tickets of their colleagues at the same company."))
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("portal settings")
        verbose_name_plural = _("portal settings")

    @classmethod
    def get(cls) -> "PortalSettings":
        obj = cache.get(CACHE_KEY)
        if obj is None:
            obj, _created = cls.objects.get_or_create(pk=1)
            cache.set(CACHE_KEY, obj, 300)
        return obj
