from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    """The customer community: a forum (``community:`` at ``/community/``) and ideas (``ideas:`` at
    ``/ideas/``), moderated by agents from the agent interface."""

    name = "pomoc.community"
    label = "community"
    verbose_name = _("Community")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        import datetime as dt

        from pomoc.core import scheduler

        def notices():
            from pomoc.community.models import Subscription

            return scheduler.Periodic(
                name="community-notices", task="pomoc.community.tasks.send_subscription_notices",
                every=dt.timedelta(minutes=10),
                has_work=lambda: Subscription.objects.filter(pending_since__isnull=False).exists())

        scheduler.register("community-notices", notices)
