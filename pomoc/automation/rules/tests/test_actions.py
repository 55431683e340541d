"""Each action a rule can take, run by the engine on a new ticket."""

import pytest
from django.core.exceptions import ValidationError

from pomoc.accounts.models import Role
from pomoc.automation.rules import actions
from pomoc.testing.factories import ContactFactory, DepartmentFactory, UserFactory, make_ticket
from pomoc.tickets.models import DeliveryState, EventType, MessageKind, Priority, Status, Ticket

from .helpers import make_rule, tags

pytestmark = pytest.mark.django_db(transaction=True)


def fresh(ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


def test_assign_to_a_department():
    DepartmentFactory(name="Billing")
    make_rule(actions=[{"type": "assign_department", "value": "Billing"}])
    assert fresh(make_ticket()).department.name == "Billing"


def test_assign_to_an_agent_opens_the_ticket():
    agent = UserFactory(username="eva")
    make_rule(actions=[{"type": "assign_agent", "value": "EVA"}])
    ticket = fresh(make_ticket())
    assert ticket.assignee == agent and ticket.status == Status.OPEN


def test_set_status_priority_and_a_custom_field():
    from pomoc.tickets.models import CustomFieldDefinition

    CustomFieldDefinition.objects.create(key="plan", label="Plan", type="text")
    make_rule(actions=[{"type": "set_status", "value": "Pending"}, {"type": "set_priority", "value": "urgent"},
                       {"type": "set_field", "value": "plan=pro"}])
    ticket = fresh(make_ticket())
    assert (ticket.status, ticket.priority, ticket.custom_fields) == (Status.PENDING, Priority.URGENT, {"plan": "pro"})


def test_add_and_remove_tags():
    make_rule(actions=[{"type": "add_tag", "value": "Billing"}, {"type": "remove_tag", "value": "new"}])
    assert tags(make_ticket(tags=["new", "keep"])) == {"billing", "keep"}


def test_reply_with_placeholders_is_sent_but_is_no_first_response():
    make_rule(author=UserFactory(username="boss", role=Role.ADMINISTRATOR, first_name="Eva", last_name="Boss"),
              actions=[{"type": "reply",
                        "value": "Hello {{ customer.first_name }}, we got ticket {{ ticket.number }}."}])
    ticket = make_ticket(requester=ContactFactory(name="Jana Nováková"))
    reply = ticket.messages.get(kind=MessageKind.REPLY)
    assert reply.body_text == f"Hello Jana, we got ticket {ticket.number}."
    assert reply.delivery_state in (DeliveryState.QUEUED, DeliveryState.SENT)
    ticket = fresh(ticket)
    assert ticket.first_response_at is None and ticket.status == Status.NEW  # metrics count people only


def test_an_internal_note_by_pomoc():
    make_rule(actions=[{"type": "note", "value": "VIP customer: {{ customer.name }}"}])
    ticket = make_ticket(requester=ContactFactory(name="Jana"))
    note = ticket.messages.get(kind=MessageKind.SYSTEM)
    assert note.body_text == "VIP customer: Jana"


def test_notify_agents():
    from pomoc.notifications.models import Notification

    billing = DepartmentFactory(name="Billing")
    member = UserFactory(username="member", email="member@example.com")
    billing.members.add(member)
    UserFactory(username="boss", email="boss@example.com", role=Role.SUPERVISOR)
    outsider = UserFactory(username="outsider")  # an agent of no department: cannot see the ticket
    make_rule(name="Escalate", actions=[{"type": "notify", "value": "department, boss, outsider"}])
    ticket = make_ticket(department=billing, subject="Down")
    told = Notification.objects.filter(kind="rule", ticket=ticket)
    assert sorted(n.recipient.username for n in told) == ["boss", "member"]
    assert all("Escalate" in n.text for n in told) and outsider.notifications.count() == 0


def test_mark_as_spam():
    make_rule(conditions=[{"field": "subject", "op": "contains", "value": "casino"}],
              actions=[{"type": "mark_spam", "value": ""}])
    ticket = fresh(make_ticket(subject="Best casino bonus"))
    assert ticket.status == Status.CLOSED and tags(ticket) == {"spam"}


def test_call_a_webhook_is_queued_as_a_delivery():
    from pomoc.automation.rules.models import WebhookDelivery

    rule = make_rule(actions=[{"type": "webhook", "value": "https://hooks.invalid/pomoc"}])
    ticket = make_ticket()
    delivery = WebhookDelivery.objects.get()
    assert delivery.rule == rule and delivery.ticket_id == ticket.pk and delivery.url == "https://hooks.invalid/pomoc"
    assert f'"number": {ticket.number}' in delivery.body
    assert fresh(ticket).events.get(type=EventType.RULE_FIRED).data["actions"] == ["webhook"]


@pytest.mark.parametrize(("action", "message"), [
    ({"type": "explode", "value": ""}, "unknown action"),
    ({"type": "assign_department", "value": "Nowhere"}, "not the name of any department"),
    ({"type": "assign_agent", "value": "ghost"}, "No active agent"),
    ({"type": "assign_agent", "value": "me"}, "only means something in a macro"),
    ({"type": "set_status", "value": "snoozed"}, "Unknown status"),
    ({"type": "reply", "value": "Hello {{ customer.name"}, "Line 1"),
    ({"type": "webhook", "value": "ftp://example.com/"}, "http://"),
    ({"type": "webhook", "value": "https://user:pw@example.com/"}, "no user name"),
])
def test_what_cannot_be_an_action_is_refused_with_a_reason(action, message):
    with pytest.raises(ValidationError) as error:
        actions.clean([action])
    assert message in " ".join(error.value.messages)


def test_a_rule_needs_an_action():
    with pytest.raises(ValidationError, match="at least one action"):
        actions.clean([])


def test_reply_with_a_canned_response_in_the_customers_language():
    from pomoc.automation.canned.models import Scope
    from pomoc.automation.canned.services import canned_create
    from pomoc.automation.rules.actions import clean

    admin = UserFactory(role=Role.ADMINISTRATOR)
    canned = canned_create(actor=admin, name="Thanks", body="Thank you, {{ customer.first_name }}.",
                           scope=Scope.SHARED, variants={"cs": "Děkujeme, {{ customer.first_name }}."})
    canned_create(actor=admin, name="Mine", body="Personal.", scope=Scope.PERSONAL)
    with pytest.raises(ValidationError):
        clean([{"type": "canned_reply", "value": "Mine"}])  # a personal one is nobody's to send
    make_rule(actions=[{"type": "canned_reply", "value": "thanks"}])
    ticket = make_ticket(requester=ContactFactory(name="Jana Nová", language="cs"))
    reply = ticket.messages.get(kind=MessageKind.REPLY)
    assert reply.body_text == "Děkujeme, Jana."
    canned.refresh_from_db()
    assert canned.usage_count == 1
