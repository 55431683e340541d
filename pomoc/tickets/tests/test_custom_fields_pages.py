"""Custom fields on the agent pages: edited in the ticket's sidebar and on the new-ticket form, checked
by the same function (and so with the same messages) as the API, and usable as inbox filters and
columns."""

import re

import pytest

from pomoc.accounts.models import ApiToken, Role
from pomoc.testing.factories import DepartmentFactory, UserFactory, make_ticket
from pomoc.testing.pages import ticket_page
from pomoc.tickets.models import CustomFieldDefinition, EventType, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def fields():
    return {
        "order": CustomFieldDefinition.objects.create(key="order", label="Order number", type="text"),
        "seats": CustomFieldDefinition.objects.create(key="seats", label="Seats", type="number"),
        "vip": CustomFieldDefinition.objects.create(key="vip", label="VIP", type="boolean"),
        "plan": CustomFieldDefinition.objects.create(key="plan", label="Plan", type="choice",
                                                     choices=["basic", "pro"]),
        "renewal": CustomFieldDefinition.objects.create(key="renewal", label="Renewal", type="date"),
        "region": CustomFieldDefinition.objects.create(key="region", label="Region", type="text", required=True),
    }


@pytest.fixture
def agent():
    return UserFactory(username="fielder", role=Role.ADMINISTRATOR)


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


