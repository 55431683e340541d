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

from pomoc.accounts.models import Role
from pomoc.reports import charts, schedules
from pomoc.reports.models import DeliveryStatus, Frequency, ReportDelivery, ReportSubscription
from pomoc.reports.rollup_read import Day
from pomoc.reports.selectors import report_for
from pomoc.testing.factories import DepartmentFactory, UserFactory, make_ticket
from pomoc.tickets.models import Channel, Ticket

pytestmark = pytest.mark.django_db
UTC = dt.UTC


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
