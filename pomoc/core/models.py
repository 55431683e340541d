import secrets

from django.conf import settings
from django.core.cache import cache
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

ORG_SETTINGS_CACHE_KEY = "pomoc:organisation-settings"


class OrganisationSettings(models.Model):
    """One row: organisation-wide settings administrators change in the admin area."""

    name = models.CharField(_("organisation name"), max_length=200, default="Pomoc")
    ticket_tag_prefix = models.CharField(_("ticket tag prefix"), max_length=20, default="#")
    supervisors_see_all_tickets = models.BooleanField(_("supervisors see all tickets"), default=True)
    administrators_see_all_tickets = models.BooleanField(
        _("administrators see all tickets"), default=True
    )
    agents_see_unassigned_department_less = models.BooleanField(
        _("agents see tickets without a department"), default=True
    )
    # The dashboard's targets (SLA policies set per-ticket targets; these are the team's daily aims).
    first_response_target_minutes = models.PositiveIntegerField(
        _("first response target (minutes)"), default=60)
    csat_target_percent = models.PositiveSmallIntegerField(
        _("CSAT target (%)"), default=90, validators=[MaxValueValidator(100)])

    class Meta:
        verbose_name = _("organisation settings")
        verbose_name_plural = _("organisation settings")

    def __str__(self) -> str:
        return self.name

    @classmethod
    def get(cls) -> "OrganisationSettings":
        """The settings row, cached (every permission check reads it); saving clears the cache."""
        obj = cache.get(ORG_SETTINGS_CACHE_KEY)
        if obj is None:
            obj, _created = cls.objects.get_or_create(pk=1)
            cache.set(ORG_SETTINGS_CACHE_KEY, obj, 60)
        return obj


class Counter(models.Model):
    """Named monotonically increasing counters (ticket numbers): never reused, even on rollback gaps."""

    name = models.CharField(max_length=50, primary_key=True)
    value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class PeriodicJob(models.Model):
    """When a periodic task is due next (``pomoc.core.scheduler``); claiming a due row is what makes a
    job run once per interval across every process and machine."""

    name = models.CharField(max_length=50, primary_key=True)
    next_run_at = models.DateTimeField()
    last_enqueued_at = models.DateTimeField(null=True, blank=True)
    last_task_id = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"{self.name} at {self.next_run_at:%Y-%m-%d %H:%M:%S}"


IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
"""Stored files of these (checked) types are shown as pictures; everything else is a download."""


def new_public_id() -> str:
    return secrets.token_urlsafe(24)


def stored_file_path(instance, filename: str) -> str:
    """``<app>/<year>/<month>/<public_id>``: never the uploader's name, which only the row keeps.

    The folder is the model's app (``community``, ``kb``), so historical models in migrations get the
    same path as the real ones."""
    return f"{instance._meta.app_label}/{timezone.now():%Y/%m}/{instance.public_id}"


class StoredFile(models.Model):
    """A file someone uploaded, kept in the default storage under an unguessable ``public_id`` and
    served only through a view that checks who may see what it belongs to. Subclasses add the
    foreign key to what it belongs to (a forum post, an article)."""

    public_id = models.CharField(max_length=40, unique=True, default=new_public_id, editable=False)
    file = models.FileField(upload_to=stored_file_path, max_length=200)
    file_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["id"]

    def __str__(self) -> str:
        return self.file_name

    @property
    def is_image(self) -> bool:
        return self.content_type in IMAGE_TYPES
