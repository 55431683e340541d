"""Background work on tickets. Tasks take ids, are idempotent and call a service."""

from django_tasks import task

from pomoc.tickets.attachments import sweep_orphan_attachment_files


@task()
def sweep_attachment_files() -> int:
    """Delete the files of attachments whose transaction never committed (see the service)."""
    return sweep_orphan_attachment_files()


@task()
def wake_snoozed_tickets() -> int:
    """Open again the snoozed tickets that are due (see pomoc.tickets.snooze)."""
    from pomoc.tickets.snooze import tickets_wake_due

    return tickets_wake_due()
