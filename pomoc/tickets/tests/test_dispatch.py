"""The dispatcher: events to subscribers once, after commit, in order; never what rolled back."""

import logging

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from pomoc.testing.factories import ContactFactory, UserFactory, make_ticket
from pomoc.tickets import dispatch, events, services
from pomoc.tickets.intake import Incoming, customer_messages_add
from pomoc.tickets.models import Channel, EventType, Priority, Ticket, TicketEvent

pytestmark = pytest.mark.django_db(transaction=True)


class RolledBack(Exception):
    pass


@pytest.fixture
def calls():
    """What a recording subscriber (in the rules slot) was called with: one list per call."""
    received: list[list[TicketEvent]] = []
    dispatch.register("test_recorder", received.append, order=dispatch.RULES)
    yield received
    dispatch.unregister("test_recorder")


def _types(call: list[TicketEvent]) -> list[str]:
    return [e.type for e in call]


def test_one_transaction_is_one_call_after_commit(calls):
    ticket, agent = make_ticket(), UserFactory()
    calls.clear()
    with transaction.atomic():
        services.ticket_update(ticket=ticket, actor=agent, changes={"priority": Priority.HIGH})
        services.ticket_update(ticket=ticket, actor=agent, changes={"subject": "Scanner"})
        assert calls == []  # nothing runs inside the writing transaction
    assert len(calls) == 1
    assert _types(calls[0]) == [EventType.PRIORITY_CHANGED, EventType.SUBJECT_CHANGED]
    assert all(e.pk is not None and e.ticket.number == ticket.number for e in calls[0])


def test_outside_a_transaction_it_dispatches_right_after_the_write(calls):
    ticket = make_ticket()
    calls.clear()
    event = events.field_changed(ticket, EventType.PRIORITY_CHANGED, None, Priority.NORMAL, Priority.LOW)
    assert [[e.pk for e in call] for call in calls] == [[event.pk]]


def test_a_rolled_back_transaction_dispatches_nothing_now_or_later(calls):
    ticket, agent = make_ticket(), UserFactory()
    calls.clear()
    with pytest.raises(RolledBack), transaction.atomic():
        services.ticket_update(ticket=ticket, actor=agent, changes={"priority": Priority.HIGH})
        raise RolledBack
    assert calls == []
    services.ticket_update(ticket=ticket, actor=agent, changes={"subject": "Scanner"})
    assert [_types(call) for call in calls] == [[EventType.SUBJECT_CHANGED]]


@pytest.mark.parametrize("then_more", [False, True], ids=["savepoint last", "more after the savepoint"])
def test_a_savepoint_rolled_back_in_a_committed_transaction_dispatches_nothing_of_it(calls, then_more):
    ticket, agent = make_ticket(), UserFactory()
    calls.clear()
    with transaction.atomic():
        services.ticket_update(ticket=ticket, actor=agent, changes={"priority": Priority.HIGH})
        with pytest.raises(RolledBack), transaction.atomic():
            services.ticket_update(ticket=ticket, actor=agent, changes={"subject": "Never"})
            services.message_add(ticket=ticket, kind="note", actor=agent, body_text="Never either")
            raise RolledBack
        if then_more:
            services.ticket_update(ticket=ticket, actor=agent, changes={"tags": ["vip"]})
    expected = [EventType.PRIORITY_CHANGED] + ([EventType.TAGS_CHANGED] if then_more else [])
    assert [_types(call) for call in calls] == [expected]
    assert Ticket.objects.get(pk=ticket.pk).subject != "Never"


def test_a_failing_subscriber_stops_neither_the_next_one_nor_the_write(calls, caplog):
    def broken(received):
        raise RuntimeError("rules engine down")

    dispatch.register("test_broken", broken, order=dispatch.LIVE_UPDATES + 1)
    try:
        ticket, agent = make_ticket(), UserFactory()
        calls.clear()
        with caplog.at_level(logging.ERROR, logger="pomoc.tickets.dispatch"):
            services.ticket_update(ticket=ticket, actor=agent, changes={"priority": Priority.URGENT})
    finally:
        dispatch.unregister("test_broken")
    assert [_types(call) for call in calls] == [[EventType.PRIORITY_CHANGED]]
    assert Ticket.objects.get(pk=ticket.pk).priority == Priority.URGENT
    assert "test_broken failed" in caplog.text and "rules engine down" in caplog.text


def test_subscribers_run_in_their_order_slots():
    log: list[str] = []
    for name, order in [("test_rollups", dispatch.REPORT_ROLLUPS), ("test_rules", dispatch.RULES),
                        ("test_sla", dispatch.SLA_TIMERS), ("test_surveys", dispatch.SURVEYS)]:
        dispatch.register(name, lambda received, name=name: log.append(name), order=order)
    try:
        assert dispatch.subscribers() == ["view_counts", "live_updates", "rules", "test_rules", "test_sla",
                                          "test_surveys", "test_rollups"]
        make_ticket()
    finally:
        for name in ("test_rollups", "test_rules", "test_sla", "test_surveys"):
            dispatch.unregister(name)
    assert log == ["test_rules", "test_sla", "test_surveys", "test_rollups"]


def _intake(size: int) -> int:
    items = [Incoming(contact=ContactFactory(), channel=Channel.EMAIL, subject=f"Question {n}", body_text="Hi")
             for n in range(size)]
    with CaptureQueriesContext(connection) as queries:
        customer_messages_add(items)
    return len(queries)


def test_a_batch_intake_dispatches_in_one_call_with_constant_queries(calls):
    make_ticket()  # the ticket number counter exists
    calls.clear()
    few = _intake(2)
    assert [len(call) for call in calls] == [4]
    calls.clear()
    many = _intake(40)  # below SQLite's 999 parameters per statement, which would split the bulk inserts
    assert [len(call) for call in calls] == [80]
    assert {e.type for e in calls[0]} == {EventType.CREATED, EventType.MESSAGE_ADDED}
    assert few == many
