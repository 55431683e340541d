"""The Redis channel layer as the settings build it, against the real Redis: a burst of group joins
and sends at the same moment (a thousand live chats) all get through, none refused for want of a
pool connection (redis-py 8's pools stop at 100 unless told otherwise); what is waiting is taken
at once, in order, and nothing is lost when a socket goes away in the middle of a take."""

import asyncio
import uuid

import pytest

from pomoc.core import redis_layer
from pomoc.core.redis_layer import RedisChannelLayer
from pomoc.settings import redis_channel_layer
from pomoc.testing.services import redis_reachable, redis_url, require_service

BURST = 600


def new_layer(name: str) -> RedisChannelLayer:
    require_service("Redis", redis_reachable(), hint="apt-get install redis-server")
    return RedisChannelLayer(**{**redis_channel_layer(redis_url(), 1000)["CONFIG"],
                                "prefix": f"test-{name}-{uuid.uuid4().hex[:8]}"})


def test_a_burst_of_group_joins_and_sends_all_get_through():
    require_service("Redis", redis_reachable(), hint="apt-get install redis-server")
    layer = RedisChannelLayer(**{**redis_channel_layer(redis_url(), 1000)["CONFIG"],
                                 "prefix": f"test-burst-{uuid.uuid4().hex[:8]}"})
    run = uuid.uuid4().hex[:8]

    async def burst():
        channel = await layer.new_channel()
        groups = [f"burst.{run}.{n}" for n in range(BURST)]
        joined = await asyncio.gather(*(layer.group_add(group, channel) for group in groups), return_exceptions=True)
        sent = await asyncio.gather(*(layer.group_send(group, {"type": "pomoc.event", "n": n})
                                      for n, group in enumerate(groups)), return_exceptions=True)
        try:
            first = await asyncio.wait_for(layer.receive(channel), 10)
            await asyncio.gather(*(layer.group_discard(group, channel) for group in groups))
        finally:
            await layer.flush()  # its own keys only (the prefix below): nothing left in the shared Redis
            await layer.close_pools()
        return joined, sent, first

    joined, sent, first = asyncio.run(burst())
    assert [type(o).__name__ for o in joined + sent if isinstance(o, BaseException)] == []
    assert first["type"] == "pomoc.event"


def test_a_backlog_for_the_many_sockets_of_one_process_is_never_dropped():
    """channels_redis keeps the waiting messages of every channel of a process under one key; over its
    capacity they are dropped without an error. A busy process (hundreds of chat sockets, a moment
    behind) must still get every one."""
    require_service("Redis", redis_reachable(), hint="apt-get install redis-server")
    layer = RedisChannelLayer(**{**redis_channel_layer(redis_url(), 1000)["CONFIG"],
                                 "prefix": f"test-backlog-{uuid.uuid4().hex[:8]}"})
    run = uuid.uuid4().hex[:8]

    async def backlog():
        channels = [await layer.new_channel() for _n in range(300)]
        for n, channel in enumerate(channels):
            await layer.group_add(f"backlog.{run}.{n}", channel)
        for round_ in range(2):  # 600 messages wait before anyone reads
            for n in range(len(channels)):
                await layer.group_send(f"backlog.{run}.{n}", {"type": "pomoc.event", "n": n, "round": round_})
        try:
            return [[(await asyncio.wait_for(layer.receive(channel), 5))["round"] for _round in range(2)]
                    for channel in channels]
        finally:
            await layer.flush()
            await layer.close_pools()

    assert asyncio.run(backlog()) == [[0, 1]] * 300


def test_the_worker_publishes_on_one_loop_and_keeps_its_redis_connections(monkeypatch):
    """Outside the server (the worker, a command) every publish used to run in a new event loop, and
    channels_redis opened new connections for each: the worker's live updates now share one loop."""
    require_service("Redis", redis_reachable(), hint="apt-get install redis-server")
    from pomoc.core import realtime

    config = {**redis_channel_layer(redis_url(), 1000)["CONFIG"], "prefix": f"test-worker-{uuid.uuid4().hex[:8]}"}
    layer, web = RedisChannelLayer(**config), RedisChannelLayer(**config)  # the worker's, the web server's
    monkeypatch.setattr(realtime, "get_channel_layer", lambda: layer)
    group = f"worker.{uuid.uuid4().hex[:8]}"

    async def join():
        channel = await web.new_channel()
        await web.group_add(group, channel)
        return channel

    channel = asyncio.run(join())
    for n in range(3):
        realtime.publish_many([([group], {"n": n})])
    assert list(layer._layers) == [realtime._publisher_loop()]  # one loop, its connections kept

    async def receive():
        try:
            return [(await asyncio.wait_for(web.receive(channel), 5))["payload"]["n"] for _n in range(3)]
        finally:
            await web.flush()
            await web.close_pools()

    assert asyncio.run(receive()) == [0, 1, 2]
    asyncio.run_coroutine_threadsafe(layer.close_pools(), realtime._publisher_loop()).result(5)


