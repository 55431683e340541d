"""A return is a ticket of its own with its own states; only allowed changes, each an event."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from pomoc.orders import returns
from pomoc.orders.models import ReturnState
from pomoc.orders.selectors import returns_for_contact
from pomoc.orders.tests.helpers import make_order
from pomoc.testing.factories import ContactFactory, UserFactory
from pomoc.tickets.history import ticket_events, ticket_history
from pomoc.tickets.models import EventType, Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def order():
    return make_order(ContactFactory(), "O-1", lines=(("Mug", "12.50", 2), ("Teapot", "40.00", 1)))


def _start(order, agent, kind="return", quantity=1):
    line = order.lines.get(product="Mug")
    return returns.return_start(order=order, actor=agent, kind=kind, note="Broken in transit",
                                lines=[returns.ReturnLineIn(order_line=line, quantity=quantity, reason="damaged")])


def test_a_return_walks_to_refunded_and_refunds_the_order(order):
    agent = UserFactory()
    rma = _start(order, agent, quantity=2)
    assert rma.ticket.requester == order.contact and rma.state == ReturnState.REQUESTED
    for state in ("approved", "received", "refunded"):
        rma = returns.return_transition(return_request=rma, actor=agent, state=state)
    assert rma.refund_amount == Decimal("25.00")
    order.refresh_from_db()
    assert order.refunded == Decimal("25.00")
    rma.ticket.refresh_from_db()
    assert rma.ticket.status == Status.RESOLVED
    changes = [(e.data["from"], e.data["to"]) for e in rma.ticket.events.filter(type=EventType.RETURN_CHANGED)]
    assert changes == [(None, "requested"), ("requested", "approved"), ("approved", "received"),
                       ("received", "refunded")]
    texts = [h.text for h in ticket_history(ticket_events(rma.ticket))]
    assert "Return: Item received → Refunded" in texts
    assert list(returns_for_contact(order.contact)) == [rma]


def test_only_allowed_changes(order):
    agent = UserFactory()
    rma = _start(order, agent)
    with pytest.raises(ValidationError) as exc:
        returns.return_transition(return_request=rma, actor=agent, state="refunded")
    assert "cannot become" in str(exc.value)
    exchange = _start(order, agent, kind="exchange")
    returns.return_transition(return_request=exchange, actor=agent, state="approved")
    exchange = returns.return_transition(return_request=exchange, actor=agent, state="received")
    assert returns.next_states(exchange) == ["replaced", "rejected"]
    with pytest.raises(ValidationError):
        returns.return_transition(return_request=exchange, actor=agent, state="refunded")
    rejected = returns.return_transition(return_request=rma, actor=agent, state="rejected")
    assert returns.next_states(rejected) == []
    with pytest.raises(ValidationError):
        returns.return_transition(return_request=rejected, actor=agent, state="approved")


def test_cannot_return_more_than_was_ordered(order):
    agent = UserFactory()
    _start(order, agent, quantity=2)
    with pytest.raises(ValidationError) as exc:
        _start(order, agent, quantity=1)
    assert "already being returned" in str(exc.value)
    other = make_order(ContactFactory(), "O-2")
    with pytest.raises(ValidationError):
        returns.return_start(order=order, actor=agent, kind="return", lines=[
            returns.ReturnLineIn(order_line=other.lines.first(), quantity=1, reason="damaged")])
    with pytest.raises(ValidationError):
        returns.return_start(order=order, actor=agent, kind="return", lines=[])


def test_a_refund_cannot_exceed_what_is_left(order):
    agent = UserFactory()
    rma = _start(order, agent)
    returns.return_transition(return_request=rma, actor=agent, state="approved")
    returns.return_transition(return_request=rma, actor=agent, state="received")
    with pytest.raises(ValidationError):
        returns.return_transition(return_request=rma, actor=agent, state="refunded", refund_amount="1000")
    with pytest.raises(ValidationError):
        returns.return_transition(return_request=rma, actor=agent, state="refunded", refund_amount="abc")
    rma = returns.return_transition(return_request=rma, actor=agent, state="refunded", refund_amount="5.00")
    assert rma.refund_amount == Decimal("5.00")
