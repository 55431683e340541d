"""Administrators set follow-ups per inbox or department in the administration area; others may not."""

import pytest
from django.test import Client

from pomoc.accounts.models import Role
from pomoc.automation.followups.models import FollowUpPolicy
from pomoc.channels.email.tests.helpers import make_inbox
from pomoc.testing.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def _client(role):
    client = Client()
    client.force_login(UserFactory(role=role))
    return client


def test_an_administrator_sets_an_inboxs_follow_ups():
    inbox = make_inbox(name="Help")
    DepartmentFactory(name="Billing")
    client = _client(Role.ADMINISTRATOR)
    page = client.get("/manage/follow-ups/").content.decode()
    assert "Help" in page and "Billing" in page
    response = client.post(f"/manage/follow-ups/inbox/{inbox.pk}/", {
        "acknowledge": "on", "acknowledgement_text": "Got #{{ ticket.number }}", "remind_after_days": "3",
        "close_after_days": "10", "request_rating": "on", "rating_text": ""})
    assert response.status_code == 302
    policy = FollowUpPolicy.objects.get(inbox=inbox)
    assert (policy.acknowledge, policy.remind_after_days, policy.close_after_days, policy.request_rating) == \
        (True, 3, 10, True)
    assert "after 3 days" in client.get("/manage/follow-ups/").content.decode()


def test_bad_values_are_explained_and_nothing_is_saved():
    department = DepartmentFactory()
    client = _client(Role.ADMINISTRATOR)
    response = client.post(f"/manage/follow-ups/department/{department.pk}/",
                           {"remind_after_days": "0", "reminder_text": "{% if %}"})
    assert response.status_code == 400
    response = client.post(f"/manage/follow-ups/department/{department.pk}/", {"reminder_text": "{% if %}"})
    assert response.status_code == 400 and "Line 1" in response.content.decode()
    assert not FollowUpPolicy.objects.exists()
    assert client.get(f"/manage/follow-ups/elsewhere/{department.pk}/").status_code == 404


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR])
def test_only_administrators(role):
    department = DepartmentFactory()
    client = _client(role)
    assert client.get("/manage/follow-ups/").status_code == 403
    assert client.post(f"/manage/follow-ups/department/{department.pk}/", {"acknowledge": "on"}).status_code == 403
