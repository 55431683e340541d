from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowUpsConfig(AppConfig):
    name = "pomoc.automation.followups"
    label = "followups"
    verbose_name = _("Auto-responses and follow-ups")

    def ready(self) -> None:
        import datetime as dt

        from pomoc.automation.followups import acknowledgements, jobs, services
        from pomoc.core import scheduler
        from pomoc.surveys import services as surveys
        from pomoc.tickets import dispatch

        # The rating request carries the ticket's signed CSAT link (texts.rating_link); the survey's own
        # mail then stays away.
        surveys.rating_asked_elsewhere(services.asks_for_rating)
        # After the rules (which may answer or route a new ticket themselves), before SLA timers.
        dispatch.register("followups.acknowledge", acknowledgements.on_events, order=dispatch.RULES + 5)
        scheduler.register("followups.run", lambda: scheduler.Periodic(
            "followups.run", "pomoc.automation.followups.tasks.run_follow_ups", dt.timedelta(minutes=5),
            has_work=jobs.has_policies))
