from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class FormVisit(models.Model):
    """One visit of a contact form in which the visitor opened a suggested article.

    Stored when a suggestion is opened (not on every page view: robots and plain readers leave no
    row). ``ticket`` is set when the same visit then sends the form. A **deflection** is a visit with
    an opened article and no ticket (docs/metrics.md, "Deflection"): counted per day of
    ``opened_at`` and per ``department``."""

    key = models.CharField(max_length=64, unique=True)
    inbox = models.ForeignKey("inboxes.Inbox", on_delete=models.CASCADE, related_name="form_visits")
    department = models.ForeignKey("accounts.Department", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    article_url = models.CharField(max_length=500)
    articles_opened = models.PositiveIntegerField(default=1)
    opened_at = models.DateTimeField(default=timezone.now)
    ticket = models.ForeignKey("tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("contact form visit")
        verbose_name_plural = _("contact form visits")
        indexes = [models.Index(fields=["opened_at", "department"], name="web_visit_day_dept")]


class PendingSubmission(models.Model):
    """A contact form from an unknown sender, kept until they confirm their address (when the form's
    ``confirm_unknown`` is on). Confirming opens the ticket once; a second click shows the same one."""

    token = models.CharField(max_length=64, unique=True)  # in the confirmation link
    form_id = models.CharField(max_length=64, unique=True)  # the same form sent twice is kept once
    inbox = models.ForeignKey("inboxes.Inbox", on_delete=models.CASCADE, related_name="+")
    email = models.CharField(max_length=320)
    name = models.CharField(max_length=200, blank=True)
    subject = models.CharField(max_length=300)
    text = models.TextField()
    custom_fields = models.JSONField(default=dict, blank=True)
    visit_key = models.CharField(max_length=64, blank=True)
    language = models.CharField(max_length=10, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    ticket = models.ForeignKey("tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("unconfirmed contact form")
        verbose_name_plural = _("unconfirmed contact forms")
        indexes = [models.Index(fields=["created_at"], name="web_pending_created")]
