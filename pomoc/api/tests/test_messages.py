import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from pomoc.tickets import services
from pomoc.tickets.models import Attachment, DeliveryState, Message, MessageKind, Status, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_it_lists_the_messages_of_a_ticket(world, as_agent):
    response = as_agent.get(f"/tickets/{world['ticket'].number}/messages")
    assert response.status_code == 200
    (message,) = response.json()
    assert message["kind"] == "customer"
    assert message["ticket"] == world["ticket"].number
    assert message["author"]["type"] == "contact"
    assert message["body_text"] == "It is on fire."


def test_an_agent_replies_with_json(world, as_agent):
    number = world["ticket"].number
    response = as_agent.post(f"/tickets/{number}/messages", {"body": "We are on it."})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "reply"
    assert body["author"] == {"type": "user", "id": world["agent"].pk, "name": world["agent"].display_name}
    ticket = Ticket.objects.get(number=number)
    assert ticket.status == Status.OPEN
    assert ticket.first_response_at is not None
    assert Message.objects.get(pk=body["id"]).delivery_state in (DeliveryState.QUEUED, DeliveryState.SENT,
                                                                 DeliveryState.FAILED)


def test_an_agent_adds_an_internal_note(world, as_agent):
    response = as_agent.post(f"/tickets/{world['ticket'].number}/messages", {"kind": "note", "body": "<b>psst</b>",
                                                                            "body_html": "<b>psst</b>"})
    assert response.status_code == 201
    assert response.json()["kind"] == "note"
    assert "<b>psst</b>" in response.json()["body_html"]


def test_a_reply_with_files_as_multipart(world, as_agent):
    files = [SimpleUploadedFile("report.pdf", b"%PDF-1.4 data", content_type="application/pdf"),
             SimpleUploadedFile("notes.txt", b"plain words", content_type="text/plain")]
    response = as_agent.multipart(f"/tickets/{world['ticket'].number}/messages",
                                  {"kind": "reply", "body": "See attached", "files": files})
    assert response.status_code == 201, response.content
    attachments = response.json()["attachments"]
    assert [a["file_name"] for a in attachments] == ["report.pdf", "notes.txt"]
    assert attachments[0]["content_type"] == "application/pdf"
    download = as_agent.get(attachments[0]["url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 data"
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"


def test_a_customer_writes_on_their_own_ticket(world, as_customer):
    response = as_customer.post(f"/tickets/{world['ticket'].number}/messages", {"body": "Any news?"})
    assert response.status_code == 201
    assert response.json()["kind"] == "customer"
    assert Message.objects.get(pk=response.json()["id"]).author_contact == world["requester"]


def test_it_reads_one_message(world, as_agent):
    message = world["ticket"].messages.get()
    response = as_agent.get(f"/messages/{message.pk}")
    assert response.status_code == 200
    assert response.json()["id"] == message.pk


def test_split_moves_a_customer_message_into_a_new_ticket(world, as_agent):
    later = services.message_add(ticket=world["ticket"], kind=MessageKind.CUSTOMER, body_text="Also my scanner")
    response = as_agent.post(f"/messages/{later.pk}/split", {"subject": "Scanner"})
    assert response.status_code == 201, response.content
    new_number = response.json()["number"]
    assert response.json()["subject"] == "Scanner"
    later.refresh_from_db()
    assert later.ticket.number == new_number
    assert Attachment.objects.count() == 0
