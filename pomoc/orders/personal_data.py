"""A customer's orders and returns in their profile: the timeline's order entries, and the rows a
merge moves, an export includes and an erasure cleans (pomoc.contacts.registry, decision 0026)."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from pomoc.contacts.registry import Cursor, PersonalData, TimelineEntry, TimelineSource
from pomoc.orders.models import Order, ReturnLine, ReturnRequest

PREFIX = "order"


def _key(pk: int) -> str:
    return f"{PREFIX}:{pk:012d}"


def _older_than(cursor: Cursor | None) -> Q:
    """Orders strictly after ``cursor`` in the timeline's order (newest first; at one moment, keys in
    descending order, as the other sources page)."""
    if cursor is None:
        return Q()
    same = f"{PREFIX}:"
    if cursor.key.startswith(same):
        try:
            last = int(cursor.key[len(same):])
        except ValueError:
            last = 0
        same_moment = Q(placed_at=cursor.at, pk__lt=last)
    elif same < cursor.key:
        same_moment = Q(placed_at=cursor.at)
    else:
        same_moment = Q(pk__in=[])
    return Q(placed_at__lt=cursor.at) | same_moment


def order_entries(contact, viewer, before: Cursor | None, limit: int) -> list[TimelineEntry]:
    orders = (Order.objects.filter(contact=contact).filter(_older_than(before))
              .order_by("-placed_at", "-pk")[:limit])
    return [TimelineEntry(at=o.placed_at, key=_key(o.pk), kind="order", label=_("Order"),
                          title=str(o), status=o.get_status_display(),
                          detail=f"{number_format(o.total, 2)} {o.currency}",
                          url=reverse("customers:contact", args=[contact.pk]) + "#orders")
            for o in orders]


def _export(contact) -> list[dict]:
    rows = []
    orders = Order.objects.filter(contact=contact).prefetch_related("lines").select_related("source").order_by("pk")
    for order in orders:
        rows.append({"number": str(order), "source": order.source.name, "status": order.status,
                     "currency": order.currency, "total": str(order.total), "refunded": str(order.refunded),
                     "placed_at": order.placed_at,
                     "lines": [{"product": line.product, "sku": line.sku, "quantity": line.quantity,
                                "unit_price": str(line.unit_price)} for line in order.lines.all()]})
    for rma in ReturnRequest.objects.filter(contact=contact).prefetch_related("lines").order_by("pk"):
        rows.append({"return": str(rma), "kind": rma.kind, "state": rma.state, "created_at": rma.created_at,
                     "lines": [{"quantity": line.quantity, "reason": line.reason, "note": line.note}
                               for line in rma.lines.all()]})
    return rows


def _erase(contact) -> int:
    """Orders keep their amounts (revenue statistics); what the customer wrote on a return goes."""
    return ReturnLine.objects.filter(return_request__contact=contact).exclude(note="").update(note="")


def _move(source, target) -> dict:
    orders = list(Order.objects.filter(contact=source).values_list("pk", flat=True))
    returns = list(ReturnRequest.objects.filter(contact=source).values_list("pk", flat=True))
    Order.objects.filter(pk__in=orders).update(contact=target)
    ReturnRequest.objects.filter(pk__in=returns).update(contact=target)
    return {"orders": orders, "returns": returns}


def _restore(target, source, record: dict) -> None:
    Order.objects.filter(pk__in=record.get("orders", []), contact=target).update(contact=source)
    ReturnRequest.objects.filter(pk__in=record.get("returns", []), contact=target).update(contact=source)


PERSONAL_DATA = PersonalData("orders", export=_export, erase=_erase, move=_move, restore=_restore)
TIMELINE = TimelineSource("orders", order_entries)
