import pytest
from django.urls import reverse

from pomoc.accounts.models import Role
from pomoc.administration.forms_sla import format_duration, parse_duration
from pomoc.automation.sla.models import SlaPolicy
from pomoc.testing.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client):
    user = UserFactory(role=Role.ADMINISTRATOR)
    client.force_login(user)
    return user


def test_durations_read_and_written():
    assert parse_duration("1d 4h 30m") == 24 * 60 + 4 * 60 + 30
    assert parse_duration("90") == 90 and parse_duration("2h") == 120 and parse_duration(" ") is None
    assert format_duration(24 * 60 + 4 * 60 + 30) == "1d 4h 30m" and format_duration(None) == ""
    for bad in ("soon", "4x", "1h soon"):
        with pytest.raises(ValueError):
            parse_duration(bad)


def test_a_policy_is_created_listed_changed_and_deleted(client, admin):
    sales = DepartmentFactory(name="Sales")
    boss = UserFactory(username="boss", role=Role.SUPERVISOR)
    response = client.post(reverse("administration:sla_policy_create"), {
        "name": "Urgent sales", "position": "1", "active": "on", "priorities": ["3", "4"], "channels": ["email"],
        "departments": [sales.pk], "first_response_minutes": "1h", "resolution_minutes": "1d 4h",
        "warn_minutes": "15m", "escalate_to": boss.pk, "raise_priority": "on", "notify": "on"})
    assert response.status_code == 302, response.context["form"].errors
    policy = SlaPolicy.objects.get()
    assert (policy.priorities, policy.channels, list(policy.departments.all())) == ([3, 4], ["email"], [sales])
    assert (policy.first_response_minutes, policy.resolution_minutes, policy.warn_minutes) == (60, 1680, 15)
    assert policy.escalate_to == boss and policy.raise_priority and policy.notify
    page = client.get(reverse("administration:sla_policies")).content.decode()
    assert "Urgent sales" in page and "first response 1h" in page and "resolution 1d 4h" in page
    page = client.get(reverse("administration:sla_policy", args=[policy.pk])).content.decode()
    assert 'value="1d 4h"' in page
    client.post(reverse("administration:sla_policy", args=[policy.pk]), {
        "name": "Urgent sales", "position": "1", "first_response_minutes": "30m"})
    policy.refresh_from_db()
    assert policy.first_response_minutes == 30 and policy.resolution_minutes is None and not policy.active
    client.post(reverse("administration:sla_policy_delete", args=[policy.pk]))
    assert not SlaPolicy.objects.exists()


def test_bad_values_are_refused_with_a_message(client, admin):
    agent = UserFactory(username="ann", role=Role.AGENT)
    cases = [
        ({"first_response_minutes": "soon"}, "first_response_minutes"),
        ({}, "first_response_minutes"),  # no target at all
        ({"first_response_minutes": "1h", "warn_minutes": "2h"}, "warn_minutes"),
        ({"first_response_minutes": "1h", "priorities": ["9"]}, "priorities"),
        ({"first_response_minutes": "1h", "escalate_to": agent.pk}, "escalate_to"),
        ({"first_response_minutes": "9999d"}, "first_response_minutes"),
    ]
    for values, field in cases:
        response = client.post(reverse("administration:sla_policy_create"), {"name": "Bad", "position": "0", **values})
        assert response.status_code == 200 and field in response.context["form"].errors, (values, field)
    assert not SlaPolicy.objects.exists()
    SlaPolicy.objects.create(name="Taken", first_response_minutes=5)
    response = client.post(reverse("administration:sla_policy_create"),
                           {"name": "Taken", "position": "0", "first_response_minutes": "1h"})
    assert response.status_code == 200 and "name" in response.context["form"].errors


def test_supervisors_read_agents_do_not(client):
    policy = SlaPolicy.objects.create(name="Standard", first_response_minutes=60)
    client.force_login(UserFactory(role=Role.SUPERVISOR))
    assert client.get(reverse("administration:sla_policy", args=[policy.pk])).status_code == 200
    assert client.post(reverse("administration:sla_policy_delete", args=[policy.pk])).status_code == 403
    client.force_login(UserFactory(username="ann", role=Role.AGENT))
    assert client.get(reverse("administration:sla_policies")).status_code == 403
    assert SlaPolicy.objects.exists()
