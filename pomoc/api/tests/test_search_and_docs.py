import json
import re

import pytest
from django.test import Client
from openapi_spec_validator import validate

from pomoc.testing.factories import ContactFactory

pytestmark = pytest.mark.django_db


def test_search_finds_tickets_messages_and_contacts(world, as_agent):
    ContactFactory(name="Printer Man")
    body = as_agent.get("/search", {"q": "printer"}).json()
    assert [t["number"] for t in body["tickets"]] == [world["ticket"].number]
    assert [c["name"] for c in body["contacts"]] == ["Printer Man"]
    on_fire = as_agent.get("/search", {"q": "fire"}).json()
    assert world["ticket"].number in [m["ticket"] for m in on_fire["messages"]]


def test_search_for_customers_has_no_contacts(world, as_customer):
    body = as_customer.get("/search", {"q": "problem"}).json()
    assert body == {"tickets": [], "messages": [], "contacts": []}


def test_the_openapi_schema_is_valid():
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    validate(schema)
    assert schema["info"]["title"] == "Pomoc"
    assert "/api/v1/tickets/{number}" in schema["paths"]
    assert schema["components"]["schemas"]["TicketPatchIn"]["additionalProperties"] is False
    assert set(schema["components"]["securitySchemes"]) == {"BearerTokenAuth", "SessionAuth"}


def test_the_docs_page_loads_everything_from_our_own_server():
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui-bundle.js" in html
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls and all(url.startswith("/static/") for url in urls), urls
    for url in urls:
        assert Client().get(url).status_code == 200, url
    assert "cdn" not in html.lower()
    assert "<script>" not in html  # only external scripts and a JSON data block: our CSP allows that
    assert json.loads(re.search(r'id="swagger-settings">(.*?)</script>', html, re.S).group(1))["url"] == (
        "/api/v1/openapi.json"
    )
