"""Orders (with their lines) from shops and other systems, and a customer's value and health. Staff only.

``POST /orders`` creates the order or, when its ``source`` already has one with the same
``external_id``, updates it: sending the same order twice is harmless.
"""

import datetime as dt
from typing import Annotated, Literal

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema
from ninja import Status as HttpStatus
from pydantic import BeforeValidator, Field

from pomoc.api.pagination import id_page
from pomoc.api.schemas import (
    _LINE_BREAKS,
    ERRORS,
    NOT_BLANK_LINE_PATTERN,
    Email,
    Id,
    In,
    Instant,
    Line,
    PageCursor,
    _safe_line,
    _schema,
    require_staff,
)
from pomoc.contacts.models import Contact
from pomoc.orders import services, value
from pomoc.orders.models import Order, OrderLine, OrderStatus
from pomoc.orders.selectors import returns_for_contact

router = Router(tags=["orders"])

Amount = Annotated[str, BeforeValidator(_safe_line), _schema(pattern=r"^[0-9]{1,12}(\.[0-9]{1,2})?$")]
"""A decimal amount as text, e.g. "12.50" (never a float: money is exact)."""
Currency = Annotated[str, BeforeValidator(_safe_line), _schema(pattern="^[A-Za-z]{3}$")]
SourceKey = Annotated[str, BeforeValidator(_safe_line), _schema(pattern="^[a-z0-9][a-z0-9_-]{0,49}$")]
ExternalId = Annotated[str, BeforeValidator(_safe_line),
                      _schema(pattern=rf"^[^\x00\s]([^\x00{_LINE_BREAKS}]*[^\x00\s])?$", maxLength=100)]
OrderStatusName = Literal[tuple(OrderStatus.values)]  # type: ignore[valid-type]


class LineIn(In):
    external_id: ExternalId = Field(None, description="The line's id in the source; default: its position.")
    product: Annotated[str, BeforeValidator(_safe_line), _schema(pattern=NOT_BLANK_LINE_PATTERN,
                                                                 maxLength=300)]
    sku: Line = Field("", max_length=100)
    quantity: int = Field(1, ge=1, le=1_000_000)
    unit_price: Amount


class OrderIn(In):
    source: SourceKey = Field("api", description="Where the order comes from (created when new).")
    external_id: ExternalId = Field(description="The order's id in the source: unique per source.")
    number: Line = Field("", max_length=100)
    email: Email = Field(max_length=320, description="The customer's e-mail address (a new contact if unknown).")
    name: Line = Field("", max_length=200)
    status: OrderStatusName = OrderStatus.PAID
    currency: Currency
    placed_at: Instant
    paid_at: Instant | None = None
    fulfilled_at: Instant | None = None
    refunded: Amount = "0"
    lines: list[LineIn] = Field(default_factory=list, max_length=services.MAX_LINES)


class OrderPatchIn(In):
    number: Line = Field(None, max_length=100)
    status: OrderStatusName = None
    paid_at: Instant | None = None
    fulfilled_at: Instant | None = None
    refunded: Amount = None


class LineOut(Schema):
    id: int
    external_id: str
    product: str
    sku: str
    quantity: int
    unit_price: str


class OrderOut(Schema):
    id: int
    source: str
    external_id: str
    number: str
    contact: int
    status: str
    currency: str
    total: str
    refunded: str
    placed_at: dt.datetime
    paid_at: dt.datetime | None
    fulfilled_at: dt.datetime | None
    lines: list[LineOut]


class OrderPage(Schema):
    items: list[OrderOut]
    next_cursor: str | None


class MoneyOut(Schema):
    currency: str
    amount: str


class ContributionOut(Schema):
    label: str
    points: int
    detail: str


class ReturnOut(Schema):
    id: int
    ticket: int = Field(description="The return's ticket number.")
    order: int
    kind: str
    state: str


class CustomerValueOut(Schema):
    realised: list[MoneyOut] = Field(description="Paid orders minus refunds, per currency (never converted).")
    predicted: list[MoneyOut] = Field(description="Average order value × orders a year × expected lifetime.")
    health: int = Field(ge=0, le=100)
    why: list[ContributionOut] = Field(description="What the health score is made of (from 50).")
    churned: bool
    returns: list[ReturnOut]


