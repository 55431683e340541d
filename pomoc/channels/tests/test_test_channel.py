"""A channel kind added without touching the ticket core: the test kind (``testkind/``) gives the
same guarantees as e-mail, through the channel-neutral pipeline (``pomoc.channels.inbound``) and
delivery (``pomoc.channels.outbound`` and ``tasks``). Real database, real HTTP server; nothing of
ours is replaced."""

import base64
import threading

import pytest
from django.db import connections

from pomoc.channels import outbound as delivery
from pomoc.channels import tasks
from pomoc.channels.models import Inbox
from pomoc.channels.tests.testkind.config import HookConfig
from pomoc.channels.tests.testkind.inbound import webhook
from pomoc.contacts.models import Contact, Identity
from pomoc.testing.factories import DepartmentFactory, UserFactory
from pomoc.tickets import services
from pomoc.tickets.models import (
    Attachment,
    DeliveryState,
    EventType,
    Message,
    MessageKind,
    Status,
    Ticket,
    TicketEvent,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("testhook")]

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def make_inbox(name="Hook", url="http://127.0.0.1:9/unused", **config) -> Inbox:
    return Inbox.objects.create(name=name, kind="testhook", department=DepartmentFactory(name=f"{name} team"),
                                config=HookConfig.from_dict({"url": url, **config}).to_dict())


def message(id_, *, text="Hello, my order has not arrived.", handle="@jana", name="Jana Nováková",
            conversation="c-1", **extra) -> dict:
    return {"id": id_, "from": {"handle": handle, "name": name}, "conversation": conversation, "text": text} | extra


def post(inbox, *messages, acknowledge=None):
    """The provider posting to our webhook; returns (results, what we acknowledged)."""
    answers = []
    results = webhook(inbox, {"messages": list(messages)}, acknowledge or answers.append)
    return results, answers


def reply(ticket, text="We are on it."):
    return services.message_add(ticket=ticket, kind=MessageKind.REPLY, actor=UserFactory(), body_text=text)


# --- inbound ------------------------------------------------------------------------------------
def test_a_webhook_message_opens_a_ticket_with_its_requester_department_and_reply_route():
    inbox = make_inbox()
    file = {"name": "receipt.png", "type": "image/png", "base64": base64.b64encode(PNG).decode()}
    [result], [ack] = post(inbox, message("m-1", files=[file]))

    assert result.stored and result.created and not result.error
    ticket = Ticket.objects.select_related("requester").get()
    assert ticket.subject == "Hello, my order has not arrived."  # no subject: its first words
    assert ticket.department == inbox.department and ticket.channel == "testhook"
    assert ticket.requester.name == "Jana Nováková"
    identity = Identity.objects.get(kind="social", value="@jana")
    assert identity.contact == ticket.requester
    assert (ticket.reply_inbox, ticket.reply_identity) == (inbox, identity)
    stored = Message.objects.get()
    assert (stored.kind, stored.inbox, stored.external_id, stored.thread_key) == (MessageKind.CUSTOMER, inbox,
                                                                                  "m-1", "c-1")
    assert stored.author_contact == ticket.requester
    assert Attachment.objects.get(message=stored).file_name == "receipt.png"
    assert set(TicketEvent.objects.filter(ticket=ticket).values_list("type", flat=True)) == {
        EventType.CREATED, EventType.MESSAGE_ADDED}
    assert ack == {"results": [{"id": "m-1", "stored": True, "duplicate": False, "error": ""}]}


def test_the_same_sender_on_another_inbox_is_the_same_contact():
    post(make_inbox("One"), message("m-1"))
    post(make_inbox("Two"), message("m-1", handle="  @jana "))
    assert Contact.objects.count() == 1 and Ticket.objects.count() == 2


def test_a_redelivery_stores_nothing_twice_and_two_inboxes_may_share_an_id():
    first, second = make_inbox("One"), make_inbox("Two")
    [stored], _ack = post(first, message("m-1"))
    [again], [ack] = post(first, message("m-1"))
    assert again.duplicate and again.message == stored.message and again.ticket == stored.ticket
    assert ack["results"][0]["duplicate"] is True
    [elsewhere], _ack = post(second, message("m-1"))  # the same provider id in another account
    assert elsewhere.stored and elsewhere.message != stored.message
    assert Message.objects.filter(external_id="m-1", inbox=first).count() == 1
    assert Message.objects.filter(external_id="m-1").count() == 2
    assert TicketEvent.objects.filter(type=EventType.MESSAGE_ADDED).count() == 2


def test_one_call_with_the_same_message_twice_stores_it_once():
    results, _ack = post(make_inbox(), message("m-1"), message("m-1"))
    assert [r.stored for r in results] == [True, False] and results[1].duplicate
    assert results[1].message == results[0].message and Message.objects.count() == 1


def test_a_provider_id_is_kept_as_it_is_and_still_deduplicated():
    inbox = make_inbox()
    post(inbox, message(" id with spaces "))
    [again], _ack = post(inbox, message(" id with spaces "))
    assert again.duplicate and Message.objects.get().external_id == " id with spaces "


