"""Live chat's background work: the ticket messages of pending visitor lines (see ``intake``)."""

from django_tasks import task


@task()
def intake(inbox_id: int) -> int:
    """The ticket messages of the inbox's pending lines; safe to run twice."""
    from pomoc.channels.chat import intake as lines_intake

    return lines_intake.run(inbox_id=inbox_id)


@task()
def intake_sweep() -> int:
    """Pending lines of every inbox that their task missed (the periodic job)."""
    from pomoc.channels.chat import intake as lines_intake

    return lines_intake.sweep()
