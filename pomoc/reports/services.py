"""Writes of the reports app: the administrators' reward rules."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from pomoc.core import refusals
from pomoc.reports.models import Achievement, Badge, PointRule


def points_set(points: Mapping[str, int]) -> None:
    """Points per achievement (the keys given)."""
    for achievement, value in points.items():
        if achievement not in Achievement.values:
            raise ValidationError({achievement: _("Unknown achievement.")})
        if not 0 <= value <= 1000:
            raise ValidationError({achievement: _("Give 0 to 1000 points.")})
    with transaction.atomic():
        for achievement, value in points.items():
            PointRule.objects.update_or_create(achievement=achievement, defaults={"points": value})


def badge_save(*, badge: Badge | None = None, name: str, description: str, achievement: str, threshold: int,
               active: bool) -> Badge:
    if threshold < 1:
        raise ValidationError({"threshold": _("A badge needs at least 1.")})
    badge = badge or Badge()
    badge.name, badge.description, badge.achievement = name.strip(), description.strip(), achievement
    badge.threshold, badge.active = threshold, active
    if Badge.objects.filter(name__iexact=badge.name).exclude(pk=badge.pk).exists():
        raise refusals.conflict("name", _("Another badge has this name."))
    try:
        with transaction.atomic():
            badge.save()
    except IntegrityError as error:
        raise refusals.conflict("name", _("Another badge has this name.")) from error
    return badge
