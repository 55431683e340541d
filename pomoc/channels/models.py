"""Inboxes: the ways customers reach us, each of one channel kind (``pomoc.channels.registry``).

The kinds' own tables (e-mail's raw mail store, IMAP state, …) live in their folders
(``pomoc/channels/<kind>/models.py``), each kind a Django app of its own.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pomoc.accounts.models import Department


class InboxKind(models.TextChoices):
    """The kinds that ship with Pomoc. Any registered kind may be stored (the registry validates it)."""

    EMAIL = "email", _("E-mail")


class Inbox(models.Model):
    """One way customers reach us. ``kind`` names a registered channel kind; ``config`` holds that
    kind's typed settings (for e-mail: ``pomoc.channels.email.config.EmailInboxConfig``)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, default=InboxKind.EMAIL)
    address = models.CharField(_("address"), max_length=254, blank=True)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="inboxes",
        verbose_name=_("department"),
    )
    config = models.JSONField(_("settings"), default=dict, blank=True)
    # {name: Fernet token}; read and written only through get_secret/set_secret (pomoc.core.crypto).
    secrets = models.JSONField(_("secrets (encrypted)"), default=dict, blank=True, editable=False)
    active = models.BooleanField(_("active"), default=True)
    # Added under every reply and forward leaving through this inbox (plain text), below the agent's own.
    signature = models.TextField(_("signature"), blank=True, default="")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # Sending through this inbox: since when its replies fail (null while they go out) and the last
    # reason, kept by the delivery (``services.inbox_sending_record``) for the administration.
    sending_failing_since = models.DateTimeField(_("sending failing since"), null=True, blank=True, editable=False)
    sending_error = models.TextField(_("last sending error"), blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("inbox")
        verbose_name_plural = _("inboxes")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.address = (self.address or "").strip().lower()
        super().save(*args, **kwargs)

    def get_secret(self, name: str) -> str:
        """A decrypted secret ("imap_password", "pop3_password", "smtp_password"), "" when unset."""
        from pomoc.core.crypto import decrypt

        token = (self.secrets or {}).get(name)
        return decrypt(token) if token else ""

    def set_secret(self, name: str, value: str) -> None:
        """Store ``value`` encrypted (an empty value removes it). The caller saves the inbox."""
        from pomoc.core.crypto import encrypt

        secrets = dict(self.secrets or {})
        if value:
            secrets[name] = encrypt(value)
        else:
            secrets.pop(name, None)
        self.secrets = secrets
