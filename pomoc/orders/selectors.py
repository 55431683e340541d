"""Reads of orders and returns for pages, the API and (later) the portal."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from pomoc.orders import value
from pomoc.orders.models import Order, OrderLine, ReturnKind, ReturnLine, ReturnRequest, ReturnState

PANEL_ORDERS = 5
PANEL_RETURNS = 5


def returns_for_contact(contact) -> QuerySet[ReturnRequest]:
    """A customer's returns and exchanges, newest first, with their order, ticket and lines (for the
    portal: what the customer may see of each is the return's state, lines and reasons)."""
    return (ReturnRequest.objects.filter(contact=contact).select_related("order", "ticket")
            .prefetch_related(Prefetch("lines", ReturnLine.objects.select_related("order_line")))
            .order_by("-created_at", "-id"))


def return_for_ticket(ticket) -> ReturnRequest | None:
    """The return or exchange a ticket stands for, with its order and lines; None for other tickets."""
    return (ReturnRequest.objects.filter(ticket=ticket).select_related("order")
            .prefetch_related(Prefetch("lines", ReturnLine.objects.select_related("order_line")))
            .first())


@dataclass(frozen=True)
class Step:
    state: str
    label: str
    done: bool
    current: bool


def return_steps(rma: ReturnRequest) -> list[Step]:
    """Where a return stands, for the customer: requested → approved → item received → refunded (an
    exchange: replaced). A rejected return ends after the step it was rejected at."""
    last = ReturnState.REPLACED if rma.kind == ReturnKind.EXCHANGE else ReturnState.REFUNDED
    path = [ReturnState.REQUESTED, ReturnState.APPROVED, ReturnState.RECEIVED, last]
    if rma.state == ReturnState.REJECTED:
        return [Step(ReturnState.REQUESTED, ReturnState.REQUESTED.label, True, False),
                Step(ReturnState.REJECTED, ReturnState.REJECTED.label, True, True)]
    reached = path.index(rma.state) if rma.state in path else 0
    return [Step(state, state.label, index <= reached, index == reached) for index, state in enumerate(path)]


def orders_for_contact(contact) -> QuerySet[Order]:
    return (Order.objects.filter(contact=contact).prefetch_related(Prefetch("lines", OrderLine.objects.order_by("id")))
            .order_by("-placed_at", "-id"))


def return_with_lines(rma: ReturnRequest) -> ReturnRequest:
    return (ReturnRequest.objects.select_related("order", "ticket")
            .prefetch_related(Prefetch("lines", ReturnLine.objects.select_related("order_line")))
            .get(pk=rma.pk))


@dataclass
class CustomerPanel:
    contact: object
    orders: list[Order]
    order_count: int
    returns: list[ReturnRequest]
    value: value.CustomerValue
    health: value.Health
    churned: bool


def customer_panel(contact) -> CustomerPanel:
    """The orders panel beside a ticket and on the contact page: the latest orders with their lines,
    the latest returns, value and health with its reasons. A fixed number of queries."""
    orders = list(orders_for_contact(contact)[:PANEL_ORDERS])
    returns = list(ReturnRequest.objects.filter(contact=contact).select_related("order", "ticket")
                   .order_by("-created_at", "-id")[:PANEL_RETURNS])
    facts = value.facts(contact)
    return CustomerPanel(contact=contact, orders=orders, order_count=facts.orders_total, returns=returns,
                         value=value.value_of(facts), health=value.health(facts), churned=value.is_churned(facts))
