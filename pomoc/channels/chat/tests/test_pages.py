"""The agent's chat pages: escaped visitor text, access, and a cost that stays flat as chats grow."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pomoc.accounts.models import Role
from pomoc.channels.chat import services
from pomoc.channels.chat.models import Conversation
from pomoc.channels.chat.tests.conftest import make_agent
from pomoc.testing.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def _chats(inbox, n: int, lines: int = 1) -> list[Conversation]:
    chats = []
    for i in range(n):
        visitor = services.session_open(inbox=inbox, page={"url": f"https://shop.example.com/p{i}"}).visitor
        for j in range(lines):
            services.visitor_message(visitor=visitor, client_id=f"c{i}-{j}", body=f"line {j}")
        chats.append(Conversation.objects.get(visitor=visitor))
    return chats


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_live_chats_page_costs_the_same_for_2_and_12_chats(client, inbox, department):
    agent = make_agent(department, role=Role.SUPERVISOR)
    client.force_login(agent)
    _chats(inbox, 2)
    _queries(client, "/chat/live/")  # caches warm
    few = _queries(client, "/chat/live/")
    chats = _chats(inbox, 10)
    services.conversation_accept(conversation=chats[0], agent=agent)
    assert _queries(client, "/chat/live/") == few


def test_the_chat_panel_costs_the_same_for_2_and_20_lines(client, inbox, department):
    agent = make_agent(department)
    client.force_login(agent)
    short, long = _chats(inbox, 2, lines=1)
    for j in range(1, 20):
        services.visitor_message(visitor=long.visitor, client_id=f"more{j}", body=f"more {j}")
    for chat in (short, long):  # caches warm, each ticket seen once (its first view marks it read)
        _queries(client, f"/tickets/{chat.ticket.number}/")
    assert _queries(client, f"/tickets/{short.ticket.number}/") == _queries(client, f"/tickets/{long.ticket.number}/")


def test_visitor_text_is_never_html_on_the_ticket_page(client, inbox, department, visitor):
    client.force_login(make_agent(department))
    services.visitor_message(visitor=visitor, client_id="x", body='<img src=x onerror=alert(1)> see https://ok.example/a')
    chat = Conversation.objects.get(visitor=visitor)
    html = client.get(f"/tickets/{chat.ticket.number}/").content.decode()
    panel = html[html.index('id="chat-panel"'):]
    assert "<img src=x" not in panel and "&lt;img src=x onerror=alert(1)&gt;" in panel
    assert 'href="https://ok.example/a"' in panel


def test_an_agent_of_another_department_cannot_act_on_the_chat(client, inbox, visitor):
    services.visitor_message(visitor=visitor, client_id="x", body="hi")
    chat = Conversation.objects.get(visitor=visitor)
    client.force_login(make_agent(DepartmentFactory(name="Elsewhere")))
    for action in ("accept", "end", "transfer", "invite"):
        assert client.post(f"/chat/conversations/{chat.pk}/{action}").status_code == 404
    assert client.post(f"/chat/visitors/{visitor.pk}/block").status_code == 404
    chat.refresh_from_db()
    assert chat.status == "queued"


def test_customers_get_nothing(client, inbox):
    client.force_login(UserFactory(role=Role.CUSTOMER))
    assert client.get("/chat/live/").status_code == 404
