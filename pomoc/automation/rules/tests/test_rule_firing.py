"""Rules run after the change committed, in their order, each firing written to the ticket's history
with the rule's name."""

import pytest

from pomoc.automation.rules.models import Trigger
from pomoc.testing.factories import UserFactory, make_ticket
from pomoc.tickets import history, services
from pomoc.tickets.models import EventType, MessageKind, Priority, Ticket

from .helpers import make_rule, tags

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_rule_on_created_tickets_acts_and_is_in_the_history():
    rule = make_rule(name="Tag refunds", conditions=[{"field": "subject", "op": "contains", "value": "Refund"}],
                     actions=[{"type": "add_tag", "value": "refund"}, {"type": "set_priority", "value": "high"}])
    ticket = make_ticket(subject="Refund for order 12")
    other = make_ticket(subject="Printer")

    ticket.refresh_from_db()
    assert tags(ticket) == {"refund"} and ticket.priority == Priority.HIGH
    assert tags(other) == set()
    fired = ticket.events.get(type=EventType.RULE_FIRED)
    assert fired.data["rule"] == rule.pk and fired.data["name"] == "Tag refunds"
    assert fired.data["actions"] == ["add_tag", "set_priority"]
    changed = ticket.events.get(type=EventType.TAGS_CHANGED)
    assert changed.data["by"]["rule"] == rule.pk  # every change says which rule made it
    lines = {entry.text: entry.actor for entry in history.ticket_history(history.ticket_events(ticket))}
    assert "Rule “Tag refunds” applied" in lines
    assert lines["Tags: added refund"] == "rule “Tag refunds”"


def test_a_switched_off_rule_does_nothing():
    make_rule(active=False)
    assert tags(make_ticket()) == set()


def test_rules_run_in_their_order_and_see_what_earlier_ones_did():
    make_rule(name="second", position=20, conditions=[{"field": "tag", "op": "is", "value": "vip"}],
              actions=[{"type": "set_priority", "value": "urgent"}])
    make_rule(name="first", position=10, actions=[{"type": "add_tag", "value": "vip"}])
    ticket = make_ticket()
    ticket.refresh_from_db()
    assert ticket.priority == Priority.URGENT
    fired = ticket.events.filter(type=EventType.RULE_FIRED).order_by("pk")
    assert [e.data["name"] for e in fired] == ["first", "second"]


def test_updated_customer_replied_and_agent_replied_triggers():
    make_rule(trigger=Trigger.UPDATED, name="u", actions=[{"type": "add_tag", "value": "updated"}])
    make_rule(trigger=Trigger.CUSTOMER_REPLIED, name="c", actions=[{"type": "add_tag", "value": "customer"}])
    make_rule(trigger=Trigger.AGENT_REPLIED, name="a", actions=[{"type": "add_tag", "value": "agent"}])
    ticket = make_ticket()
    assert tags(ticket) == set()  # created only: none of them
    agent = UserFactory()
    services.ticket_update(ticket=ticket, actor=agent, changes={"priority": Priority.LOW})
    assert tags(ticket) == {"updated"}
    services.message_add(ticket=ticket, kind=MessageKind.CUSTOMER, body_text="Any news?")
    assert tags(ticket) == {"updated", "customer"}
    services.message_add(ticket=ticket, kind=MessageKind.REPLY, actor=agent, body_text="Soon.")
    assert tags(ticket) == {"updated", "customer", "agent"}


def test_chat_started():
    make_rule(trigger=Trigger.CHAT_STARTED, actions=[{"type": "add_tag", "value": "chat"}])
    assert tags(make_ticket(channel="chat")) == {"chat"}
    assert tags(make_ticket(channel="email")) == set()


def test_a_failing_action_is_reported_and_the_others_still_run():
    agent = UserFactory(username="leaving")
    make_rule(name="Assign", actions=[{"type": "assign_agent", "value": "leaving"},
                                      {"type": "add_tag", "value": "x"}])
    agent.is_active = False
    agent.save()
    ticket = make_ticket()
    assert tags(ticket) == {"x"}
    fired = Ticket.objects.get(pk=ticket.pk).events.get(type=EventType.RULE_FIRED)
    assert fired.data["actions"] == ["add_tag"] and "no longer active" in fired.data["errors"][0]
