"""Rewards: the points agents earn for good service, and the badges administrators define."""

from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Achievement(models.TextChoices):
    """What an agent does that earns points, or counts towards a badge (per period)."""

    RESOLVED = "resolved", _("Tickets resolved")
    FAST_FIRST_RESPONSE = "fast_first_response", _("First replies within the target")
    REPLIES = "replies", _("Replies sent")
    TOP_RATINGS = "top_ratings", _("CSAT answers of 5")
    ONE_REPLY_RESOLUTIONS = "one_reply_resolutions", _("Tickets resolved with one reply")


DEFAULT_POINTS = {Achievement.RESOLVED: 3, Achievement.FAST_FIRST_RESPONSE: 2, Achievement.REPLIES: 0,
                  Achievement.TOP_RATINGS: 5, Achievement.ONE_REPLY_RESOLUTIONS: 2}


class PointRule(models.Model):
    """Points for each achievement (one row per achievement, made on first use)."""

    achievement = models.CharField(_("achievement"), max_length=30, choices=Achievement.choices, unique=True)
    points = models.PositiveSmallIntegerField(_("points each"), default=0, validators=[MaxValueValidator(1000)])

    class Meta:
        verbose_name = _("point rule")
        verbose_name_plural = _("point rules")

    def __str__(self) -> str:
        return f"{self.achievement}: {self.points}"


class Badge(models.Model):
    """Earned by an agent who reaches ``threshold`` of ``achievement`` within the period shown."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    achievement = models.CharField(_("achievement"), max_length=30, choices=Achievement.choices)
    threshold = models.PositiveIntegerField(_("at least"), default=10)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["achievement", "threshold", "name"]
        verbose_name = _("badge")
        verbose_name_plural = _("badges")

    def __str__(self) -> str:
        return self.name
