import time
import uuid

import pytest
from django.core import signing

from pomoc.channels.models import Inbox
from pomoc.channels.web import spam
from pomoc.testing.factories import ContactFactory, DepartmentFactory, make_customer_user


@pytest.fixture
def customer(db):
    contact = ContactFactory(name="Jana Nová", email="jana@example.cz")
    user = make_customer_user(contact, username="jana@example.cz")
    user.email = "jana@example.cz"
    user.set_password("Customer-pass-2026")
    user.save()
    return user


@pytest.fixture
def web_inbox(db):
    return Inbox.objects.create(name="Help centre form", kind="web", department=DepartmentFactory(name="Support"),
                                config={"min_seconds": 3})


def form_token(age: float = 60) -> str:
    """A form token signed ``age`` seconds ago."""
    return signing.dumps({"id": uuid.uuid4().hex, "t": time.time() - age}, salt=spam.SALT)
