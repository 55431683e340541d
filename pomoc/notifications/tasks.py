"""Background work on notifications: no arguments, idempotent."""

from django_tasks import task

from pomoc.notifications import services


@task(queue_name="mail")
def send_notification_emails() -> int:
    """The periodic e-mail of the notifications each agent chose to get by mail."""
    return services.send_email_digests()


@task()
def prune_read_notifications() -> int:
    """Daily: notifications read long ago go."""
    return services.prune_read_notifications()
