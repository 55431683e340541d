"""A demo opened in the morning looks like a working day: dozens of active tickets across the
views, some unassigned, some waiting for a first reply, some that came in today."""

import datetime as dt
import random

import pytest
from django.core.management import call_command
from django.utils import timezone

from pomoc.demo import generator
from pomoc.tickets.models import ACTIVE_STATUSES, Status, Ticket

pytestmark = pytest.mark.django_db


def test_the_morning_share_is_a_few_dozen_tickets_at_most():
    assert generator.morning_count(20) == 3
    assert generator.morning_count(300) == generator.MORNING_TICKETS
    assert generator.morning_count(1_000_000) == generator.MORNING_TICKETS
    now = timezone.now()
    times = generator.morning_times(random.Random(3), 30, now)
    assert times == sorted(times) and all(now - dt.timedelta(days=3, minutes=6) <= t < now for t in times)
    assert sum(t > now - dt.timedelta(hours=5, minutes=6) for t in times) >= 10


@pytest.mark.slow
def test_the_default_demo_fills_the_active_views():
    call_command("demo", tickets=300, password="demo-Pass-42", seed=11, verbosity=0)
    active = Ticket.objects.filter(status__in=ACTIVE_STATUSES)
    assert active.count() >= 30
    assert {Status.NEW, Status.OPEN, Status.PENDING} <= set(active.values_list("status", flat=True))
    assert active.filter(assignee__isnull=True).count() >= 5
    assert active.filter(first_response_at__isnull=True).count() >= 5
    assert active.filter(created_at__gte=timezone.now() - dt.timedelta(hours=6)).count() >= 5
