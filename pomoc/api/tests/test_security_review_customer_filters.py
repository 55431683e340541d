"""Customers cannot learn what internal notes say or which tags their tickets carry by filtering."""

import pytest

from pomoc.tickets import services
from pomoc.tickets.models import MessageKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def noted(world):
    ticket = world["ticket"]
    services.message_add(ticket=ticket, kind=MessageKind.NOTE, actor=world["agent"],
                         body_text="Refund denied because zanzibarquux")
    services.ticket_update(ticket=ticket, actor=world["agent"], changes={"tags": ["difficult-customer"]})
    return ticket


def test_ticket_list_text_filter_does_not_match_internal_notes_for_customers(noted, as_customer, as_agent):
    assert [t["number"] for t in as_agent.get("/tickets", {"q": "zanzibarquux"}).json()["items"]] == [noted.number]
    response = as_customer.get("/tickets", {"q": "zanzibarquux"})
    assert response.status_code == 200
    assert response.json()["items"] == []


def test_search_does_not_find_tickets_by_internal_notes_for_customers(noted, as_customer):
    body = as_customer.get("/search", {"q": "zanzibarquux"}).json()
    assert body["tickets"] == [] and body["messages"] == []


def test_customers_still_find_their_tickets_by_public_text(noted, as_customer):
    items = as_customer.get("/tickets", {"q": "fire"}).json()["items"]
    assert [t["number"] for t in items] == [noted.number]


def test_customers_cannot_filter_by_tag(noted, as_customer, as_agent):
    assert [t["number"] for t in as_agent.get("/tickets", {"tag": "difficult-customer"}).json()["items"]] \
        == [noted.number]
    with_tag = as_customer.get("/tickets", {"tag": "difficult-customer"})
    without_tag = as_customer.get("/tickets", {"tag": "no-such-tag"})
    # Either refused or ignored: the answer must not depend on the ticket's internal tags.
    assert with_tag.status_code == without_tag.status_code
    assert with_tag.json() == without_tag.json()


def test_customers_see_the_assignees_name_but_not_their_login(noted, as_customer, as_agent):
    assert as_agent.patch(f"/tickets/{noted.number}", {"assignee": as_agent.user.pk}).status_code == 200
    seen_by_customer = as_customer.get(f"/tickets/{noted.number}").json()["assignee"]
    assert seen_by_customer["username"] == "" and seen_by_customer["name"] == as_agent.user.display_name
    assert as_agent.get(f"/tickets/{noted.number}").json()["assignee"]["username"] == as_agent.user.username
