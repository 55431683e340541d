"""Cache invalidation only: domain logic never lives in signals."""

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from pomoc.core.models import ORG_SETTINGS_CACHE_KEY, OrganisationSettings


@receiver([post_save, post_delete], sender=OrganisationSettings)
def forget_organisation_settings(**kwargs) -> None:
    cache.delete(ORG_SETTINGS_CACHE_KEY)
