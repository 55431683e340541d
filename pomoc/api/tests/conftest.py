import json

import pytest
from django.test import Client

from pomoc.accounts.models import ApiToken, Role
from pomoc.testing.factories import ContactFactory, DepartmentFactory, UserFactory, make_customer_user, make_ticket

PREFIX = "/api/v1"


class Api:
    """A test client that speaks JSON to /api/v1 with a bearer token."""

    def __init__(self, user=None, token: str | None = None):
        self.client = Client()
        self.user = user
        if token is None and user is not None:
            _token, token = ApiToken.create_for(user, name="tests")
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def _url(self, path: str) -> str:
        return path if path.startswith(PREFIX) else PREFIX + path

    def get(self, path, params=None):
        return self.client.get(self._url(path), params or {}, headers=self.headers)

    def _send(self, method, path, body):
        data = body if isinstance(body, str | bytes) else json.dumps(body)
        return getattr(self.client, method)(self._url(path), data, content_type="application/json",
                                            headers=self.headers)

    def post(self, path, body=None):
        return self._send("post", path, {} if body is None else body)

    def patch(self, path, body=None):
        return self._send("patch", path, {} if body is None else body)

    def delete(self, path):
        return self.client.delete(self._url(path), headers=self.headers)

    def multipart(self, path, data):
        return self.client.post(self._url(path), data, headers=self.headers)


@pytest.fixture
def world(db):
    """Two departments with one agent each, an administrator, and a customer with a ticket."""
    support, billing = DepartmentFactory(name="Support"), DepartmentFactory(name="Billing")
    agent = UserFactory(username="supporter")
    support.members.add(agent)
    outsider = UserFactory(username="biller")
    billing.members.add(outsider)
    admin = UserFactory(username="admin", role=Role.ADMINISTRATOR)
    requester = ContactFactory(name="Ada Customer", email="ada@example.org")
    customer = make_customer_user(contact=requester, username="ada")
    ticket = make_ticket(requester=requester, department=support, subject="Printer on fire")
    other_customer = make_customer_user(contact=ContactFactory(name="Bob Other"), username="bob")
    other_ticket = make_ticket(requester=other_customer.contact, department=support, subject="Bob's problem")
    return {
        "support": support, "billing": billing, "agent": agent, "outsider": outsider, "admin": admin,
        "requester": requester, "customer": customer, "ticket": ticket, "other_customer": other_customer,
        "other_ticket": other_ticket,
    }


@pytest.fixture
def as_agent(world):
    return Api(world["agent"])


@pytest.fixture
def as_admin(world):
    return Api(world["admin"])


@pytest.fixture
def as_outsider(world):
    return Api(world["outsider"])


@pytest.fixture
def as_customer(world):
    return Api(world["customer"])
