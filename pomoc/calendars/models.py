"""Business-hours calendars: weekly hours in a time zone, closed on public holidays of the countries
chosen and on days set by hand. SLAs, rules, chat availability and reports share them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Calendar(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    # {"0": ["09:00-17:00"], …, "6": []}: periods per weekday, Monday = "0" (pomoc.calendars.hours).
    hours = models.JSONField(_("weekly hours"), default=dict, blank=True)
    # ["CZ", "DE-BY"]: closed on the public holidays of these countries (and subdivisions).
    countries = models.JSONField(_("public holidays of"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("calendar")
        verbose_name_plural = _("calendars")

    def __str__(self) -> str:
        return self.name


class CalendarDay(models.Model):
    """A date set by hand: closed (no periods) or open with its own hours (a Saturday made up for a
    bridge day). It wins over the week and over public holidays."""

    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=200, blank=True)
    hours = models.JSONField(_("hours"), default=list, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="calendar_day_unique")]

    def __str__(self) -> str:
        return f"{self.calendar}: {self.date}"
