"""Background work on tickets. Tasks take ids, are idempotent and call a service."""

from django_tasks import task

from pomoc.tickets.attachments import sweep_orphan_attachment_files


@task()
def sweep_attachment_files() -> int:
    """Delete the files of attachments whose transaction never committed (see the service)."""
    return sweep_orphan_attachment_files()
