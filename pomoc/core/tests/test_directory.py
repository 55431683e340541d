import pickle

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pomoc.core.directory import PREFIX
from pomoc.testing.factories import DepartmentFactory, UserFactory
from pomoc.tickets.custom_fields import active_definitions
from pomoc.tickets.forms import departments, staff_users
from pomoc.tickets.models import CustomFieldDefinition

pytestmark = pytest.mark.django_db


def test_lists_are_read_once_then_served_from_the_cache():
    DepartmentFactory(name="Billing")
    assert [d.name for d in departments()] == ["Billing"]
    with CaptureQueriesContext(connection) as captured:
        assert [d.name for d in departments()] == ["Billing"]
    assert captured.captured_queries == []


def test_a_change_shows_at_once():
    DepartmentFactory(name="Billing")
    departments()
    support = DepartmentFactory(name="Support")
    assert [d.name for d in departments()] == ["Billing", "Support"]
    support.delete()
    assert [d.name for d in departments()] == ["Billing"]

    UserFactory(username="ann", first_name="Ann")
    staff_users()
    UserFactory(username="bob", first_name="Bob")
    assert [u.username for u in staff_users()] == ["ann", "bob"]

    definition = CustomFieldDefinition.objects.create(key="plan", label="Plan", type="text")
    assert [d.key for d in active_definitions()] == ["plan"]
    definition.active = False
    definition.save()
    assert active_definitions() == []


def test_the_cached_agents_carry_no_password_hash():
    UserFactory(username="ann")
    staff_users()
    stored = pickle.dumps(cache.get(PREFIX + "staff-users"))
    assert b"pbkdf2" not in stored and b"argon2" not in stored and b"password" not in stored
