"""In the server, a thread that committed hands its live updates to the event loop and goes on: they
go out in the order handed over, many at once, and one that fails does not stop the next."""

import asyncio

from channels.db import database_sync_to_async
from channels.layers import InMemoryChannelLayer

from pomoc.core import realtime


def test_handed_over_updates_go_out_in_order_and_a_failure_stops_nothing(monkeypatch):
    layer = InMemoryChannelLayer()
    monkeypatch.setattr(realtime, "get_channel_layer", lambda: layer)
    original, calls = realtime.send_all, []

    async def send_all(target, sends):
        calls.append(len(sends))
        if len(calls) == 1:
            raise ConnectionError("Redis away for a moment")
        await original(target, sends)

    monkeypatch.setattr(realtime, "send_all", send_all)

    def commit_many():  # a database thread of the server, as a socket's writes run
        for n in range(30):
            realtime.publish_many([(["g"], {"n": n})])

    async def scenario():
        channel = await layer.new_channel()
        await layer.group_add("g", channel)
        await database_sync_to_async(commit_many)()
        return [(await asyncio.wait_for(layer.receive(channel), 5))["payload"]["n"]
                for _n in range(30 - calls[0])]

    received = asyncio.run(scenario())
    assert received == list(range(calls[0], 30))  # the first send failed alone; the rest in order
    assert sum(calls) == 30 and len(calls) < 30  # handed over while one was out: sent together