def order_out(order: Order) -> dict:
    return {
        "id": order.pk, "source": order.source.key, "external_id": order.external_id, "number": order.number,
        "contact": order.contact_id, "status": order.status, "currency": order.currency, "total": str(order.total),
        "refunded": str(order.refunded), "placed_at": order.placed_at, "paid_at": order.paid_at,
        "fulfilled_at": order.fulfilled_at,
        "lines": [{"id": line.pk, "external_id": line.external_id, "product": line.product, "sku": line.sku,
                   "quantity": line.quantity, "unit_price": str(line.unit_price)} for line in order.lines.all()],
    }


def _orders():
    return Order.objects.select_related("source").prefetch_related(Prefetch("lines", OrderLine.objects.order_by("id")))


@router.get("/orders", response={200: OrderPage, **ERRORS}, summary="List orders")
def list_orders(request, contact: Id | None = None, cursor: PageCursor | None = None,
                limit: int | None = Query(None, ge=1, le=200)):
    require_staff(request.auth)
    qs = _orders()
    if contact is not None:
        qs = qs.filter(contact_id=contact)
    rows, next_cursor = id_page(qs, cursor=cursor, limit=limit)
    return {"items": [order_out(o) for o in rows], "next_cursor": next_cursor}


@router.post("/orders", response={200: OrderOut, 201: OrderOut, **ERRORS},
             summary="Create an order, or update the one with the same id in its source")
def upsert_order(request, payload: OrderIn):
    require_staff(request.auth)
    source = services.source_get_or_create(key=payload.source)
    data = services.OrderIn(
        external_id=payload.external_id, number=payload.number, email=payload.email, name=payload.name,
        status=payload.status, currency=payload.currency, placed_at=payload.placed_at, paid_at=payload.paid_at,
        fulfilled_at=payload.fulfilled_at, refunded=payload.refunded,
        lines=[services.LineIn(product=i.product, unit_price=i.unit_price, quantity=i.quantity, sku=i.sku,
                               external_id=i.external_id or "") for i in payload.lines])
    order, created = services.order_upsert(source=source, data=data)
    return HttpStatus(201 if created else 200, order_out(_orders().get(pk=order.pk)))


@router.get("/orders/{int:order_id}", response={200: OrderOut, **ERRORS}, summary="Read an order")
def get_order(request, order_id: Id):
    require_staff(request.auth)
    return order_out(get_object_or_404(_orders(), pk=order_id))


@router.patch("/orders/{int:order_id}", response={200: OrderOut, **ERRORS},
              summary="Change an order's status, dates, number or refunded amount")
def update_order(request, order_id: Id, payload: OrderPatchIn):
    require_staff(request.auth)
    order = get_object_or_404(_orders(), pk=order_id)
    services.order_update(order=order, changes=payload.model_dump(exclude_unset=True))
    return order_out(_orders().get(pk=order.pk))


@router.get("/contacts/{int:contact_id}/value", response={200: CustomerValueOut, **ERRORS},
            summary="A customer's lifetime value, health (with its reasons), churn and returns", tags=["contacts"])
def customer_value(request, contact_id: Id):
    require_staff(request.auth)
    contact = get_object_or_404(Contact, pk=contact_id)
    facts = value.facts(contact)
    worth, health = value.value_of(facts), value.health(facts)
    return {
        "realised": [{"currency": m.currency, "amount": str(m.amount)} for m in worth.realised],
        "predicted": [{"currency": m.currency, "amount": str(m.amount)} for m in worth.predicted],
        "health": health.score, "churned": value.is_churned(facts),
        "why": [{"label": c.label, "points": c.points, "detail": c.detail} for c in health.contributions],
        "returns": [{"id": r.pk, "ticket": r.ticket.number, "order": r.order_id, "kind": r.kind, "state": r.state}
                    for r in returns_for_contact(contact)[:100]],
    }
