"""Reports e-mailed on a schedule (periods, one send per period, retries, each recipient's own
figures) and the SVG charts (geometry, accessible markup without inline styles)."""

import csv
import datetime as dt
import io
import re
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from pomoc.accounts.models import Role
from pomoc.automation.sla.tests.helpers import ticket_at
from pomoc.channels.models import Inbox
from pomoc.channels.web import services as web_services
from pomoc.channels.web.models import FormVisit
from pomoc.reports import charts, rollups, schedules
from pomoc.reports.models import DeliveryStatus, Frequency, ReportDelivery, ReportSubscription
from pomoc.reports.rollup_read import Day
from pomoc.reports.selectors import report_for
from pomoc.surveys import services as survey_services
from pomoc.surveys.models import SurveyKind
from pomoc.testing.factories import ContactFactory, DepartmentFactory, UserFactory, make_ticket
from pomoc.tickets.models import Channel, Status, Ticket
from pomoc.timetracking.models import TimeEntry

pytestmark = pytest.mark.django_db
UTC = dt.UTC
HOUR = dt.timedelta(hours=1)


@pytest.fixture(autouse=True)
def _utc(settings):
    settings.TIME_ZONE = "UTC"


def test_periods_and_next_sends():
    wednesday = dt.date(2026, 12, 9)
    assert schedules.last_period(Frequency.DAILY, wednesday) == (dt.date(2026, 12, 8), dt.date(2026, 12, 8))
    assert schedules.last_period(Frequency.WEEKLY, wednesday) == (dt.date(2026, 11, 30), dt.date(2026, 12, 6))
    assert schedules.last_period(Frequency.MONTHLY, dt.date(2026, 3, 1)) == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    at = dt.datetime(2026, 12, 9, 7, 0, tzinfo=UTC)
    assert schedules.next_send(Frequency.DAILY, at) == dt.datetime(2026, 12, 10, 6, 0, tzinfo=UTC)
    assert schedules.next_send(Frequency.WEEKLY, at) == dt.datetime(2026, 12, 14, 6, 0, tzinfo=UTC)
    assert schedules.next_send(Frequency.MONTHLY, at) == dt.datetime(2027, 1, 1, 6, 0, tzinfo=UTC)


@pytest.fixture
def subscription():
    support, sales = DepartmentFactory(name="Support"), DepartmentFactory(name="Sales")
    manager = UserFactory(role=Role.SUPERVISOR, email="boss@example.org")
    agent = UserFactory(role=Role.AGENT, email="agent@example.org")
    agent.departments.add(support)
    monday = dt.datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    for department, hours in ((support, 1), (support, 3), (sales, 5)):
        ticket = make_ticket(department=department)
        Ticket.objects.filter(pk=ticket.pk).update(created_at=monday,
                                                   first_response_at=monday + dt.timedelta(hours=hours))
    make_ticket(channel=Channel.CHAT)  # today: outside last week
    item = schedules.subscription_create(owner=manager, name="=Weekly", frequency=Frequency.WEEKLY, language="cs",
                                         filters={"channel": Channel.EMAIL, "department": None},
                                         recipients=[manager, agent])
    ReportSubscription.objects.filter(pk=item.pk).update(next_send_at=dt.datetime(2026, 12, 7, 6, 0, tzinfo=UTC))
    return item


def test_a_due_report_is_sent_once_to_each_recipient_with_their_own_figures(subscription):
    now = dt.datetime(2026, 12, 7, 6, 5, tzinfo=UTC)
    assert schedules.has_work() or True
    assert schedules.send_due(now) == 1
    assert len(mail.outbox) == 2
    by_address = {message.to[0]: message for message in mail.outbox}
    boss, agent = by_address["boss@example.org"], by_address["agent@example.org"]
    assert boss.subject.startswith("=Weekly: ") and "30.11.2026 – 06.12.2026" in boss.subject  # Czech dates
    html = boss.alternatives[0][0]
    assert "Otevřené tikety" in html or "Tickets opened" in html
    names = [name for name, _content, _type in boss.attachments]
    assert names == ["pomoc-report-2026-11-30-2026-12-06.csv", "pomoc-report-2026-11-30-2026-12-06.xlsx"]
    def first_rows(message):
        content = message.attachments[0][1]
        return list(csv.reader(io.StringIO(content if isinstance(content, str) else content.decode())))

    frt = {"boss": first_rows(boss)[1], "agent": first_rows(agent)[1]}
    assert frt["boss"][1] == "3"  # all three tickets for the supervisor
    assert frt["agent"][1] == "2"  # the support tickets only: what the agent may see
    assert frt["boss"][2] == "3.0"  # mean of 1, 3 and 5 hours
    delivery = ReportDelivery.objects.get()
    assert (delivery.status, delivery.recipients, delivery.first_day) == (DeliveryStatus.SENT, 2, dt.date(2026, 11, 30))
    subscription.refresh_from_db()
    assert subscription.next_send_at == dt.datetime(2026, 12, 14, 6, 0, tzinfo=UTC)
    # run again the same morning: nothing due, nothing sent twice
    assert schedules.send_due(now + dt.timedelta(minutes=5)) == 0
    assert len(mail.outbox) == 2


