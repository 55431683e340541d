"""The customer's pages cost the same number of queries with few or many tickets and messages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pomoc.accounts.models import Role
from pomoc.testing.factories import UserFactory, make_ticket
from pomoc.tickets import services
from pomoc.tickets.attachments import NewAttachment
from pomoc.tickets.models import MessageKind

pytestmark = pytest.mark.django_db


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_my_requests_stays_flat(client, customer):
    make_ticket(requester=customer.contact)
    client.force_login(customer)
    url = reverse("portal:my-tickets")
    _queries(client, url)  # warm the cached settings
    few = _queries(client, url)
    for n in range(12):
        make_ticket(requester=customer.contact, subject=f"Request {n}")
    assert _queries(client, url) == few
    assert few <= 6


def test_a_ticket_page_stays_flat(client, customer):
    agent = UserFactory(role=Role.ADMINISTRATOR)
    ticket = make_ticket(requester=customer.contact)
    client.force_login(customer)
    url = reverse("portal:ticket", args=[ticket.number])
    _queries(client, url)
    few = _queries(client, url)
    for n in range(6):
        services.message_add(ticket=ticket, kind=MessageKind.REPLY, actor=agent, body_text=f"Answer {n}",
                             attachments=[NewAttachment(file_name=f"a{n}.txt", content=b"x")])
        services.message_add(ticket=ticket, kind=MessageKind.CUSTOMER, body_text=f"Question {n}")
        services.message_add(ticket=ticket, kind=MessageKind.NOTE, actor=agent, body_text=f"Note {n}")
    assert _queries(client, url) == few
    assert few <= 8
