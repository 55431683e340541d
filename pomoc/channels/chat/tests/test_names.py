"""A visitor who gave no name is "Visitor 4821" (a short number from their id) wherever agents see
them; a name they give later wins."""

import re

import pytest

from pomoc.accounts.models import Role
from pomoc.channels.chat import services, tokens
from pomoc.channels.chat.models import Conversation, visitor_code, visitor_label
from pomoc.channels.chat.tests.conftest import SECRET, SITE, make_agent

pytestmark = pytest.mark.django_db


def test_codes_are_short_stable_and_never_repeat():
    codes = [visitor_code(n) for n in range(1, 9000)]
    assert len(set(codes)) == len(codes) and all(1000 <= code <= 9999 for code in codes)
    assert visitor_code(9000) >= 10000 and visitor_code(42) == visitor_code(42)
    assert len({visitor_code(n) for n in range(1, 90000)}) == 89999


def test_a_nameless_visitor_is_a_readable_visitor_everywhere(client, inbox, department, visitor):
    services.visitor_message(visitor=visitor, client_id="c-1", body="Hello")
    visitor.refresh_from_db()
    label = visitor_label(visitor.pk)
    assert re.fullmatch(r"Visitor \d{4}", label)
    assert str(visitor) == visitor.display_name == label
    assert visitor.contact.name == label  # the ticket's requester, the inbox, search
    chat = Conversation.objects.get(visitor=visitor)
    assert chat.ticket.requester.name == label

    client.force_login(make_agent(department, role=Role.SUPERVISOR))
    for url in ("/chat/live/", "/chat/visitors/", f"/tickets/{chat.ticket.number}/", "/inbox/?view=all"):
        html = client.get(url).content.decode()
        assert label in html, url
        if "/chat/" in url or url.startswith("/inbox/"):
            assert visitor.key[:6] not in html, url
        else:  # the key is only listed among the contact's identities, not in the sentence of replies
            assert "Replies go to the visitor in the chat by Live chat" in html


def _ask_name(inbox):
    inbox.config = {**inbox.config, "prechat_fields": [{"name": "name", "label": "Name", "type": "text"}]}
    inbox.save()


def test_a_name_given_later_wins(inbox, visitor):
    _ask_name(inbox)
    services.visitor_message(visitor=visitor, client_id="c-1", body="Hello")
    services.conversation_end(conversation=Conversation.objects.get(visitor=visitor), by_visitor=True)
    services.conversation_start(visitor=visitor, prechat={"name": "Jana Nováková"})
    visitor.refresh_from_db()
    assert visitor.display_name == "Jana Nováková" and visitor.contact.name == "Jana Nováková"


def test_a_signed_identity_names_the_contact_of_an_earlier_nameless_chat(inbox):
    opened = services.session_open(inbox=inbox, page={"url": f"{SITE}/"})
    services.visitor_message(visitor=opened.visitor, client_id="c-1", body="Hello")
    again = services.session_open(inbox=inbox, token=opened.token, identity={
        "user_id": "u-7", "name": "Petr", "hash": tokens.identity_hash(SECRET, "u-7")})
    again.visitor.contact.refresh_from_db()
    assert again.visitor.pk == opened.visitor.pk and again.visitor.contact.name == "Petr"


def test_a_name_an_agent_gave_the_contact_is_kept(inbox, visitor):
    services.visitor_message(visitor=visitor, client_id="c-1", body="Hello")
    visitor.refresh_from_db()
    visitor.contact.name = "Regular from Brno"
    visitor.contact.save()
    _ask_name(inbox)
    services.conversation_end(conversation=Conversation.objects.get(visitor=visitor), by_visitor=True)
    services.conversation_start(visitor=visitor, prechat={"name": "Jan"})
    visitor.contact.refresh_from_db()
    assert visitor.contact.name == "Regular from Brno"


def test_contacts_named_by_the_old_hex_label_are_renamed_by_the_migration(inbox, visitor):
    import importlib

    from django.apps import apps

    services.visitor_message(visitor=visitor, client_id="c-1", body="Hello")
    visitor.refresh_from_db()
    visitor.contact.name = f"Návštěvník {visitor.key[:6]}"  # made in Czech by the earlier code
    visitor.contact.save()
    importlib.import_module("pomoc.channels.chat.migrations.0002_visitor_labels").relabel(apps, None)
    visitor.contact.refresh_from_db()
    assert visitor.contact.name == f"Návštěvník {visitor_code(visitor.pk)}"
