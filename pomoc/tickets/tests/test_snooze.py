"""Snoozing a ticket: out of the active views until its time, woken by the periodic job or by the
customer writing; the job is registered with the scheduler and enqueues only when work is due."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from pomoc.core import scheduler
from pomoc.testing.factories import UserFactory, make_ticket
from pomoc.tickets import services
from pomoc.tickets.models import EventType, MessageKind, Status, Ticket
from pomoc.tickets.snooze import has_due_snoozed, ticket_snooze, tickets_wake_due

pytestmark = pytest.mark.django_db


def test_the_job_wakes_a_due_ticket_with_its_status_event():
    agent = UserFactory()
    ticket = make_ticket()
    until = timezone.now() + dt.timedelta(hours=2)
    ticket_snooze(ticket=ticket, actor=agent, until=until)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.snoozed_until) == (Status.SNOOZED, until)
    assert not has_due_snoozed()
    assert tickets_wake_due(now=until - dt.timedelta(seconds=1)) == 0
    assert tickets_wake_due(now=until) == 1
    assert tickets_wake_due(now=until) == 0  # idempotent
    ticket.refresh_from_db()
    assert (ticket.status, ticket.snoozed_until) == (Status.OPEN, None)
    changes = [(e.data.get("from"), e.data.get("to"), e.actor_id)
               for e in ticket.events.filter(type=EventType.STATUS_CHANGED).order_by("id")]
    assert changes[-2:] == [(Status.NEW, Status.SNOOZED, agent.pk), (Status.SNOOZED, Status.OPEN, None)]


def test_a_customer_message_wakes_it_early():
    ticket = make_ticket()
    ticket_snooze(ticket=ticket, actor=None, until=timezone.now() + dt.timedelta(days=3))
    services.message_add(ticket=Ticket.objects.get(pk=ticket.pk), kind=MessageKind.CUSTOMER, body_text="Any news?")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.snoozed_until) == (Status.OPEN, None)


def test_snoozing_needs_a_future_time_and_the_status_alone_is_refused():
    ticket = make_ticket()
    with pytest.raises(ValidationError):
        ticket_snooze(ticket=ticket, actor=None, until=timezone.now() - dt.timedelta(minutes=1))
    with pytest.raises(ValidationError):
        services.ticket_update(ticket=ticket, actor=None, changes={"status": Status.SNOOZED})
    assert Ticket.objects.get(pk=ticket.pk).status == Status.NEW


def test_the_wake_up_job_is_scheduled_only_when_a_ticket_is_due():
    job = next(j for j in scheduler.schedule() if j.name == "tickets.wake_snoozed")
    assert job.task == "pomoc.tickets.tasks.wake_snoozed_tickets"
    assert job.has_work() is False
    ticket = make_ticket()
    ticket_snooze(ticket=ticket, actor=None, until=timezone.now() + dt.timedelta(seconds=1))
    Ticket.objects.filter(pk=ticket.pk).update(snoozed_until=timezone.now() - dt.timedelta(seconds=1))
    assert job.has_work() is True
