from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pomoc.accounts.models import Department


class FollowUpPolicy(models.Model):
    """What Pomoc writes to customers by itself, for the tickets of one inbox or one department (an
    inbox's policy wins over its department's). An empty text means the built-in one, in the
    customer's language; a text may use the placeholders of canned responses."""

    inbox = models.OneToOneField("inboxes.Inbox", null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="followup_policy", verbose_name=_("inbox"))
    department = models.OneToOneField(Department, null=True, blank=True, on_delete=models.CASCADE,
                                      related_name="followup_policy", verbose_name=_("department"))
    acknowledge = models.BooleanField(_("acknowledge new tickets"), default=False)
    acknowledgement_text = models.TextField(_("acknowledgement"), blank=True)
    remind_after_days = models.PositiveSmallIntegerField(_("remind the customer after (days pending)"),
                                                         null=True, blank=True)
    reminder_text = models.TextField(_("reminder"), blank=True)
    close_after_days = models.PositiveSmallIntegerField(_("close after (days pending)"), null=True, blank=True)
    request_rating = models.BooleanField(_("ask for a rating after resolution"), default=False)
    rating_text = models.TextField(_("rating request"), blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("follow-up policy")
        verbose_name_plural = _("follow-up policies")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(inbox__isnull=False, department__isnull=True)
                           | models.Q(inbox__isnull=True, department__isnull=False)),
                name="followup_policy_inbox_or_department",
            ),
        ]

    def __str__(self) -> str:
        return str(self.inbox or self.department)


class FollowUpKind(models.TextChoices):
    ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement")
    REMINDER = "reminder", _("Reminder")
    AUTO_CLOSE = "auto_close", _("Closed automatically")
    RATING_REQUEST = "rating_request", _("Rating request")


class FollowUpDone(models.Model):
    """One follow-up done for one ticket in one of its periods (``cycle``: when the ticket became
    pending or resolved): the unique row makes every follow-up happen once, whichever worker runs it
    and however late after a downtime."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=FollowUpKind.choices)
    cycle = models.CharField(max_length=40, blank=True)
    message = models.ForeignKey("tickets.Message", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    note = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ticket", "kind", "cycle"], name="followup_done_once")]
