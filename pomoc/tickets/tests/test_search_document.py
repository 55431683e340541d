"""Ticket search follows every change of what a ticket says: new messages, a new subject, merges
and splits. On PostgreSQL this is the per-ticket search document (tickets.search_index); the same
tests on SQLite pin the behaviour both databases share."""

import pytest
from django.db import connection

from pomoc.testing.factories import ContactFactory, UserFactory, make_customer_user, make_ticket
from pomoc.tickets import search_index, selectors, services
from pomoc.tickets.models import MessageKind, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent():
    return UserFactory(username="searcher")


def found(user, text: str) -> set[int]:
    return {t.number for t in selectors.global_search(user, text).tickets}


def listed(user, text: str) -> set[int]:
    page = selectors.ticket_list(user, selectors.TicketFilters(q=text), limit=50)
    return {t.number for t in page.items}


def test_a_new_message_makes_its_ticket_findable(agent):
    ticket = make_ticket(subject="Login trouble", body="I cannot sign in.")
    assert found(agent, "quokka") == set()
    services.message_add(ticket=ticket, kind=MessageKind.CUSTOMER, body_text="My quokka ate the password.")
    assert found(agent, "quokka") == {ticket.number}
    assert listed(agent, "quokka") == {ticket.number}


def test_subject_words_and_numbers_are_found(agent):
    ticket = make_ticket(subject="Invoice for Zanzibar office", body="Please resend it.")
    assert found(agent, "zanzibar") == {ticket.number}
    assert found(agent, f"#{ticket.number}") == {ticket.number}
    services.ticket_update(ticket=ticket, actor=agent, changes={"subject": "Invoice for Lisbon office"})
    assert found(agent, "zanzibar") == set()
    assert found(agent, "lisbon") == {ticket.number}


def test_every_word_must_match_in_any_message(agent):
    ticket = make_ticket(subject="Parcel", body="The courier left it at the gate.")
    services.message_add(ticket=ticket, kind=MessageKind.CUSTOMER, body_text="It was raining.")
    make_ticket(subject="Other", body="The courier was friendly.")
    assert found(agent, "courier raining") == {ticket.number}


def test_merge_moves_the_words_to_the_target(agent):
    source = make_ticket(subject="First", body="The walrus is stuck.")
    target = make_ticket(subject="Second", body="Something else.")
    services.ticket_merge(source=source, target=target, actor=agent)
    assert found(agent, "walrus") == {target.number}


def test_split_moves_the_words_to_the_new_ticket(agent):
    source = make_ticket(subject="Mixed", body="Question about pelicans.")
    message = services.message_add(ticket=source, kind=MessageKind.CUSTOMER, body_text="Unrelated: flamingo.")
    new_ticket = services.message_split(message=message, actor=agent)
    assert found(agent, "flamingo") == {new_ticket.number}
    assert found(agent, "pelicans") == {source.number}


def test_messages_listed_are_the_matching_ones_of_the_tickets_found(agent):
    ticket = make_ticket(subject="Heating", body="The radiator is cold.")
    match = services.message_add(ticket=ticket, kind=MessageKind.CUSTOMER, body_text="Still cold radiator today.")
    services.message_add(ticket=ticket, kind=MessageKind.NOTE, actor=agent, body_text="Call the plumber.")
    results = selectors.global_search(agent, "radiator")
    assert {m.pk for m in results.messages} == {match.pk, ticket.messages.order_by("id").first().pk}


def test_customers_never_find_tickets_by_internal_notes():
    contact = ContactFactory()
    customer = make_customer_user(contact)
    agent = UserFactory(username="noter")
    ticket = make_ticket(requester=contact, subject="Refund", body="Where is my money?")
    services.message_add(ticket=ticket, kind=MessageKind.NOTE, actor=agent, body_text="Customer is a narwhal.")
    assert found(customer, "narwhal") == set()
    assert found(customer, "money") == {ticket.number}
    assert found(agent, "narwhal") == {ticket.number}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the search document exists on PostgreSQL only")
def test_every_ticket_has_a_document_on_postgresql():
    make_ticket(subject="One", body="Body one.")
    make_ticket(subject="Two", body="Body two.")
    assert not Ticket.objects.filter(search_vector__isnull=True).exists()
    Ticket.objects.update(search_vector=None)
    first, last = Ticket.objects.earliest("id").id, Ticket.objects.latest("id").id
    search_index.refresh_range(first, last)
    assert not Ticket.objects.filter(search_vector__isnull=True).exists()


@pytest.mark.parametrize("candidates", [2, 500])
def test_rare_and_common_words_find_the_same_tickets_newest_first(agent, monkeypatch, candidates):
    """Below SEARCH_CANDIDATES matches the page is sorted from their ids, above it the list order is
    walked: both give the same answer."""
    monkeypatch.setattr(selectors, "SEARCH_CANDIDATES", candidates)
    tickets = [make_ticket(subject=f"Toaster {i}", body="The toaster smokes.") for i in range(5)]
    make_ticket(subject="Kettle", body="Unrelated.")
    page = selectors.ticket_list(agent, selectors.TicketFilters(q="toaster"), limit=3)
    assert [t.pk for t in page.items] == [t.pk for t in reversed(tickets)][:3]
    rest = selectors.ticket_list(agent, selectors.TicketFilters(q="toaster"), cursor=page.next_cursor, limit=3)
    assert [t.pk for t in rest.items] == [tickets[1].pk, tickets[0].pk]
    assert found(agent, "toaster") == {t.number for t in tickets}