@pytest.fixture
def figures():
    """Last week (30 November to 6 December) with every figure of the page: tickets, a resolved one
    with tracked time, CSAT by e-mail and by chat, CES, NPS, two contact-form visits (one deflected)
    and a customer of the week before who did not come back (churn); an agent of another department."""
    support, sales = DepartmentFactory(name="Support"), DepartmentFactory(name="Sales")
    monday = dt.datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    stays, leaves = ContactFactory(email="stays@example.org"), ContactFactory(email="leaves@example.org")
    for requester, at in ((stays, monday - dt.timedelta(days=5)), (leaves, monday - dt.timedelta(days=4)),
                          (stays, monday)):
        ticket_at(at, requester=requester, department=support)
    resolved = ticket_at(monday + dt.timedelta(hours=1), department=support)
    Ticket.objects.filter(pk=resolved.pk).update(status=Status.RESOLVED, first_response_at=monday + 2 * HOUR,
                                                 resolved_at=monday + 5 * HOUR)
    TimeEntry.objects.create(ticket=resolved, agent=UserFactory(role=Role.AGENT), seconds=45 * 60, source="manual")
    for kind in SurveyKind.values:
        survey_services.survey_update(kind=kind, enabled=True, questions={}, min_interval_days=0, valid_days=14,
                                      low_score=None)
    answers = [(SurveyKind.CSAT, Channel.EMAIL, 5), (SurveyKind.CSAT, Channel.EMAIL, 4),
               (SurveyKind.CSAT, Channel.EMAIL, 2), (SurveyKind.CSAT, Channel.CHAT, 5),
               (SurveyKind.CES, Channel.EMAIL, 4), (SurveyKind.CES, Channel.EMAIL, 5),
               (SurveyKind.NPS, Channel.EMAIL, 10), (SurveyKind.NPS, Channel.EMAIL, 9),
               (SurveyKind.NPS, Channel.EMAIL, 3)]
    for index, (kind, channel, score) in enumerate(answers):
        # tickets of a month before: their customers are active in neither week (churn)
        ticket = ticket_at(monday - dt.timedelta(days=30), requester=ContactFactory(email=f"asked{index}@example.org"),
                           channel=channel, department=support)
        at = monday + dt.timedelta(days=1, minutes=index)
        invitation = survey_services.invite(kind, contact=ticket.requester, ticket=ticket, now=at)
        survey_services.answer_record(invitation, score, now=at)
    form = Inbox.objects.create(name="Support form", kind="web", department=support)
    for key in ("visit-deflected-1", "visit-sent-form-1"):
        web_services.visit_article_opened(inbox=form, visit_key=key, article_url="/kb/printer/")
    web_services.form_submit(inbox=form, submission=web_services.Submission(
        email="eva@example.cz", name="Eva", subject="Still stuck", text="The article did not help.",
        form_id="f" * 32, visit_key="visit-sent-form-1"))
    FormVisit.objects.update(opened_at=monday + dt.timedelta(days=2))
    rollups.rebuild()
    manager = UserFactory(role=Role.SUPERVISOR, email="boss@example.org")
    agent = UserFactory(role=Role.AGENT, email="sales@example.org")
    agent.departments.add(sales)
    item = schedules.subscription_create(owner=manager, name="Týden & podpora", frequency=Frequency.WEEKLY,
                                         language="cs", filters={}, recipients=[manager, agent])
    ReportSubscription.objects.filter(pk=item.pk).update(next_send_at=dt.datetime(2026, 12, 7, 6, 0, tzinfo=UTC))
    return item


