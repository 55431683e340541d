import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pomoc.testing.factories import ContactFactory, TagFactory, make_ticket
from pomoc.tickets import services

pytestmark = pytest.mark.django_db


def _make_tickets(world, count: int):
    tag = TagFactory(name="bulk")
    for i in range(count):
        ticket = make_ticket(requester=ContactFactory(), department=world["support"], subject=f"Ticket {i}",
                             assignee=world["agent"] if i % 2 else None)
        ticket.tags.add(tag)
        if i % 3 == 0:
            services.ticket_update(ticket=ticket, actor=world["agent"], changes={"tags": ["bulk", f"t{i}"]})


def test_keyset_pagination_walks_every_page_once(world, as_agent):
    _make_tickets(world, 23)
    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        params = {"limit": 5, "sort": "-created_at"}
        if cursor:
            params["cursor"] = cursor
        body = as_agent.get("/tickets", params).json()
        seen.extend(t["number"] for t in body["items"])
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert pages == 5
    assert len(seen) == len(set(seen)) == 25
    assert seen == sorted(seen, reverse=True)


def _list_queries(api) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = api.get("/tickets", {"limit": 50})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_list_costs_the_same_number_of_queries_for_5_and_30_tickets(world, as_agent):
    _make_tickets(world, 3)
    as_agent.get("/tickets")  # warm up: organisation settings row, token last_used_at
    few = _list_queries(as_agent)
    assert len(as_agent.get("/tickets", {"limit": 50}).json()["items"]) == 5
    _make_tickets(world, 25)
    many = _list_queries(as_agent)
    assert len(as_agent.get("/tickets", {"limit": 50}).json()["items"]) == 30
    assert few == many


def test_a_bad_cursor_is_a_clear_422(world, as_agent):
    response = as_agent.get("/tickets", {"cursor": "not-a-cursor"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "cursor"]
