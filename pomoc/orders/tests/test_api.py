"""Orders through the REST API: create, update by the same id, list, change, the error shape."""

import pytest

from pomoc.accounts.models import Role
from pomoc.api.tests.conftest import Api
from pomoc.orders.models import Order
from pomoc.testing.factories import UserFactory, make_customer_user

pytestmark = pytest.mark.django_db

ORDER = {"source": "shop", "external_id": "1001", "email": "ann@example.org", "name": "Ann", "currency": "EUR",
         "placed_at": "2026-03-01T10:00:00Z", "status": "paid",
         "lines": [{"external_id": "a", "product": "Mug", "sku": "MUG-1", "quantity": 2, "unit_price": "12.50"}]}


@pytest.fixture
def api():
    return Api(UserFactory(username="integrator", role=Role.ADMINISTRATOR))


def test_create_then_update_the_same_order(api):
    created = api.post("/orders", ORDER)
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["total"] == "25.00" and body["lines"][0]["unit_price"] == "12.50"
    updated = api.post("/orders", {**ORDER, "status": "fulfilled"})
    assert updated.status_code == 200 and updated.json()["id"] == body["id"]
    assert Order.objects.count() == 1
    patched = api.patch(f"/orders/{body['id']}", {"refunded": "5.00", "status": "refunded"})
    assert patched.status_code == 200 and patched.json()["refunded"] == "5.00"
    listed = api.get("/orders", {"contact": body["contact"]}).json()
    assert [o["id"] for o in listed["items"]] == [body["id"]]
    value = api.get(f"/contacts/{body['contact']}/value").json()
    assert value["realised"] == [{"currency": "EUR", "amount": "20.00"}]
    assert value["health"] == 50 + sum(c["points"] for c in value["why"])


def test_bad_input_is_a_422_naming_the_fields(api):
    response = api.post("/orders", {**ORDER, "lines": [{"product": "Mug", "quantity": 0, "unit_price": "1.00"}]})
    assert response.status_code == 422
    assert {tuple(item["loc"]) for item in response.json()["detail"]} == {("body", "lines", 0, "quantity")}
    response = api.post("/orders", {**ORDER, "currency": "EURO", "lines": [{"product": "Mug", "unit_price": "1.234"}]})
    assert response.status_code == 422
    locations = {tuple(item["loc"]) for item in response.json()["detail"]}
    assert locations == {("body", "currency"), ("body", "lines", "0", "unit_price")}
    duplicate_lines = api.post("/orders", {**ORDER, "lines": [ORDER["lines"][0], ORDER["lines"][0]]})
    assert duplicate_lines.status_code == 422
    assert api.get("/orders/999999").status_code == 404
    assert not Order.objects.exists()


def test_customers_cannot_use_it(db):
    customer = Api(make_customer_user())
    assert customer.post("/orders", ORDER).status_code == 403
    assert customer.get("/orders").status_code == 403
