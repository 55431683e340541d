"""The one upsert: the same order again updates it; lines by their id; clear refusals."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from pomoc.orders import services
from pomoc.orders.models import Order, OrderLine
from pomoc.orders.tests.helpers import make_order
from pomoc.testing.factories import ContactFactory

pytestmark = pytest.mark.django_db


def _data(**kwargs):
    base = {"external_id": "1001", "email": "Ann@Example.org", "name": "Ann", "currency": "eur",
            "placed_at": "2026-03-01T10:00:00Z",
            "lines": [services.LineIn(product="Mug", unit_price="12.50", quantity=2, external_id="a"),
                      services.LineIn(product="Tea", unit_price="3.00", quantity=1, external_id="b")]}
    base.update(kwargs)
    return services.OrderIn(**base)


def test_sending_an_order_twice_updates_it():
    source = services.source_get_or_create(key="shop")
    order, created = services.order_upsert(source=source, data=_data())
    assert created and order.total == Decimal("28.00") and order.currency == "EUR"
    assert order.contact.identities.get().value == "ann@example.org"
    again, created = services.order_upsert(source=source, data=_data(status="fulfilled", lines=[
        services.LineIn(product="Mug", unit_price="12.50", quantity=1, external_id="a")]))
    assert not created and again.pk == order.pk
    assert again.status == "fulfilled" and again.total == Decimal("12.50")
    assert OrderLine.objects.filter(order=order).count() == 1
    other = services.source_get_or_create(key="erp")
    services.order_upsert(source=other, data=_data())  # the same id in another source is another order
    assert Order.objects.count() == 2


def test_every_wrong_field_is_named():
    source = services.source_get_or_create(key="shop")
    with pytest.raises(ValidationError) as exc:
        services.order_upsert(source=source, data=_data(
            external_id="", currency="euro", placed_at="yesterday", email="nope", status="lost",
            lines=[services.LineIn(product="", unit_price="1.005", quantity=0)]))
    assert set(exc.value.message_dict) == {"external_id", "currency", "placed_at", "email", "status",
                                           "lines.0.product", "lines.0.unit_price", "lines.0.quantity"}
    assert not Order.objects.exists()


def test_lines_in_returns_are_kept():
    from pomoc.orders import returns
    from pomoc.testing.factories import UserFactory

    order = make_order(ContactFactory(), "K1", lines=(("Mug", "5.00", 1), ("Tea", "2.00", 1)))
    line = order.lines.get(product="Mug")
    returns.return_start(order=order, actor=UserFactory(), kind="return",
                         lines=[returns.ReturnLineIn(order_line=line, quantity=1, reason="damaged")])
    make_order(order.contact, "K1", lines=(("Tea", "2.00", 1),))
    assert OrderLine.objects.filter(pk=line.pk).exists()


def test_a_total_too_large_to_store_is_refused():
    source = services.source_get_or_create(key="shop")
    with pytest.raises(ValidationError) as exc:
        services.order_upsert(source=source, data=_data(lines=[
            services.LineIn(product="Yacht", unit_price="999999999999.99", quantity=2)]))
    assert "total is over" in str(exc.value)
