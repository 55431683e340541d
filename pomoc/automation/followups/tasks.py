"""Background work of follow-ups. Tasks take ids, are idempotent and call a service."""

from django_tasks import task


@task()
def acknowledge_ticket(ticket_id: int) -> bool:
    """Acknowledge a new ticket to its customer, once (see ``acknowledgements.ticket_acknowledge``)."""
    from pomoc.automation.followups.acknowledgements import ticket_acknowledge

    return ticket_acknowledge(ticket_id) is not None


@task()
def run_follow_ups() -> dict:
    """Reminders, closing and rating requests that are due (see ``jobs``)."""
    from pomoc.automation.followups.jobs import follow_ups_run

    return follow_ups_run()
