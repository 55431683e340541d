"""The generic e-commerce webhook: a shop posts order events, signed with its source's secret.

    POST /hooks/orders/<source key>/
    X-Pomoc-Event-Id:  a unique id of this event (a redelivery sends the same one)
    X-Pomoc-Timestamp: Unix time in seconds when the shop signed it
    X-Pomoc-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" with the source's secret>

Every request is stored before it is checked (``WebhookDelivery``), so nothing a shop sends is lost
and a refused one can be inspected. See docs/orders.md for the payload.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from pomoc.orders import services
from pomoc.orders.models import OrderSource, WebhookDelivery

REPLAY_WINDOW_SECONDS = 300
MAX_BODY_BYTES = 1024 * 1024
KEPT_HEADERS = ("X-Pomoc-Event-Id", "X-Pomoc-Timestamp", "X-Pomoc-Signature", "Content-Type", "User-Agent")
EVENT_TYPES = ("order.created", "order.updated")


@dataclass
class Outcome:
    status: int
    body: dict


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header's value for ``body`` sent at ``timestamp`` (what shops compute too)."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def _refuse(delivery: WebhookDelivery, status: int, detail) -> Outcome:
    delivery.error = detail if isinstance(detail, str) else json.dumps(detail, ensure_ascii=False)
    delivery.save(update_fields=["error"])
    return Outcome(status, {"detail": detail})


def receive(*, source_key: str, headers, body: bytes, now: float | None = None) -> Outcome:
    """Store the request, then check and apply it. Answers 2xx only for what was applied (or had
    been before: a redelivered event id), 4xx with a reason otherwise."""
    now = time.time() if now is None else now
    source = OrderSource.objects.filter(key=source_key[:50]).first()
    event_id = (headers.get("X-Pomoc-Event-Id") or "").strip()[:200]
    kept = body[:MAX_BODY_BYTES].decode("utf-8", errors="replace").replace("\x00", "\ufffd")
    delivery = WebhookDelivery.objects.create(
        source=source, event_id=event_id, body=kept,
        headers={h: headers.get(h, "")[:500] for h in KEPT_HEADERS if headers.get(h)})
    if source is None or not source.secret_encrypted:
        return _refuse(delivery, 404, _("No order source “%(key)s” with a webhook secret.") % {"key": source_key[:50]})
    if len(body) > MAX_BODY_BYTES:
        return _refuse(delivery, 413, _("The body is over 1 MB."))
    timestamp = (headers.get("X-Pomoc-Timestamp") or "").strip()
    signature = (headers.get("X-Pomoc-Signature") or "").strip()
    if not timestamp.isdigit() or not signature:
        return _refuse(delivery, 401, _("Missing X-Pomoc-Timestamp or X-Pomoc-Signature header."))
    if not hmac.compare_digest(sign(source.get_secret(), timestamp, body), signature):
        return _refuse(delivery, 401, _("The signature does not match: sign “<timestamp>.<body>” with HMAC-SHA256 "
                                        "and the source's secret, and send sha256=<hex>."))
    if abs(now - int(timestamp)) > REPLAY_WINDOW_SECONDS:
        return _refuse(delivery, 401, _("The timestamp is more than %(seconds)d seconds from now: sign each "
                                        "delivery when you send it.") % {"seconds": REPLAY_WINDOW_SECONDS})
    if not event_id:
        return _refuse(delivery, 400, _("Missing X-Pomoc-Event-Id header."))
    previous = WebhookDelivery.objects.filter(source=source, event_id=event_id, accepted=True).first()
    if previous is not None:
        delivery.error = _("duplicate")
        delivery.save(update_fields=["error"])
        return Outcome(200, {"status": "duplicate", "order": previous.order_id})
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        return _refuse(delivery, 400, _("The body is not JSON."))
    if not isinstance(payload, dict) or payload.get("type") not in EVENT_TYPES or not isinstance(
            payload.get("order"), dict):
        return _refuse(delivery, 422, _("The body needs “type” (%(types)s) and an “order” object.")
                       % {"types": ", ".join(EVENT_TYPES)})
    try:
        data = order_in(payload["order"])
        with transaction.atomic():
            order, _created = services.order_upsert(source=source, data=data)
            delivery.accepted, delivery.order, delivery.error = True, order, ""
            delivery.save(update_fields=["accepted", "order", "error"])
    except ValidationError as exc:
        items = [{"loc": ["order", *k.split(".")], "msg": " ".join(v)} for k, v in exc.message_dict.items()]
        return _refuse(delivery, 422, items)
    except IntegrityError:  # the same event delivered twice at once: the other one applied it
        return Outcome(200, {"status": "duplicate"})
    return Outcome(200, {"status": "ok", "order": order.pk})


def order_in(data: dict) -> services.OrderIn:
    customer = data.get("customer") if isinstance(data.get("customer"), dict) else {}
    lines = data.get("lines") if isinstance(data.get("lines"), list) else []

    def text(value) -> str:
        return value if isinstance(value, str) else ("" if value is None else str(value))

    return services.OrderIn(
        external_id=text(data.get("id")), number=text(data.get("number")), email=text(customer.get("email")),
        name=text(customer.get("name"))[:200], status=text(data.get("status") or "paid"),
        currency=text(data.get("currency")), placed_at=text(data.get("placed_at")),
        paid_at=text(data.get("paid_at")) or None, fulfilled_at=text(data.get("fulfilled_at")) or None,
        refunded=text(data.get("refunded") or "0"),
        lines=services.lines_from_mapping(i if isinstance(i, dict) else {} for i in lines))
