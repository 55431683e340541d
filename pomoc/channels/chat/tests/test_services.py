"""Sessions, visitor messages with their sequence numbers, agent replies, the gap, read marks."""

import pytest
from django.core import mail

from pomoc.channels.chat import selectors, services, tokens
from pomoc.channels.chat.models import Conversation, Line, LineState
from pomoc.channels.chat.tests.conftest import SECRET, make_agent
from pomoc.contacts.models import Identity, IdentityKind
from pomoc.tickets.models import DeliveryState, Message, MessageKind
from pomoc.tickets.services import message_add

pytestmark = pytest.mark.django_db


def test_a_new_visitor_gets_a_token_that_opens_only_itself(inbox):
    first = services.session_open(inbox=inbox)
    again = services.session_open(inbox=inbox, token=first.token)
    assert again.visitor.pk == first.visitor.pk
    forged = services.session_open(inbox=inbox, token=first.token[:-2] + "xx")
    assert forged.visitor.pk != first.visitor.pk


def test_a_token_of_another_inbox_is_a_new_visitor(inbox, department):
    from pomoc.channels.chat.tests.conftest import make_chat_inbox

    other = make_chat_inbox(name="Other", department=department)
    elsewhere = services.session_open(inbox=other)
    here = services.session_open(inbox=inbox, token=elsewhere.token)
    assert here.visitor.pk != elsewhere.visitor.pk


def test_a_signed_identity_ties_the_visitor_to_the_contact_of_its_email(inbox):
    user_hash = tokens.identity_hash(SECRET, "u-42")
    opened = services.session_open(inbox=inbox, identity={"user_id": "u-42", "email": "Jana@Example.com",
                                                          "name": "Jana", "hash": user_hash})
    visitor = opened.visitor
    assert visitor.user_id == "u-42" and visitor.email == "jana@example.com"
    kinds = set(Identity.objects.filter(contact=visitor.contact).values_list("kind", "value"))
    assert (IdentityKind.EMAIL, "jana@example.com") in kinds and (IdentityKind.CHAT, visitor.key) in kinds
    # the same user on another browser is the same visitor
    assert services.session_open(inbox=inbox, identity={"user_id": "u-42", "hash": user_hash}).visitor.pk == visitor.pk


def test_a_wrong_identity_hash_is_refused(inbox):
    with pytest.raises(services.Refused) as refused:
        services.session_open(inbox=inbox, identity={"user_id": "u-42", "hash": tokens.identity_hash("x", "u-42")})
    assert refused.value.status == 403
    with pytest.raises(services.Refused):
        services.session_open(inbox=inbox, identity={"user_id": "u-43", "hash": tokens.identity_hash(SECRET, "u-42")})


def test_visitor_messages_open_one_chat_ticket_with_gapless_sequence_numbers(visitor, department):
    lines = [services.visitor_message(visitor=visitor, client_id=f"c-{n}", body=f"Hello {n}").line
             for n in range(1, 4)]
    assert [line.seq for line in lines] == [1, 2, 3]
    conversation = Conversation.objects.get(visitor=visitor)
    assert conversation.last_seq == 3 and conversation.status == "queued"
    ticket = conversation.ticket
    assert ticket.channel == "chat" and ticket.department == department
    assert ticket.reply_identity.kind == IdentityKind.CHAT and ticket.reply_identity.value == visitor.key
    assert list(ticket.messages.order_by("id").values_list("body_text", flat=True)) == ["Hello 1", "Hello 2", "Hello 3"]


def test_a_resent_message_is_never_doubled(visitor):
    first = services.visitor_message(visitor=visitor, client_id="same", body="Hello")
    again = services.visitor_message(visitor=visitor, client_id="same", body="Hello")
    assert again.duplicate and again.line.pk == first.line.pk
    assert Message.objects.filter(kind=MessageKind.CUSTOMER).count() == 1
    assert Line.objects.count() == 1


