"""The due times where agents read them: the inbox column and sort (the same number of queries for
few or many tickets), the API sort, the ticket sidebar; the clocks' upkeep costs the same few
queries for one ticket or many; the sweep is scheduled once per installation when it has work."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pomoc.accounts.models import ApiToken
from pomoc.automation.sla.models import TicketSla
from pomoc.automation.sla.tests.helpers import policy, status_at, ticket_at
from pomoc.automation.sla.timers import recompute
from pomoc.core import scheduler
from pomoc.testing.factories import DepartmentFactory, UserFactory, make_ticket
from pomoc.testing.pages import ticket_page
from pomoc.tickets.models import Status

pytestmark = pytest.mark.django_db
HOUR = dt.timedelta(hours=1)
INBOX = "/inbox/?view=open&columns=status,priority,sla_due,updated&sort=sla_due"


@pytest.fixture
def agent(client):
    user = UserFactory(username="ann")
    DepartmentFactory(name="Support").members.add(user)
    client.force_login(user)
    return user


def _tickets(agent, hours_ago: list[int]) -> list:
    department = agent.departments.get()
    tickets = [ticket_at(timezone.now() - n * HOUR, department=department, subject=f"Opened {n} h ago")
               for n in hours_ago]
    recompute([t.pk for t in tickets])
    return tickets


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return response, len(captured.captured_queries)


def test_the_inbox_shows_and_sorts_by_the_sla_due_time(client, agent):
    policy(first_response_minutes=4 * 60, resolution_minutes=48 * 60)
    tickets = _tickets(agent, [1, 6, 2])
    pending = tickets[2]
    status_at(pending, Status.PENDING, timezone.now())
    recompute([pending.pk])
    no_policy = make_ticket(department=agent.departments.get(), subject="Before any clock")  # no SLA row
    response, _count = _queries(client, INBOX)
    page = response.content.decode()
    assert "SLA due" in page
    order = [t.number for t in response.context["tickets"]]
    # 6 h ago: first response 2 hours overdue; 1 h ago: due in 3 hours; then paused; then no SLA at all
    assert order == [tickets[1].number, tickets[0].number, pending.number, no_policy.number]
    assert "2 hours overdue" in page and "in 2 hours" in page and "paused" in page


def test_the_inbox_with_the_sla_column_costs_the_same_for_few_or_many_tickets(client, agent):
    policy(first_response_minutes=60)
    _tickets(agent, [1, 2])
    _queries(client, INBOX)
    _response, few = _queries(client, INBOX)
    _tickets(agent, list(range(3, 23)))
    _response, many = _queries(client, INBOX)
    assert few == many


def test_the_keyset_pages_of_the_sla_sort_walk_every_ticket_once(agent):
    from pomoc.tickets import selectors

    policy(first_response_minutes=60)
    tickets = _tickets(agent, [5, 1, 3, 2, 4])
    make_ticket(department=agent.departments.get())
    filters = selectors.TicketFilters.from_mapping({"status": "active", "sort": "sla_due"})
    seen, cursor = [], None
    while True:
        page = selectors.ticket_list(agent, filters, cursor=cursor, limit=2)
        seen += [t.pk for t in page.items]
        if not page.has_more:
            break
        cursor = page.next_cursor
    expected = [t.pk for t in sorted(tickets, key=lambda t: t.created_at)]
    assert seen[:5] == expected and len(seen) == len(set(seen)) == 6


def test_the_api_sorts_by_sla_due(client, agent):
    policy(first_response_minutes=60)
    tickets = _tickets(agent, [1, 3, 2])
    _token, raw = ApiToken.create_for(agent)
    response = client.get("/api/v1/tickets?sort=sla_due", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200, response.content
    numbers = [item["number"] for item in response.json()["items"]]
    assert numbers == [tickets[1].number, tickets[2].number, tickets[0].number]
    bad = client.get("/api/v1/tickets?sort=sla", headers={"Authorization": f"Bearer {raw}"})
    assert bad.status_code in (400, 422)


def test_the_ticket_sidebar_shows_the_due_times(client, agent):
    policy(name="Gold", first_response_minutes=60, resolution_minutes=8 * 60)
    ticket = _tickets(agent, [2])[0]
    page = ticket_page(client, ticket.number)
    assert "Gold" in page and "First response" in page and "Resolution" in page and "overdue" in page


def test_recomputing_costs_the_same_for_one_ticket_or_twenty(agent):
    policy(first_response_minutes=60)
    one = _tickets(agent, [1])
    twenty = _tickets(agent, list(range(20)))
    with CaptureQueriesContext(connection) as few:
        recompute([t.pk for t in one])
    with CaptureQueriesContext(connection) as many:
        recompute([t.pk for t in twenty])
    assert len(few.captured_queries) == len(many.captured_queries)


def test_the_sweep_is_scheduled_only_when_something_is_due(settings, agent):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "mail"]}}
    policy(first_response_minutes=60)
    ticket = _tickets(agent, [0])[0]
    assert "sla.sweep" not in scheduler.run_due()
    TicketSla.objects.filter(ticket=ticket).update(next_check_at=timezone.now() - HOUR)
    assert "sla.sweep" in scheduler.run_due(timezone.now() + dt.timedelta(minutes=2))
