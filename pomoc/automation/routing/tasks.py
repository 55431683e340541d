from django_tasks import task


@task()
def sweep() -> int:
    """Presence expiry, tickets handed back, waiting tickets routed (see services.sweep)."""
    from pomoc.automation.routing.services import sweep as run

    return run()
