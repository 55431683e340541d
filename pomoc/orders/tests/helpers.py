import datetime as dt
from decimal import Decimal

from django.utils import timezone

from pomoc.orders import services

NOW = timezone.now().replace(microsecond=0)


def days_ago(days: float) -> dt.datetime:
    return NOW - dt.timedelta(days=days)


def make_order(contact, external_id, *, currency="EUR", lines=(("Kettle", "20.00", 1),), status="paid",
               placed=10, refunded="0", source_key="shop"):
    source = services.source_get_or_create(key=source_key)
    data = services.OrderIn(
        external_id=external_id, contact=contact, currency=currency, placed_at=days_ago(placed), status=status,
        paid_at=days_ago(placed) if status != "pending" else None, refunded=Decimal(refunded),
        lines=[services.LineIn(product=p, unit_price=price, quantity=q) for p, price, q in lines])
    return services.order_upsert(source=source, data=data)[0]
