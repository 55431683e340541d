"""Due times kept on the ticket: the clock pauses while the ticket waits on the customer, counts only
business hours (weekends, public holidays, time zones, daylight-saving nights), and follows each
customer message that waits for an answer."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from pomoc.accounts.models import Role
from pomoc.automation.sla.models import TicketSla
from pomoc.automation.sla.tests.helpers import calendar, message_at, policy, status_at, ticket_at
from pomoc.automation.sla.timers import recompute
from pomoc.testing.factories import CompanyFactory, ContactFactory, DepartmentFactory, UserFactory
from pomoc.tickets.models import Priority, Status, Ticket

pytestmark = pytest.mark.django_db
UTC = dt.UTC
PRAGUE = ZoneInfo("Europe/Prague")
T0 = dt.datetime(2026, 11, 2, 8, 0, tzinfo=UTC)  # a Monday
HOUR = dt.timedelta(hours=1)


def _clocks(ticket, now=None) -> TicketSla:
    recompute([ticket.pk], now=now)
    return TicketSla.objects.get(ticket=ticket)


def test_due_times_round_the_clock_without_a_calendar():
    policy(first_response_minutes=60, resolution_minutes=8 * 60)
    ticket = ticket_at(T0)
    sla = _clocks(ticket)
    assert sla.first_response_due == T0 + HOUR
    assert sla.resolution_due == T0 + 8 * HOUR
    assert sla.next_response_due is None
    assert sla.due_at == T0 + HOUR
    assert not sla.paused


def test_the_clock_pauses_while_pending_and_resumes_where_it_stopped():
    policy(resolution_minutes=8 * 60)
    ticket = ticket_at(T0)
    status_at(ticket, Status.PENDING, T0 + 2 * HOUR)
    sla = _clocks(ticket)
    assert sla.paused and sla.resolution_due is None and sla.due_at is None
    assert sla.next_check_at is None  # nothing can fall due while it waits on the customer
    status_at(ticket, Status.OPEN, T0 + 5 * HOUR)
    sla = _clocks(ticket)
    assert not sla.paused
    assert sla.resolution_due == T0 + 11 * HOUR  # 2 hours used before, 6 left after the 3 paused


def test_a_customer_writing_to_a_pending_ticket_resumes_the_clock():
    agent = UserFactory(username="ann")
    policy(resolution_minutes=4 * 60)
    ticket = ticket_at(T0)
    status_at(ticket, Status.PENDING, T0 + HOUR, actor=agent)
    message_at(ticket, T0 + 10 * HOUR, kind="customer")  # reopens it: pending → open
    sla = _clocks(ticket)
    assert not sla.paused
    assert sla.resolution_due == T0 + 13 * HOUR


def test_resolved_time_does_not_count_after_a_reopen():
    policy(resolution_minutes=4 * 60)
    ticket = ticket_at(T0)
    status_at(ticket, Status.RESOLVED, T0 + HOUR)
    assert _clocks(ticket).resolution_due is None
    status_at(ticket, Status.OPEN, T0 + 24 * HOUR)
    assert _clocks(ticket).resolution_due == T0 + 27 * HOUR


def test_business_hours_skip_the_weekend():
    hours = calendar()
    policy(calendar=hours, first_response_minutes=120)
    friday_four_pm = dt.datetime(2026, 11, 6, 16, 0, tzinfo=PRAGUE)
    sla = _clocks(ticket_at(friday_four_pm))
    assert sla.first_response_due == dt.datetime(2026, 11, 9, 10, 0, tzinfo=PRAGUE)  # Monday 10:00


def test_business_hours_skip_public_holidays():
    hours = calendar(countries=["CZ"])
    policy(calendar=hours, first_response_minutes=120)
    # Wednesday 23 December, 16:00: the 24th, 25th and 26th are Czech holidays, then a weekend.
    sla = _clocks(ticket_at(dt.datetime(2026, 12, 23, 16, 0, tzinfo=PRAGUE)))
    assert sla.first_response_due == dt.datetime(2026, 12, 28, 10, 0, tzinfo=PRAGUE)


def test_business_hours_across_the_spring_daylight_saving_change():
    hours = calendar()
    policy(calendar=hours, first_response_minutes=180)
    # Friday 27 March 2026 16:00 CET (UTC+1); clocks go forward on Sunday the 29th.
    sla = _clocks(ticket_at(dt.datetime(2026, 3, 27, 16, 0, tzinfo=PRAGUE)))
    due = dt.datetime(2026, 3, 30, 11, 0, tzinfo=PRAGUE)  # Monday 11:00 CEST (UTC+2)
    assert sla.first_response_due == due
    assert due.astimezone(UTC).hour == 9


def test_business_hours_in_the_calendars_own_time_zone():
    hours = calendar(time_zone="America/New_York")
    policy(calendar=hours, first_response_minutes=60)
    # 20:00 in Prague is 14:00 in New York on a Wednesday: three hours left there today.
    sla = _clocks(ticket_at(dt.datetime(2026, 11, 4, 20, 0, tzinfo=PRAGUE)))
    assert sla.first_response_due == dt.datetime(2026, 11, 4, 15, 0, tzinfo=ZoneInfo("America/New_York"))


def test_a_pause_over_a_weekend_costs_nothing():
    hours = calendar()
    policy(calendar=hours, resolution_minutes=4 * 60)
    friday = dt.datetime(2026, 11, 6, 15, 0, tzinfo=PRAGUE)
    ticket = ticket_at(friday)
    status_at(ticket, Status.PENDING, friday + HOUR)  # 1 hour used
    status_at(ticket, Status.OPEN, dt.datetime(2026, 11, 9, 13, 0, tzinfo=PRAGUE))  # Monday 13:00
    assert _clocks(ticket).resolution_due == dt.datetime(2026, 11, 9, 16, 0, tzinfo=PRAGUE)


def test_the_first_response_stops_its_clock_and_each_customer_message_starts_the_next():
    agent = UserFactory(username="ann")
    policy(first_response_minutes=60, next_response_minutes=30)
    ticket = ticket_at(T0)
    message_at(ticket, T0 + 20 * dt.timedelta(minutes=1), kind="reply", author=agent)
    sla = _clocks(ticket)
    assert sla.first_response_due is None and sla.next_response_due is None
    message_at(ticket, T0 + 2 * HOUR, kind="customer")
    message_at(ticket, T0 + 3 * HOUR, kind="customer")  # still the first one waits longest
    sla = _clocks(ticket)
    assert sla.next_response_since == T0 + 2 * HOUR
    assert sla.next_response_due == T0 + 2 * HOUR + dt.timedelta(minutes=30)
    message_at(ticket, T0 + 4 * HOUR, kind="reply", author=agent)
    assert _clocks(ticket).next_response_due is None


def test_the_first_matching_policy_applies():
    vip = CompanyFactory(name="Big Customer")
    sales = DepartmentFactory(name="Sales")
    policy(name="VIP", position=1, companies=[vip], first_response_minutes=15)
    policy(name="Urgent sales", position=2, priorities=[Priority.URGENT], departments=[sales],
           first_response_minutes=30)
    policy(name="Chat", position=3, channels=["chat"], first_response_minutes=5)
    policy(name="Everything else", position=4, first_response_minutes=240)
    cases = [
        (dict(requester=ContactFactory(company=vip)), "VIP"),
        (dict(priority=Priority.URGENT, department=sales), "Urgent sales"),
        (dict(priority=Priority.URGENT), "Everything else"),
        (dict(channel="chat"), "Chat"),
        ({}, "Everything else"),
    ]
    for kwargs, expected in cases:
        assert _clocks(ticket_at(T0, **kwargs)).policy.name == expected


def test_no_policy_no_due_times():
    policy(priorities=[Priority.URGENT], first_response_minutes=15)
    ticket = ticket_at(T0)
    recompute([ticket.pk])
    assert not TicketSla.objects.filter(ticket=ticket).exists()  # nothing to keep for a ticket no policy covers


def test_a_ticket_that_leaves_its_policy_has_its_clock_stopped():
    policy(priorities=[Priority.URGENT], first_response_minutes=15)
    ticket = ticket_at(T0, priority=Priority.URGENT)
    assert _clocks(ticket).due_at is not None
    Ticket.objects.filter(pk=ticket.pk).update(priority=Priority.NORMAL)
    sla = _clocks(ticket)
    assert sla.policy is None and sla.due_at is None and sla.next_check_at is None


def test_without_any_policy_a_change_costs_two_queries_and_writes_nothing(django_assert_num_queries):
    ticket = ticket_at(T0)
    with django_assert_num_queries(2):  # the active policies (none), and whether any clock is left to stop
        recompute([ticket.pk])
    assert not TicketSla.objects.exists()


def test_warnings_come_before_the_breach():
    policy(first_response_minutes=60, warn_minutes=15)
    sla = _clocks(ticket_at(T0))
    assert sla.alarms == {"warn:first_response": (T0 + 45 * dt.timedelta(minutes=1)).isoformat(),
                          "breach:first_response": (T0 + HOUR).isoformat()}
    assert sla.next_check_at == T0 + 45 * dt.timedelta(minutes=1)


def test_the_dispatcher_keeps_the_clocks_after_every_change(django_capture_on_commit_callbacks):
    policy(first_response_minutes=60)
    UserFactory(username="boss", role=Role.SUPERVISOR)
    with django_capture_on_commit_callbacks(execute=True):
        ticket = ticket_at(T0)
    sla = TicketSla.objects.get(ticket=ticket)
    assert sla.first_response_due is not None  # set by the subscriber after the creation committed
    with django_capture_on_commit_callbacks(execute=True):
        status_at(ticket, Status.PENDING, T0 + HOUR)
    assert TicketSla.objects.get(ticket=ticket).paused
