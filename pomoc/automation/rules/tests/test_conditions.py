"""Each condition an administrator can build, on real tickets: one that matches, one that does not."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from pomoc.automation.rules import conditions
from pomoc.calendars.services import calendar_create
from pomoc.channels.models import Inbox
from pomoc.contacts.models import Company
from pomoc.testing.factories import ContactFactory, DepartmentFactory, make_ticket
from pomoc.tickets import services
from pomoc.tickets.models import CustomFieldDefinition, Message, Priority

pytestmark = pytest.mark.django_db


def holds(condition: dict, ticket, **facts) -> bool:
    (cleaned,) = conditions.clean([condition])
    found = conditions.facts_for(ticket)
    for key, value in facts.items():
        setattr(found, key, value)
    return conditions.compile_conditions([cleaned])(found)


def test_channel():
    assert holds({"field": "channel", "op": "is", "value": "Live chat"}, make_ticket(channel="chat"))
    assert not holds({"field": "channel", "op": "is", "value": "chat"}, make_ticket(channel="email"))
    assert holds({"field": "channel", "op": "is_not", "value": "chat"}, make_ticket(channel="email"))


def test_inbox_is_the_one_the_customer_wrote_through():
    inbox = Inbox.objects.create(name="Sales", address="sales@pomoc.example")
    ticket = make_ticket()
    Message.objects.filter(ticket=ticket).update(inbox=inbox)
    assert holds({"field": "inbox", "op": "is", "value": "sales"}, ticket)
    assert not holds({"field": "inbox", "op": "is", "value": "Sales"}, make_ticket())


def test_department_by_name():
    billing = DepartmentFactory(name="Billing")
    assert holds({"field": "department", "op": "is", "value": "billing"}, make_ticket(department=billing))
    assert not holds({"field": "department", "op": "is", "value": "Billing"}, make_ticket())
    assert holds({"field": "department", "op": "is_not", "value": "Billing"}, make_ticket())


@pytest.mark.parametrize(("field", "op", "value", "expected"), [
    ("subject", "contains", "REFUND", True),
    ("subject", "not_contains", "refund", False),
    ("subject", "matches", r"order\s+\d{3}", True),
    ("subject", "matches", r"^invoice", False),
    ("body", "contains", "card was charged twice", True),
    ("body", "matches", r"charged\s+twice", True),
    ("body", "not_contains", "printer", True),
])
def test_subject_and_body(field, op, value, expected):
    ticket = make_ticket(subject="Refund for order 123", body="My card was charged twice.")
    assert holds({"field": field, "op": op, "value": value}, ticket) is expected


def test_customer_by_name_or_address():
    ticket = make_ticket(requester=ContactFactory(name="Jana Nováková", email="jana@example.cz"))
    assert holds({"field": "customer", "op": "contains", "value": "@example.cz"}, ticket)
    assert holds({"field": "customer", "op": "contains", "value": "nováková"}, ticket)
    assert not holds({"field": "customer", "op": "contains", "value": "@example.pl"}, ticket)


def test_company():
    acme = Company.objects.create(name="ACME")
    ticket = make_ticket(requester=ContactFactory(company=acme))
    assert holds({"field": "company", "op": "is", "value": "acme"}, ticket)
    assert not holds({"field": "company", "op": "is", "value": "ACME"}, make_ticket())


def test_custom_field():
    CustomFieldDefinition.objects.create(key="plan", label="Plan", type="choice", choices=["free", "pro"])
    ticket = make_ticket(custom_fields={"plan": "pro"})
    assert holds({"field": "custom_field", "op": "is", "value": "plan=pro"}, ticket)
    assert not holds({"field": "custom_field", "op": "is", "value": "plan=free"}, ticket)
    assert holds({"field": "custom_field", "op": "is_not", "value": "plan=free"}, ticket)


def test_tag():
    ticket = make_ticket(tags=["vip"])
    assert holds({"field": "tag", "op": "is", "value": "VIP"}, ticket)
    assert not holds({"field": "tag", "op": "is_not", "value": "vip"}, ticket)


def test_priority():
    ticket = make_ticket(priority=Priority.HIGH)
    assert holds({"field": "priority", "op": "is", "value": "high"}, ticket)
    assert holds({"field": "priority", "op": "at_least", "value": "Normal"}, ticket)
    assert not holds({"field": "priority", "op": "at_least", "value": "urgent"}, ticket)


def test_language_of_the_customer():
    ticket = make_ticket(requester=ContactFactory(language="cs"))
    assert holds({"field": "language", "op": "is", "value": "cs"}, ticket)
    assert not holds({"field": "language", "op": "is", "value": "pl"}, ticket)


def test_within_business_hours():
    calendar_create(name="Office", time_zone="Europe/Prague", hours={str(d): ["09:00-17:00"] for d in range(5)})
    ticket = make_ticket()
    tuesday_noon = dt.datetime(2026, 12, 8, 12, 0, tzinfo=dt.UTC)  # 13:00 in Prague
    tuesday_night = dt.datetime(2026, 12, 8, 22, 0, tzinfo=dt.UTC)
    assert holds({"field": "business_hours", "op": "is", "value": "Office"}, ticket, now=tuesday_noon)
    assert not holds({"field": "business_hours", "op": "is", "value": "Office"}, ticket, now=tuesday_night)
    assert holds({"field": "business_hours", "op": "is_not", "value": "Office"}, ticket, now=tuesday_night)


def test_hours_since_an_event():
    ticket = make_ticket()
    later = timezone.now() + dt.timedelta(hours=5)
    assert holds({"field": "hours_since_created", "op": "at_least", "value": "4"}, ticket, now=later)
    assert not holds({"field": "hours_since_created", "op": "at_least", "value": "6"}, ticket, now=later)
    assert holds({"field": "hours_since_customer", "op": "less_than", "value": "6"}, ticket, now=later)
    services.ticket_update(ticket=ticket, actor=None, changes={"priority": Priority.LOW})
    ticket.refresh_from_db()
    assert not holds({"field": "hours_since_updated", "op": "at_least", "value": "1"}, ticket)


@pytest.mark.parametrize(("condition", "message"), [
    ({"field": "colour", "op": "is", "value": "red"}, "unknown field"),
    ({"field": "subject", "op": "at_least", "value": "3"}, "cannot be compared"),
    ({"field": "department", "op": "is", "value": "Nowhere"}, "is not the name of any department"),
    ({"field": "subject", "op": "matches", "value": "(unclosed"}, "Not a regular expression"),
    ({"field": "hours_since_created", "op": "at_least", "value": "soon"}, "Enter a number of hours"),
    ({"field": "custom_field", "op": "is", "value": "plan"}, "key=value"),
    ("not a dict", "not understood"),
])
def test_what_cannot_be_a_condition_is_refused_with_a_reason(condition, message):
    with pytest.raises(ValidationError) as error:
        conditions.clean([condition])
    assert message in " ".join(error.value.messages)
