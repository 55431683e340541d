from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Company(models.Model):
    name = models.CharField(_("name"), max_length=200)
    domains = models.JSONField(_("e-mail domains"), default=list, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        indexes = [models.Index(fields=["name"])]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    """A person who asks us for help, however many channels they use."""

    name = models.CharField(_("name"), max_length=200, blank=True)
    company = models.ForeignKey(
        Company, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts",
        verbose_name=_("company"),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="contact", verbose_name=_("portal login"),
    )
    language = models.CharField(_("language"), max_length=10, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = [models.Index(fields=["name", "id"])]

    def __str__(self) -> str:
        return self.name or self.primary_identity_value or f"#{self.pk}"

    @property
    def primary_identity_value(self) -> str:
        identity = self.identities.first()
        return identity.value if identity else ""

    @property
    def bounced(self) -> bool:
        """Mail to one of this contact's addresses bounces (each identity keeps its own mark)."""
        return any(identity.bounced for identity in self.identities.all())

    @property
    def email(self) -> str:
        identity = self.identities.filter(kind=IdentityKind.EMAIL).first()
        return identity.value if identity else ""


class IdentityKind(models.TextChoices):
    EMAIL = "email", _("E-mail address")
    PHONE = "phone", _("Phone number")
    CHAT = "chat", _("Chat visitor")
    SOCIAL = "social", _("Social handle")


class Identity(models.Model):
    """One way to reach a contact. A (kind, value) belongs to exactly one contact."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="identities")
    kind = models.CharField(_("kind"), max_length=20, choices=IdentityKind.choices)
    value = models.CharField(_("value"), max_length=320, help_text=_("Normalized value."))
    verified = models.BooleanField(_("verified"), default=False)
    # Delivery to this identity fails for good (a permanent bounce): replies to it are not sent. Per
    # identity, so a bouncing address never stops an SMS to the same person.
    bounced = models.BooleanField(_("bounces"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "id"]
        verbose_name = _("identity")
        verbose_name_plural = _("identities")
        constraints = [models.UniqueConstraint(fields=["kind", "value"], name="identity_unique_kind_value")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"
