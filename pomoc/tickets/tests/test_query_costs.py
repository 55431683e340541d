"""What a page costs the database does not grow with the data: the same number of queries for a
few or many tickets and messages, and (on PostgreSQL) every hot query can be served by an index.

Timings are measured by ``make bench``, never asserted here; these tests pin the shapes that keep
the timings flat as the database grows.
"""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pomoc.testing.factories import ContactFactory, DepartmentFactory, UserFactory, make_ticket
from pomoc.tickets import selectors, services
from pomoc.tickets.models import MessageKind, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent():
    user = UserFactory(username="coster")
    DepartmentFactory(name="Support").members.add(user)
    return user


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


def queries_of(client, url: str, **headers) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, headers=headers).status_code == 200
    return [q["sql"] for q in captured.captured_queries]


def add_tickets(agent, count: int, word: str = "kettle") -> None:
    department = agent.departments.get()
    for i in range(count):
        ticket = make_ticket(subject=f"{word} {i}", requester=ContactFactory(), department=department,
                             tags=[f"t{i % 3}"])
        services.message_add(ticket=ticket, kind=MessageKind.REPLY, actor=agent, body_text=f"About the {word}.")


def test_the_ticket_page_costs_the_same_for_2_or_20_messages(agent_client, agent):
    ticket = make_ticket(subject="Long thread", department=agent.departments.get())
    services.message_add(ticket=ticket, kind=MessageKind.NOTE, actor=agent, body_text="First note.")
    url = f"/tickets/{ticket.number}/"
    queries_of(agent_client, url)  # the first request creates the session and settings rows
    few = queries_of(agent_client, url)
    for i in range(9):
        services.message_add(ticket=ticket, kind=MessageKind.CUSTOMER, body_text=f"Again {i}.")
        services.message_add(ticket=ticket, kind=MessageKind.REPLY, actor=agent, body_text=f"Answer {i}.")
    first_look = queries_of(agent_client, url)  # the new customer messages are now read: one write
    many = queries_of(agent_client, url)
    assert len(few) == len(many) == len(first_look) - 1


def test_the_ticket_page_costs_the_same_for_few_or_many_events(agent_client, agent):
    """The history names agents, departments, contacts, inboxes, identities and custom fields: each kind
    is read once for the whole history, however many events refer to them."""
    from pomoc.testing.factories import DepartmentFactory as Departments
    from pomoc.tickets import events
    from pomoc.tickets.models import CustomFieldDefinition, DeliveryState, Priority, Status

    CustomFieldDefinition.objects.create(key="plan", label="Plan", type="text")
    departments = [agent.departments.get(), Departments(name="Billing")]
    agents = [agent, UserFactory(username="second")]
    ticket = make_ticket(subject="Busy ticket", department=departments[0])

    def churn(rounds: int) -> None:
        for i in range(rounds):
            services.ticket_update(ticket=ticket, actor=agents[i % 2], changes={
                "status": [Status.PENDING, Status.OPEN][i % 2], "priority": [Priority.HIGH, Priority.LOW][i % 2],
                "assignee": agents[i % 2], "department": departments[0], "tags": [f"t{i}"],
                "custom_fields": {"plan": f"p{i}"}})
            reply = services.message_add(ticket=ticket, kind=MessageKind.REPLY, actor=agent, body_text=f"R{i}.")
            services.message_delivery_mark(message=reply, state=DeliveryState.FAILED, error="550 no")
            events.participant_added(ticket, ContactFactory().pk, agent)
            services.ticket_reply_route_set(ticket=ticket, actor=agent, inbox=None,
                                            identity=ticket.requester.identities.first())

    url = f"/tickets/{ticket.number}/"
    churn(1)
    queries_of(agent_client, url)
    few = queries_of(agent_client, url)
    events_before = ticket.events.count()
    churn(12)
    assert ticket.events.count() > 5 * events_before
    queries_of(agent_client, url)  # steady state again: a cached list may have expired while churning
    many = queries_of(agent_client, url)
    assert len(few) == len(many), "\n".join(many)


