from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    """What a notification is about. Other apps (SLAs, rules) add theirs here."""

    ASSIGNED = "assigned", _("A ticket was assigned to me")
    CUSTOMER_REPLIED = "customer_replied", _("A customer replied on my ticket")
    MENTIONED = "mentioned", _("Somebody mentioned me in a note")
    FOLLOWED_TICKET_CHANGED = "followed_ticket_changed", _("A ticket I follow changed")
    SLA_WARNING = "sla_warning", _("An SLA target of my ticket is about to be missed")
    SLA_BREACHED = "sla_breached", _("An SLA target was missed")
    LOW_RATING = "low_rating", _("A customer gave a low rating")
    RULE = "rule", _("A rule asked to tell me")
    ARTICLE_FEEDBACK = "article_feedback", _("A reader commented on my knowledge-base article")
    CHAT_WAITING = "chat_waiting", _("A visitor is waiting in the chat queue")


class Notification(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=40, choices=NotificationKind.choices)
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, null=True, blank=True,
                               related_name="notifications")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+")
    text = models.CharField(_("text"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    # Set when the recipient wants this kind by e-mail; cleared when the mail went (or was not needed).
    email_pending = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["recipient", "-id"], name="notification_newest"),
            models.Index(fields=["email_pending", "recipient"], name="notification_email_pending",
                         condition=models.Q(email_pending=True)),
            models.Index(fields=["read_at"], name="notification_read_at", condition=models.Q(read_at__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"


class TicketFollower(models.Model):
    """An agent who is told about what happens on a ticket that is not theirs."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="followers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followed_tickets")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ticket", "user"], name="ticket_follower_once")]


class TicketRead(models.Model):
    """When an agent last opened a ticket: a customer message newer than that is unread."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ticket", "user"], name="ticket_read_once")]


class NotificationPreferences(models.Model):
    """Which kinds reach an agent by e-mail (browser notifications are chosen per device, in the browser)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="notification_preferences")
    email_kinds = models.JSONField(_("by e-mail"), default=list, blank=True)
    # the chat ring: a notification with its own sound when a visitor waits in the agent's chat queue
    chat_ring = models.BooleanField(_("ring for waiting chats"), default=True)

    class Meta:
        verbose_name = _("notification preferences")
        verbose_name_plural = _("notification preferences")

    DEFAULT_EMAIL_KINDS = ("assigned", "mentioned", "sla_breached", "rule")
