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


def test_the_demo_account_belongs_to_the_contact_with_the_most_tickets_and_adds_none(client):
    from pomoc.testing.factories import ContactFactory, make_ticket
    from pomoc.tickets.models import Ticket

    busy = ContactFactory(name="Busy Customer")
    for n in range(2):
        make_ticket(requester=busy, subject=f"Busy request {n}")
    make_ticket(requester=ContactFactory(), subject="Someone else")
    ensure_portal("demo-pass-2026")
    assert Ticket.objects.count() == 3
    client.post(reverse("portal:login"), {"email": CUSTOMER_EMAIL, "password": "demo-pass-2026"})
    content = client.get(reverse("portal:my-tickets")).content.decode()
    assert "Busy request 0" in content and "Busy request 1" in content and "Someone else" not in content
