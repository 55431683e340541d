"""Routing: new tickets go to available agents of their department; leaving hands them back."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from pomoc.accounts import presence
from pomoc.accounts.models import AgentPresence, Presence, Role, Routing
from pomoc.accounts.services import agent_routing_set
from pomoc.automation.routing import services
from pomoc.testing.factories import ContactFactory, DepartmentFactory, UserFactory, make_ticket
from pomoc.tickets.models import EventType, Status, Ticket
from pomoc.tickets.services import ticket_update

pytestmark = pytest.mark.django_db


def _department(routing=Routing.ROUND_ROBIN, agents=3, **options):
    department = DepartmentFactory(routing=routing, **options)
    people = [UserFactory(username=f"{department.pk}-agent{n}") for n in range(agents)]
    department.members.add(*people)
    for person in people:
        presence.presence_choose(person, Presence.ONLINE)
    return department, people


def _ticket(department, capture, **kwargs):
    with capture(execute=True):
        ticket = make_ticket(department=department, **kwargs)
    ticket.refresh_from_db()
    return ticket


def test_round_robin_takes_turns_among_online_agents(django_capture_on_commit_callbacks):
    department, people = _department()
    presence.presence_choose(people[2], Presence.AWAY)
    assignees = [_ticket(department, django_capture_on_commit_callbacks).assignee for _ in range(4)]
    assert assignees == [people[0], people[1], people[0], people[1]]
    event = Ticket.objects.get(pk=Ticket.objects.latest("pk").pk).events.filter(type=EventType.ASSIGNED).get()
    assert event.actor is None  # assigned by routing, not by a person


def test_least_loaded_goes_to_the_agent_with_fewest_active_tickets(django_capture_on_commit_callbacks):
    department, people = _department(Routing.LEAST_LOADED, agents=2)
    for _ in range(2):
        make_ticket(assignee=people[0])
    resolved = make_ticket(assignee=people[1])
    ticket_update(ticket=resolved, actor=None, changes={"status": Status.RESOLVED})  # not a load
    make_ticket(assignee=people[1])
    assert _ticket(department, django_capture_on_commit_callbacks).assignee == people[1]
    assert _ticket(department, django_capture_on_commit_callbacks).assignee in people  # 2 and 2: either


def test_capacity_is_respected_and_full_departments_wait(django_capture_on_commit_callbacks):
    department, people = _department(agents=1)
    agent_routing_set(user=people[0], ticket_capacity=2, languages=[], skills=[])
    tickets = [_ticket(department, django_capture_on_commit_callbacks) for _ in range(3)]
    assert [t.assignee for t in tickets] == [people[0], people[0], None]
    ticket_update(ticket=tickets[0], actor=people[0], changes={"status": Status.RESOLVED})
    assert services.route_waiting() == 1
    tickets[2].refresh_from_db()
    assert tickets[2].assignee == people[0]


def test_manual_departments_and_tickets_without_department_are_left_alone(django_capture_on_commit_callbacks):
    manual, _people = _department(Routing.MANUAL)
    assert _ticket(manual, django_capture_on_commit_callbacks).assignee is None
    assert _ticket(None, django_capture_on_commit_callbacks).assignee is None


def test_language_and_skill_are_preferred_when_asked_for(django_capture_on_commit_callbacks):
    department, people = _department(routing_by_language=True, routing_by_skill=True)
    agent_routing_set(user=people[2], ticket_capacity=0, languages=["cs"], skills=[])
    agent_routing_set(user=people[1], ticket_capacity=0, languages=[], skills=["invoices"])
    czech = ContactFactory(language="cs")
    assert _ticket(department, django_capture_on_commit_callbacks, requester=czech).assignee == people[2]
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(tags=["Invoices"])
        ticket_update(ticket=ticket, actor=None, changes={"department": department})
    ticket.refresh_from_db()
    assert ticket.assignee == people[1]
    # nobody matches: anyone available gets it
    estonian = ContactFactory(language="et")
    assert _ticket(department, django_capture_on_commit_callbacks, requester=estonian).assignee in people


def test_going_away_hands_back_new_unanswered_tickets_to_the_others(django_capture_on_commit_callbacks):
    department, people = _department(agents=2)
    first = _ticket(department, django_capture_on_commit_callbacks)
    second = _ticket(department, django_capture_on_commit_callbacks)
    leaving = first.assignee
    answered = second if second.assignee == leaving else _ticket(department, django_capture_on_commit_callbacks)
    Ticket.objects.filter(pk=answered.pk).update(first_response_at=timezone.now(), assignee=leaving)
    with django_capture_on_commit_callbacks(execute=True):
        services.presence_set(leaving, Presence.AWAY)
    first.refresh_from_db()
    answered.refresh_from_db()
    staying = next(p for p in people if p != leaving)
    assert first.assignee == staying  # back in the queue and routed again
    assert answered.assignee == leaving  # a ticket they already answered stays theirs


def test_agents_not_seen_for_a_while_go_offline_and_come_back(django_capture_on_commit_callbacks):
    department, people = _department(agents=2)
    ticket = _ticket(department, django_capture_on_commit_callbacks)
    gone = ticket.assignee
    later = timezone.now() + presence.OFFLINE_AFTER + dt.timedelta(seconds=1)
    AgentPresence.objects.exclude(user=gone).update(last_seen_at=later)
    with django_capture_on_commit_callbacks(execute=True):
        services.sweep(now=later)
    assert AgentPresence.objects.get(user=gone).status == Presence.OFFLINE
    ticket.refresh_from_db()
    assert ticket.assignee != gone and ticket.assignee is not None
    from django.core.cache import cache

    cache.clear()
    assert presence.presence_seen(gone.pk) is True
    assert AgentPresence.objects.get(user=gone).status == Presence.ONLINE


def test_away_is_kept_until_the_agent_comes_back_themselves():
    agent = UserFactory()
    presence.presence_choose(agent, Presence.AWAY)
    presence.presence_expire(now=timezone.now() + dt.timedelta(hours=1))
    assert AgentPresence.objects.get(user=agent).status == Presence.OFFLINE
    from django.core.cache import cache

    cache.clear()
    presence.presence_seen(agent.pk)
    assert AgentPresence.objects.get(user=agent).status == Presence.AWAY


def test_the_top_bar_switch(client):
    agent = UserFactory()
    client.force_login(agent)
    page = client.get(reverse("tickets:inbox"), follow=True).content.decode()
    assert 'class="presence-switch presence-offline"' in page
    response = client.post(reverse("routing:presence"), {"presence": "online"}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "presence-online" in response.content.decode()
    assert AgentPresence.objects.get(user=agent).status == Presence.ONLINE
    assert client.post(reverse("routing:presence"), {"presence": "offline"}).status_code == 400
    assert client.post(reverse("routing:presence"), {"presence": "away", "next": "https://evil.example/"}
                       )["Location"] == "/inbox/"
    client.force_login(UserFactory(role=Role.CUSTOMER))
    assert client.post(reverse("routing:presence"), {"presence": "online"}).status_code in (302, 403, 404)


@pytest.mark.django_db(transaction=True)
def test_two_workers_routing_at_once_never_exceed_a_capacity():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent row locks need PostgreSQL (SQLite serialises writers)")
    department, people = _department(agents=1)
    agent_routing_set(user=people[0], ticket_capacity=3, languages=[], skills=[])
    tickets = [make_ticket() for _ in range(8)]
    Ticket.objects.filter(pk__in=[t.pk for t in tickets]).update(department=department)
    barrier = threading.Barrier(4)

    def work(chunk):
        barrier.wait()
        for ticket in chunk:
            services.route_ticket(ticket.pk)
        connection.close()

    threads = [threading.Thread(target=work, args=(tickets[n::4],)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Ticket.objects.filter(assignee=people[0]).count() == 3