def api_error(client, agent, number: int, values: dict) -> str:
    """What the API answers for the same values."""
    _token, raw = ApiToken.create_for(agent)
    response = client.patch(f"/api/v1/tickets/{number}", {"custom_fields": values}, content_type="application/json",
                            headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 422
    return response.json()["detail"][0]["msg"]


def save(client, number: int, data: dict):
    return client.post(f"/tickets/{number}/fields/", data, headers={"HX-Request": "true"})


def test_the_sidebar_shows_and_saves_each_kind_of_field(agent_client, agent, fields):
    ticket = make_ticket(custom_fields={"region": "EU"})
    page = ticket_page(agent_client, ticket.number)
    assert 'id="custom-fields"' in page and "Order number" in page and 'name="cf_region" value="EU"' in page
    for data in ({"cf_order": "A-17"}, {"cf_seats": "12,5"}, {"cf_vip": "true"}, {"cf_plan": "pro"},
                 {"cf_renewal": "2027-01-31"}):
        response = save(agent_client, ticket.number, data)
        assert response.status_code == 200
        assert 'class="errorlist"' not in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.custom_fields == {"region": "EU", "order": "A-17", "seats": 12.5, "vip": True, "plan": "pro",
                                    "renewal": "2027-01-31"}
    changes = ticket.events.filter(type=EventType.CUSTOM_FIELDS_CHANGED)
    assert changes.count() == 5 and all(e.actor_id == agent.pk for e in changes)
    # Clearing an optional field removes it.
    save(agent_client, ticket.number, {"cf_order": ""})
    ticket.refresh_from_db()
    assert "order" not in ticket.custom_fields


@pytest.mark.parametrize(("field", "typed", "api_value"), [
    ("seats", "many", "many"),
    ("plan", "gold", "gold"),
    ("renewal", "31.1.2027", "31.1.2027"),
    ("vip", "maybe", "maybe"),
    ("region", "", None),
])
def test_a_refused_value_gets_the_apis_message_and_changes_nothing(agent_client, agent, fields, field, typed,
                                                                   api_value):
    ticket = make_ticket(custom_fields={"region": "EU"})
    response = save(agent_client, ticket.number, {f"cf_{field}": typed})
    html = response.content.decode()
    message = api_error(agent_client, agent, ticket.number, {field: api_value})
    shown = re.search(rf'<ul class="errorlist" id="cf_{field}-errors"><li>(.*?)</li>', html).group(1)
    assert shown == message.replace("“", "&ldquo;").replace("”", "&rdquo;") or shown == message
    assert f'name="cf_{field}" value="{typed}"' in html or field in ("plan", "vip")  # what was typed is kept
    ticket.refresh_from_db()
    assert ticket.custom_fields == {"region": "EU"}
    assert not ticket.events.filter(type=EventType.CUSTOM_FIELDS_CHANGED).exists()


def test_without_javascript_the_form_posts_and_comes_back(agent_client, fields):
    ticket = make_ticket(custom_fields={"region": "EU"})
    response = agent_client.post(f"/tickets/{ticket.number}/fields/", {"cf_order": "B-2"})
    assert response.status_code == 302
    response = agent_client.post(f"/tickets/{ticket.number}/fields/", {"cf_seats": "lots"})
    assert response.status_code == 400
    assert "Not a valid value for a field of type “Number”." in response.content.decode()


def test_only_agents_who_may_work_on_the_ticket_change_fields(client, fields):
    ticket = make_ticket(department=DepartmentFactory(name="Hidden"), custom_fields={"region": "EU"})
    client.force_login(UserFactory(username="outsider"))
    assert save(client, ticket.number, {"cf_order": "X"}).status_code == 404
    ticket.refresh_from_db()
    assert "order" not in ticket.custom_fields


def test_the_new_ticket_form_sets_fields_checked_as_the_api_checks_them(agent_client, agent, fields):
    form = agent_client.get("/tickets/new/").content.decode()
    assert 'name="cf_plan"' in form and 'name="cf_region"' in form
    data = {"requester_email": "new@example.org", "subject": "Upgrade", "body": "Wants pro.", "priority": "2",
            "cf_region": "", "cf_seats": "ten", "cf_plan": "pro"}
    response = agent_client.post("/tickets/new/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "This field is required." in html  # region
    assert "Not a valid value for a field of type “Number”." in html  # seats
    assert not Ticket.objects.filter(subject="Upgrade").exists()
    data.update({"cf_region": "EU", "cf_seats": "10"})
    response = agent_client.post("/tickets/new/", data)
    assert response.status_code == 302
    ticket = Ticket.objects.get(subject="Upgrade")
    assert ticket.custom_fields == {"region": "EU", "seats": 10, "plan": "pro"}


def test_the_inbox_filters_by_a_field_and_shows_fields_as_columns(agent_client, fields):
    pro = make_ticket(subject="Pro customer", custom_fields={"region": "EU", "plan": "pro", "seats": 12})
    make_ticket(subject="Basic customer", custom_fields={"region": "US", "plan": "basic", "seats": 3})
    html = agent_client.get("/inbox/?view=open&cf_plan=pro&fields=plan,seats").content.decode()
    assert "Pro customer" in html and "Basic customer" not in html
    assert '<th scope="col" class="col-field">Plan</th>' in html
    assert '<td class="col-field">pro</td><td class="col-field">12</td>' in html
    html = agent_client.get("/inbox/?view=open&cf_seats=3").content.decode()
    assert "Basic customer" in html and "Pro customer" not in html
    assert pro.number
    # The filter bar offers the fields; a wrong value says what is wrong, as the API would.
    html = agent_client.get("/inbox/?view=open&cf_seats=many").content.decode()
    assert "Not a valid value for a field of type “Number”." in html
    html = agent_client.get("/inbox/?view=open&cf_nope=1").content.decode()
    assert "Unknown custom field." in html


def test_a_saved_view_keeps_field_filters_and_columns(agent_client, agent, fields):
    make_ticket(subject="Pro customer", custom_fields={"region": "EU", "plan": "pro"})
    response = agent_client.post("/inbox/views/", {"name": "Pro", "cf_plan": "pro", "fields": "plan",
                                                    "next": "/"})
    assert response.status_code == 302
    view = agent.saved_views.get()
    assert view.filters == {"cf_plan": "pro", "fields": "plan"}


def test_a_retired_fields_value_can_still_be_cleared(agent_client, agent, fields):
    ticket = make_ticket(custom_fields={"region": "EU", "order": "A-1"})
    fields["order"].active = False
    fields["order"].save()
    _token, raw = ApiToken.create_for(agent)
    response = agent_client.patch(f"/api/v1/tickets/{ticket.number}", {"custom_fields": {"order": None}},
                                  content_type="application/json", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    ticket.refresh_from_db()
    assert ticket.custom_fields == {"region": "EU"}
    # …but no new value is taken for it.
    assert api_error(agent_client, agent, ticket.number, {"order": "A-2"}) == "Unknown custom field."


def test_a_nul_character_is_refused_not_stored(agent_client, fields):
    ticket = make_ticket(custom_fields={"region": "EU"})
    html = save(agent_client, ticket.number, {"cf_order": "A\x00B"}).content.decode()
    assert 'id="cf_order-errors"' in html
    ticket.refresh_from_db()
    assert ticket.custom_fields == {"region": "EU"}
    assert agent_client.get("/inbox/?view=open&cf_order=A%00B").status_code in (200, 400)
