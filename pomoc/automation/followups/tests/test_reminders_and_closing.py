"""Time moves (the job runs with the clock of a later day): a pending ticket gets one reminder after
N days and is closed after M days, each once, also when the job runs late after a downtime; a
resolved ticket gets one rating request with the survey hook's link. The job is scheduled on
``pomoc serve``'s scheduler only while a policy needs it."""

import datetime as dt

import pytest
from django.utils import timezone

from pomoc.automation.followups import texts
from pomoc.automation.followups.jobs import follow_ups_run
from pomoc.automation.followups.models import FollowUpDone, FollowUpKind
from pomoc.automation.followups.services import policy_save
from pomoc.core import scheduler
from pomoc.testing.factories import DepartmentFactory, UserFactory, make_ticket
from pomoc.tickets import services
from pomoc.tickets.models import Message, MessageKind, Status, Ticket

pytestmark = pytest.mark.django_db



def days(n, **more):
    """A moment ``n`` days from now: the job's clock."""
    return timezone.now() + dt.timedelta(days=n, **more)


def _pending_ticket(department, agent):
    ticket = make_ticket(department=department)
    services.message_add(ticket=ticket, kind=MessageKind.REPLY, actor=agent, body_text="Which model is it?")
    services.ticket_update(ticket=ticket, actor=agent, changes={"status": Status.PENDING})
    return ticket


def _automatic_replies(ticket):
    return list(Message.objects.filter(ticket=ticket, kind=MessageKind.REPLY, author_user=None))


