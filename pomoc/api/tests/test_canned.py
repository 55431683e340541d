"""The canned responses API: visibility as in the agent interface, the writers' rules, rendering for a
ticket in the customer's language with usage counted on request, and refusals in the API's shapes."""

import pytest

from pomoc.accounts.models import Role
from pomoc.api.tests.conftest import Api
from pomoc.api.tests.test_schema_states_rules import schema_allows
from pomoc.automation.canned.models import CannedResponse
from pomoc.testing.factories import ContactFactory, DepartmentFactory, UserFactory, make_ticket

pytestmark = pytest.mark.django_db


def test_agent_creates_lists_renders_and_deletes_a_personal_one():
    agent = UserFactory(first_name="Petr", last_name="Malý")
    api = Api(agent)
    created = api.post("/canned", {"name": "#Thanks", "body": "Thanks {{ customer.first_name }}",
                                   "variants": {"et": "Aitäh {{ customer.first_name }}"}})
    assert created.status_code == 201, created.content
    item = created.json()
    assert (item["name"], item["scope"], item["owner"]["id"], item["variants"], item["can_change"]) == \
        ("thanks", "personal", agent.pk, {"et": "Aitäh {{ customer.first_name }}"}, True)
    contact = ContactFactory(name="Mari Tamm")
    contact.language = "et"
    contact.save()
    ticket = make_ticket(requester=contact)
    rendered = api.post(f"/canned/{item['id']}/render", {"ticket": ticket.number, "count_use": True}).json()
    assert (rendered["text"], rendered["language"]) == ("Aitäh Mari", "et")
    assert api.get(f"/canned/{item['id']}").json()["usage_count"] == 1
    assert api.post(f"/canned/{item['id']}/render", {}).json()["text"] == "Thanks "
    assert [c["name"] for c in api.get("/canned", {"q": "thank"}).json()] == ["thanks"]
    assert api.patch(f"/canned/{item['id']}", {"body": "Cheers"}).json()["body"] == "Cheers"
    assert api.delete(f"/canned/{item['id']}").json() == {"deleted": True}
    assert not CannedResponse.objects.exists()


def test_visibility_and_writers():
    sales = DepartmentFactory()
    admin, agent, other = UserFactory(role=Role.ADMINISTRATOR), UserFactory(), UserFactory()
    agent.departments.add(sales)
    dept = Api(admin).post("/canned", {"name": "prices", "body": "x", "scope": "department",
                                       "department_id": sales.pk}).json()
    hidden = Api(admin).post("/canned", {"name": "other", "body": "x", "scope": "department",
                                         "department_id": DepartmentFactory().pk}).json()
    personal = Api(other).post("/canned", {"name": "mine", "body": "x"}).json()
    api = Api(agent)
    assert [c["name"] for c in api.get("/canned").json()] == ["prices"]
    assert api.get(f"/canned/{hidden['id']}").status_code == 404
    assert api.get(f"/canned/{personal['id']}").status_code == 404
    assert api.post(f"/canned/{personal['id']}/render", {}).status_code == 404
    assert api.patch(f"/canned/{dept['id']}", {"body": "y"}).status_code == 403
    assert api.post("/canned", {"name": "s", "body": "x", "scope": "shared"}).status_code == 403
    assert api.post(f"/canned/{dept['id']}/render", {"ticket": make_ticket(department=DepartmentFactory()).number}
                    ).status_code == 404  # a ticket the agent cannot see


@pytest.mark.parametrize(("body", "valid"), [
    ({"name": "ok", "body": "text"}, True),
    ({"name": "#Ok-2", "body": "text", "variants": {"cs": ""}}, True),
    ({"name": "has space", "body": "text"}, False),
    ({"name": "ok", "body": "   "}, False),
    ({"name": "ok", "body": "x", "variants": {"de": "Hallo"}}, False),
    ({"name": "ok", "body": "x", "scope": "everyone"}, False),
    ({"name": "ok", "body": "x", "colour": "red"}, False),
])
def test_the_schema_states_the_rules_the_server_keeps(body, valid):
    api = Api(UserFactory())
    assert schema_allows("post", "/canned", body) is valid
    response = api.post("/canned", body)
    assert response.status_code == (201 if valid else 422), response.content


def test_refusals_that_depend_on_the_data_say_so():
    admin = UserFactory(role=Role.ADMINISTRATOR)
    api = Api(admin)
    broken = api.post("/canned", {"name": "x", "body": "Hi {% if %}"})
    assert broken.status_code == 422 and broken.json()["detail"][0]["type"] == "invalid_content"
    no_dept = api.post("/canned", {"name": "x", "body": "x", "scope": "department"})
    assert no_dept.json()["detail"][0]["type"] == "invalid_reference"
    api.post("/canned", {"name": "dup", "body": "x"})
    assert api.post("/canned", {"name": "dup", "body": "x"}).json()["detail"][0]["type"] == "conflict"
