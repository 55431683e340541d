from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RulesConfig(AppConfig):
    """Rules built by administrators (when → conditions → actions), the action executor they share
    with macros, and outgoing webhooks."""

    name = "pomoc.automation.rules"
    label = "rules"
    verbose_name = _("Rules")

    def ready(self) -> None:
        import datetime as dt

        from pomoc.automation.rules import engine, webhooks
        from pomoc.core import scheduler
        from pomoc.tickets import dispatch

        dispatch.register("rules", engine.on_events, order=dispatch.RULES)
        scheduler.register("rules.time_based", lambda: scheduler.Periodic(
            "rules.time_based", "pomoc.automation.rules.tasks.run_time_rules", dt.timedelta(minutes=5),
            has_work=engine.has_time_rules))
        scheduler.register("rules.webhook_retries", lambda: scheduler.Periodic(
            "rules.webhook_retries", "pomoc.automation.rules.tasks.retry_webhooks", dt.timedelta(minutes=1),
            has_work=webhooks.has_due_retries))
