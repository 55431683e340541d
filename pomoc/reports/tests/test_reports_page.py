import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pomoc.accounts.models import Role
from pomoc.calendars.services import calendar_create
from pomoc.testing.factories import DepartmentFactory, UserFactory, make_customer_user, make_ticket
from pomoc.tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def tickets():
    support, billing = DepartmentFactory(name="Support"), DepartmentFactory(name="Billing")
    now = timezone.now()
    for department, hours in ((support, 1), (support, 3), (billing, 5)):
        ticket = make_ticket(department=department)
        opened = now - dt.timedelta(days=2)
        Ticket.objects.filter(pk=ticket.pk).update(created_at=opened,
                                                   first_response_at=opened + dt.timedelta(hours=hours))
    return {"support": support, "billing": billing}


def test_an_agent_sees_the_figures_of_the_tickets_they_may_see(client, tickets):
    agent = UserFactory(role=Role.AGENT)
    tickets["support"].members.add(agent)
    client.force_login(agent)
    page = client.get(reverse("reports:overview"))
    assert page.status_code == 200
    report = page.context["report"]
    visible = Ticket.objects.filter(department=tickets["support"]).count()
    assert report.first_response.count in (visible, 3)  # department-less visibility is an organisation setting
    supervisor = UserFactory(role=Role.SUPERVISOR)
    client.force_login(supervisor)
    report = client.get(reverse("reports:overview"), {"period": "7"}).context["report"]
    assert report.first_response.count == 3 and report.first_response.median == dt.timedelta(hours=3)
    report = client.get(reverse("reports:overview"), {"period": "7", "department": tickets["billing"].pk}
                        ).context["report"]
    assert report.first_response.count == 1 and report.by_department == [("Billing", 1)]