def test_many_groups_sent_at_once_arrive_in_the_order_sent_and_taken_together(monkeypatch):
    """``group_send_many`` (two round trips for all) keeps each socket's order, across groups and
    across calls; one receive takes everything waiting for the process."""
    layer = new_layer("many")
    run = uuid.uuid4().hex[:8]
    takes = []
    original = redis_layer.RedisChannelLayer._take_waiting

    async def counted(self, channel):
        takes.append(channel)
        return await original(self, channel)

    monkeypatch.setattr(redis_layer.RedisChannelLayer, "_take_waiting", counted)

    async def scenario():
        a, b = await layer.new_channel(), await layer.new_channel()
        await layer.group_add(f"g.{run}.a", a)
        await layer.group_add(f"g.{run}.both", a)
        await layer.group_add(f"g.{run}.both", b)
        for start in (0, 100):  # two calls: the second's messages come after the first's
            outcomes = await layer.group_send_many([(f"g.{run}.a" if n % 3 else f"g.{run}.both", {"type": "x", "n": n})
                                                    for n in range(start, start + 100)])
            assert outcomes == [None] * 100
        try:
            got_a = [(await asyncio.wait_for(layer.receive(a), 5))["n"] for _n in range(200)]
            got_b = [(await asyncio.wait_for(layer.receive(b), 5))["n"] for _n in range(len(range(0, 200, 3)))]
        finally:
            await layer.flush()
            await layer.close_pools()
        return got_a, got_b

    got_a, got_b = asyncio.run(scenario())
    assert got_a == list(range(200)) and got_b == list(range(0, 200, 3))
    assert len(takes) <= 3  # everything waiting came in one take (a second may have begun meanwhile)


def test_a_socket_going_away_in_the_middle_of_a_take_loses_nothing_for_the_others():
    layer = new_layer("cancel")
    run = uuid.uuid4().hex[:8]

    async def scenario():
        leaving, staying = await layer.new_channel(), await layer.new_channel()
        await layer.group_add(f"c.{run}", staying)
        waiting = asyncio.ensure_future(layer.receive(leaving))  # holds the take, blocked in Redis
        await asyncio.sleep(0.2)
        [taking] = layer._taking.values()
        waiting.cancel()  # its socket closes
        with pytest.raises(asyncio.CancelledError):
            await waiting
        assert not taking.done()  # the take goes on: what it pops still reaches the other sockets
        await layer.group_send(f"c.{run}", {"type": "x", "n": 1})
        await layer.group_send_many([(f"c.{run}", {"type": "x", "n": 2})])
        try:
            return [(await asyncio.wait_for(layer.receive(staying), 10))["n"] for _n in range(2)]
        finally:
            await layer.flush()
            await layer.close_pools()

    assert asyncio.run(scenario()) == [1, 2]


def test_a_take_that_fails_after_its_socket_left_is_not_reported_as_never_retrieved(monkeypatch):
    """Redis going away under a take whose socket has already closed: nobody waits for the error any
    more, and asyncio must not log it as an exception never retrieved (a socket still waiting gets
    it raised)."""
    layer = new_layer("failing")
    reported = []

    async def failing_take(channel):
        await asyncio.sleep(0.1)
        raise ConnectionError("Connection closed by server.")

    monkeypatch.setattr(layer, "_take_waiting", failing_take)

    async def scenario():
        asyncio.get_running_loop().set_exception_handler(lambda loop, context: reported.append(context["message"]))
        leaving, staying = await layer.new_channel(), await layer.new_channel()
        waiting = asyncio.ensure_future(layer.receive(leaving))
        await asyncio.sleep(0.02)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        await asyncio.sleep(0.2)  # the take fails with nobody waiting
        with pytest.raises(ConnectionError):  # a socket that waits hears the error
            await layer.receive(staying)
        await layer.close_pools()

    asyncio.run(scenario())
    import gc

    gc.collect()
    assert reported == []


def test_a_process_at_its_capacity_misses_a_group_message_and_the_others_still_get_it(caplog):
    """A full process key (a stalled process) takes nothing more; the other process's sockets in the
    same group are not held up, and each message the full one missed is logged."""
    full = new_layer("full")
    full.capacity = 3
    other = new_layer("other")
    other.prefix = full.prefix  # one Redis namespace, two processes
    run = uuid.uuid4().hex[:8]

    async def scenario():
        stalled, live = await full.new_channel(), await other.new_channel()
        await full.group_add(f"g.{run}.stalled", stalled)
        await full.group_add(f"g.{run}.both", stalled)
        await full.group_add(f"g.{run}.both", live)
        filled = await full.group_send_many([(f"g.{run}.stalled", {"type": "x", "n": n}) for n in range(3)])
        outcomes = await full.group_send_many([(f"g.{run}.both", {"type": "x", "n": n}) for n in range(3, 5)])
        try:
            got = [(await asyncio.wait_for(other.receive(live), 5))["n"] for _n in range(2)]
            kept = [(await asyncio.wait_for(full.receive(stalled), 5))["n"] for _n in range(3)]
        finally:
            await full.flush()
            await full.close_pools()
            await other.close_pools()
        return filled + outcomes, got, kept

    with caplog.at_level("INFO", logger="pomoc.core.redis_layer"):
        outcomes, got, kept = asyncio.run(scenario())
    assert outcomes == [None] * 5
    assert got == [3, 4] and kept == [0, 1, 2]
    assert len([r for r in caplog.records if "over capacity" in r.getMessage()]) == 2
