import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pomoc.accounts.models import Role
from pomoc.reports import services
from pomoc.reports.models import Badge
from pomoc.reports.performance import agent_figures, progress_of
from pomoc.surveys.models import Answer
from pomoc.testing.factories import DepartmentFactory, UserFactory, make_ticket
from pomoc.tickets.models import Status, Ticket
from pomoc.tickets.services import message_add, ticket_update

pytestmark = pytest.mark.django_db


def _period():
    now = timezone.now()
    return now - dt.timedelta(days=7), now + dt.timedelta(minutes=1)


def test_figures_points_and_badges_by_hand():
    support = DepartmentFactory()
    ada, bo = UserFactory(first_name="Ada"), UserFactory(first_name="Bo")
    support.members.add(ada, bo)
    fast = make_ticket(department=support, assignee=ada)
    message_add(ticket=fast, kind="reply", actor=ada, body_text="Done.")
    ticket_update(ticket=fast, actor=ada, changes={"status": Status.RESOLVED})
    slow = make_ticket(department=support, assignee=ada)
    message_add(ticket=slow, kind="reply", actor=ada, body_text="Looking.")
    Ticket.objects.filter(pk=slow.pk).update(first_response_at=slow.created_at + dt.timedelta(hours=5))
    theirs = make_ticket(department=support, assignee=bo)
    ticket_update(ticket=theirs, actor=bo, changes={"status": Status.RESOLVED})  # no reply: not one-reply
    Answer.objects.create(kind="csat", score=5, agent=ada)
    Answer.objects.create(kind="csat", score=3, agent=ada)
    services.points_set({"resolved": 10, "fast_first_response": 1, "replies": 0, "top_ratings": 5,
                         "one_reply_resolutions": 2})
    services.badge_save(name="Closer", description="", achievement="resolved", threshold=1, active=True)
    services.badge_save(name="Speedy", description="", achievement="fast_first_response", threshold=3, active=True)
    start, end = _period()
    rows = {row.agent.first_name: row for row in agent_figures(UserFactory(role=Role.ADMINISTRATOR),
                                                                 start=start, end=end, department=support)}
    a, b = rows["Ada"], rows["Bo"]
    assert a.counts == {"resolved": 1, "one_reply_resolutions": 1, "replies": 2, "fast_first_response": 1,
                        "top_ratings": 1}
    assert (a.first_responses, a.ratings, a.csat_percent) == (2, 2, 50.0)
    assert a.points == 10 + 1 + 5 + 2 and [badge.name for badge in a.badges] == ["Closer"]
    assert (b.count("resolved"), b.count("one_reply_resolutions"), b.points) == (1, 0, 10)
    speedy = next(p for p in progress_of(a) if p.badge.name == "Speedy")
    assert (speedy.count, speedy.earned, speedy.tenths) == (1, False, 3)


def test_an_agent_sees_the_agents_of_their_departments_only(client):
    mine, other = DepartmentFactory(), DepartmentFactory()
    me, colleague, stranger = UserFactory(), UserFactory(), UserFactory()
    mine.members.add(me, colleague)
    other.members.add(stranger)
    start, end = _period()
    assert {row.agent for row in agent_figures(me, start=start, end=end)} == {me, colleague}
    client.force_login(me)
    page = client.get(reverse("reports:agents"))
    assert page.status_code == 200 and "Your progress" in page.content.decode()
    assert stranger.display_name not in page.content.decode()
    assert client.get(reverse("reports:agents"), {"period": "custom"}).status_code == 400


def test_the_page_costs_the_same_for_few_or_many_agents(client):
    client.force_login(UserFactory(role=Role.ADMINISTRATOR))
    Badge.objects.create(name="Closer", achievement="resolved", threshold=3)
    counts = []
    for count in (1, 10):
        for _ in range(count):
            agent = UserFactory()
            ticket = make_ticket(assignee=agent)
            ticket_update(ticket=ticket, actor=agent, changes={"status": Status.RESOLVED})
        client.get(reverse("reports:agents"))
        with CaptureQueriesContext(connection) as captured:
            client.get(reverse("reports:agents"))
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_administrators_set_points_and_badges(client):
    client.force_login(UserFactory(role=Role.ADMINISTRATOR))
    data = {"resolved": "4", "fast_first_response": "2", "replies": "0", "top_ratings": "6",
            "one_reply_resolutions": "1"}
    assert client.post(reverse("administration:rewards"), data).status_code == 302
    assert client.post(reverse("administration:rewards"), {**data, "resolved": "-1"}).status_code == 200
    response = client.post(reverse("administration:badge_create"),
                           {"name": "Loved", "achievement": "top_ratings", "threshold": "5", "active": "on"})
    assert response.status_code == 302
    duplicate = client.post(reverse("administration:badge_create"),
                            {"name": "loved", "achievement": "resolved", "threshold": "1"})
    assert duplicate.status_code == 200 and duplicate.context["form"].errors["name"]
    badge = Badge.objects.get(name="Loved")
    assert client.post(reverse("administration:badge_delete", args=[badge.pk])).status_code == 302
    assert not Badge.objects.exists()
    client.force_login(UserFactory(role=Role.SUPERVISOR))
    assert client.get(reverse("administration:rewards")).status_code == 200
    assert client.post(reverse("administration:rewards"), data).status_code == 403
