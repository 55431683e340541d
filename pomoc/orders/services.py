"""Writes for orders: one upsert used by the API, the CSV import and the webhook.

An order is identified by ``(source, external_id)``; sending it again updates it (idempotent). Its
lines are identified by their own id in the source (or their position when the source has none).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import DecimalField, ExpressionWrapper, F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from pomoc.contacts import services as contact_services
from pomoc.contacts.models import Contact, IdentityKind
from pomoc.core import refusals
from pomoc.orders.models import Order, OrderLine, OrderSource, OrderStatus, ReturnLine, ReturnState

CURRENCY_RE = re.compile(r"^[A-Z]{3}$")
SOURCE_KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,49}$")
MAX_AMOUNT = Decimal("999999999999.99")
MAX_LINES = 500
STATUSES = frozenset(OrderStatus.values)  # ``.values`` builds a new list on each call


@dataclass
class LineIn:
    product: str
    unit_price: Decimal | str | int | float
    quantity: int = 1
    sku: str = ""
    external_id: str = ""


@dataclass
class OrderIn:
    """One order as a source describes it (the API, a CSV row group, a webhook payload)."""

    external_id: str
    currency: str
    placed_at: dt.datetime | str
    email: str = ""
    name: str = ""
    contact: Contact | None = None
    number: str = ""
    status: str = OrderStatus.PAID
    paid_at: dt.datetime | str | None = None
    fulfilled_at: dt.datetime | str | None = None
    refunded: Decimal | str | int | float = 0
    lines: list[LineIn] = field(default_factory=list)


# --- sources -----------------------------------------------------------------------------------
def source_get_or_create(*, key: str, name: str = "") -> OrderSource:
    key = (key or "").strip().lower()
    if not SOURCE_KEY_RE.match(key):
        raise ValidationError({"source": _("A source is 1–50 lowercase letters, digits, “-” or “_”.")})
    source, _created = OrderSource.objects.get_or_create(key=key, defaults={"name": (name or key)[:100]})
    return source


def source_secret_set(*, source: OrderSource, secret: str) -> OrderSource:
    """The secret webhooks of ``source`` are signed with ("" turns its webhook off)."""
    source.set_secret(secret)
    source.save(update_fields=["secret_encrypted"])
    return source


# --- validation ---------------------------------------------------------------------------------
def money(value, field_name: str) -> Decimal:
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field_name: _("“%(value)s” is not an amount.") % {"value": value}}) from None
    if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT:
        raise ValidationError({field_name: _("An amount is between 0 and %(max)s.") % {"max": MAX_AMOUNT}})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({field_name: _("An amount has at most two decimal places.")})
    return amount.quantize(Decimal("0.01"))


def when(value, field_name: str, *, required: bool = False) -> dt.datetime | None:
    if value in (None, ""):
        if required:
            raise ValidationError({field_name: _("This field is required.")})
        return None
    parsed = value if isinstance(value, dt.datetime) else None
    if parsed is None:
        try:
            parsed = parse_datetime(str(value).strip())
            if parsed is None:
                parsed = dt.datetime.combine(dt.date.fromisoformat(str(value).strip()), dt.time())
        except ValueError:
            parsed = None
    if parsed is None:
        raise ValidationError({field_name: _("“%(value)s” is not a date (use ISO 8601, e.g. 2026-03-01T10:00:00Z).")
                               % {"value": value}})
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, dt.UTC)
    return parsed


def _no_nul(value) -> str:
    return str(value or "").replace("\x00", "")


def clean_order(data: OrderIn) -> OrderIn:
    """Validate and normalise ``data`` in place; raise ValidationError naming every wrong field."""
    errors: dict[str, list] = {}
    # NUL is no character of any order (and PostgreSQL cannot store it)
    data.external_id, data.number, data.name = (_no_nul(v) for v in (data.external_id, data.number, data.name))
    for line in data.lines:
        line.product, line.sku, line.external_id = (_no_nul(v) for v in (line.product, line.sku, line.external_id))

    def check(key, fn):
        try:
            return fn()
        except ValidationError as exc:
            for messages in exc.message_dict.values():
                errors.setdefault(key, []).extend(messages)
            return None

    data.external_id = (data.external_id or "").strip()
    if not data.external_id or len(data.external_id) > 100:
        errors["external_id"] = [_("An order needs its id in the source (1–100 characters).")]
    data.currency = (data.currency or "").strip().upper()
    if not CURRENCY_RE.match(data.currency):
        errors["currency"] = [_("A currency is a three-letter ISO 4217 code, e.g. EUR.")]
    if data.status not in STATUSES:
        errors["status"] = [_("Unknown status; use one of: %(values)s.") % {"values": ", ".join(OrderStatus.values)}]
    data.placed_at = check("placed_at", lambda: when(data.placed_at, "placed_at", required=True))
    data.paid_at = check("paid_at", lambda: when(data.paid_at, "paid_at"))
    data.fulfilled_at = check("fulfilled_at", lambda: when(data.fulfilled_at, "fulfilled_at"))
    data.refunded = check("refunded", lambda: money(data.refunded or 0, "refunded"))
    data.number = (data.number or "").strip()[:100]
    if data.contact is None:
        data.email = check("email", lambda: contact_services.normalize_identity(IdentityKind.EMAIL, data.email))
    if len(data.lines) > MAX_LINES:
        errors["lines"] = [_("At most %(max)d lines per order.") % {"max": MAX_LINES}]
    seen = set()
    for index, line in enumerate(data.lines[:MAX_LINES]):
        prefix = f"lines.{index}"
        line.product = " ".join(str(line.product or "").split())[:300]
        if not line.product:
            errors[f"{prefix}.product"] = [_("This field cannot be blank.")]
        line.sku = str(line.sku or "").strip()[:100]
        line.unit_price = check(f"{prefix}.unit_price",
                                lambda line=line, p=prefix: money(line.unit_price, f"{p}.unit_price"))
        try:
            line.quantity = int(line.quantity)
        except (TypeError, ValueError):
            line.quantity = 0
        if not 1 <= line.quantity <= 1_000_000:
            errors[f"{prefix}.quantity"] = [_("A quantity is a whole number from 1 to 1,000,000.")]
        line.external_id = str(line.external_id or "").strip()[:100] or str(index + 1)
        if line.external_id in seen:
            errors[f"{prefix}.external_id"] = [refusals.refusal(_("Two lines of one order have the same id."),
                                                                refusals.CONFLICT)]
        seen.add(line.external_id)
    if not errors and sum(line.unit_price * line.quantity for line in data.lines) > MAX_AMOUNT:
        errors["lines"] = [refusals.refusal(_("The order's total is over %(max)s.") % {"max": MAX_AMOUNT},
                                            refusals.INVALID_CONTENT)]
    if errors:
        raise ValidationError(errors)
    return data


# --- the upsert ---------------------------------------------------------------------------------
def order_upsert(*, source: OrderSource, data: OrderIn) -> tuple[Order, bool]:
    """Create the order ``data`` describes, or update the one with its id in ``source``: its fields,
    and its lines (lines no longer sent go, unless a return refers to them). Returns (order, created)."""
    data = clean_order(data)
    with transaction.atomic():
        contact = data.contact
        if contact is None:
            contact, _new = contact_services.contact_get_or_create(kind=IdentityKind.EMAIL, value=data.email,
                                                                   name=data.name)
        now = timezone.now()
        values = {"number": data.number, "contact": contact, "status": data.status, "currency": data.currency,
                  "placed_at": data.placed_at, "paid_at": data.paid_at, "fulfilled_at": data.fulfilled_at,
                  "refunded": data.refunded, "updated_at": now}
        order, created = Order.objects.select_for_update().get_or_create(
            source=source, external_id=data.external_id, defaults={**values, "created_at": now})
        if not created:
            for name, value in values.items():
                setattr(order, name, value)
        existing = {line.external_id: line for line in order.lines.all()} if not created else {}
        keep = []
        for line in data.lines:
            current = existing.get(line.external_id)
            if current is None:
                current = OrderLine(order=order, external_id=line.external_id)
            current.product, current.sku = line.product, line.sku
            current.quantity, current.unit_price = line.quantity, line.unit_price
            current.save()
            keep.append(current.pk)
        if not created:
            gone = order.lines.exclude(pk__in=keep).exclude(return_lines__isnull=False)
            gone.delete()
        order.total = order_total(order)
        order.save()
    return order, created


def order_total(order: Order) -> Decimal:
    total = Decimal("0")
    for quantity, price in order.lines.values_list("quantity", "unit_price"):
        total += price * quantity
    return total.quantize(Decimal("0.01"))


def orders_totals_refresh(order_ids: Iterable[int]) -> None:
    """Recompute ``total`` of these orders from their lines, in one UPDATE (after a batch import)."""
    amount = ExpressionWrapper(F("quantity") * F("unit_price"), output_field=DecimalField(max_digits=14,
                                                                                          decimal_places=2))
    line_sum = (OrderLine.objects.filter(order=OuterRef("pk")).order_by().values("order")
                .annotate(s=Sum(amount)).values("s"))
    Order.objects.filter(pk__in=sorted(set(order_ids))).update(
        total=Coalesce(Subquery(line_sum, output_field=DecimalField(max_digits=14, decimal_places=2)), Value(0),
                       output_field=DecimalField(max_digits=14, decimal_places=2)))


def returned_quantities(order: Order) -> dict[int, int]:
    """Per order line, the quantity already in returns that were not rejected."""
    rows = (ReturnLine.objects.filter(order_line__order=order).exclude(return_request__state=ReturnState.REJECTED)
            .values("order_line").annotate(q=Sum("quantity")))
    return {row["order_line"]: row["q"] for row in rows}


def order_refund_add(*, order: Order, amount: Decimal) -> Order:
    """Pomoc refunded ``amount`` of ``order`` (a return): realised value drops by it."""
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        locked.refunded = min(locked.total, locked.refunded + amount)
        locked.updated_at = timezone.now()
        locked.save(update_fields=["refunded", "updated_at"])
    return locked


def lines_from_mapping(items: Iterable[Mapping]) -> list[LineIn]:
    return [LineIn(product=i.get("product", ""), unit_price=i.get("unit_price", ""), quantity=i.get("quantity", 1),
                   sku=i.get("sku", "") or "", external_id=str(i.get("external_id", "") or i.get("id", "") or ""))
            for i in items]


def order_update(*, order: Order, changes: Mapping) -> Order:
    """Change only the keys given: ``number``, ``status``, ``paid_at``, ``fulfilled_at``, ``refunded``."""
    errors = {}
    if "status" in changes and changes["status"] not in OrderStatus.values:
        errors["status"] = [_("Unknown status.")]
    if errors:
        raise ValidationError(errors)
    if "number" in changes:
        order.number = _no_nul(changes["number"]).strip()[:100]
    if "status" in changes and changes["status"] is not None:
        order.status = changes["status"]
    for name in ("paid_at", "fulfilled_at"):
        if name in changes:
            setattr(order, name, when(changes[name], name))
    if "refunded" in changes and changes["refunded"] is not None:
        order.refunded = money(changes["refunded"], "refunded")
    order.updated_at = timezone.now()
    order.save()
    return order
