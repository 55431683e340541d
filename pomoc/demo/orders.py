"""Demo orders: a shop's orders for some of the demo customers, and a few returns and exchanges in
every state, so profiles, CLV and health have something to show."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction

from pomoc.orders import returns, services
from pomoc.orders.models import Order, OrderLine, OrderStatus, ReturnKind, ReturnReason

MAX_CUSTOMERS = 3000  # a big demo still loads quickly: the others have no orders
RETURNS = 8
CURRENCIES = {"cs": "CZK", "pl": "PLN", "et": "EUR", "en": "EUR"}
PRICE_FACTOR = {"CZK": Decimal("25"), "PLN": Decimal("4.3"), "EUR": Decimal("1")}
PRODUCTS = [  # (product, sku, price in EUR)
    ("Electric kettle 1.7 l", "KET-17", Decimal("39.90")), ("Coffee grinder", "GRN-01", Decimal("54.00")),
    ("Espresso machine", "ESP-220", Decimal("249.00")), ("Milk frother", "FRO-02", Decimal("29.50")),
    ("Descaler, 3 pack", "DSC-3", Decimal("12.90")), ("Water filter cartridge", "FLT-10", Decimal("9.90")),
    ("Ceramic mug set", "MUG-4", Decimal("24.00")), ("Tea infuser", "INF-1", Decimal("7.50")),
]
STATUSES = ((OrderStatus.DELIVERED, 70), (OrderStatus.FULFILLED, 10), (OrderStatus.PAID, 8),
            (OrderStatus.PENDING, 5), (OrderStatus.CANCELLED, 7))


def create_orders(rng: random.Random, people, now: dt.datetime, staff, *, with_returns: bool = True) -> int:
    """Orders (in bulk) for up to MAX_CUSTOMERS of ``people``, then (``with_returns``: not in a bulk
    load, whose tickets are all conversations) a few returns through the services."""
    if not people:
        return 0
    source = services.source_get_or_create(key="demo-shop", name="Demo shop")
    customers = rng.sample(people, min(len(people), MAX_CUSTOMERS))
    orders, lines = [], []
    for person in customers:
        currency = CURRENCIES.get(person.language, "EUR")
        for _n in range(min(8, int(rng.expovariate(0.6)))):
            placed = now - dt.timedelta(days=rng.uniform(1, 720))
            status = rng.choices([s for s, _w in STATUSES], weights=[w for _s, w in STATUSES])[0]
            number = f"D{len(orders) + 10001}"
            order = Order(source=source, external_id=f"{person.contact_id}-{number}", number=number,
                          contact_id=person.contact_id, status=status, currency=currency, placed_at=placed,
                          paid_at=None if status in (OrderStatus.PENDING, OrderStatus.CANCELLED) else placed,
                          fulfilled_at=placed + dt.timedelta(days=1) if status in (
                              OrderStatus.FULFILLED, OrderStatus.DELIVERED) else None,
                          created_at=placed, updated_at=placed)
            total = Decimal("0")
            chosen = rng.sample(PRODUCTS, rng.randint(1, 3))
            for position, (product, sku, price) in enumerate(chosen, start=1):
                unit = (price * PRICE_FACTOR[currency]).quantize(Decimal("0.01"))
                quantity = rng.choice((1, 1, 1, 2, 3))
                total += unit * quantity
                lines.append((len(orders), OrderLine(external_id=str(position), product=product, sku=sku,
                                                     quantity=quantity, unit_price=unit)))
            order.total = total
            orders.append(order)
    if Order.objects.filter(source=source, external_id__in=[o.external_id for o in orders[:1]]).exists():
        return 0  # this demo's orders are in already
    with transaction.atomic():
        Order.objects.bulk_create(orders, batch_size=2000)
        if not orders or orders[0].pk is None:  # a database that does not return ids: read them back
            ids = dict(Order.objects.filter(source=source).values_list("external_id", "pk"))
            for order in orders:
                order.pk = ids[order.external_id]
        for index, line in lines:
            line.order_id = orders[index].pk
        OrderLine.objects.bulk_create([line for _i, line in lines], batch_size=5000)
    if with_returns:
        _create_returns(rng, [o for o in orders if o.status == OrderStatus.DELIVERED], staff)
    return len(orders)


def _create_returns(rng: random.Random, delivered: list[Order], staff) -> None:
    """A few returns and exchanges, walked to different states by the services (each a ticket)."""
    paths = (["approved"], ["approved", "received"], ["approved", "received", "refunded"], ["rejected"], [],
             ["approved", "received", "replaced"], ["approved", "received", "refunded"], ["approved"])
    department = next(iter(staff.departments.values()), None)
    agent = staff.agents[0] if staff.agents else staff.admin
    for index, order in enumerate(rng.sample(delivered, min(RETURNS, len(delivered)))):
        path = paths[index % len(paths)]
        kind = ReturnKind.EXCHANGE if "replaced" in path else ReturnKind.RETURN
        line = order.lines.first()
        reason = rng.choice(ReturnReason.values)
        rma = returns.return_start(order=order, actor=agent, kind=kind, department=department, note="",
                                   lines=[returns.ReturnLineIn(order_line=line, quantity=1, reason=reason)])
        for state in path:
            rma = returns.return_transition(return_request=rma, actor=agent, state=state)
