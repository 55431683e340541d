"""Background work of orders. Tasks take ids, are idempotent and call a service."""

from django_tasks import task


@task()
def run_import(job_id: int, runner: str) -> int:
    """Import a CSV file from its last committed row (a second run of a finished job does nothing)."""
    from pomoc.orders.imports import import_run

    job = import_run(job_id, runner)
    return job.rows_done if job else 0
