import pytest
from django.core.management import call_command

from pomoc.demo import generator
from pomoc.demo.tests.consistency import assert_tickets_consistent
from pomoc.tickets.models import EventType, Message, Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def test_a_large_demo_is_written_in_bulk_with_consistent_rows():
    count = generator.BULK_THRESHOLD + 100
    call_command("demo", tickets=count, seed=3, batch_size=700, verbosity=0)
    numbers = sorted(Ticket.objects.values_list("number", flat=True))
    assert len(numbers) == count
    assert numbers == list(range(numbers[0], numbers[0] + count)), "numbers are unique and sequential"
    assert not Ticket.objects.filter(messages__isnull=True).exists()
    assert TicketEvent.objects.filter(type=EventType.CREATED).values("ticket").distinct().count() == count
    messages = dict(Message.objects.values_list("pk", "ticket_id"))
    added = list(TicketEvent.objects.filter(type=EventType.MESSAGE_ADDED).values_list("ticket_id", "data"))
    assert len(added) == len(messages)
    assert all(messages[data["message"]] == ticket_id for ticket_id, data in added)
    assert 4 < len(messages) / count < 6, "about five messages per ticket"
    assert_tickets_consistent(Ticket.objects.order_by("?")[:150])
    # Tickets are numbered in the order they were opened.
    created = list(Ticket.objects.order_by("number").values_list("created_at", flat=True))
    assert created == sorted(created)
