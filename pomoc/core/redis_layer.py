"""The Redis channel layer with the round trips of a busy process cut (ADR 0033).

channels_redis stores the waiting messages of every socket of a process in one Redis key. Its
receive takes them one at a time, four round trips each (a script restoring a backup queue, the
blocking pop, the backup write, the backup clean-up), every one waiting for a turn of the event
loop; its ``group_send`` costs four more per group. A web process carrying a thousand live chats
(three frames per chat message) fell behind at about 60 messages a second, the rest waiting in
Redis until they expired.

Here a receive takes everything waiting for the process in two round trips (the blocking pop of
the first, then up to ``RECEIVE_BATCH`` more) and hands each message to its socket's buffer, and
``group_send_many`` sends many groups' messages in two pipelined round trips per Redis server. The
storage format, keys, capacity and expiry are channels_redis's own: processes of both kinds share a
Redis. What the backup queue guarded (a receive cancelled between the pop and the hand-over, when
a socket closes) is guarded by finishing the hand-over in a task of its own that a cancelled socket
does not stop."""

from __future__ import annotations

import asyncio
import collections
import logging
import time

from channels_redis.core import RedisChannelLayer as BaseRedisChannelLayer

logger = logging.getLogger(__name__)

RECEIVE_BATCH = 500

# channels_redis's group send script: each key its message, unless the key is at its capacity
GROUP_SEND = """
local over_capacity = 0
local current_time = ARGV[#ARGV - 1]
local expiry = ARGV[#ARGV]
for i=1,#KEYS do
    if redis.call('ZCOUNT', KEYS[i], '-inf', '+inf') < tonumber(ARGV[i + #KEYS]) then
        redis.call('ZADD', KEYS[i], current_time, ARGV[i])
        redis.call('EXPIRE', KEYS[i], expiry)
    else
        over_capacity = over_capacity + 1
    end
end
return over_capacity
"""


class RedisChannelLayer(BaseRedisChannelLayer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._taking: dict[str, asyncio.Task] = {}
        self._last_score = 0.0

    def _score(self) -> float:
        """The next message's score: the time, and always above the last one of this process
        (members of equal score would be taken in byte order, not in the order sent)."""
        self._last_score = max(time.time(), self._last_score + 1e-6)
        return self._last_score

    async def receive_single(self, channel):
        """For the process's own channels (``…!``): everything waiting, into the sockets' buffers
        (``receive`` reads its socket's from there: nothing is returned here). Only one take runs
        at a time: a take whose socket went away is waited for, so the order is kept."""
        if "!" not in channel:
            return await super().receive_single(channel)
        taking = self._taking.get(channel)
        if taking is None or taking.done():
            taking = self._taking[channel] = asyncio.ensure_future(self._take_waiting(channel))
        await asyncio.shield(taking)
        return [], None

    async def _take_waiting(self, channel: str) -> None:
        connection = self.connection(self.consistent_hash(channel))
        key = self.prefix + channel
        first = await connection.bzpopmin(key, timeout=self.brpop_timeout)
        if first is None:
            return
        members = [first[1]]
        if RECEIVE_BATCH > 1:
            members += [member for member, _score in await connection.zpopmin(key, RECEIVE_BATCH - 1)]
        for member in members:
            message = self.deserialize(member)
            targets = message.pop("__asgi_channel__", channel)
            for target in targets if isinstance(targets, list) else [targets]:
                self.receive_buffer[target].put_nowait(message)

    async def group_send_many(self, sends: list[tuple[str, dict]]) -> list[BaseException | None]:
        """``group_send`` of every ``(group, message)``, in order: the groups' members read in one
        pipeline per Redis server, the messages stored in another. One result per send: None, or
        the error that kept it from its group."""
        outcomes: list[BaseException | None] = [None] * len(sends)
        members: dict[int, list[str]] = {}
        by_server: dict[int, list[int]] = collections.defaultdict(list)
        for n, (group, _message) in enumerate(sends):
            assert self.require_valid_group_name(group), "Group name not valid"
            by_server[self.consistent_hash(group)].append(n)
        for index, numbers in by_server.items():
            pipe = self.connection(index).pipeline(transaction=False)
            for n in numbers:
                key = self._group_key(sends[n][0])
                pipe.zremrangebyscore(key, min=0, max=int(time.time()) - self.group_expiry)
                pipe.zrange(key, 0, -1)
            try:
                replies = await pipe.execute(raise_on_error=False)
            except Exception as exc:  # noqa: BLE001 - the server away: its groups' sends fail
                replies = [exc] * (2 * len(numbers))
            for n, reply in zip(numbers, replies[1::2], strict=True):
                if isinstance(reply, BaseException):
                    outcomes[n] = reply
                else:
                    members[n] = [name.decode("utf8") for name in reply]
        calls: dict[int, list[tuple[int, list, list, list]]] = collections.defaultdict(list)
        for n, (_group, message) in enumerate(sends):
            if n not in members:
                continue
            keys_by_server, message_of, capacity_of = self._map_channel_keys_to_connection(members[n], message)
            for index, keys in keys_by_server.items():
                calls[index].append((n, keys, [message_of[k] for k in keys], [capacity_of[k] for k in keys]))
        for index, server_calls in calls.items():
            pipe = self.connection(index).pipeline(transaction=False)
            for _n, keys, messages, capacities in server_calls:
                for key in keys:
                    pipe.zremrangebyscore(key, min=0, max=int(time.time()) - int(self.expiry))
                pipe.eval(GROUP_SEND, len(keys), *keys, *messages, *capacities, self._score(), self.expiry)
            try:
                replies = await pipe.execute(raise_on_error=False)
            except Exception as exc:  # noqa: BLE001
                replies = [exc] * sum(len(keys) + 1 for _n, keys, _m, _c in server_calls)
            at = 0
            for n, keys, _messages, _capacities in server_calls:
                at += len(keys) + 1
                reply = replies[at - 1]
                if isinstance(reply, BaseException):
                    outcomes[n] = reply
                elif reply:
                    logger.info("%s channels over capacity in group %s", reply, sends[n][0])
        return outcomes