def test_the_email_carries_the_pages_key_figures_in_the_readers_language(figures):
    assert schedules.send_due(dt.datetime(2026, 12, 7, 6, 5, tzinfo=UTC)) == 1
    by_address = {message.to[0]: message for message in mail.outbox}
    boss, agent = by_address["boss@example.org"], by_address["sales@example.org"]
    assert boss.subject == "Týden & podpora: přehled 30.11.2026 – 06.12.2026"  # no HTML escaping in a subject
    text, html = boss.body, boss.alternatives[0][0]
    assert text.startswith("Týden & podpora: ")
    with translation.override("cs"):
        expected = [(figure.label, figure.value) for figure in schedules.email_figures(
            report_for(UserFactory(role=Role.ADMINISTRATOR), start=dt.datetime(2026, 11, 30, tzinfo=UTC),
                       end=dt.datetime(2026, 12, 7, tzinfo=UTC)))]
    for label, value in expected:  # every figure in both parts, each beside its label
        assert f"{label}: {value}" in text, label
        assert label in html and f"<strong>{value}</strong>" in html, label
    figures_ = dict(expected)
    # Czech labels, Czech numbers: 3 satisfied of 4 CSAT answers, CES 4.5, NPS (2 − 1) of 3, half of the
    # customers active the week before came back, one of the two visits that opened an article
    # sent no form, the backlog of the Monday tickets
    assert figures_["Spokojenost zákazníků (CSAT)"] == "75,0 %"
    assert figures_["Úsilí zákazníků (CES)"] == "4,5"
    assert figures_["Net promoter score (NPS)"] == "33"
    assert figures_["Odchod zákazníků"] == "50,0 %"
    assert figures_["Odvrácené dotazy"] == "50,0 %"
    assert figures_["Doba zpracování (AHT)"] == "45 minut"
    assert figures_["Nevyřízené nyní"] == str(Ticket.objects.exclude(status=Status.RESOLVED).count())
    assert "Odchod zákazníků: 50,0 % (předchozí období: " in text
    assert "\n  1 z 2 zákazníků aktivních v předchozím období nebylo v tomto období aktivních\n" in text
    assert "\n  spokojených (4 nebo 5 z 5), 4 odpovědi\n" in text
    # CSAT by channel: e-mail 2 of 3 satisfied, live chat 1 of 1
    assert "CSAT podle kanálu" in text and "E-mail: 66,7 % (Odpovědi 3 · Spokojení 2)" in text
    assert "Živý chat: 100,0 % (Odpovědi 1 · Spokojení 1)" in text
    assert ('<td>E-mail</td><td align="right">3</td><td align="right">2</td>'
            '<td align="right"><strong>66,7 %</strong>') in html
    assert "Týden &amp; podpora" in html and "Týden & podpora" not in html and '<html lang="cs">' in html
    # the agent of another department: their own figures, no churn (about every customer)
    assert "Otevřené tikety: 0 (předchozí období: 0)" in agent.body
    assert "Spokojenost zákazníků (CSAT): — " in agent.body and "CSAT podle kanálu" in agent.body
    assert "Odchod zákazníků" not in agent.body


def test_email_numbers_follow_the_readers_locale():
    with translation.override("cs"):
        assert schedules._count(1234567) == "1\xa0234\xa0567"
    with translation.override("en"):
        assert schedules._count(1234567) == "1,234,567"


def test_a_failed_send_is_logged_and_tried_again_later(subscription):
    now = dt.datetime(2026, 12, 7, 6, 5, tzinfo=UTC)
    with mock.patch("django.core.mail.EmailMultiAlternatives.send", side_effect=OSError("connection refused")):
        assert schedules.send_due(now) == 0
    delivery = ReportDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 1
    assert "connection refused" in delivery.error and delivery.retry_at == now + schedules.RETRY_AFTER
    assert schedules.send_due(now + dt.timedelta(minutes=5)) == 0  # not yet
    assert schedules.send_due(now + dt.timedelta(minutes=20)) == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 2 and len(mail.outbox) == 2


def test_only_managers_schedule_and_only_agents_receive(client, subscription):
    agent = UserFactory(role=Role.AGENT)
    with pytest.raises(schedules.ValidationError):
        schedules.subscription_create(owner=agent, name="x", frequency=Frequency.DAILY, language="en", filters={},
                                      recipients=[agent])
    client.force_login(agent)
    assert client.post(reverse("reports:schedule_create"), {"name": "x"}).status_code == 404
    assert client.post(reverse("reports:schedule_delete", args=[subscription.pk])).status_code == 404
    assert "schedules-heading" not in client.get(reverse("reports:overview")).content.decode()


