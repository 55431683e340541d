"""Rules: *when* something happens to a ticket (or as time passes), *if* its conditions hold, *do*
its actions. Conditions and actions are small JSON lists checked by ``conditions.clean`` and
``actions.clean`` before they are saved; the engine (``engine.py``) runs them after commit."""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Trigger(models.TextChoices):
    CREATED = "created", _("Ticket created")
    UPDATED = "updated", _("Ticket updated")
    CUSTOMER_REPLIED = "customer_replied", _("Customer replied")
    AGENT_REPLIED = "agent_replied", _("Agent replied")
    CHAT_STARTED = "chat_started", _("Chat started")
    TIME = "time", _("Time-based (checked every few minutes)")


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class Rule(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    trigger = models.CharField(_("when"), max_length=20, choices=Trigger.choices)
    # [{"field": "subject", "op": "contains", "value": "refund"}, …]: all must hold (pomoc.automation.rules.conditions)
    conditions = models.JSONField(_("conditions"), default=list, blank=True)
    # [{"type": "add_tag", "value": "refund"}, …], run in this order (pomoc.automation.rules.actions)
    actions = models.JSONField(_("actions"), default=list)
    position = models.PositiveIntegerField(_("order"), default=0)
    active = models.BooleanField(_("switched on"), default=False)
    # Replies a rule writes need an agent as their author: the administrator who last saved it.
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+", verbose_name=_("saved by"))
    # The key its webhooks are signed with (HMAC-SHA256 over the timestamp and the body).
    secret = models.CharField(max_length=64, default=new_secret, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("rule")
        verbose_name_plural = _("rules")
        indexes = [models.Index(fields=["active", "trigger", "position"], name="rule_active_trigger")]

    def __str__(self) -> str:
        return self.name


class RuleFiring(models.Model):
    """A time-based rule has fired on a ticket for the moment ``key`` (the time it counts from): the
    unique row is how two workers, or a worker after downtime, fire it exactly once."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="firings")
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["rule", "ticket", "key"], name="rule_firing_once")]


class WebhookState(models.TextChoices):
    PENDING = "pending", _("Waiting")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class WebhookDelivery(models.Model):
    """One webhook call with every attempt and the answer it got (``attempts``)."""

    rule = models.ForeignKey(Rule, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries")
    ticket = models.ForeignKey("tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    url = models.URLField(max_length=500)
    body = models.TextField()  # the exact JSON sent, signed as it is
    state = models.CharField(max_length=10, choices=WebhookState.choices, default=WebhookState.PENDING)
    # [{"at": iso, "status": 200 | null, "response": "first 2000 characters", "error": ""}, …]
    attempts = models.JSONField(default=list, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["next_attempt_at"], condition=models.Q(state="pending"),
                                name="webhook_pending_due")]
