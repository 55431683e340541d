"""The set-wise writes: insert, insert-or-skip, insert-or-update, new ids in the rows' order, JSON
values, on SQLite and PostgreSQL alike."""

import pytest
from django.utils import timezone

from pomoc.contacts.models import Contact, ContactChange, Identity
from pomoc.core.upsert import insert_new, upsert, upsert_defaults

pytestmark = pytest.mark.django_db


def test_insert_new_returns_each_row_s_id_in_order_across_statements():
    rows = [{**upsert_defaults(Contact), "name": f"N{n}", "custom_fields": {"n": n}} for n in range(5000)]
    ids = insert_new(Contact, rows)  # on SQLite: several statements (a power of two rows each)
    assert len(set(ids)) == 5000
    names = dict(Contact.objects.values_list("pk", "name"))
    assert [names[pk] for pk in ids] == [f"N{n}" for n in range(5000)]
    assert Contact.objects.get(pk=ids[42]).custom_fields == {"n": 42}
    assert insert_new(Contact, []) == []


def test_conflicts_are_skipped_or_updated_and_only_what_was_written_comes_back():
    contact = Contact.objects.create(name="C")
    now = timezone.now()
    row = {**upsert_defaults(Identity), "contact": contact.pk, "kind": "email", "created_at": now}
    first = upsert(Identity, [{**row, "value": "a@x.cz"}], unique=["kind", "value"], returning=["value"])
    assert [value for value, _pk in first] == ["a@x.cz"]
    again = upsert(Identity, [{**row, "value": "a@x.cz"}, {**row, "value": "b@x.cz"}], unique=["kind", "value"],
                   returning=["value"])
    assert [value for value, _pk in again] == ["b@x.cz"]  # DO NOTHING: the existing one is not returned
    upsert(Identity, [{**row, "value": "a@x.cz", "bounced": True}], unique=["kind", "value"], update=["bounced"])
    assert Identity.objects.get(value="a@x.cz").bounced and Identity.objects.count() == 2


def test_a_plain_insert_keeps_json_and_nulls():
    contact = Contact.objects.create(name="C")
    change = {**upsert_defaults(ContactChange), "contact": contact.pk, "field": "identity_added"}
    upsert(ContactChange, [{**change, "new": "phone:+420777000111"}, {**change, "new": {"a": ["ü", 1]}}])
    assert sorted(map(str, ContactChange.objects.values_list("new", flat=True))) == [
        "phone:+420777000111", "{'a': ['ü', 1]}"]
    assert set(ContactChange.objects.values_list("old", "actor")) == {(None, None)}