def test_the_next_message_of_the_conversation_joins_its_ticket():
    inbox = make_inbox()
    [first], _ack = post(inbox, message("m-1"))
    [second], _ack = post(inbox, message("m-2", text="Any news?"))
    assert second.stored and not second.created and second.ticket == first.ticket
    # a conversation's messages in one call end in one ticket too; another conversation opens its own
    third, fourth, other = post(inbox, message("m-3", conversation="c-2"), message("m-4", conversation="c-2"),
                                message("m-5", conversation="c-3", handle="@piotr"))[0]
    assert third.created and fourth.ticket == third.ticket and not fourth.created
    assert other.created and other.ticket != third.ticket
    assert Ticket.objects.count() == 3


def test_a_resolved_conversation_starts_a_new_ticket_and_a_pending_one_wakes_up():
    inbox = make_inbox()
    [first], _ack = post(inbox, message("m-1"))
    Ticket.objects.filter(pk=first.ticket.pk).update(status=Status.PENDING)
    [woken], _ack = post(inbox, message("m-2"))
    assert woken.ticket == first.ticket
    assert Ticket.objects.get(pk=first.ticket.pk).status == Status.OPEN
    Ticket.objects.filter(pk=first.ticket.pk).update(status=Status.RESOLVED)
    [later], _ack = post(inbox, message("m-3"))
    assert later.created and later.ticket != first.ticket


def test_the_same_conversation_key_in_another_inbox_is_another_conversation():
    [one], _ack = post(make_inbox("One"), message("m-1"))
    [two], _ack = post(make_inbox("Two"), message("m-2"))
    assert two.created and two.ticket != one.ticket


def test_a_message_without_a_key_joins_the_latest_ticket_only_when_the_inbox_asks_for_it():
    windowed, plain = make_inbox("Windowed", window_hours=24), make_inbox("Plain")
    [first], _ack = post(windowed, message("w-1", conversation=""))
    [second], _ack = post(windowed, message("w-2", conversation="", text="Still waiting"))
    assert second.ticket == first.ticket
    [third], _ack = post(plain, message("p-1", conversation=""))
    [fourth], _ack = post(plain, message("p-2", conversation=""))
    assert fourth.created and fourth.ticket != third.ticket


def test_a_customer_quoting_our_reply_writes_in_its_ticket():
    """The kind's own strategy, prepended to the neutral ones."""
    inbox = make_inbox()
    [first], _ack = post(inbox, message("m-1"))
    sent = reply(first.ticket)
    [answer], _ack = post(inbox, message("m-2", conversation="another-session", in_reply_to=f"pomoc-{sent.pk}"))
    assert answer.ticket == first.ticket


def test_one_invalid_message_is_reported_and_the_others_are_stored(settings):
    settings.MAX_ATTACHMENTS_PER_MESSAGE = 1
    inbox = make_inbox()
    file = {"name": "a.png", "type": "image/png", "base64": base64.b64encode(PNG).decode()}
    results, [ack] = post(
        inbox,
        message("ok-1"),
        message("", text="no id"),
        message("empty", text=""),
        message("nobody", handle=" "),
        message("files", files=[file, file]),
        message("ok-2", conversation="c-2"),
    )
    assert [r.stored for r in results] == [True, False, False, False, False, True]
    reasons = [r.error for r in results]
    assert "external_id" in reasons[1] and "text or an attachment" in reasons[2]
    assert reasons[3].startswith("value:") and "attachments" in reasons[4]
    assert [a["error"] != "" for a in ack["results"]] == [False, True, True, True, True, False]
    assert sorted(Message.objects.values_list("external_id", flat=True)) == ["ok-1", "ok-2"]
    assert Contact.objects.count() == 1  # the refused ones left nothing behind
    assert Ticket.objects.count() == 2


def test_nul_characters_never_lose_a_message_nor_block_the_others():
    """PostgreSQL stores no NUL in text: the text keeps a replacement character; an id with one is
    refused alone (SQLite would store it: then it is simply stored)."""
    inbox = make_inbox()
    results, _ack = post(inbox, message("nul-1", text="Hello\x00world"), message("bad\x00id"), message("nul-2"))
    assert results[0].stored and results[2].stored
    assert Message.objects.get(external_id="nul-1").body_text == "Hello\ufffdworld"
    assert results[1].stored or "database" in results[1].error


# --- outbound -----------------------------------------------------------------------------------
def _opened(provider):
    inbox = make_inbox(url=provider.url)
    [result], _ack = post(inbox, message("m-1"))
    return result.ticket


