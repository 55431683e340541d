from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "pomoc.surveys"
    label = "surveys"
    verbose_name = _("Surveys")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        import datetime as dt

        from pomoc.core import scheduler
        from pomoc.surveys import subscribers
        from pomoc.tickets import dispatch

        dispatch.register("surveys", subscribers.on_events, order=dispatch.SURVEYS)
        scheduler.register("surveys.retry", lambda: scheduler.Periodic(
            "surveys.retry", "pomoc.surveys.tasks.retry_invitations", dt.timedelta(minutes=10),
            has_work=_has_invitations_to_retry))


def _has_invitations_to_retry() -> bool:
    from django.utils import timezone

    from pomoc.surveys.models import Invitation
    from pomoc.surveys.services import MAX_SEND_ATTEMPTS

    return Invitation.objects.filter(sent_at__isnull=True, expires_at__gt=timezone.now(), attempts__gt=0,
                                     attempts__lt=MAX_SEND_ATTEMPTS).exists()
