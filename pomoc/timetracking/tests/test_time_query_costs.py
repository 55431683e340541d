"""The ticket page (and its time panel) costs the same number of queries for a few or many time
entries by a few or many agents."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pomoc.testing.factories import DepartmentFactory, UserFactory, make_ticket
from pomoc.tickets import merging
from pomoc.tickets import services as ticket_services
from pomoc.timetracking import services

pytestmark = pytest.mark.django_db


def queries_of(client, url: str, **headers) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, headers=headers).status_code == 200
    return [q["sql"] for q in captured.captured_queries]


def add_time(ticket, agents, rounds: int) -> None:
    start = timezone.now() - dt.timedelta(days=1)
    for i in range(rounds):
        for agent in agents:
            services.activity_record(ticket=ticket, agent=agent, now=start + dt.timedelta(hours=i))
            services.time_entry_add(ticket=ticket, agent=agent, minutes=i + 1, note=f"Work {i}")


def test_the_ticket_page_costs_the_same_for_few_or_many_time_entries(client):
    agent = UserFactory(username="timer")
    DepartmentFactory(name="Support").members.add(agent)
    client.force_login(agent)
    ticket = make_ticket(department=agent.departments.get())
    other = make_ticket(department=ticket.department)
    url = f"/tickets/{ticket.number}/"
    add_time(ticket, [agent], 1)
    queries_of(client, url)
    few = queries_of(client, url)
    add_time(ticket, [agent, *(UserFactory() for _ in range(5))], 15)
    # A recent merge into this ticket (the undo offer) costs the same too.
    ticket_services.ticket_merge(source=other, target=ticket, actor=agent)
    queries_of(client, url)  # the new agents are read into the cached list of agents once
    few_with_merge = queries_of(client, url)
    merge_source = make_ticket(department=ticket.department)
    ticket_services.ticket_merge(source=merge_source, target=ticket, actor=agent)
    assert len(merging.undoable_merges(ticket)) == 2
    many = queries_of(client, url)
    assert len(few_with_merge) == len(many), "\n".join(many)
    assert len(many) <= len(few) + 2, "\n".join(many)  # the merges: read once, however many
    queries_of(client, f"/tickets/{ticket.number}/sidebar/", **{"HX-Request": "true"})  # its cached reads, once
    sidebar = queries_of(client, f"/tickets/{ticket.number}/sidebar/", **{"HX-Request": "true"})
    add_time(ticket, [agent], 5)
    assert len(queries_of(client, f"/tickets/{ticket.number}/sidebar/", **{"HX-Request": "true"})) == len(sidebar)
