"""Orders in the customer's profile: merged with the person, undone with the merge, exported with
their data, and in their one timeline."""

import io
import json
import zipfile

import pytest

from pomoc.contacts.merging import contact_merge, contact_unmerge
from pomoc.contacts.privacy import contact_export
from pomoc.customers.selectors import timeline
from pomoc.orders.models import Order
from pomoc.orders.tests.helpers import make_order
from pomoc.testing.factories import ContactFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_merge_moves_the_orders_and_its_undo_puts_them_back():
    source, target = ContactFactory(name="Ann Old"), ContactFactory(name="Ann New")
    first = make_order(source, "A-1")
    second = make_order(target, "A-2")
    merge = contact_merge(source=source, target=target)
    assert set(Order.objects.filter(contact=target).values_list("pk", flat=True)) == {first.pk, second.pk}
    contact_unmerge(merge=merge)
    assert list(Order.objects.filter(contact=source).values_list("pk", flat=True)) == [first.pk]
    assert list(Order.objects.filter(contact=target).values_list("pk", flat=True)) == [second.pk]


def test_the_export_holds_the_orders_and_the_timeline_shows_them():
    contact = ContactFactory(name="Bob")
    make_order(contact, "B-7", lines=(("Teapot", "35.50", 2),))
    archive = zipfile.ZipFile(io.BytesIO(contact_export(contact=contact)))
    data = json.loads(archive.read("data.json"))
    assert "Teapot" in json.dumps(data.get("orders"))
    entries = timeline(contact, UserFactory(role="administrator")).entries
    assert [e.kind for e in entries] == ["order"] and entries[0].title == "B-7"
