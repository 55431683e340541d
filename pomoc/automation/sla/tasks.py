"""Background work of the SLAs: ids in (none here), idempotent, one service call."""

from django_tasks import task


@task()
def sla_sweep() -> int:
    """Fire the SLA warnings and breaches that are due (see pomoc.automation.sla.sweep)."""
    from pomoc.automation.sla.sweep import sla_sweep as sweep

    return sweep()


@task()
def sla_recompute_all() -> int:
    """Work out every unresolved ticket's clocks again (after a policy changed)."""
    from pomoc.automation.sla.services import recompute_unresolved

    return recompute_unresolved()
