import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pomoc.accounts.models import Department


class Scope(models.TextChoices):
    PERSONAL = "personal", _("Personal")
    DEPARTMENT = "department", _("Department")
    SHARED = "shared", _("Shared")


class CannedResponse(models.Model):
    """A text an agent inserts into a reply by typing ``#`` and its name. ``body`` is the text for
    every language without a variant of its own (``CannedVariant``)."""

    name = models.CharField(_("name"), max_length=50)
    scope = models.CharField(_("who can use it"), max_length=20, choices=Scope.choices, default=Scope.PERSONAL)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                              related_name="canned_responses", verbose_name=_("owner"))
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="canned_responses", verbose_name=_("department"))
    body = models.TextField(_("text"))
    usage_count = models.PositiveIntegerField(_("times used"), default=0)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("canned response")
        verbose_name_plural = _("canned responses")
        indexes = [models.Index(fields=["scope", "name"], name="canned_scope_name")]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(scope="personal", owner__isnull=False, department__isnull=True)
                           | models.Q(scope="department", owner__isnull=True, department__isnull=False)
                           | models.Q(scope="shared", owner__isnull=True, department__isnull=True)),
                name="canned_scope_matches_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.name}"


class CannedVariant(models.Model):
    """The text of a canned response in one language, chosen by the customer's language."""

    canned = models.ForeignKey(CannedResponse, on_delete=models.CASCADE, related_name="variants")
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    body = models.TextField(_("text"))

    class Meta:
        ordering = ["language"]
        constraints = [models.UniqueConstraint(fields=["canned", "language"], name="canned_variant_language")]


def canned_attachment_path(instance: "CannedAttachment", filename: str) -> str:
    return f"canned/{instance.public_id[:2]}/{instance.public_id}"


def new_public_id() -> str:
    return secrets.token_urlsafe(24)


class CannedAttachment(models.Model):
    """A file carried into every reply the canned response is inserted into."""

    public_id = models.CharField(max_length=40, unique=True, default=new_public_id, editable=False)
    canned = models.ForeignKey(CannedResponse, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=canned_attachment_path, max_length=200)
    file_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.BigIntegerField(_("size"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.file_name
