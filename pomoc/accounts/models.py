import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    SUPERVISOR = "supervisor", _("Supervisor")
    AGENT = "agent", _("Agent")
    CUSTOMER = "customer", _("Customer")


STAFF_ROLES = (Role.ADMINISTRATOR, Role.SUPERVISOR, Role.AGENT)


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.AGENT)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, blank=True, default=""
    )
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True, default="")
    # The ticket page interleaves the ticket's history (status, assignee, deliveries…) with its
    # conversation; each agent chooses whether to see it.
    show_ticket_history = models.BooleanField(_("show the ticket history"), default=True)
    # Added under the agent's replies and forwards (plain text), above the inbox's signature.
    signature = models.TextField(_("signature"), blank=True, default="")

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def is_agent_like(self) -> bool:
        """Administrators, supervisors and agents work in the agent interface."""
        return self.is_active and self.role in STAFF_ROLES

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class Routing(models.TextChoices):
    MANUAL = "manual", _("Agents take tickets themselves")
    ROUND_ROBIN = "round_robin", _("Round robin among available agents")
    LEAST_LOADED = "least_loaded", _("To the available agent with the fewest open tickets")


class Department(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="departments", blank=True, verbose_name=_("members")
    )
    routing = models.CharField(_("new tickets are assigned"), max_length=20, choices=Routing.choices,
                               default=Routing.MANUAL)
    routing_by_language = models.BooleanField(
        _("prefer agents who speak the customer's language"), default=False)
    routing_by_skill = models.BooleanField(
        _("prefer agents whose skills match the ticket's tags"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the REST API. Only its SHA-256 is stored; the raw value is shown once."""

    PREFIX = "pomoc_"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    key_prefix = models.CharField(max_length=16)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.key_prefix}… ({self.user})"

    @classmethod
    def create_for(cls, user, name: str = "") -> tuple["ApiToken", str]:
        raw = cls.PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, key_hash=hash_token(raw), key_prefix=raw[:12])
        return token, raw


class Presence(models.TextChoices):
    ONLINE = "online", _("Online")
    AWAY = "away", _("Away")
    OFFLINE = "offline", _("Offline")


class AgentPresence(models.Model):
    """Whether an agent is available (see DOMAIN.md, "Agent presence"): ticket routing, chat routing and
    the dashboard read this one row. ``status`` is what the agent chose (away sticks until they come
    back) unless they have not been seen for a while: then they are offline."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True,
                                related_name="presence")
    status = models.CharField(_("presence"), max_length=10, choices=Presence.choices, default=Presence.OFFLINE)
    away_chosen = models.BooleanField(default=False)
    changed_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    ticket_capacity = models.PositiveSmallIntegerField(
        _("open tickets assigned by routing at most"), default=0, help_text=_("0: no limit."))
    chat_capacity = models.PositiveSmallIntegerField(_("chats at a time at most"), default=3)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    skills = models.JSONField(_("skills"), default=list, blank=True)
    last_routed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("agent presence")
        verbose_name_plural = _("agent presence")
        indexes = [models.Index(fields=["status", "last_seen_at"], name="presence_status_seen")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.status}"
