"""Tickets with a customer message their assignee has not opened are marked in the inbox."""

import pytest

from pomoc.tickets import services as tickets
from pomoc.tickets.models import MessageKind

pytestmark = pytest.mark.django_db


def rows(client) -> str:
    answer = client.get("/inbox/?view=open")
    assert answer.status_code == 200
    page = answer.content.decode()
    assert "Kettle leaks" in page
    return page


def test_a_new_customer_message_marks_the_row_until_the_assignee_opens_it(client, team):
    alice, bob, _olga, ticket = team
    tickets.ticket_update(ticket=ticket, actor=alice, changes={"assignee": bob})
    client.force_login(alice)
    page = rows(client)
    assert "is-unread" in page
    # The subject's link carries the mark: a dot, and words for screen readers.
    assert (
        f'class="ticket-link clip" href="/tickets/{ticket.number}/" title="Kettle leaks">'
        '<span class="unread-dot" title="A customer message the assignee has not opened"></span>'
        '<span class="visually-hidden">Unread: </span>Kettle leaks</a>'
    ) in page
    client.get(f"/tickets/{ticket.number}/")  # somebody else opening it changes nothing
    assert "is-unread" in rows(client)
    client.force_login(bob)
    client.get(f"/tickets/{ticket.number}/")
    assert "is-unread" not in rows(client)
    assert "unread-dot" not in rows(client)
    tickets.message_add(ticket=ticket, kind=MessageKind.CUSTOMER, body_text="Any news?")
    assert "is-unread" in rows(client)
    client.get(f"/tickets/{ticket.number}/conversation/", headers={"HX-Request": "true"})  # seen live
    assert "is-unread" not in rows(client)


def test_an_unassigned_ticket_is_nobodys_unread(client, team):
    alice, _bob, _olga, _ticket = team
    client.force_login(alice)
    assert "is-unread" not in rows(client)
