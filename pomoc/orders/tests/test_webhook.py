"""The signed webhook: applied once per event id, refused clearly when the signature or the time is
wrong, and every request kept."""

import json
import time

import pytest

from pomoc.orders import services
from pomoc.orders.models import Order, WebhookDelivery
from pomoc.orders.webhook import sign

pytestmark = pytest.mark.django_db

SECRET = "s3cret-for-tests"
EVENT = {"type": "order.created", "order": {
    "id": "W-1", "number": "#1001", "status": "paid", "currency": "CZK", "placed_at": "2026-03-01T10:00:00Z",
    "customer": {"email": "eva@example.cz", "name": "Eva"},
    "lines": [{"id": "1", "product": "Konvice", "sku": "K-1", "quantity": 1, "unit_price": "899.00"}]}}


@pytest.fixture
def source():
    source = services.source_get_or_create(key="eshop", name="E-shop")
    return services.source_secret_set(source=source, secret=SECRET)


def post(client, body: bytes, *, event_id="evt-1", timestamp=None, secret=SECRET, key="eshop"):
    timestamp = str(int(time.time()) if timestamp is None else timestamp)
    return client.post(f"/hooks/orders/{key}/", body, content_type="application/json", headers={
        "X-Pomoc-Event-Id": event_id, "X-Pomoc-Timestamp": timestamp,
        "X-Pomoc-Signature": sign(secret, timestamp, body)})


def test_a_signed_event_is_applied_once(client, source):
    body = json.dumps(EVENT).encode()
    first = post(client, body)
    assert first.status_code == 200 and first.json()["status"] == "ok"
    order = Order.objects.get()
    assert order.total == 899 and order.contact.identities.get().value == "eva@example.cz"
    again = post(client, body)
    assert again.status_code == 200 and again.json() == {"status": "duplicate", "order": order.pk}
    updated = {**EVENT, "type": "order.updated", "order": {**EVENT["order"], "status": "fulfilled"}}
    assert post(client, json.dumps(updated).encode(), event_id="evt-2").status_code == 200
    order.refresh_from_db()
    assert order.status == "fulfilled" and Order.objects.count() == 1


def test_a_bad_signature_is_refused_and_kept(client, source):
    body = json.dumps(EVENT).encode()
    response = post(client, body, secret="wrong")
    assert response.status_code == 401 and "signature does not match" in response.json()["detail"]
    kept = WebhookDelivery.objects.get()
    assert not kept.accepted and kept.body == body.decode() and "signature" in kept.error
    assert not Order.objects.exists()


def test_an_old_timestamp_is_a_replay(client, source):
    response = post(client, json.dumps(EVENT).encode(), timestamp=int(time.time()) - 3600)
    assert response.status_code == 401 and "seconds from now" in response.json()["detail"]


def test_unknown_source_bad_json_and_bad_order(client, source):
    assert post(client, b"{}", key="nope").status_code == 404
    assert post(client, b"not json", event_id="e2").status_code == 400
    bad = {**EVENT, "order": {**EVENT["order"], "currency": "crowns", "lines": [{"product": "", "unit_price": "x"}]}}
    response = post(client, json.dumps(bad).encode(), event_id="e3")
    assert response.status_code == 422
    assert {tuple(i["loc"]) for i in response.json()["detail"]} == {
        ("order", "currency"), ("order", "lines", "0", "product"), ("order", "lines", "0", "unit_price")}
    assert post(client, json.dumps({"type": "order.deleted"}).encode(), event_id="e4").status_code == 422
    assert WebhookDelivery.objects.count() == 4 and not Order.objects.exists()
