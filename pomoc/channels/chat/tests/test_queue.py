"""The queue: positions, who is available, accept with a per-agent limit, transfer, routing."""

import pytest

from pomoc.channels.chat import selectors, services
from pomoc.channels.chat.models import Conversation, ConversationStatus, Line
from pomoc.channels.chat.tests.conftest import make_agent
from pomoc.testing.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


def _chat(inbox, n: int) -> Conversation:
    visitor = services.session_open(inbox=inbox).visitor
    services.visitor_message(visitor=visitor, client_id=f"c{n}", body=f"Hello {n}")
    return Conversation.objects.get(visitor=visitor)


def test_waiting_visitors_know_their_place(inbox):
    chats = [_chat(inbox, n) for n in range(3)]
    assert [selectors.queue_position(c) for c in chats] == [1, 2, 3]
    assert [c.pk for c in selectors.queue(inbox.department_id)[1]] == [c.pk for c in chats]


def test_online_means_an_agent_of_the_department_with_room(inbox, department):
    assert not selectors.is_online(inbox)
    other = DepartmentFactory(name="Support")
    make_agent(other)
    assert not selectors.is_online(inbox)  # online, but not of this department
    agent = make_agent(department, capacity=1)
    assert selectors.is_online(inbox)
    services.conversation_accept(conversation=_chat(inbox, 1), agent=agent)
    assert not selectors.is_online(inbox)  # at their limit


def test_accept_takes_the_chat_and_assigns_the_ticket(inbox, department):
    agent = make_agent(department)
    chat = _chat(inbox, 1)
    later = _chat(inbox, 2)
    services.conversation_accept(conversation=chat, agent=agent)
    chat.refresh_from_db()
    assert chat.status == ConversationStatus.OPEN and chat.agent == agent and chat.ticket.assignee == agent
    assert selectors.queue_position(later) == 1
    with pytest.raises(services.Refused) as refused:
        services.conversation_accept(conversation=chat, agent=make_agent(department))
    assert refused.value.code == "taken"


def test_an_agent_at_their_limit_cannot_accept_more(inbox, department):
    agent = make_agent(department, capacity=1)
    services.conversation_accept(conversation=_chat(inbox, 1), agent=agent)
    with pytest.raises(services.Refused) as refused:
        services.conversation_accept(conversation=_chat(inbox, 2), agent=agent)
    assert refused.value.code == "limit"


def test_assigning_the_ticket_elsewhere_moves_the_chat(inbox, department, django_capture_on_commit_callbacks):
    from pomoc.tickets.services import ticket_update

    agent = make_agent(department)
    chat = _chat(inbox, 1)
    with django_capture_on_commit_callbacks(execute=True):
        ticket_update(ticket=chat.ticket, actor=agent, changes={"assignee": agent})
    chat.refresh_from_db()
    assert chat.status == ConversationStatus.OPEN and chat.agent == agent


def test_transfer_to_an_agent_or_a_department(inbox, department):
    first, second = make_agent(department), make_agent(department)
    chat = _chat(inbox, 1)
    services.conversation_accept(conversation=chat, agent=first)
    services.conversation_transfer(conversation=chat, actor=first, agent=second)
    chat.refresh_from_db()
    assert chat.agent == second and chat.ticket.assignee == second
    support = DepartmentFactory(name="Support")
    services.conversation_transfer(conversation=chat, actor=second, department=support)
    chat.refresh_from_db()
    assert chat.status == ConversationStatus.QUEUED and chat.department == support and chat.agent is None
    assert chat.ticket.department == support
    assert [line.author for line in Line.objects.filter(conversation=chat)] == ["visitor", "system", "system"]


def test_the_visitor_ends_the_chat(inbox):
    chat = _chat(inbox, 1)
    services.conversation_end(conversation=chat, by_visitor=True)
    chat.refresh_from_db()
    assert chat.status == ConversationStatus.ENDED and chat.ended_at is not None
    assert selectors.queue(inbox.department_id) == (0, [])


def _listening(conversations):
    """A channel in each visitor's group of the in-memory layer, and what each heard since."""
    import asyncio

    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    from pomoc.channels.chat.groups import visitor_group

    layer = get_channel_layer()
    channels = {}
    for conversation in conversations:
        channels[conversation.pk] = async_to_sync(layer.new_channel)()
        async_to_sync(layer.group_add)(visitor_group(conversation.visitor_id), channels[conversation.pk])

    def heard(conversation) -> list[dict]:
        async def drain():
            frames = []
            while True:
                try:
                    event = await asyncio.wait_for(layer.receive(channels[conversation.pk]), 0.05)
                except TimeoutError:
                    return frames
                frames.append(event.get("payload"))
        return async_to_sync(drain)()

    return heard


def test_a_chat_joining_the_end_tells_nobody_else_and_one_leaving_tells_those_behind(
        inbox, department, django_capture_on_commit_callbacks, settings):
    # what each visitor's group heard, read from one process's layer (the Redis one is covered by the
    # socket tests; its queues belong to the event loop of each sync call)
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    chats = [_chat(inbox, n) for n in range(3)]
    heard = _listening(chats)
    with django_capture_on_commit_callbacks(execute=True):
        newest = _chat(inbox, 3)
    assert [heard(c) for c in chats] == [[], [], []]  # their places did not change
    assert selectors.queue_position(newest) == 4
    with django_capture_on_commit_callbacks(execute=True):
        services.conversation_accept(conversation=chats[1], agent=make_agent(department))
    assert heard(chats[0]) == []
    assert [(f["status"], f["queue_position"]) for f in heard(chats[2]) if f.get("type") == "status"] == [("queued", 2)]