def test_one_reminder_then_closing(django_capture_on_commit_callbacks):
    department, agent = DepartmentFactory(), UserFactory()
    policy_save(department=department, values={"remind_after_days": 3, "close_after_days": 7})
    ticket = _pending_ticket(department, agent)
    assert follow_ups_run(days(2, hours=23))["reminder"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert follow_ups_run(days(3, minutes=1))["reminder"] == 1
    assert follow_ups_run(days(3, minutes=2))["reminder"] == 0  # once
    [reminder] = _automatic_replies(ticket)
    assert f"#{ticket.number}" in reminder.body_text and reminder.delivery_state == "sent"
    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING  # a reminder keeps it waiting for the customer
    assert follow_ups_run(days(7, minutes=1)) == {"reminder": 0, "auto_close": 1, "rating_request": 0}
    assert follow_ups_run(days(7, minutes=2))["auto_close"] == 0
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    assert len(_automatic_replies(ticket)) == 1
    assert Message.objects.filter(ticket=ticket, kind=MessageKind.SYSTEM, body_text__contains="7").exists()


def test_after_a_downtime_an_overdue_ticket_is_closed_once_without_a_late_reminder():
    department, agent = DepartmentFactory(), UserFactory()
    policy_save(department=department, values={"remind_after_days": 3, "close_after_days": 7})
    ticket = _pending_ticket(department, agent)
    assert follow_ups_run(days(30)) == {"reminder": 0, "auto_close": 1, "rating_request": 0}
    assert follow_ups_run(days(30, minutes=5))["auto_close"] == 0
    assert _automatic_replies(ticket) == []
    assert Ticket.objects.get(pk=ticket.pk).status == Status.CLOSED


def test_a_customer_answer_stops_the_clock_and_a_new_pending_period_reminds_again():
    department, agent = DepartmentFactory(), UserFactory()
    policy_save(department=department, values={"remind_after_days": 2})
    ticket = _pending_ticket(department, agent)
    assert follow_ups_run(days(3))["reminder"] == 1
    services.message_add(ticket=Ticket.objects.get(pk=ticket.pk), kind=MessageKind.CUSTOMER, body_text="Model X")
    assert follow_ups_run(days(5))["reminder"] == 0  # open again: not waiting for the customer
    services.ticket_update(ticket=Ticket.objects.get(pk=ticket.pk), actor=agent, changes={"status": Status.PENDING})
    assert follow_ups_run(days(1))["reminder"] == 0  # the new pending period has not lasted 2 days
    assert follow_ups_run(days(2, hours=1))["reminder"] == 1
    assert follow_ups_run(days(2, hours=2))["reminder"] == 0
    assert FollowUpDone.objects.filter(ticket=ticket, kind=FollowUpKind.REMINDER).count() == 2


def test_a_rating_request_after_resolution_carries_the_survey_hooks_link(monkeypatch):
    department, agent = DepartmentFactory(), UserFactory()
    policy_save(department=department, values={"request_rating": True})
    monkeypatch.setattr(texts, "_rating_link", texts._rating_link)
    texts.set_rating_link(lambda ticket: f"https://survey.example/r/{ticket.number}")
    ticket = make_ticket(department=department)
    assert follow_ups_run(days(0, minutes=5))["rating_request"] == 0  # not resolved yet
    services.ticket_update(ticket=ticket, actor=agent, changes={"status": Status.RESOLVED})
    assert follow_ups_run(days(0, minutes=5))["rating_request"] == 1
    assert follow_ups_run(days(0, minutes=10))["rating_request"] == 0
    assert follow_ups_run(days(4))["rating_request"] == 0
    [request] = _automatic_replies(ticket)
    assert f"https://survey.example/r/{ticket.number}" in request.body_text
    # reopened and resolved again: a new resolution, a new request
    services.message_add(ticket=Ticket.objects.get(pk=ticket.pk), kind=MessageKind.CUSTOMER, body_text="Again")
    services.ticket_update(ticket=Ticket.objects.get(pk=ticket.pk), actor=agent, changes={"status": Status.RESOLVED})
    assert follow_ups_run(days(0, minutes=5))["rating_request"] == 1
    assert len(_automatic_replies(ticket)) == 2


def test_a_ticket_closed_for_waiting_gets_no_rating_request():
    department, agent = DepartmentFactory(), UserFactory()
    policy_save(department=department, values={"close_after_days": 2, "request_rating": True})
    ticket = _pending_ticket(department, agent)
    assert follow_ups_run(days(2, minutes=1))["auto_close"] == 1
    assert follow_ups_run(days(2, minutes=2))["rating_request"] == 0
    assert _automatic_replies(ticket) == []


def test_the_rating_link_is_the_tickets_signed_survey_link(settings):
    settings.POMOC_BASE_URL = "https://help.example"
    ticket = make_ticket()
    assert texts.rating_link(ticket).startswith("https://help.example/survey/")


def test_the_job_is_scheduled_only_while_a_policy_needs_it():
    job = next(j for j in scheduler.schedule() if j.name == "followups.run")
    assert job.task == "pomoc.automation.followups.tasks.run_follow_ups"
    assert job.has_work() is False
    department = DepartmentFactory()
    policy_save(department=department, values={"acknowledge": True})
    assert job.has_work() is False  # acknowledgements need no periodic job
    policy_save(department=department, values={"remind_after_days": 2})
    assert job.has_work() is True


def test_the_scheduler_enqueues_the_job_once_per_interval():
    policy_save(department=DepartmentFactory(), values={"close_after_days": 2})
    now = timezone.now()
    assert "followups.run" in scheduler.run_due(now)
    assert "followups.run" not in scheduler.run_due(now + dt.timedelta(seconds=30))


def test_an_inbox_policy_reaches_the_tickets_of_mail_that_came_through_it_and_wins_over_the_department():
    from pomoc.channels.email.tests.helpers import ingest, mail, make_inbox

    department, agent = DepartmentFactory(), UserFactory()
    inbox = make_inbox(department=department)
    policy_save(inbox=inbox, values={"remind_after_days": 2, "request_rating": True})
    policy_save(department=department, values={"close_after_days": 1})  # not for this inbox's tickets
    _raw, result = ingest(inbox, mail(subject="Printer", text="It jams."))
    ticket = Ticket.objects.get(number=result.ticket_number)
    services.message_add(ticket=ticket, kind=MessageKind.REPLY, actor=agent, body_text="Which model?")
    services.ticket_update(ticket=Ticket.objects.get(pk=ticket.pk), actor=agent, changes={"status": Status.PENDING})
    assert follow_ups_run(days(2, minutes=1)) == {"reminder": 1, "auto_close": 0, "rating_request": 0}
    services.ticket_update(ticket=Ticket.objects.get(pk=ticket.pk), actor=agent, changes={"status": Status.RESOLVED})
    assert follow_ups_run(days(0, minutes=5))["rating_request"] == 1
    assert len(_automatic_replies(ticket)) == 2
