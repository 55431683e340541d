"""No chain of rules can loop: a rule is never re-triggered by its own actions (directly or through
other rules), a chain stops after a few rules, and a ticket takes a limited number of firings."""

import pytest

from pomoc.automation.rules import engine
from pomoc.automation.rules.models import Trigger
from pomoc.testing.factories import UserFactory, make_ticket
from pomoc.tickets import services
from pomoc.tickets.models import EventType, Priority

from .helpers import make_rule

pytestmark = pytest.mark.django_db(transaction=True)


def firings(ticket) -> list[str]:
    return [e.data["name"] for e in ticket.events.filter(type=EventType.RULE_FIRED).order_by("pk")]


def test_a_rule_is_not_triggered_by_its_own_changes():
    # "updated" → change the priority (an update): without the guard this would fire for ever
    make_rule(trigger=Trigger.UPDATED, name="bump", actions=[{"type": "add_tag", "value": "touched"},
                                                              {"type": "set_priority", "value": "high"}])
    ticket = make_ticket()
    services.ticket_update(ticket=ticket, actor=UserFactory(), changes={"subject": "Changed"})
    assert firings(ticket) == ["bump"]


def test_two_rules_that_trigger_each_other_fire_once_each():
    make_rule(trigger=Trigger.UPDATED, name="ping", conditions=[{"field": "tag", "op": "is_not", "value": "ping"}],
              actions=[{"type": "add_tag", "value": "ping"}, {"type": "remove_tag", "value": "pong"}])
    make_rule(trigger=Trigger.UPDATED, name="pong", conditions=[{"field": "tag", "op": "is_not", "value": "pong"}],
              actions=[{"type": "add_tag", "value": "pong"}, {"type": "remove_tag", "value": "ping"}])
    ticket = make_ticket()
    services.ticket_update(ticket=ticket, actor=UserFactory(), changes={"priority": Priority.LOW})
    assert firings(ticket) == ["ping", "pong"]  # pong's change does not bring ping back: ping is in its chain


def test_a_chain_stops_after_the_limit(monkeypatch):
    monkeypatch.setattr(engine, "MAX_CHAIN", 2)
    for number in range(4):  # each rule reacts to the previous one's tag (ordered last to first, so that
        # no rule sees the previous one's change within the same run: every step is a new link in the chain)
        make_rule(trigger=Trigger.CREATED if number == 0 else Trigger.UPDATED, name=f"step{number}",
                  position=100 - 10 * number,
                  conditions=[] if number == 0 else [{"field": "tag", "op": "is", "value": f"t{number - 1}"},
                                                     {"field": "tag", "op": "is_not", "value": f"t{number}"}],
                  actions=[{"type": "add_tag", "value": f"t{number}"}])
    ticket = make_ticket()
    assert firings(ticket) == ["step0", "step1"]
    stopped = ticket.events.get(type=EventType.RULE_STOPPED)
    assert stopped.data["name"] == "step2" and "in a row" in stopped.data["reason"]


def test_a_ticket_takes_a_limited_number_of_firings_an_hour(monkeypatch):
    monkeypatch.setattr(engine, "MAX_FIRINGS_PER_HOUR", 3)
    make_rule(trigger=Trigger.CUSTOMER_REPLIED, name="ack", actions=[{"type": "note", "value": "Got it"}])
    ticket = make_ticket()
    for _ in range(5):
        services.message_add(ticket=ticket, kind="customer", body_text="Hello?")
    assert firings(ticket) == ["ack"] * 3
    assert ticket.events.filter(type=EventType.RULE_STOPPED).count() == 1  # said once, not at every message
