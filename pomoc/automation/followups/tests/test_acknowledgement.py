"""A new ticket is acknowledged once, with its number, as a real reply with its delivery state; never
to automatic mail (the e-mail channel's classification) and never for a ticket an agent opened."""

import pytest
from django.core import mail as outbox

from pomoc.automation.followups.acknowledgements import ticket_acknowledge
from pomoc.automation.followups.models import FollowUpDone, FollowUpKind
from pomoc.automation.followups.services import policy_save
from pomoc.channels.email.tests.helpers import EML, ingest, mail, make_inbox
from pomoc.testing.factories import ContactFactory, DepartmentFactory, UserFactory, make_ticket
from pomoc.tickets.models import DeliveryState, Message, MessageKind, Ticket
from pomoc.tickets.services import message_add

pytestmark = pytest.mark.django_db


def _replies(ticket):
    return list(Message.objects.filter(ticket=ticket, kind=MessageKind.REPLY))


def test_a_mail_from_a_person_is_acknowledged_once_with_its_number(django_capture_on_commit_callbacks):
    inbox = make_inbox()
    policy_save(inbox=inbox, values={"acknowledge": True})
    with django_capture_on_commit_callbacks(execute=True):
        _raw, result = ingest(inbox, mail(subject="Tiskárna", text="Nefunguje."))
    ticket = Ticket.objects.get(number=result.ticket_number)
    [ack] = _replies(ticket)
    assert f"#{ticket.number}" in ack.body_text and "Tiskárna" in ack.body_text
    assert ack.author_user_id is None and ack.delivery_state == DeliveryState.SENT
    sent = outbox.outbox[-1]
    assert f"[#{ticket.number}]" in sent.subject
    assert sent.extra_headers["Auto-Submitted"] == "auto-replied"  # RFC 3834: no robot answers it
    ticket.refresh_from_db()
    assert ticket.first_response_at is None  # an acknowledgement is no answer
    assert ticket_acknowledge(ticket.pk) is None  # once
    assert len(_replies(ticket)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        message_add(ticket=ticket, kind=MessageKind.REPLY, actor=UserFactory(), body_text="A person answers.")
    assert "Auto-Submitted" not in outbox.outbox[-1].extra_headers


@pytest.mark.parametrize("name", ["gmail_vacation.eml", "outlook_en.eml", "helpdesk_ack_precedence.eml"])
def test_automatic_mail_is_never_acknowledged(name, django_capture_on_commit_callbacks):
    inbox = make_inbox()
    policy_save(inbox=inbox, values={"acknowledge": True})
    with django_capture_on_commit_callbacks(execute=True):
        ingest(inbox, (EML / "autoreplies" / name).read_bytes())
    assert not Message.objects.filter(kind=MessageKind.REPLY).exists()
    assert outbox.outbox == []


def test_mail_that_the_channel_marks_automatic_is_not_answered_even_in_a_ticket():
    """Belt and braces: should an automatic mail ever open a ticket, its verdict still stops the answer."""
    inbox = make_inbox()
    policy_save(inbox=inbox, values={"acknowledge": True})
    _raw, result = ingest(inbox, mail(headers={"Auto-Submitted": "no"}))
    ticket = Ticket.objects.get(number=result.ticket_number)
    Message.objects.filter(ticket=ticket).update()  # unchanged message
    from pomoc.channels.email.models import RawMail
    RawMail.objects.filter(message__ticket=ticket).update(classification="mailing-list")
    FollowUpDone.objects.filter(ticket=ticket).delete()
    Message.objects.filter(ticket=ticket, kind=MessageKind.REPLY).delete()
    assert ticket_acknowledge(ticket.pk) is None


def test_department_policy_applies_and_agent_opened_tickets_are_not_acknowledged(django_capture_on_commit_callbacks):
    department = DepartmentFactory()
    policy_save(department=department, values={"acknowledge": True,
                                               "acknowledgement_text": "Got it, {{ customer.first_name }}: "
                                                                       "#{{ ticket.number }}"})
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(department=department, requester=ContactFactory(name="Mari Tamm"))
        agent_ticket = make_ticket(department=department, actor=UserFactory(), message_kind=MessageKind.NOTE)
        elsewhere = make_ticket()
    assert [m.body_text for m in _replies(ticket)] == [f"Got it, Mari: #{ticket.number}"]
    assert _replies(agent_ticket) == [] and _replies(elsewhere) == []
    assert FollowUpDone.objects.filter(kind=FollowUpKind.ACKNOWLEDGEMENT).count() == 1


def test_the_built_in_text_speaks_the_customers_language(django_capture_on_commit_callbacks):
    department = DepartmentFactory()
    policy_save(department=department, values={"acknowledge": True})
    contact = ContactFactory(name="Jana Nováková")
    contact.language = "cs"
    contact.save()
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(department=department, requester=contact)
    [ack] = _replies(ticket)
    assert ack.body_text.startswith("Dobrý den, Jana")


def test_the_acknowledgement_runs_after_the_rules_and_before_sla_timers():
    from pomoc.tickets import dispatch

    dispatch.register("test_rules", lambda events: None, order=dispatch.RULES)
    dispatch.register("test_sla", lambda events: None, order=dispatch.SLA_TIMERS)
    try:
        names = dispatch.subscribers()
        assert names.index("test_rules") < names.index("followups.acknowledge") < names.index("test_sla")
    finally:
        dispatch.unregister("test_rules")
        dispatch.unregister("test_sla")
