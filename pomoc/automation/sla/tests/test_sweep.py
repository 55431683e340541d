"""The sweep fires each warning and breach once: after downtime (dated at the due time), with the
policy's actions, notifying only in business hours unless the policy says otherwise."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from pomoc.accounts.models import Role
from pomoc.automation.sla.models import TicketSla
from pomoc.automation.sla.sweep import has_work, sla_sweep
from pomoc.automation.sla.tests.helpers import breaches, calendar, message_at, policy, ticket_at
from pomoc.automation.sla.timers import recompute
from pomoc.testing.factories import DepartmentFactory, UserFactory
from pomoc.tickets.models import Priority

pytestmark = pytest.mark.django_db
UTC = dt.UTC
PRAGUE = ZoneInfo("Europe/Prague")
T0 = dt.datetime(2026, 11, 2, 8, 0, tzinfo=UTC)  # Monday 09:00 in Prague
MINUTE = dt.timedelta(minutes=1)


def _sweep(at, capture):
    """A sweep whose after-commit mail goes out as after a real commit."""
    with capture(execute=True):
        return sla_sweep(at)


def _supervisor(department, name="boss"):
    user = UserFactory(username=name, role=Role.SUPERVISOR)
    user.departments.add(department)
    return user


def test_a_breach_is_recorded_once_with_its_actions(django_capture_on_commit_callbacks):
    support, escalations = DepartmentFactory(name="Support"), DepartmentFactory(name="Escalations")
    boss = _supervisor(support)
    policy(first_response_minutes=60, raise_priority=True, escalate_department=escalations, escalate_to=boss)
    ticket = ticket_at(T0, department=support)
    recompute([ticket.pk])
    assert sla_sweep(T0 + 59 * MINUTE) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert sla_sweep(T0 + 61 * MINUTE) == 1
    event = breaches(ticket).get()
    assert event.at == T0 + 60 * MINUTE  # the due time it missed
    assert event.data["target"] == "first_response" and event.data["policy_name"] == "Standard"
    ticket.refresh_from_db()
    assert ticket.priority == Priority.HIGH
    assert ticket.department == escalations and ticket.assignee == boss
    assert [[n.recipient.email] for n in _told()] == [[boss.email]]
    assert "SLA breached" in _told()[0].text and f"#{ticket.number}" in _told()[0].text
    # again, and again much later: nothing more
    assert sla_sweep(T0 + 62 * MINUTE) == 0
    assert sla_sweep(T0 + 30 * 24 * 60 * MINUTE) == 0
    assert breaches(ticket).count() == 1 and len(_told()) == 1


def test_after_downtime_everything_due_fires_once(django_capture_on_commit_callbacks):
    support = DepartmentFactory(name="Support")
    boss = _supervisor(support)
    agent = UserFactory(username="ann")
    policy(first_response_minutes=60, resolution_minutes=240, warn_minutes=30, notify_outside_hours=True)
    tickets = [ticket_at(T0 + n * MINUTE, department=support, assignee=agent if n % 2 else None) for n in range(5)]
    recompute([t.pk for t in tickets])
    later = T0 + 3 * 24 * 60 * MINUTE  # the workers were down for three days
    assert TicketSla.objects.filter(next_check_at__lte=later).count() == 5
    with django_capture_on_commit_callbacks(execute=True):
        assert sla_sweep(later, batch=2) == 10  # two breaches per ticket, in batches of two
    for n, ticket in enumerate(tickets):
        assert sorted((e.data["target"], e.at) for e in breaches(ticket)) == [
            ("first_response", T0 + (n + 60) * MINUTE), ("resolution", T0 + (n + 240) * MINUTE)]
    # each ticket: two warnings (to its assignee, or the supervisor) and two breaches (to the supervisor)
    assert len(_told()) == 20
    assert sum(n.recipient == agent for n in _told()) == 4
    assert sum(n.recipient == boss for n in _told()) == 16
    assert sla_sweep(later + MINUTE) == 0 and breaches().count() == 10 and not has_work()


def test_notifications_wait_for_business_hours(django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    support = DepartmentFactory(name="Support")
    boss = _supervisor(support)
    hours = calendar()  # Monday to Friday 9–17 in Prague
    policy(calendar=hours, first_response_minutes=60)
    friday = dt.datetime(2026, 11, 6, 16, 0, tzinfo=PRAGUE)
    ticket = ticket_at(friday, department=support)
    recompute([ticket.pk])
    due = dt.datetime(2026, 11, 6, 17, 0, tzinfo=PRAGUE)
    assert TicketSla.objects.get(ticket=ticket).first_response_due == due
    saturday = dt.datetime(2026, 11, 7, 10, 0, tzinfo=PRAGUE)
    assert _sweep(saturday, capture) == 1  # the breach is recorded (dated Friday 17:00) …
    assert breaches(ticket).get().at == due
    assert _told() == []  # … but nobody is mailed at the weekend
    sla = TicketSla.objects.get(ticket=ticket)
    monday = dt.datetime(2026, 11, 9, 9, 0, tzinfo=PRAGUE)
    assert sla.next_check_at == monday
    assert _sweep(dt.datetime(2026, 11, 8, 12, 0, tzinfo=PRAGUE), capture) == 0 and _told() == []
    _sweep(monday + MINUTE, capture)
    assert [[n.recipient.email] for n in _told()] == [[boss.email]]
    _sweep(monday + 2 * MINUTE, capture)
    assert len(_told()) == 1 and TicketSla.objects.get(ticket=ticket).next_check_at is None


def test_a_policy_may_notify_outside_business_hours(django_capture_on_commit_callbacks):
    support = DepartmentFactory(name="Support")
    boss = _supervisor(support)
    policy(calendar=calendar(), first_response_minutes=60, notify_outside_hours=True)
    ticket = ticket_at(dt.datetime(2026, 11, 6, 16, 0, tzinfo=PRAGUE), department=support)
    recompute([ticket.pk])
    _sweep(dt.datetime(2026, 11, 7, 10, 0, tzinfo=PRAGUE), django_capture_on_commit_callbacks)
    assert [[n.recipient.email] for n in _told()] == [[boss.email]]


def test_a_met_target_never_breaches():
    agent = UserFactory(username="ann")
    policy(first_response_minutes=60)
    ticket = ticket_at(T0)
    message_at(ticket, T0 + 30 * MINUTE, kind="reply", author=agent)
    recompute([ticket.pk])
    assert sla_sweep(T0 + 5 * 60 * MINUTE) == 0 and not breaches().exists()


def test_a_priority_raised_by_a_breach_does_not_breach_again(django_capture_on_commit_callbacks):
    policy(name="Normal", position=2, first_response_minutes=60, raise_priority=True)
    policy(name="High", position=1, priorities=[Priority.HIGH, Priority.URGENT], first_response_minutes=30)
    ticket = ticket_at(T0)
    recompute([ticket.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert sla_sweep(T0 + 2 * 60 * MINUTE) == 1
    sla = TicketSla.objects.get(ticket=ticket)
    assert sla.policy.name == "High"  # recomputed after the priority change
    assert sla_sweep(T0 + 3 * 60 * MINUTE) == 0


def _told():
    """The notifications made (the bell, and e-mail for those who chose it), oldest first."""
    from pomoc.notifications.models import Notification

    return list(Notification.objects.filter(kind__startswith="sla_").select_related("recipient").order_by("pk"))
