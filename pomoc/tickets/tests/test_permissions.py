import pytest
from django.http import Http404

from pomoc.accounts.models import Role
from pomoc.core.models import OrganisationSettings
from pomoc.testing.factories import (
    ContactFactory,
    DepartmentFactory,
    UserFactory,
    make_customer_user,
    make_ticket,
)
from pomoc.tickets import permissions, services
from pomoc.tickets.models import MessageKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    support, billing = DepartmentFactory(name="Support"), DepartmentFactory(name="Billing")
    agent = UserFactory(username="supporter")
    support.members.add(agent)
    outsider = UserFactory(username="biller")
    billing.members.add(outsider)
    ticket = make_ticket(department=support)
    return {"agent": agent, "outsider": outsider, "ticket": ticket, "billing": billing}


def test_an_agent_sees_their_departments_tickets_and_not_others(world):
    assert permissions.access_ticket(world["agent"], world["ticket"].pk) == world["ticket"]
    with pytest.raises(Http404):
        permissions.access_ticket(world["outsider"], world["ticket"].pk)


def test_an_agent_sees_a_ticket_assigned_to_them_in_another_department(world):
    services.ticket_update(ticket=world["ticket"], actor=world["agent"], changes={"assignee": world["outsider"]})
    assert permissions.access_ticket(world["outsider"], world["ticket"].pk)


def test_supervisors_see_all_only_when_configured(world):
    supervisor = UserFactory(username="boss", role=Role.SUPERVISOR)
    assert permissions.access_ticket(supervisor, world["ticket"].pk)
    org = OrganisationSettings.get()
    org.supervisors_see_all_tickets = False
    org.save()
    with pytest.raises(Http404):
        permissions.access_ticket(supervisor, world["ticket"].pk)


def test_a_customer_sees_only_their_own_tickets_and_never_notes(world):
    owner = make_customer_user(contact=world["ticket"].requester)
    stranger = make_customer_user(contact=ContactFactory())
    note = services.message_add(ticket=world["ticket"], kind=MessageKind.NOTE, actor=world["agent"],
                                body_text="internal")
    assert permissions.access_ticket(owner, world["ticket"].pk)
    with pytest.raises(Http404):
        permissions.access_ticket(stranger, world["ticket"].pk)
    with pytest.raises(Http404):
        permissions.access_message(owner, note.pk)
    assert list(permissions.visible_messages(owner, world["ticket"]).values_list("kind", flat=True)) == [
        MessageKind.CUSTOMER
    ]


def test_garbage_ids_are_not_found(world):
    for bad in ("abc", None, "1; drop table", -5):
        with pytest.raises(Http404):
            permissions.access_ticket(world["agent"], bad)


def test_inactive_users_see_nothing(world):
    world["agent"].is_active = False
    world["agent"].save()
    with pytest.raises(Http404):
        permissions.access_ticket(world["agent"], world["ticket"].pk)
