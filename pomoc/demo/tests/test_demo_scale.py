"""The scale options of ``pomoc demo``: how many contacts, agents and departments, conversation
length, years of history, search documents and the same data for the same seed."""

import datetime as dt
import random
import re
from collections import Counter

import pytest
from django.contrib.postgres.search import SearchQuery
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from pomoc.accounts.models import Department, Role, User
from pomoc.contacts.models import Contact
from pomoc.demo import generator
from pomoc.demo.duplicates import VISITOR
from pomoc.demo.tests.consistency import assert_tickets_consistent
from pomoc.tickets.models import Message, Ticket

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="search documents and the "
                                   "parallel writers exist on PostgreSQL only")


def test_defaults_grow_with_the_number_of_tickets():
    assert generator.scale_for(300) == generator.Scale(contacts=60, agents=7, departments=4)
    assert generator.scale_for(100_000) == generator.Scale(contacts=20_000, agents=50, departments=10)
    assert generator.scale_for(1_000_000) == generator.Scale(contacts=200_000, agents=50, departments=10)
    assert generator.scale_for(5_000_000).contacts == 250_000


def test_history_spans_five_years_for_large_demos():
    now = timezone.now()
    assert generator.days_for(300) == 365
    assert generator.days_for(1_000_000) == 5 * 365
    times = generator.creation_times(random.Random(1), 4000, now, generator.days_for(1_000_000))
    assert times == sorted(times) and times[-1] < now
    assert now - times[0] > dt.timedelta(days=4 * 365), "tickets go back about five years"
    by_year = Counter((now - t).days // 365 for t in times)
    assert by_year[0] > by_year[4], "the desk grew: more tickets lately than five years ago"
    weekdays = Counter(t.weekday() < 5 for t in times)
    assert weekdays[True] > 4 * weekdays[False], "fewer tickets at weekends"


@pytest.mark.django_db
def test_agents_departments_and_contacts_follow_the_options():
    call_command("demo", tickets=40, agents=12, departments=7, contacts=25, seed=2, verbosity=0)
    agents = User.objects.filter(role=Role.AGENT)
    assert sorted(agents.values_list("username", flat=True), key=lambda u: int(u[5:])) == [
        f"agent{i}" for i in range(1, 13)]
    assert Department.objects.count() == 7
    # the 25 customers asked for, and the three likely duplicates of some of them (demo/duplicates.py)
    assert Contact.objects.count() == 25 + 3
    assert Contact.objects.filter(identities__kind="chat", identities__value=VISITOR).count() == 1
    for agent in agents:
        assert 1 <= agent.departments.count() <= 3, agent.username
    for department in Department.objects.all():
        assert department.members.filter(role=Role.AGENT).exists(), department.name
    languages = set(User.objects.filter(username__in=[f"agent{i}" for i in range(8, 13)])
                    .values_list("language", flat=True))
    assert len(languages) >= 2, "extra agents speak the teams' languages"


@pytest.mark.django_db
def test_bad_scale_options_are_refused():
    with pytest.raises(CommandError, match="--agents"):
        call_command("demo", tickets=5, agents=3, verbosity=0)
    with pytest.raises(CommandError, match="--departments"):
        call_command("demo", tickets=5, departments=2, verbosity=0)
    with pytest.raises(CommandError, match="--contacts"):
        call_command("demo", tickets=5, contacts=0, verbosity=0)
    assert not Ticket.objects.exists()


@pytest.mark.django_db
def test_bulk_conversations_are_about_five_messages_long():
    call_command("demo", tickets=400, mode="bulk", batch_size=150, seed=4, verbosity=0)
    per_ticket = Counter(Message.objects.values_list("ticket_id", flat=True))
    assert len(per_ticket) == 400
    assert all(1 <= n <= 25 for n in per_ticket.values())
    assert 4.2 < sum(per_ticket.values()) / 400 < 5.8
    assert max(per_ticket.values()) >= 8, "some conversations go back and forth for a while"
    assert_tickets_consistent(Ticket.objects.order_by("?")[:80])
    requesters = Counter(Ticket.objects.values_list("requester_id", flat=True))
    assert requesters.most_common(1)[0][1] >= 4, "some customers write often"


def _content() -> list[tuple]:
    """The demo tickets without ids and numbers, in the order they were opened."""
    return [(t.subject, t.status, t.priority, t.channel, t.requester.name, t.department.name if t.department else "",
             tuple(t.messages.order_by("created_at", "id").values_list("kind", "body_text")))
            for t in Ticket.objects.order_by("number").select_related("requester", "department")]


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_tickets():
    call_command("demo", tickets=120, mode="bulk", batch_size=50, seed=9, verbosity=0)
    first = _content()
    Ticket.objects.all().delete()
    Contact.objects.all().delete()
    call_command("demo", tickets=120, mode="bulk", batch_size=50, seed=9, verbosity=0)
    assert _content() == first
    Ticket.objects.all().delete()
    call_command("demo", tickets=120, mode="bulk", batch_size=50, seed=10, verbosity=0)
    assert _content() != first


@on_postgresql
@pytest.mark.django_db
def test_every_bulk_ticket_is_searchable():
    call_command("demo", tickets=300, mode="bulk", batch_size=70, seed=6, verbosity=0)
    assert Ticket.objects.count() == 300
    assert not Ticket.objects.filter(search_vector__isnull=True).exists()
    # the longest word of every 50th message finds its ticket (the documents use the 'simple' configuration)
    for message in Message.objects.order_by("id")[::50]:
        word = max(re.findall(r"\w+", message.body_text), key=len)
        query = SearchQuery(word, config="simple")
        assert Ticket.objects.filter(pk=message.ticket_id, search_vector=query).exists(), word


@on_postgresql
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_parallel_writers_write_the_same_data_as_one():
    call_command("demo", tickets=500, mode="bulk", batch_size=60, seed=12, workers=2, verbosity=0)
    assert not Ticket.objects.filter(search_vector__isnull=True).exists()
    assert_tickets_consistent(Ticket.objects.order_by("?")[:60])
    parallel = _content()
    Ticket.objects.all().delete()
    Contact.objects.all().delete()
    call_command("demo", tickets=500, mode="bulk", batch_size=60, seed=12, workers=1, verbosity=0)
    assert _content() == parallel
