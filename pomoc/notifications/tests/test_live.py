"""A notification reaches every open page of its recipient over the websocket, and nobody else's."""

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async

from pomoc.notifications import services
from pomoc.notifications.models import NotificationKind
from pomoc.testing.factories import DepartmentFactory, UserFactory, make_ticket
from pomoc.tickets.tests.live_helpers import channel_layer_kind, close_layer, connect, receive_event  # noqa: F401

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("channel_layer_kind")]


def _setup():
    department = DepartmentFactory()
    writer, reader = UserFactory(), UserFactory()
    department.members.add(writer, reader)
    return writer, reader, make_ticket(department=department, subject="Kettle")


def test_the_recipients_sockets_hear_it_and_others_do_not():
    async def scenario():
        writer, reader, ticket = await database_sync_to_async(_setup)()
        page, other_tab, writers_page = await connect(reader), await connect(reader), await connect(writer)
        made = await database_sync_to_async(services.notify)(
            [reader], kind=NotificationKind.MENTIONED, ticket=ticket, actor=writer, text="@reader look")
        for socket in (page, other_tab):
            event = await receive_event(socket, "notification.created")
            assert event["id"] == made[0].pk and event["unread"] == 1 and event["body"] == "Kettle · @reader look"
        assert await writers_page.receive_nothing(timeout=0.3)
        await database_sync_to_async(services.notifications_read)(user=reader)
        assert (await receive_event(page, "notifications.read"))["unread"] == 0
        for socket in (page, other_tab, writers_page):
            await socket.disconnect()
        await close_layer()

    async_to_sync(scenario)()
