"""The Redis channel layer with the round trips of a busy process cut (ADR 0033).

channels_redis stores the waiting messages of every socket of a process in one Redis key. Its
receive takes them one at a time, four round trips each (a script restoring a backup queue, the
blocking pop, the backup write, the backup clean-up), every one waiting for a turn of the event
loop; its ``group_send`` costs four more per group. A web process carrying a thousand live chats
(three frames per chat message) fell behind at about 60 messages a second, the rest waiting in
Redis until they expired.

Here a receive takes everything waiting for the process in two round trips (the blocking pop of
the first, then up to ``RECEIVE_BATCH`` more) and hands each message to its socket's buffer, and
``group_send_many`` sends many groups' messages in two script calls per Redis server (one reads the
groups' members, one stores the messages: a command each per group and key cost more Python to
write and parse than Redis took to run them). The
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

# The members of each group (KEYS), those older than the group expiry (ARGV[1]) dropped first.
GROUP_MEMBERS = """
local members = {}
for i=1,#KEYS do
    redis.call('ZREMRANGEBYSCORE', KEYS[i], 0, ARGV[1])
    members[i] = redis.call('ZRANGE', KEYS[i], 0, -1)
end
return members
"""

# channels_redis's group send, for many channel keys (KEYS) at once: each key's messages older than
# the expiry dropped (ARGV[3n + 2], a score), then its message (ARGV[i]) added with its score
# (ARGV[2n + i]) unless the key is at its capacity (ARGV[n + i]), and the key's expiry set
# (ARGV[3n + 1] seconds). The indexes of the keys over capacity are returned.
GROUP_SEND_MANY = """
local n = #KEYS
local expiry = ARGV[3 * n + 1]
local stale = ARGV[3 * n + 2]
local over = {}
for i=1,n do
    redis.call('ZREMRANGEBYSCORE', KEYS[i], 0, stale)
    if redis.call('ZCOUNT', KEYS[i], '-inf', '+inf') < tonumber(ARGV[n + i]) then
        redis.call('ZADD', KEYS[i], ARGV[2 * n + i], ARGV[i])
        redis.call('EXPIRE', KEYS[i], expiry)
    else
        over[#over + 1] = i
    end
end
return over
"""


def _take_ended(task: asyncio.Task) -> None:
    """A take that failed (Redis went away) after every socket waiting for it had gone: its error is
    read here, or asyncio would log it as never retrieved. A socket still waiting gets it raised."""
    if not task.cancelled() and task.exception() is not None:
        logger.debug("channel layer: a take ended with %r", task.exception())


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
            taking.add_done_callback(_take_ended)
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
        script call per Redis server, the messages stored in another. One result per send: None, or
        the error that kept it from its group."""
        outcomes: list[BaseException | None] = [None] * len(sends)
        members: dict[int, list[str]] = {}
        by_server: dict[int, list[int]] = collections.defaultdict(list)
        for n, (group, _message) in enumerate(sends):
            assert self.require_valid_group_name(group), "Group name not valid"
            by_server[self.consistent_hash(group)].append(n)
        for index, numbers in by_server.items():
            try:
                replies = await self.connection(index).eval(
                    GROUP_MEMBERS, len(numbers), *(self._group_key(sends[n][0]) for n in numbers),
                    int(time.time()) - self.group_expiry)
            except Exception as exc:  # noqa: BLE001 - the server away: its groups' sends fail
                for n in numbers:
                    outcomes[n] = exc
                continue
            for n, reply in zip(numbers, replies, strict=True):
                members[n] = [name.decode("utf8") for name in reply]
        # per server: (send, key, message, capacity, score) in the order sent
        calls: dict[int, list[tuple[int, bytes, bytes, int, float]]] = collections.defaultdict(list)
        for n, (_group, message) in enumerate(sends):
            if not members.get(n):
                continue
            score = self._score()
            keys_by_server, message_of, capacity_of = self._map_channel_keys_to_connection(members[n], message)
            for index, keys in keys_by_server.items():
                calls[index].extend((n, key, message_of[key], capacity_of[key], score) for key in keys)
        stale = int(time.time()) - int(self.expiry)
        for index, server_calls in calls.items():
            try:
                over = await self.connection(index).eval(
                    GROUP_SEND_MANY, len(server_calls), *(call[1] for call in server_calls),
                    *(call[2] for call in server_calls), *(call[3] for call in server_calls),
                    *(call[4] for call in server_calls), self.expiry, stale)
            except Exception as exc:  # noqa: BLE001
                for call in server_calls:
                    outcomes[call[0]] = exc
                continue
            for i in over:
                logger.info("a channel over capacity in group %s", sends[server_calls[i - 1][0]][0])
        return outcomes