def test_an_agent_reply_is_queued_then_posted_to_the_provider(provider, queue, django_capture_on_commit_callbacks):
    ticket = _opened(provider)
    with django_capture_on_commit_callbacks(execute=True):
        sent = reply(ticket)
    assert sent.delivery_state == DeliveryState.QUEUED and sent.channel == "testhook"
    assert sent.recipient.value == "@jana" and sent.inbox == ticket.reply_inbox
    assert [r.args for r in queue.results] == [[sent.pk]]
    assert provider.requests == []

    assert tasks.deliver_message.call(sent.pk) == delivery.SENT
    sent.refresh_from_db()
    assert (sent.delivery_state, sent.delivery_error) == (DeliveryState.SENT, "")
    assert provider.requests == [{
        "path": "/v1/replies", "content_type": "application/json",
        "json": {"id": f"pomoc-{sent.pk}", "to": "@jana", "conversation": "c-1", "ticket": ticket.number,
                 "text": "We are on it."},
    }]
    assert tasks.deliver_message.call(sent.pk) == delivery.SKIPPED  # never twice
    assert len(provider.requests) == 1


def test_a_503_keeps_the_reply_queued_with_the_reason_and_the_task_retries_it(provider, queue):
    ticket = _opened(provider)
    sent = reply(ticket)
    provider.answers = [503]
    assert tasks.deliver_message.call(sent.pk) == delivery.RETRY
    sent.refresh_from_db()
    assert sent.delivery_state == DeliveryState.QUEUED
    assert "503" in sent.delivery_error and "status 503" in sent.delivery_error
    [again] = [r for r in queue.results if r.args == [sent.pk, 2]]
    assert again.task.run_after is not None  # backoff: the retry waits

    assert tasks.deliver_message.call(*again.args) == delivery.SENT
    sent.refresh_from_db()
    assert (sent.delivery_state, sent.delivery_error) == (DeliveryState.SENT, "")
    assert [r["json"]["id"] for r in provider.requests] == [f"pomoc-{sent.pk}"] * 2


def test_a_503_on_the_last_attempt_fails_the_reply(provider, queue):
    sent = reply(_opened(provider))
    provider.answers = [503]
    assert tasks.deliver_message.call(sent.pk, tasks.MAX_DELIVERY_ATTEMPTS) == delivery.FAILED
    sent.refresh_from_db()
    assert sent.delivery_state == DeliveryState.FAILED and "503" in sent.delivery_error


def test_a_400_fails_the_reply_visibly_and_sending_again_sends_it(provider, queue,
                                                                   django_capture_on_commit_callbacks):
    sent = reply(_opened(provider))
    provider.answers = [400]
    assert tasks.deliver_message.call(sent.pk) == delivery.FAILED
    sent.refresh_from_db()
    assert sent.delivery_state == DeliveryState.FAILED
    assert sent.delivery_error == 'The provider answered 400: {"error": "status 400"}'
    assert not [r for r in queue.results if r.args == [sent.pk, 2]]  # no retry of a refusal

    with django_capture_on_commit_callbacks(execute=True):
        services.message_delivery_retry(sent)
    sent.refresh_from_db()
    assert sent.delivery_state == DeliveryState.QUEUED
    assert tasks.deliver_message.call(sent.pk) == delivery.SENT
    sent.refresh_from_db()
    assert sent.delivery_state == DeliveryState.SENT and len(provider.requests) == 2


def test_a_provider_that_cannot_be_reached_keeps_the_reply_queued(queue):
    inbox = make_inbox(url="http://127.0.0.1:9/down")  # discard port: nothing listens
    [result], _ack = post(inbox, message("m-1"))
    sent = reply(result.ticket)
    assert tasks.deliver_message.call(sent.pk) == delivery.RETRY
    sent.refresh_from_db()
    assert sent.delivery_state == DeliveryState.QUEUED and "could not be reached" in sent.delivery_error


# --- a crash between store and acknowledgement ----------------------------------------------------
def _seen_by_another_connection(external_ids) -> int:
    counted = []

    def count():
        try:
            counted.append(Message.objects.filter(external_id__in=external_ids).count())
        finally:
            connections.close_all()

    thread = threading.Thread(target=count)
    thread.start()
    thread.join()
    return counted[0]


@pytest.mark.django_db(transaction=True)
def test_a_crash_between_store_and_acknowledgement_loses_nothing():
    inbox = make_inbox()
    payload = [message("m-1"), message("m-2", text="And a second thing."), message("m-3", conversation="c-2")]

    def dies(_answer):
        raise ConnectionResetError("the webhook died before the provider got its answer")

    with pytest.raises(ConnectionResetError):
        post(inbox, *payload, acknowledge=dies)
    # committed: another connection sees every message
    assert _seen_by_another_connection(["m-1", "m-2", "m-3"]) == 3

    results, [ack] = post(inbox, *payload)  # the provider, without an answer, posts the same again
    assert all(r.duplicate for r in results)
    assert [a["duplicate"] for a in ack["results"]] == [True, True, True]
    assert sorted(Message.objects.values_list("external_id", flat=True)) == ["m-1", "m-2", "m-3"]
    assert Ticket.objects.count() == 2
    assert TicketEvent.objects.filter(type=EventType.MESSAGE_ADDED).count() == 3
