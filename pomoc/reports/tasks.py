"""Background work of the reports: keeping the rollups current, sending the scheduled reports."""

from django_tasks import task


@task()
def advance_rollups() -> int:
    """Take the newest ticket events into the report rollups (see pomoc.reports.rollups)."""
    from pomoc.reports.rollups import advance

    return advance()


@task()
def send_scheduled_reports() -> int:
    """E-mail the scheduled reports that are due, and retry the failed ones (see pomoc.reports.schedules)."""
    from pomoc.reports.schedules import send_due

    return send_due()
