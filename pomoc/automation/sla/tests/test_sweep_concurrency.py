"""Two workers sweeping at the same moment (real threads, each with its own PostgreSQL connection)
fire every breach exactly once between them."""

import datetime as dt
import threading

import pytest
from django.db import connection, connections

from pomoc.automation.sla.models import TicketSla
from pomoc.automation.sla.sweep import sla_sweep
from pomoc.automation.sla.tests.helpers import breaches, policy, ticket_at
from pomoc.automation.sla.timers import recompute

T0 = dt.datetime(2026, 11, 2, 8, 0, tzinfo=dt.UTC)
TICKETS = 120

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's")


@on_postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("rounds", [1, 3])
def test_two_workers_fire_each_breach_once(rounds):
    policy(first_response_minutes=60, resolution_minutes=120, warn_minutes=10)
    tickets = [ticket_at(T0 + dt.timedelta(seconds=n)) for n in range(TICKETS)]
    recompute([t.pk for t in tickets])
    later = T0 + dt.timedelta(days=2)
    start = threading.Barrier(2)
    counts: list[int] = []
    failures: list[BaseException] = []

    def worker():
        try:
            start.wait()
            for _ in range(rounds):
                counts.append(sla_sweep(later, batch=7))  # small batches: the workers interleave
        except BaseException as error:  # noqa: BLE001 - reported below, in the test's thread
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures
    assert sum(counts) == 2 * TICKETS
    assert breaches().count() == 2 * TICKETS
    assert set(breaches().values_list("ticket_id", "data__target").distinct().order_by()) == {
        (t.pk, target) for t in tickets for target in ("first_response", "resolution")}
    assert not TicketSla.objects.filter(next_check_at__lte=later).exists()
