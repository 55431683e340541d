"""``staff_who_can_see`` (whom a mention names) agrees with ``access_ticket`` (what a page shows)."""

import itertools

import pytest
from django.http import Http404

from pomoc.accounts.models import Role
from pomoc.core.models import OrganisationSettings
from pomoc.testing.factories import DepartmentFactory, UserFactory, make_ticket
from pomoc.tickets.permissions import access_ticket, staff_who_can_see

pytestmark = pytest.mark.django_db


def can_open(user, ticket) -> bool:
    try:
        access_ticket(user, ticket.pk)
    except Http404:
        return False
    return True


def test_it_names_exactly_the_staff_who_can_open_the_ticket():
    support, billing = DepartmentFactory(name="Support"), DepartmentFactory(name="Billing")
    users = [UserFactory(username=f"{role}-{place}", role=role)
             for role in (Role.AGENT, Role.SUPERVISOR, Role.ADMINISTRATOR) for place in ("support", "billing", "none")]
    for user in users:
        if user.username.endswith("support"):
            support.members.add(user)
        elif user.username.endswith("billing"):
            billing.members.add(user)
    UserFactory(username="customer", role=Role.CUSTOMER)
    UserFactory(username="left", is_active=False)
    loner = users[2]
    tickets = [make_ticket(department=support), make_ticket(department=None), make_ticket(department=billing,
                                                                                        assignee=loner)]
    org = OrganisationSettings.get()
    for admins, supervisors, unassigned in itertools.product((True, False), repeat=3):
        org.administrators_see_all_tickets, org.supervisors_see_all_tickets = admins, supervisors
        org.agents_see_unassigned_department_less = unassigned
        org.save()
        for ticket in tickets:
            expected = {u.username for u in users if can_open(u, ticket)}
            assert set(staff_who_can_see(ticket).values_list("username", flat=True)) == expected, (
                admins, supervisors, unassigned, ticket.department)