def test_two_visitors_may_use_the_same_client_id(inbox, visitor):
    other = services.session_open(inbox=inbox).visitor
    services.visitor_message(visitor=visitor, client_id="same", body="Mine")
    theirs = services.visitor_message(visitor=other, client_id="same", body="Theirs")
    assert not theirs.duplicate and theirs.line.body == "Theirs"


def test_an_agent_reply_gets_the_next_seq_through_the_outbound_adapter(visitor, department,
                                                                      django_capture_on_commit_callbacks):
    services.visitor_message(visitor=visitor, client_id="c-1", body="Hello")
    conversation = Conversation.objects.get(visitor=visitor)
    agent = make_agent(department)
    with django_capture_on_commit_callbacks(execute=True):
        reply = message_add(ticket=conversation.ticket, kind=MessageKind.REPLY, actor=agent,
                            body_text="Hi, how can I help?")
    reply.refresh_from_db()
    assert reply.delivery_state == DeliveryState.SENT
    line = Line.objects.get(message=reply)
    assert (line.seq, line.author, line.body) == (2, "agent", "Hi, how can I help?")
    assert line.name == agent.display_name


def test_the_gap_after_n_is_exact_and_in_order(visitor):
    for n in range(1, 8):
        services.visitor_message(visitor=visitor, client_id=f"c-{n}", body=f"m{n}")
    conversation = Conversation.objects.get(visitor=visitor)
    assert [line.seq for line in selectors.lines_after(conversation.pk, 4)] == [5, 6, 7]
    assert [line.seq for line in selectors.lines_after(conversation.pk, 0)] == [1, 2, 3, 4, 5, 6, 7]
    assert selectors.lines_after(conversation.pk, 7) == []


def test_read_marks_follow_the_visitor_and_the_agent(visitor, department, django_capture_on_commit_callbacks):
    services.visitor_message(visitor=visitor, client_id="c-1", body="Hello")
    conversation = Conversation.objects.get(visitor=visitor)
    agent = make_agent(department)
    with django_capture_on_commit_callbacks(execute=True):
        message_add(ticket=conversation.ticket, kind=MessageKind.REPLY, actor=agent, body_text="Hi")
    services.agent_lines_seen(conversation_id=conversation.pk, upto=2, state=LineState.DELIVERED)
    assert Line.objects.get(seq=2).state == LineState.DELIVERED
    services.agent_lines_seen(conversation_id=conversation.pk, upto=2, state=LineState.READ)
    assert Line.objects.get(seq=2).state == LineState.READ
    services.visitor_lines_seen(conversation=conversation, upto=1, state=LineState.READ)
    assert Line.objects.get(seq=1).state == LineState.READ


def test_a_too_long_or_empty_message_is_refused(visitor):
    with pytest.raises(services.Refused) as refused:
        services.visitor_message(visitor=visitor, client_id="c", body="x" * 5001)
    assert refused.value.status == 413
    with pytest.raises(services.Refused):
        services.visitor_message(visitor=visitor, client_id="c", body="   ")
    assert not Message.objects.exists()


def test_the_transcript_is_mailed(visitor, django_capture_on_commit_callbacks):
    services.visitor_message(visitor=visitor, client_id="c-1", body="Hello there")
    conversation = Conversation.objects.get(visitor=visitor)
    with pytest.raises(services.Refused):
        services.transcript_send(conversation=conversation)  # nobody to send it to
    with django_capture_on_commit_callbacks(execute=True):
        services.transcript_send(conversation=conversation, email="jana@example.com")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["jana@example.com"]
    assert "Hello there" in mail.outbox[0].body


def test_the_transcript_text_keeps_the_order(visitor):
    services.visitor_message(visitor=visitor, client_id="c-1", body="first")
    services.visitor_message(visitor=visitor, client_id="c-2", body="second")
    text = services.transcript_text(Conversation.objects.get(visitor=visitor))
    assert text.index("first") < text.index("second")
    assert mail.outbox == []
