from email.utils import parseaddr

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from pomoc.channels import outbound as delivery
from pomoc.testing.factories import ContactFactory, UserFactory, make_ticket
from pomoc.tickets import services
from pomoc.tickets.models import DeliveryState, MessageKind

pytestmark = pytest.mark.django_db


def _reply(ticket, agent, text="Thank you, fixed."):
    return services.message_add(ticket=ticket, kind=MessageKind.REPLY, actor=agent, body_text=text)


def test_a_reply_is_queued_then_sent_once(django_capture_on_commit_callbacks):
    agent = UserFactory()
    ticket = make_ticket(requester=ContactFactory(email="mari@example.ee"))
    with django_capture_on_commit_callbacks(execute=True):
        reply = _reply(ticket, agent)
    reply.refresh_from_db()
    assert reply.delivery_state == DeliveryState.SENT
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert [parseaddr(to)[1] for to in sent.to] == ["mari@example.ee"]  # with the requester's name
    assert f"[#{ticket.number}]" in sent.subject
    assert sent.extra_headers["Message-ID"] == reply.external_id
    # Running the task again never sends twice.
    assert delivery.deliver(reply.pk) == delivery.SKIPPED
    assert len(mail.outbox) == 1


def test_a_temporary_failure_keeps_the_reply_queued_with_the_reason(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2
    agent = UserFactory()
    reply = _reply(make_ticket(), agent)
    assert delivery.deliver(reply.pk) == delivery.RETRY
    reply.refresh_from_db()
    assert reply.delivery_state == DeliveryState.QUEUED
    assert "ConnectionRefusedError" in reply.delivery_error
    assert delivery.deliver(reply.pk, final_attempt=True) == delivery.FAILED
    reply.refresh_from_db()
    assert reply.delivery_state == DeliveryState.FAILED
    # The agent retries after fixing the server.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    services.message_delivery_retry(reply)
    assert delivery.deliver(reply.pk) == delivery.SENT


def test_a_reply_to_a_requester_without_any_address_is_refused_before_it_is_stored():
    agent = UserFactory()
    contact = ContactFactory()
    contact.identities.all().delete()
    ticket = make_ticket(requester=contact)
    with pytest.raises(ValidationError) as refused:
        _reply(ticket, agent)
    assert "nowhere to go" in str(refused.value)
    assert not ticket.messages.filter(kind=MessageKind.REPLY).exists()


def _failed_reply(agent):
    reply = _reply(make_ticket(), agent)
    reply.delivery_state, reply.delivery_error = DeliveryState.FAILED, "SMTP said no"
    reply.save()
    return reply


def test_an_agent_sends_a_failed_reply_again_from_the_ticket_page(client):
    agent = UserFactory()
    reply = _failed_reply(agent)
    client.force_login(agent)
    page = client.get(f"/tickets/{reply.ticket.number}/")
    assert b"SMTP said no" in page.content and b"/retry/" in page.content
    response = client.post(f"/tickets/{reply.ticket.number}/messages/{reply.pk}/retry/")
    assert response.status_code == 302
    reply.refresh_from_db()
    assert reply.delivery_state == DeliveryState.QUEUED


def test_the_api_sends_a_failed_reply_again_and_refuses_other_messages(client):
    agent = UserFactory()
    reply = _failed_reply(agent)
    client.force_login(agent)
    first = reply.ticket.messages.order_by("id").first()
    refused = client.post(f"/api/v1/messages/{first.pk}/retry")
    assert refused.status_code == 422
    response = client.post(f"/api/v1/messages/{reply.pk}/retry")
    assert response.status_code == 200, response.content
    assert response.json()["delivery_state"] == "queued"