def test_business_hours_csv_and_bad_filters(client, tickets):
    client.force_login(UserFactory(role=Role.ADMINISTRATOR))
    calendar = calendar_create(name="Always", time_zone="UTC", hours={str(d): ["00:00-24:00"] for d in range(7)})
    page = client.get(reverse("reports:overview"), {"period": "30", "calendar": calendar.pk})
    assert page.context["report"].business_hours and page.context["report"].first_response.count == 3
    response = client.get(reverse("reports:overview"), {"period": "30", "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1][:2] == ["First response time", "3"] and float(rows[1][3]) == 3.0
    for bad in ({"period": "custom", "start": "2026-05-01"}, {"period": "custom", "start": "2026-05-02",
                                                             "end": "2026-05-01"},
                {"period": "custom", "start": "2020-01-01", "end": "2026-01-01"}, {"period": "9999"},
                {"department": "x"}, {"start": "\x00"}):
        response = client.get(reverse("reports:overview"), bad)
        assert response.status_code == 400 and response.context["form"].errors


def test_customers_and_strangers_do_not_get_reports(client):
    assert client.get(reverse("reports:overview")).status_code == 302
    client.force_login(make_customer_user())
    assert client.get(reverse("reports:overview")).status_code == 404


def test_the_page_reads_in_a_fixed_number_of_queries(client):
    client.force_login(UserFactory(role=Role.ADMINISTRATOR))
    counts = []
    for count in (1, 15):
        for _ in range(count):
            make_ticket(department=DepartmentFactory())
        client.get(reverse("reports:overview"))  # caches (organisation settings, session) warm
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("reports:overview")).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_survey_figures_follow_the_filters_and_reach_the_csv(client, tickets):
    from pomoc.surveys.models import Answer

    support, billing = tickets["support"], tickets["billing"]
    for department, kind, score in ((support, "csat", 5), (support, "csat", 2), (billing, "csat", 4),
                                    (support, "ces", 6), (None, "nps", 10), (None, "nps", 3)):
        Answer.objects.create(kind=kind, score=score, department=department, channel="email")
    Answer.objects.create(kind="csat", score=1, answered_at=timezone.now() - dt.timedelta(days=60))  # before
    client.force_login(UserFactory(role=Role.ADMINISTRATOR))
    page = client.get(reverse("reports:overview"), {"period": "30"})
    figures = page.context["report"].surveys
    assert (figures.csat_answers, round(figures.csat_percent, 1), figures.ces_average, figures.nps) == (
        3, 66.7, 6.0, 0.0)
    assert "66.7 %" in page.content.decode()
    figures = client.get(reverse("reports:overview"), {"period": "30", "department": support.pk}
                         ).context["report"].surveys
    assert (figures.csat_answers, figures.csat_percent, figures.nps_answers) == (2, 50.0, 0)
    rows = list(csv.reader(io.StringIO(client.get(reverse("reports:overview"),
                                                  {"period": "30", "format": "csv"}).content.decode())))
    assert ["CSAT (percent satisfied)", "3", "66.67"] in rows and ["NPS", "2", "0.0"] in rows
    client.cookies["django_language"] = "cs"
    assert "66,7 %" in client.get(reverse("reports:overview"), {"period": "30"},
                                  headers={"accept-language": "cs"}).content.decode()


def test_more_filters_the_period_before_and_the_tickets_behind_a_figure(client, tickets):
    from pomoc.testing.factories import CompanyFactory, ContactFactory, TagFactory

    admin = UserFactory(role=Role.ADMINISTRATOR)
    client.force_login(admin)
    acme = CompanyFactory(name="Acme")
    urgent = TagFactory(name="urgent")
    agent = UserFactory(first_name="Ada")
    mine = make_ticket(requester=ContactFactory(company=acme), assignee=agent, priority=4, tags=["urgent"])
    earlier = make_ticket()
    Ticket.objects.filter(pk=earlier.pk).update(created_at=timezone.now() - dt.timedelta(days=40))
    report = client.get(reverse("reports:overview"), {"period": "30"}).context["report"]
    assert report.opened == 4 and report.previous.opened == 1
    for name, value in (("agent", agent.pk), ("priority", 4), ("tag", urgent.pk), ("company", acme.pk)):
        report = client.get(reverse("reports:overview"), {"period": "30", name: value}).context["report"]
        assert report.opened == 1, name
    page = client.get(reverse("reports:tickets"), {"period": "30", "metric": "opened", "company": acme.pk})
    assert page.status_code == 200 and page.context["total"] == 1
    assert f'href="/tickets/{mine.number}/"' in page.content.decode()
    answered = client.get(reverse("reports:tickets"), {"period": "30", "metric": "answered"}).context
    assert answered["total"] == 3
    for bad in ({"period": "30", "metric": "everything"}, {"period": "30", "metric": "opened", "agent": "x"}):
        assert client.get(reverse("reports:tickets"), bad).status_code == 400


def test_exports_keep_text_as_text_and_numbers_as_numbers(client):
    import zipfile

    DepartmentFactory(name="=HYPERLINK(\"http://evil.example\")")
    make_ticket(department=DepartmentFactory.create(name="-2+3"))
    hostile = make_ticket(department=None)
    from pomoc.accounts.models import Department

    Ticket.objects.filter(pk=hostile.pk).update(department=Department.objects.get(name__startswith="=HYPER"))
    client.force_login(UserFactory(role=Role.ADMINISTRATOR))
    rows = list(csv.reader(io.StringIO(client.get(reverse("reports:overview"),
                                                  {"period": "30", "format": "csv"}).content.decode())))
    names = [row[0] for row in rows if row]
    assert "'=HYPERLINK(\"http://evil.example\")" in names and "'-2+3" in names
    response = client.get(reverse("reports:overview"), {"period": "30", "format": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    with zipfile.ZipFile(io.BytesIO(response.content)) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
        strings = book.read("xl/sharedStrings.xml").decode()
    assert "<f>" not in sheet  # no formula anywhere
    assert "'=HYPERLINK" in strings and "'-2+3" in strings
    assert '<c r="B2"' in sheet and 't="s"' not in sheet.split('<c r="B2"')[1].split(">")[0]  # a count is a number


def test_handle_time_is_the_tracked_time_of_the_resolved_tickets(client):
    from pomoc.tickets.models import Status
    from pomoc.tickets.services import ticket_update
    from pomoc.timetracking.services import time_entry_add

    agent, colleague = UserFactory(), UserFactory()
    tickets = [make_ticket(assignee=agent) for _ in range(3)]
    time_entry_add(ticket=tickets[0], agent=agent, minutes=10)
    time_entry_add(ticket=tickets[0], agent=colleague, minutes=20)  # 30 minutes in all
    time_entry_add(ticket=tickets[1], agent=agent, minutes=90)
    time_entry_add(ticket=tickets[2], agent=agent, minutes=5)  # not resolved: not counted
    for ticket in tickets[:2]:
        ticket_update(ticket=ticket, actor=agent, changes={"status": Status.RESOLVED})
    make_ticket()  # resolved without tracked time would be left out; this one is open anyway
    client.force_login(UserFactory(role=Role.ADMINISTRATOR))
    report = client.get(reverse("reports:overview"), {"period": "7"}).context["report"]
    assert (report.handle_time.count, report.handle_time.mean, report.handle_time.median) == (
        2, dt.timedelta(minutes=60), dt.timedelta(minutes=60))
    rows = list(csv.reader(io.StringIO(client.get(reverse("reports:overview"),
                                                  {"period": "7", "format": "csv"}).content.decode())))
    assert ["Handle time (AHT)", "2", "1.0", "1.0", "1.5"] in rows
