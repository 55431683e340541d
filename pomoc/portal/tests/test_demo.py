import pytest
from django.urls import reverse

from pomoc.accounts.models import Role
from pomoc.channels.models import Inbox
from pomoc.demo.portal import CUSTOMER_EMAIL, ensure_portal
from pomoc.testing.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_demo_customer_signs_in_and_sees_their_requests(client):
    DepartmentFactory(name="Support")
    UserFactory(role=Role.ADMINISTRATOR)
    ensure_portal("demo-pass-2026")
    ensure_portal("demo-pass-2026")  # a second run adds nothing
    assert Inbox.objects.filter(kind="web").count() == 1
    answer = client.post(reverse("portal:login"), {"email": CUSTOMER_EMAIL, "password": "demo-pass-2026"})
    assert answer.status_code == 302
    content = client.get(reverse("portal:my-tickets")).content.decode()
    assert content.count('class="portal-ticket-row"') == 3
    assert "Waiting for your reply" in content and "Solved" in content
