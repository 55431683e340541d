"""Background work of rules. Tasks take ids (and plain lists of them) and are safe to run twice."""

from django_tasks import task

from pomoc.automation.rules import engine, webhooks


@task()
def run_rules(work: list) -> int:
    """Evaluate the rules for committed events: ``[[ticket_id, trigger, chain, message_id], …]``."""
    return engine.run(work)


@task()
def run_time_rules() -> int:
    return engine.run_time_rules()


@task()
def deliver_webhook(delivery_id: int) -> str:
    return webhooks.deliver(delivery_id)


@task()
def retry_webhooks() -> int:
    """Send the webhook calls whose next attempt is due (the backoff lives on their rows)."""
    ids = list(webhooks.due_retries().values_list("pk", flat=True)[:200])
    for delivery_id in ids:
        webhooks.deliver(delivery_id)
    return len(ids)
