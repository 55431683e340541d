"""Writing to customers through the API: Cc and Bcc on a reply, a forward, a ticket that starts with a
message to the customer, all stated by the OpenAPI document."""

import pytest
from django.test import Client

from pomoc.tickets.models import Message, MessageKind, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_a_reply_carries_cc_and_bcc_which_customers_never_see(world, as_agent, as_customer):
    number = world["ticket"].number
    response = as_agent.post(f"/tickets/{number}/messages", {
        "body_html": "<p>Hotovo, <b>vyměněno</b>.</p>", "cc": ["petr@example.org"], "bcc": ["boss@example.com"]})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["cc"] == ["petr@example.org"] and body["bcc"] == ["boss@example.com"]
    assert body["body_text"] == "Hotovo, vyměněno."  # derived from the HTML
    mine = [m for m in as_customer.get(f"/tickets/{number}/messages").json() if m["id"] == body["id"]]
    assert mine[0]["cc"] == ["petr@example.org"] and mine[0]["bcc"] == []


def test_copies_on_a_note_or_bad_addresses_are_refused(world, as_agent):
    number = world["ticket"].number
    response = as_agent.post(f"/tickets/{number}/messages", {"kind": "note", "body": "x", "cc": ["a@example.org"]})
    assert response.status_code in (400, 422)
    assert "Only replies to the customer have copies." in response.content.decode()
    response = as_agent.post(f"/tickets/{number}/messages", {"body": "x", "cc": ["not an address"]})
    assert response.status_code in (400, 422)
    assert not Message.objects.filter(kind=MessageKind.REPLY).exists()


def test_multipart_copies_are_one_field_separated_by_commas(world, as_agent):
    response = as_agent.multipart(f"/tickets/{world['ticket'].number}/messages",
                                  {"body": "Hotovo.", "cc": "a@example.org, b@example.org", "signed": "false"})
    assert response.status_code == 201, response.content
    assert response.json()["cc"] == ["a@example.org", "b@example.org"]


def test_forwarding_a_message_and_the_whole_ticket(world, as_agent, as_customer):
    number = world["ticket"].number
    first = world["ticket"].messages.get()
    response = as_agent.post(f"/tickets/{number}/forward", {"to": ["servis@example.net"], "message": first.pk,
                                                             "body": "Prosím o kontrolu."})
    assert response.status_code == 201, response.content
    forward = response.json()
    assert forward["kind"] == "forward" and forward["forward_to"] == ["servis@example.net"]
    assert forward["body_text"].startswith("Prosím o kontrolu.\n\n---------- Forwarded message ----------")
    assert "It is on fire." in forward["body_text"]
    whole = as_agent.post(f"/tickets/{number}/forward", {"to": ["servis@example.net"]})
    assert whole.status_code == 201 and "It is on fire." in whole.json()["body_text"]
    # Customers see neither the forward in the list nor by its id.
    ids = [m["id"] for m in as_customer.get(f"/tickets/{number}/messages").json()]
    assert forward["id"] not in ids
    assert as_customer.get(f"/messages/{forward['id']}").status_code == 404
    assert as_customer.post(f"/tickets/{number}/forward", {"to": ["x@example.org"]}).status_code == 403


def test_a_forward_is_refused_for_a_message_of_another_ticket_or_without_an_address(world, as_agent):
    number = world["ticket"].number
    other = world["other_ticket"].messages.get()
    assert as_agent.post(f"/tickets/{number}/forward", {"to": ["x@example.org"], "message": other.pk}
                         ).status_code == 404
    assert as_agent.post(f"/tickets/{number}/forward", {"to": []}).status_code in (400, 422)
    assert not Message.objects.filter(kind=MessageKind.FORWARD).exists()


def test_forward_is_not_a_kind_a_client_may_add(world, as_agent):
    response = as_agent.post(f"/tickets/{world['ticket'].number}/messages", {"kind": "forward", "body": "x"})
    assert response.status_code in (400, 422)


def test_a_ticket_can_start_with_a_message_to_the_customer(world, as_agent):
    response = as_agent.post("/tickets", {
        "requester_email": "nova@example.org", "subject": "Vaše objednávka", "body": "Je připravena.",
        "first_message": "reply", "cc": ["ucetni@example.org"], "department": world["support"].pk})
    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get(number=response.json()["number"])
    message = ticket.messages.get()
    assert message.kind == MessageKind.REPLY and message.cc == ["ucetni@example.org"]
    assert message.recipient.value == "nova@example.org"
    assert message.delivery_state in ("queued", "sent", "failed")


def test_customers_cannot_open_a_ticket_with_a_message_to_themselves(world, as_customer):
    response = as_customer.post("/tickets", {"subject": "Hi", "body": "x", "first_message": "reply"})
    assert response.status_code == 403


def test_the_openapi_document_states_copies_forwards_and_outbound_tickets():
    schema = Client().get("/api/v1/openapi.json").json()
    components = schema["components"]["schemas"]
    add_message = schema["paths"]["/api/v1/tickets/{number}/messages"]["post"]["requestBody"]["content"]
    message_in = add_message["application/json"]["schema"]["properties"]
    assert message_in["cc"]["type"] == "array" and message_in["cc"]["items"]["format"] == "email"
    assert message_in["bcc"]["maxItems"] == 20
    assert "forward" not in message_in["kind"]["anyOf"][0]["enum"]
    create = components["TicketCreateIn"]["properties"]
    assert create["first_message"]["enum"] == ["customer", "reply"]
    assert "cc" in create and "bcc" in create
    forward = schema["paths"]["/api/v1/tickets/{number}/forward"]["post"]
    body = forward["requestBody"]["content"]["application/json"]["schema"]
    ref = body["$ref"].rsplit("/", 1)[-1]
    assert components[ref]["required"] == ["to"]
    assert components[ref]["properties"]["to"]["minItems"] == 1
    out = components["MessageOut"]["properties"]
    assert {"cc", "bcc", "forward_to"} <= set(out)
    assert {"cc", "bcc", "signed"} <= set(add_message["multipart/form-data"]["schema"]["properties"])


def test_an_administrator_sets_a_signature_that_signed_replies_carry(world, as_admin, as_agent):
    response = as_admin.patch(f"/users/{world['agent'].pk}", {"signature": "Agent Smith\nSupport"})
    assert response.status_code == 200 and response.json()["signature"] == "Agent Smith\nSupport"
    reply = as_agent.post(f"/tickets/{world['ticket'].number}/messages", {"body": "Done.", "signed": True})
    assert reply.json()["body_text"] == "Done.\n\n-- \nAgent Smith\nSupport"
    assert as_admin.patch(f"/users/{world['agent'].pk}", {"signature": "x" * 2001}).status_code in (400, 422)


def test_the_schema_says_only_replies_have_copies():
    from pomoc.api.schemas import COPIES_RULE

    api_schema = Client().get("/api/v1/openapi.json").json()
    body = api_schema["paths"]["/api/v1/tickets/{number}/messages"]["post"]["requestBody"]["content"]
    assert COPIES_RULE in body["multipart/form-data"]["schema"]["allOf"]
    assert COPIES_RULE in body["application/json"]["schema"]["allOf"]
