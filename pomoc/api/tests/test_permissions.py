"""Agents of another department and other customers never reach what is not theirs."""

import pytest

from pomoc.tickets import services
from pomoc.tickets.attachments import NewAttachment
from pomoc.tickets.models import MessageKind, Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def private(world, settings, tmp_path):
    """A reply with an attachment and an internal note on the customer's ticket."""
    settings.MEDIA_ROOT = tmp_path
    reply = services.message_add(
        ticket=world["ticket"], kind=MessageKind.REPLY, actor=world["agent"], body_text="Here is the manual",
        attachments=[NewAttachment(file_name="manual.pdf", content=b"%PDF-1.4 manual")],
    )
    note = services.message_add(
        ticket=world["ticket"], kind=MessageKind.NOTE, actor=world["agent"], body_text="Customer is grumpy",
        attachments=[NewAttachment(file_name="internal.txt", content=b"secret")],
    )
    return {"reply": reply, "note": note, "attachment": reply.attachments.get(),
            "note_attachment": note.attachments.get()}


def test_an_agent_of_another_department_gets_404_everywhere(world, private, as_outsider):
    number = world["ticket"].number
    assert as_outsider.get("/tickets").json()["items"] == []
    assert as_outsider.get(f"/tickets/{number}").status_code == 404
    assert as_outsider.get(f"/tickets/{number}/messages").status_code == 404
    assert as_outsider.get(f"/tickets/{number}/events").status_code == 404
    assert as_outsider.get(f"/messages/{private['reply'].pk}").status_code == 404
    assert as_outsider.get(f"/attachments/{private['attachment'].public_id}").status_code == 404
    assert as_outsider.patch(f"/tickets/{number}", {"status": "closed"}).status_code == 404
    assert as_outsider.post(f"/tickets/{number}/messages", {"body": "hi"}).status_code == 404
    assert as_outsider.post(f"/messages/{private['reply'].pk}/split", {}).status_code == 404
    world["ticket"].refresh_from_db()
    assert world["ticket"].status != Status.CLOSED
    assert world["ticket"].messages.count() == 3


def test_another_customer_gets_404_for_ticket_message_and_attachment(world, private):
    from pomoc.api.tests.conftest import Api

    stranger = Api(world["other_customer"])
    number = world["ticket"].number
    assert [t["number"] for t in stranger.get("/tickets").json()["items"]] == [world["other_ticket"].number]
    assert stranger.get(f"/tickets/{number}").status_code == 404
    assert stranger.get(f"/tickets/{number}/messages").status_code == 404
    assert stranger.get(f"/messages/{private['reply'].pk}").status_code == 404
    assert stranger.get(f"/attachments/{private['attachment'].public_id}").status_code == 404
    assert stranger.post(f"/tickets/{number}/messages", {"body": "mine now"}).status_code == 404
    assert world["ticket"].messages.count() == 3


def test_a_customer_never_sees_internal_notes(world, private, as_customer):
    number = world["ticket"].number
    kinds = [m["kind"] for m in as_customer.get(f"/tickets/{number}/messages").json()]
    assert kinds == ["customer", "reply"]
    assert as_customer.get(f"/messages/{private['note'].pk}").status_code == 404
    assert as_customer.get(f"/attachments/{private['note_attachment'].public_id}").status_code == 404
    assert as_customer.get(f"/attachments/{private['attachment'].public_id}").status_code == 200
    assert "grumpy" not in str(as_customer.get("/search", {"q": "grumpy"}).json())


def test_a_customer_cannot_write_notes_or_replies(world, as_customer):
    number = world["ticket"].number
    for kind in ("note", "reply"):
        response = as_customer.post(f"/tickets/{number}/messages", {"kind": kind, "body": "sneaky"})
        assert response.status_code == 403
    assert world["ticket"].messages.count() == 1


def test_customers_are_kept_out_of_staff_resources(world, as_customer):
    for path in ("/contacts", "/companies", "/users", "/departments", "/tags", "/views",
                 f"/contacts/{world['requester'].pk}", f"/users/{world['agent'].pk}"):
        assert as_customer.get(path).status_code == 403, path
    assert as_customer.post("/tags", {"name": "x"}).status_code == 403
    assert as_customer.post("/tickets/bulk", {"numbers": [world["ticket"].number],
                                              "changes": {"status": "closed"}}).status_code == 403
    assert as_customer.post(f"/messages/{world['ticket'].messages.get().pk}/split", {}).status_code == 403


def test_agents_cannot_administer_users_or_departments(world, as_agent):
    assert as_agent.post("/users", {"username": "newbie"}).status_code == 403
    assert as_agent.patch(f"/users/{world['agent'].pk}", {"role": "administrator"}).status_code == 403
    assert as_agent.post("/departments", {"name": "Sales"}).status_code == 403
    assert as_agent.delete(f"/departments/{world['billing'].pk}").status_code == 403
    world["agent"].refresh_from_db()
    assert world["agent"].role == "agent"