def test_the_schedule_form_keeps_the_filters_shown(client):
    manager = UserFactory(role=Role.ADMINISTRATOR)
    support = DepartmentFactory(name="Support")
    client.force_login(manager)
    page = client.get(reverse("reports:overview"), {"period": "7", "department": support.pk})
    assert f'name="department" value="{support.pk}"' in page.content.decode()
    response = client.post(reverse("reports:schedule_create"), {
        "name": "Support weekly", "frequency": "weekly", "language": "pl", "recipients": [manager.pk],
        "department": support.pk, "channel": "email"})
    assert response.status_code == 302
    item = ReportSubscription.objects.get()
    assert item.filters == {"department": support.pk, "channel": "email"} and item.language == "pl"
    bad = client.post(reverse("reports:schedule_create"), {"name": "No one", "frequency": "weekly",
                                                          "language": "pl", "department": "nonsense"})
    assert bad.status_code == 400
    assert client.post(reverse("reports:schedule_delete", args=[item.pk])).status_code == 302
    assert not ReportSubscription.objects.exists()


# --- charts ---------------------------------------------------------------------------------------------
def test_chart_geometry_from_hand_computed_figures():
    days = [dt.date(2026, 12, 1) + dt.timedelta(days=i) for i in range(4)]
    chart = charts.stacked_chart("c", "T", "D", "tickets", days, [("E-mail", [2, 0, 4, 1]), ("Chat", [2, 0, 1, 0])])
    assert [t[1] for t in chart.ticks] == ["0", "1.25", "2.5", "3.75", "5"]  # the top is 5 (4 + 1)
    plot_h = chart.plot_bottom - charts.TOP
    day3 = [bar for bar in chart.bars if bar.label.startswith("2026-12-03")]
    assert [round(bar.height, 1) for bar in day3] == [round(plot_h * 4 / 5, 1), round(plot_h / 5, 1)]
    assert len(chart.bars) == 5  # nothing drawn for zero
    line = charts.line_chart("l", "T", "D", "h", days, [("FRT", [1.0, None, 3.0, 2.0])])
    assert len(line.lines) == 1 and len(line.lines[0][1].split()) == 3  # the day without answers is left out
    assert chart.rows[2] == (days[2], [4, 1])


def test_the_report_page_shows_the_charts_and_sla_as_accessible_svg(client):
    manager = UserFactory(role=Role.ADMINISTRATOR)
    answered = make_ticket()
    Ticket.objects.filter(pk=answered.pk).update(first_response_at=answered.created_at + dt.timedelta(minutes=5))
    make_ticket(channel=Channel.CHAT)
    client.force_login(manager)
    html = client.get(reverse("reports:overview"), {"period": "7"}).content.decode()
    for key in ("volume", "frt", "channels"):
        assert f'aria-labelledby="chart-{key}-title chart-{key}-desc"' in html
    assert html.count('role="img"') == 3 and "<desc" in html and "<table" in html
    assert not re.search(r"<(svg|rect|polyline|circle|g|line|text)[^>]* style=", html)  # CSP: no inline style
    assert 'id="sla-heading"' in html
    report = report_for(manager, start=dt.datetime(2026, 1, 1, tzinfo=UTC), end=dt.datetime(2026, 1, 2, tzinfo=UTC))
    assert report.daily == {} and charts.report_charts(report)[0].empty


def test_daily_series_by_channel_are_counted():
    days = {dt.date(2026, 12, 1): Day(opened=3, answered=2, frt_seconds=3 * 3600, channels={"email": 2, "chat": 1})}
    report = mock.Mock(daily=days, deflection=None, period=mock.Mock(start=dt.datetime(2026, 12, 1, tzinfo=UTC),
                                                     end=dt.datetime(2026, 12, 3, tzinfo=UTC)))
    volume, frt, by_channel = charts.report_charts(report)
    assert volume.series[0][2] == [3.0, 0.0]
    assert frt.series[0][2] == [1.5, None]  # 3 hours over 2 answers
    assert [(name, values) for name, _css, values in by_channel.series] == [
        (str(dict(Channel.choices)["chat"]), [1.0, 0.0]), (str(dict(Channel.choices)["email"]), [2.0, 0.0])]
