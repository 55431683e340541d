import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pomoc.accounts import presence
from pomoc.accounts.models import Presence, Role
from pomoc.core.models import OrganisationSettings
from pomoc.reports.dashboard import dashboard_for
from pomoc.surveys.models import Answer
from pomoc.testing.factories import DepartmentFactory, UserFactory, make_customer_user, make_ticket
from pomoc.tickets.models import Status, Ticket
from pomoc.tickets.services import ticket_update

pytestmark = pytest.mark.django_db


def test_the_figures_by_hand():
    now = timezone.now()
    start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    if now - start < dt.timedelta(hours=3):
        now = start + dt.timedelta(hours=3)  # room for "today" before now
    support = DepartmentFactory()
    agent, colleague = UserFactory(first_name="Ada", last_name="A"), UserFactory(first_name="Bo", last_name="B")
    support.members.add(agent, colleague)
    presence.presence_choose(agent, Presence.ONLINE)
    answered_fast = make_ticket(department=support, assignee=agent)
    answered_slow = make_ticket(department=support, assignee=agent)
    waiting = make_ticket(department=support)
    pending = make_ticket(department=support, assignee=colleague)
    ticket_update(ticket=pending, actor=agent, changes={"status": Status.PENDING})
    done = make_ticket(department=support, assignee=colleague)
    ticket_update(ticket=done, actor=agent, changes={"status": Status.RESOLVED})
    yesterday = make_ticket(department=support)
    at = now - dt.timedelta(hours=2)
    for ticket, reply in ((answered_fast, dt.timedelta(minutes=30)), (answered_slow, dt.timedelta(minutes=90))):
        Ticket.objects.filter(pk=ticket.pk).update(created_at=at, first_response_at=at + reply, status=Status.OPEN)
    Ticket.objects.filter(pk=waiting.pk).update(created_at=now - dt.timedelta(minutes=45))
    Ticket.objects.filter(pk__in=[pending.pk, done.pk]).update(created_at=at)
    Ticket.objects.filter(pk=done.pk).update(resolved_at=now - dt.timedelta(minutes=5))
    Ticket.objects.filter(pk=yesterday.pk).update(created_at=start - dt.timedelta(hours=5))
    for score in (5, 4, 2):
        Answer.objects.create(kind="csat", score=score, department=support, answered_at=now - dt.timedelta(hours=1))
    admin = UserFactory(role=Role.ADMINISTRATOR)

    board = dashboard_for(admin, now=now)
    assert board.queue == {"total": 5, "new": 2, "open": 2, "pending": 1, "unassigned": 2, "unanswered": 2}
    assert board.oldest_unanswered == dt.timedelta(hours=5) + (now - start)
    assert (board.created_today, board.resolved_today) == (5, 1)
    assert board.first_response_today.median == dt.timedelta(minutes=60)
    assert (board.within_target.numerator, board.within_target.denominator) == (1, 2)  # target 60 minutes
    assert round(board.surveys_today.csat_percent, 1) == 66.7 and board.csat_target == 90
    assert [(a.name, a.status, a.active) for a in board.agents][:2] == [("Ada A", "online", 2), ("Bo B", "offline", 1)]
    assert board.online == 1


def test_targets_come_from_the_organisation_settings():
    org = OrganisationSettings.get()
    org.first_response_target_minutes, org.csat_target_percent = 15, 80
    org.save()
    from django.core.cache import cache

    cache.clear()
    board = dashboard_for(UserFactory(role=Role.ADMINISTRATOR))
    assert (board.first_response_target, board.csat_target) == (dt.timedelta(minutes=15), 80)


def test_an_agent_sees_their_departments_only(client):
    mine, other = DepartmentFactory(), DepartmentFactory()
    agent, stranger = UserFactory(), UserFactory(username="stranger")
    mine.members.add(agent)
    other.members.add(stranger)
    make_ticket(department=mine)
    make_ticket(department=other)
    board = dashboard_for(agent)
    assert board.queue["total"] == 1 and [a.name for a in board.agents] == [agent.get_full_name()]


def test_the_page_its_live_part_and_its_cost(client):
    client.force_login(UserFactory(role=Role.ADMINISTRATOR))
    page = client.get(reverse("reports:dashboard"))
    assert page.status_code == 200 and b'data-live-inbox="1"' in page.content
    partial = client.get(reverse("reports:dashboard"), headers={"HX-Request": "true"})
    assert partial.content.decode().startswith('<div id="dashboard"')
    counts = []
    for count in (1, 12):
        for _ in range(count):
            department = DepartmentFactory()
            person = UserFactory()
            department.members.add(person)
            make_ticket(department=department, assignee=person)
        client.get(reverse("reports:dashboard"))
        with CaptureQueriesContext(connection) as captured:
            client.get(reverse("reports:dashboard"))
        counts.append(len(captured))
    assert counts[0] == counts[1]
    client.force_login(make_customer_user())
    assert client.get(reverse("reports:dashboard")).status_code == 404
