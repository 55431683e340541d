from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DraftKind(models.TextChoices):
    REPLY = "reply", _("Reply")
    NOTE = "note", _("Internal note")


class Draft(models.Model):
    """What one agent has typed, and not yet sent, into a ticket's reply or note box."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="drafts")
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="drafts")
    kind = models.CharField(_("kind"), max_length=10, choices=DraftKind.choices)
    body_text = models.TextField(_("text"), blank=True)
    body_html = models.TextField(_("HTML (sanitized)"), blank=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("draft")
        verbose_name_plural = _("drafts")
        constraints = [
            models.UniqueConstraint(fields=["ticket", "user", "kind"], name="draft_one_per_agent_ticket_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} draft of #{self.ticket_id} by {self.user_id}"
