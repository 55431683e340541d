from django.core.cache import cache
from django.core.validators import MaxValueValidator
from django.db import models
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
