"""Time-based rules fire on each ticket exactly once per moment they count from: with two workers
running at the same time, and after the workers were down for a while."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from pomoc.automation.rules import engine
from pomoc.automation.rules.models import RuleFiring, Trigger
from pomoc.testing.factories import make_ticket
from pomoc.tickets import services
from pomoc.tickets.models import EventType, Status, Ticket

from .helpers import make_rule

pytestmark = pytest.mark.django_db(transaction=True)

WAITING_A_DAY = [{"field": "hours_since_customer", "op": "at_least", "value": "24"}]


def aged(ticket, hours: float) -> Ticket:
    """The ticket as if its customer last wrote ``hours`` ago (test set-up, not a service)."""
    then = timezone.now() - dt.timedelta(hours=hours)
    Ticket.objects.filter(pk=ticket.pk).update(created_at=then, last_customer_message_at=then)
    return Ticket.objects.get(pk=ticket.pk)


def firings(ticket) -> int:
    return ticket.events.filter(type=EventType.RULE_FIRED).count()


def test_it_fires_once_on_due_tickets_and_not_again():
    make_rule(trigger=Trigger.TIME, name="Chase", conditions=WAITING_A_DAY,
              actions=[{"type": "add_tag", "value": "waiting"}])
    due, fresh, resolved = aged(make_ticket(), 30), aged(make_ticket(), 2), aged(make_ticket(), 30)
    Ticket.objects.filter(pk=resolved.pk).update(status=Status.RESOLVED)

    assert engine.run_time_rules() == 1
    assert engine.run_time_rules() == 0
    assert (firings(due), firings(fresh), firings(resolved)) == (1, 0, 0)
    assert set(due.tags.values_list("name", flat=True)) == {"waiting"}


def test_after_downtime_every_ticket_that_became_due_meanwhile_fires_once():
    make_rule(trigger=Trigger.TIME, conditions=WAITING_A_DAY, actions=[{"type": "add_tag", "value": "waiting"}])
    # the workers were down for three days: tickets became due 1, 20 and 60 hours ago
    tickets = [aged(make_ticket(), hours) for hours in (25, 44, 84)]
    assert engine.run_time_rules() == 3
    assert engine.run_time_rules() == 0
    assert [firings(t) for t in tickets] == [1, 1, 1]


def test_it_fires_again_only_when_the_moment_it_counts_from_moves():
    make_rule(trigger=Trigger.TIME, conditions=WAITING_A_DAY, actions=[{"type": "note", "value": "Chase"}])
    ticket = aged(make_ticket(), 30)
    assert engine.run_time_rules() == 1
    RuleFiring.objects.update(at=timezone.now() - dt.timedelta(hours=29))  # that was 29 hours ago …
    services.message_add(ticket=ticket, kind="customer", body_text="Still waiting")  # … the customer wrote again
    assert engine.run_time_rules() == 0  # not a day since that
    aged(ticket, 26)  # … 26 hours ago
    assert engine.run_time_rules() == 1
    assert RuleFiring.objects.filter(ticket=ticket).count() == 2


def test_two_workers_at_the_same_time_fire_it_once():
    make_rule(trigger=Trigger.TIME, conditions=WAITING_A_DAY, actions=[{"type": "note", "value": "Chase"}])
    ticket = aged(make_ticket(), 30)
    both_ready = threading.Barrier(2, timeout=30)
    real_key = engine._firing_key

    def key_when_both_are_here(rule, ticket):
        both_ready.wait()  # both workers found the ticket due and now race for it
        return real_key(rule, ticket)

    results: list = []

    def worker():
        try:
            results.append(engine.run_time_rules())
        finally:
            connection.close()

    engine._firing_key = key_when_both_are_here
    try:
        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        engine._firing_key = real_key
    assert sorted(results) == [0, 1]
    assert firings(ticket) == 1
    assert ticket.messages.filter(kind="system", body_text="Chase").count() == 1


def test_a_time_based_rule_needs_an_hours_since_condition():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="hours since"):
        make_rule(trigger=Trigger.TIME, conditions=[{"field": "subject", "op": "contains", "value": "x"}])
