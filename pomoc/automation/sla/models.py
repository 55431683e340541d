"""SLA policies and the due times they give each ticket."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pomoc.accounts.models import Department
from pomoc.calendars.models import Calendar
from pomoc.contacts.models import Company
from pomoc.tickets.models import Ticket


class Target(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    NEXT_RESPONSE = "next_response", _("Next response")
    RESOLUTION = "resolution", _("Resolution")


class SlaPolicy(models.Model):
    """Targets for the tickets it applies to: the first active policy (by ``position``) whose every
    condition matches a ticket is its policy; an empty condition matches any ticket."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    position = models.PositiveIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)
    # Conditions
    priorities = models.JSONField(_("priorities"), default=list, blank=True)  # [3, 4]
    channels = models.JSONField(_("channels"), default=list, blank=True)  # ["email", "chat"]
    departments = models.ManyToManyField(Department, blank=True, related_name="+", verbose_name=_("departments"))
    companies = models.ManyToManyField(Company, blank=True, related_name="+", verbose_name=_("customer companies"))
    # Targets, in minutes of the calendar's open time (round the clock without a calendar)
    calendar = models.ForeignKey(Calendar, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("business hours"))
    first_response_minutes = models.PositiveIntegerField(_("first response within"), null=True, blank=True)
    next_response_minutes = models.PositiveIntegerField(_("next response within"), null=True, blank=True)
    resolution_minutes = models.PositiveIntegerField(_("resolution within"), null=True, blank=True)
    warn_minutes = models.PositiveIntegerField(_("warn before a breach"), null=True, blank=True)
    # On a breach
    escalate_department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.SET_NULL,
                                            related_name="+", verbose_name=_("move to department"))
    escalate_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("assign to"))
    raise_priority = models.BooleanField(_("raise the priority"), default=False)
    notify = models.BooleanField(_("notify the department's supervisors"), default=True)
    notify_outside_hours = models.BooleanField(_("notify outside business hours too"), default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")

    def __str__(self) -> str:
        return self.name

    def target_minutes(self, target: str) -> int | None:
        return getattr(self, f"{target}_minutes")


class TicketSla(models.Model):
    """One ticket's SLA clocks as of its last change: the due times (shown and sorted on), the
    warnings and breaches still to come (``alarms``, fired by the sweep) and those already fired."""

    ticket = models.OneToOneField(Ticket, primary_key=True, on_delete=models.CASCADE, related_name="sla")
    policy = models.ForeignKey(SlaPolicy, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    paused = models.BooleanField(default=False)  # pending: waiting on the customer
    first_response_due = models.DateTimeField(null=True, blank=True)
    next_response_due = models.DateTimeField(null=True, blank=True)
    next_response_since = models.DateTimeField(null=True, blank=True)  # the customer message waiting for an answer
    resolution_due = models.DateTimeField(null=True, blank=True)
    # The nearest of the due times above (overdue ones included): the inbox's "SLA due" sort.
    due_at = models.DateTimeField(null=True, blank=True)
    # {"breach:first_response": iso, "warn:next_response:<since>": iso, …}: what the sweep fires and when
    alarms = models.JSONField(default=dict, blank=True)
    fired = models.JSONField(default=list, blank=True)  # alarm keys fired already: never twice
    notices = models.JSONField(default=list, blank=True)  # notifications held back until business hours
    next_check_at = models.DateTimeField(null=True, blank=True)  # the sweep's question
    version = models.PositiveIntegerField(default=0)  # every write checks and bumps it
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("ticket SLA")
        verbose_name_plural = _("ticket SLAs")
        indexes = [
            models.Index(fields=["next_check_at"], condition=models.Q(next_check_at__isnull=False),
                         name="ticketsla_next_check"),
            models.Index(fields=["due_at", "ticket"], name="ticketsla_due"),
        ]

    def __str__(self) -> str:
        return f"SLA of {self.ticket_id}"
