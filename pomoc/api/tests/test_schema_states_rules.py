"""The OpenAPI schema states the rules of a request's shape, and the server keeps to the same rules;
a refusal that depends on the data says so in its error type (``pomoc.core.refusals``).

The fuzzing module checks the schema's side broadly (nothing it allows is refused for its shape);
this one pins the rules users meet most, in both directions, and the type of each data refusal.
"""

import functools

import jsonschema
import pytest
from django.test import Client

from pomoc.channels.models import Inbox
from pomoc.testing.factories import CompanyFactory, ContactFactory, TagFactory
from pomoc.tickets.models import CustomFieldDefinition, CustomFieldType

pytestmark = pytest.mark.django_db


@functools.cache
def _document() -> dict:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def _body_schema(method: str, path: str) -> dict:
    document = _document()
    operation = document["paths"][f"/api/v1{path}"][method]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    return {**schema, "components": document["components"]}


def schema_allows(method: str, path: str, body: dict) -> bool:
    validator = jsonschema.Draft202012Validator(_body_schema(method, path),
                                                format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    return validator.is_valid(body)


def _types(response) -> set[str]:
    assert response.status_code == 422, response.content
    return {item["type"] for item in response.json()["detail"]}


def _agreed(api, method: str, path: str, body: dict, *, valid: bool, schema_path: str | None = None):
    """The schema and the server give the same verdict on ``body``."""
    assert schema_allows(method, path if schema_path is None else schema_path, body) is valid, body
    response = getattr(api, method)(path, body)
    if valid:
        assert response.status_code in (200, 201), response.content
    else:
        assert response.status_code == 422, response.content
        assert _types(response) <= {"value_error", "bad_characters", "extra_forbidden", "missing", "string_type",
                                    "literal_error", "greater_than_equal", "string_too_long"}, response.content


@pytest.mark.parametrize(("body", "valid"), [
    ({"requester_email": "new@example.org", "subject": "Hello", "body": "Text"}, True),
    ({"requester_email": "html@example.org", "subject": "Hello", "body_html": "Text <b>bold</b>"}, True),
    ({"requester_email": "new@example.org", "subject": "   ", "body": "Text"}, False),
    ({"requester_email": "new@example.org", "subject": "Hello", "body": "  \n "}, False),
    ({"requester_email": "new@example.org", "subject": "Hello"}, False),
    ({"requester_email": "not an address", "subject": "Hello", "body": "Text"}, False),
    ({"subject": "Hello", "body": "Text"}, False),
    ({"requester_email": "new@example.org", "subject": "Line\nbreak", "body": "Text"}, False),
    ({"requester_email": "new@example.org", "subject": "Hello", "body": "Nul\x00"}, False),
])
def test_opening_a_ticket_schema_and_server_agree(world, as_agent, body, valid):
    _agreed(as_agent, "post", "/tickets", body, valid=valid)


def test_naming_the_requester_twice_is_refused_by_both(world, as_agent):
    body = {"requester": world["requester"].pk, "requester_email": "ada@example.org", "subject": "s", "body": "b"}
    _agreed(as_agent, "post", "/tickets", body, valid=False)


@pytest.mark.parametrize(("body", "valid"), [
    ({"kind": "phone", "value": "+420601123456"}, True),
    ({"kind": "phone", "value": "12"}, False),
    ({"kind": "email", "value": "second@example.org"}, True),
    ({"kind": "email", "value": "nope"}, False),
    ({"kind": "social", "value": "  "}, False),
])
def test_identities_schema_and_server_agree(world, as_agent, body, valid):
    path = f"/contacts/{world['requester'].pk}/identities"
    _agreed(as_agent, "post", path, body, valid=valid, schema_path="/contacts/{contact_id}/identities")


@pytest.mark.parametrize(("body", "valid"), [
    ({"username": "carol", "password": "a long passphrase here"}, True),
    ({"username": "carol", "password": "short"}, False),
    ({"username": "carol", "language": "xx"}, False),
    ({"username": "carol", "language": "et", "time_zone": "Europe/Tallinn"}, True),
    ({"username": "carol", "time_zone": "Mars/Base"}, False),
    ({"username": "carol", "email": "not-an-address"}, False),
    ({"username": "with space"}, False),
])
def test_users_schema_and_server_agree(world, as_admin, body, valid):
    _agreed(as_admin, "post", "/users", body, valid=valid)


@pytest.mark.parametrize(("body", "valid"), [
    ({"name": "billing", "color": "#1e90ff"}, True),
    ({"name": "billing", "color": "red"}, False),
    ({"name": " "}, False),
])
def test_tags_schema_and_server_agree(world, as_agent, body, valid):
    _agreed(as_agent, "post", "/tags", body, valid=valid)


@pytest.mark.parametrize(("body", "valid"), [
    ({"kind": "email", "name": "Sales", "address": "sales@example.org"}, True),
    ({"kind": "email", "name": "Sales", "address": "sales@example.org",
      "config": {"fetch": "imap", "imap_host": "imap.example.org", "imap_username": "sales"}}, True),
    ({"kind": "email", "name": "Sales", "address": "sales@example.org", "config": {"fetch": "imap"}}, False),
    ({"kind": "email", "name": "Sales", "address": "garbage"}, False),
    ({"kind": "email", "name": "Sales", "address": "sales@example.org", "config": {"smtp_port": 70000}}, False),
    ({"kind": "email", "name": "Sales", "address": "sales@example.org", "config": {"colour": "red"}}, False),
    ({"kind": "fax", "name": "Sales", "address": "sales@example.org"}, False),
])
def test_inboxes_schema_and_server_agree(world, as_admin, body, valid):
    _agreed(as_admin, "post", "/inboxes", body, valid=valid)


def test_a_whole_number_written_as_a_float_is_a_port(world, as_admin):
    body = {"kind": "email", "name": "Sales", "address": "sales@example.org", "config": {"smtp_port": 465.0}}
    _agreed(as_admin, "post", "/inboxes", body, valid=True)
    assert Inbox.objects.get(name="Sales").config["smtp_port"] == 465


def test_refusals_that_depend_on_the_data_say_so(world, as_agent, as_admin):
    taken = TagFactory(name="vip")
    CustomFieldDefinition.objects.create(key="order", label="Order", type=CustomFieldType.NUMBER)
    ticket = world["ticket"]
    cases = [
        (as_agent.post("/contacts", {"name": "X", "company": 999_999}), "invalid_reference", ["body", "company"]),
        (as_agent.post("/tags", {"name": taken.name}), "conflict", ["body", "name"]),
        (as_agent.get("/tickets", {"cursor": "garbage"}), "invalid_cursor", ["query", "cursor"]),
        (as_agent.patch(f"/tickets/{ticket.number}", {"custom_fields": {"nope": 1}}), "invalid_reference",
         ["body", "custom_fields", "nope"]),
        (as_agent.patch(f"/tickets/{ticket.number}", {"custom_fields": {"order": "many"}}), "field_definition",
         ["body", "custom_fields", "order"]),
        (as_admin.post("/users", {"username": "weak", "password": "password123"}), "password_policy",
         ["body", "password"]),
        (as_admin.post("/inboxes", {"kind": "email", "name": "Sales", "address": "sales@example.org",
                                    "config": {"tls_ca_certificates": "not a certificate"}}), "invalid_content",
         ["body", "config", "tls_ca_certificates"]),
        (as_agent.post(f"/tickets/{ticket.number}/merge", {"target": ticket.number}), "conflict",
         ["body", "target"]),
    ]
    for response, kind, loc in cases:
        assert response.status_code == 422, response.content
        assert {"type": kind, "loc": loc} in [{"type": i["type"], "loc": i["loc"]} for i in response.json()["detail"]]


def test_a_contact_with_the_same_identity_twice_is_one_identity_and_its_language_is_checked(world, as_agent):
    response = as_agent.post("/contacts", {"name": "Twice", "identities": [
        {"kind": "email", "value": "twice@example.org"}, {"kind": "email", "value": "TWICE@example.org"}]})
    assert response.status_code == 201, response.content
    assert ContactFactory._meta.model.objects.get(pk=response.json()["id"]).identities.count() == 1
    assert as_agent.post("/contacts", {"name": "Klingon", "language": "tlh"}).status_code == 422


def test_a_company_domain_is_stated_and_checked(world, as_agent):
    CompanyFactory(name="Existing")
    _agreed(as_agent, "post", "/companies", {"name": "Acme", "domains": ["acme.example"]}, valid=True)
    _agreed(as_agent, "post", "/companies", {"name": "Bad", "domains": ["not a domain"]}, valid=False)
