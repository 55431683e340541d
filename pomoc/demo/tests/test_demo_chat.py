"""The demo shows live chat: a chat inbox, finished chats with their transcripts and a rating, and
a visitor waiting in the queue — on the demo's own chat tickets, so its ticket count stays."""

import pytest
from django.core.management import call_command
from django.test import Client

from pomoc.accounts.models import User
from pomoc.channels.chat.models import Conversation, Line
from pomoc.channels.models import Inbox
from pomoc.demo.tests.consistency import assert_tickets_consistent
from pomoc.surveys.models import Answer
from pomoc.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def test_the_demo_adds_a_chat_inbox_with_finished_chats_and_one_waiting():
    call_command("demo", tickets=60, password="demo-Pass-42", seed=7, verbosity=0)
    inbox = Inbox.objects.get(kind="chat")
    assert inbox.chat.key and inbox.department is not None
    ended = list(Conversation.objects.filter(inbox=inbox, status="ended"))
    assert 1 <= len(ended) <= 3
    for chat in ended:
        lines = list(Line.objects.filter(conversation=chat).order_by("seq"))
        assert [line.seq for line in lines] == list(range(1, len(lines) + 1)) == list(range(1, chat.last_seq + 1))
        assert {"visitor", "agent"} <= {line.author for line in lines}
        assert chat.ticket.channel == "chat" and chat.rated
        assert Answer.objects.filter(ticket=chat.ticket, kind="csat").exists()
    waiting = Conversation.objects.get(inbox=inbox, status="queued")
    assert waiting.ticket.status in ("new", "open") and waiting.last_seq == 1
    assert Ticket.objects.filter(return_request__isnull=True).count() == 60
    assert_tickets_consistent([chat.ticket for chat in ended])  # the waiting one may have been written to now

    client = Client()
    client.force_login(User.objects.get(username="supervisor"))
    live = client.get("/chat/live/").content.decode()
    assert waiting.visitor.display_name in live
    panel = client.get(f"/tickets/{ended[0].ticket.number}/").content.decode()
    assert 'id="chat-panel"' in panel

    call_command("demo", tickets=0, password="demo-Pass-42", seed=8, verbosity=0)  # once only
    assert Conversation.objects.filter(inbox=inbox).count() == len(ended) + 1
