"""Time spent on tickets: stretches measured from an agent's activity on the ticket page, and
entries the agent adds by hand (a phone call, work done elsewhere)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pomoc.tickets.models import Ticket


class TimeSource(models.TextChoices):
    TRACKED = "tracked", _("Measured")
    MANUAL = "manual", _("Added by hand")


class TimeEntry(models.Model):
    """Seconds one agent spent on one ticket. A measured entry is one stretch of activity (it grows
    with each heartbeat of the ticket page while ``last_activity_at`` is recent); a manual one is
    what the agent wrote down, with a note."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="time_entries")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="time_entries")
    source = models.CharField(_("source"), max_length=10, choices=TimeSource.choices)
    seconds = models.PositiveIntegerField(_("seconds"), default=0)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    last_activity_at = models.DateTimeField(_("last activity at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["started_at", "id"]
        verbose_name = _("time entry")
        verbose_name_plural = _("time entries")
        indexes = [
            models.Index(fields=["ticket", "agent", "source", "last_activity_at"], name="time_ticket_agent"),
            models.Index(fields=["agent", "started_at"], name="time_agent_started"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(source__in=["tracked", "manual"]), name="time_source_known"),
        ]

    def __str__(self) -> str:
        return f"{self.agent_id} on #{self.ticket_id}: {self.seconds}s ({self.source})"