def test_the_page_and_its_sidebar_each_read_only_their_own_part_of_the_ticket(agent_client, agent):
    """The page's query leaves out the joins only the sidebar shows (its SLA, return, company), the
    sidebar's the subqueries only the main column reads (read marks, follows, drafts): each join or
    subquery costs planning and building time."""
    ticket = make_ticket(subject="Split reads", department=agent.departments.get())

    def ticket_query(url: str, **headers) -> str:
        queries_of(agent_client, url, **headers)
        return next(q for q in queries_of(agent_client, url, **headers) if q.startswith('SELECT "tickets_ticket"'))

    page = ticket_query(f"/tickets/{ticket.number}/")
    sidebar = ticket_query(f"/tickets/{ticket.number}/sidebar/", HX_Request="true")
    assert "sla_ticketsla" not in page and "orders_returnrequest" not in page and "contacts_company" not in page
    assert "notifications_ticketread" in page and "drafts_draft" in page
    assert "sla_ticketsla" in sidebar and "orders_returnrequest" in sidebar and "contacts_company" in sidebar
    assert "notifications_ticketread" not in sidebar and "drafts_draft" not in sidebar
    whole = ticket_query(f"/tickets/{ticket.number}/sidebar/")  # without scripts: the whole page
    assert "sla_ticketsla" in whole and "notifications_ticketread" in whole


def test_search_costs_the_same_for_2_or_20_matching_tickets(agent_client, agent):
    add_tickets(agent, 2)
    queries_of(agent_client, "/search/?q=kettle")
    few = queries_of(agent_client, "/search/?q=kettle")
    add_tickets(agent, 18)
    queries_of(agent_client, "/search/?q=kettle")  # steady state again: a cached list may have expired meanwhile
    many = queries_of(agent_client, "/search/?q=kettle")
    assert len(few) == len(many)


def test_the_sidebar_counts_cost_one_bounded_query_per_view(agent_client, agent):
    add_tickets(agent, 3)
    queries_of(agent_client, "/inbox/?view=open&fragment=sidebar", HX_Request="true")
    cache.clear()
    few = queries_of(agent_client, "/inbox/?view=open&fragment=sidebar", HX_Request="true")
    add_tickets(agent, 15)
    cache.clear()
    many = queries_of(agent_client, "/inbox/?view=open&fragment=sidebar", HX_Request="true")
    assert len(few) == len(many)
    counts = [q for q in many if "COUNT(" in q]
    assert counts and all(re.search(r"LIMIT \d+", q) for q in counts), "every count stops at the cap"


def test_every_sort_of_the_lists_is_the_order_of_an_index():
    """Keyset pages read the first rows of an index in order, never sort the whole view."""
    indexed = [tuple(name.lstrip("-") for name in index.fields) for index in Ticket._meta.indexes]
    for sort, fields in selectors.SORTS.items():
        if sort == "sla_due":  # the SLA table's due time: sorts the view's rows (decision 0016)
            continue
        names = tuple(name for name, _desc in fields)
        assert len({desc for _name, desc in fields}) == 1, f"{sort}: one direction, so an index scan serves both"
        first = Ticket._meta.get_field(names[0])
        assert any(index[: len(names)] == names for index in indexed) or (first.unique and names[1:] == ("id",)), sort


# --- PostgreSQL: an index can serve every hot query -------------------------------------------
def hot_querysets(agent):
    """The main query of each inbox view and sort, the API list and search, as ``ticket_list`` runs them."""
    for view in selectors.builtin_views(agent):
        for sort in selectors.SORTS:
            filters = selectors.TicketFilters.from_mapping({**view["filters"], "sort": sort})
            qs = selectors.filter_tickets(agent, filters)
            if sort == "sla_due":
                qs = selectors.with_sla_due(qs)
            fields = selectors.SORTS[sort]
            yield f"{view['key']} {sort}", qs.order_by(*[f"-{n}" if d else n for n, d in fields])[:26]
    for word in ("kettle", "about kettle"):
        filters = selectors.TicketFilters(q=word)
        yield f"search {word}", selectors.filter_tickets(agent, filters).order_by("-updated_at", "-id")[:26]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="query plans are PostgreSQL's")
def test_no_hot_query_needs_a_scan_of_all_tickets(agent):
    add_tickets(agent, 30)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE tickets_ticket")
        cursor.execute("SET enable_seqscan = off")  # with a tiny table the planner would scan it anyway
        try:
            for name, qs in hot_querysets(agent):
                sql, params = qs.query.sql_with_params()
                cursor.execute("EXPLAIN " + sql, params)
                plan = "\n".join(row[0] for row in cursor.fetchall())
                assert "Seq Scan on tickets_ticket" not in plan, f"{name}:\n{plan}"
        finally:
            cursor.execute("RESET enable_seqscan")
