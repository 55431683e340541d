"""Other agents on the ticket hear when a draft starts and when it ends, not on every save."""

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from django.test import Client

from pomoc.testing.factories import DepartmentFactory, UserFactory, make_ticket
from pomoc.tickets.tests.live_helpers import (  # noqa: F401
    channel_layer_kind,
    close_layer,
    connect,
    receive_event,
    subscribe_ticket,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("channel_layer_kind")]


def _setup():
    department = DepartmentFactory()
    writer, watcher = UserFactory(first_name="Wanda", last_name="Writer"), UserFactory()
    department.members.add(writer, watcher)
    return writer, watcher, make_ticket(department=department)


def _save(user, ticket, text):
    client = Client()
    client.force_login(user)
    assert client.post(f"/drafts/tickets/{ticket.pk}/reply/", {"text": text}).status_code == 200


def test_a_draft_starting_and_ending_reaches_the_other_agents():
    async def scenario():
        writer, watcher, ticket = await database_sync_to_async(_setup)()
        socket = await connect(watcher)
        await subscribe_ticket(socket, ticket.pk)
        await database_sync_to_async(_save)(writer, ticket, "Hello")
        event = await receive_event(socket, "draft.changed")
        assert event == {"event": "draft.changed", "ticket": ticket.pk, "number": ticket.number,
                         "actor": writer.pk, "user": writer.pk, "name": "Wanda Writer", "kind": "reply",
                         "exists": True}
        await database_sync_to_async(_save)(writer, ticket, "Hello there")  # no news: still a draft
        await database_sync_to_async(_save)(writer, ticket, "")
        event = await receive_event(socket, "draft.changed")
        assert event["exists"] is False
        assert "Hello" not in str(event)  # the words never travel to others
        await socket.disconnect()
        await close_layer()

    async_to_sync(scenario)()
