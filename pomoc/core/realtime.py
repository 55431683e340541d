"""Live updates: send payloads to websocket groups (the dispatcher calls this after the commit)."""

import asyncio
import json
import logging
import os
import threading
import urllib.request
import weakref
from collections.abc import Iterable

from asgiref.sync import SyncToAsync, async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings

logger = logging.getLogger(__name__)


def ticket_group(ticket_id: int) -> str:
    return f"ticket.{ticket_id}"


def department_group(department_id: int | None) -> str:
    return f"inbox.dept.{department_id or 'none'}"


def user_group(user_id: int) -> str:
    """Every live page of one user (notifications): the consumer joins it on connect."""
    return f"user.{user_id}"


async def send_all(layer, sends: list[tuple[str, dict]]) -> None:
    """Every (group, payload) at once (in a few pipelined round trips where the layer can:
    ``redis_layer``); a failing one is logged, the others still go."""
    events = [(group, {"type": "pomoc.event", "payload": payload}) for group, payload in sends]
    if hasattr(layer, "group_send_many"):
        outcomes = await layer.group_send_many(events)
    else:
        outcomes = await asyncio.gather(*(layer.group_send(group, event) for group, event in events),
                                        return_exceptions=True)
    for (group, _payload), outcome in zip(sends, outcomes, strict=True):
        if isinstance(outcome, BaseException):
            logger.error("realtime publish to %s failed: %s", group, type(outcome).__name__,
                         exc_info=(type(outcome), outcome, outcome.__traceback__))


def _send(sends: list[tuple[str, dict]]) -> None:
    """Every (group, payload) in one trip into the event loop (a worker storing a batch of mails
    pays for one, not one per ticket and group), or in one POST to the relay of ``pomoc serve``
    (``realtime_relay``) when this process is its worker."""
    if not sends:
        return
    if settings.POMOC_REALTIME_RELAY_URL:
        _post_to_relay(sends)
        return
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        if (loop := _server_loop()) is not None:
            loop.call_soon_threadsafe(_hand_over, layer, sends)
        elif not _keeps_connections(layer):
            async_to_sync(send_all)(layer, sends)
        else:
            asyncio.run_coroutine_threadsafe(send_all(layer, sends), _publisher_loop()).result(PUBLISH_TIMEOUT)
    except Exception:  # a realtime hiccup must never break a write that already committed
        logger.exception("realtime publish failed")


class _Publisher:
    """The server's publishes, in the order its threads handed them over, many at once: the thread
    that committed goes on at once (a chat's acknowledgement does not wait for Redis), and what
    was handed over while one send was out goes in the next."""

    def __init__(self, layer):
        self.layer, self.waiting, self.task = layer, [], None

    def add(self, sends: list[tuple[str, dict]]) -> None:
        self.waiting.extend(sends)
        if self.task is None or self.task.done():
            self.task = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        while self.waiting:
            sends, self.waiting = self.waiting, []
            try:
                await send_all(self.layer, sends)
            except Exception:  # a realtime hiccup must never stop the ones after it
                logger.exception("realtime publish failed")


_PUBLISHERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _hand_over(layer, sends: list[tuple[str, dict]]) -> None:
    """In the server's event loop: to its publisher."""
    loop = asyncio.get_running_loop()
    publisher = _PUBLISHERS.get(loop)
    if publisher is None or publisher.layer is not layer:
        publisher = _PUBLISHERS[loop] = _Publisher(layer)
    publisher.add(sends)


PUBLISH_TIMEOUT = 10.0
_loop: asyncio.AbstractEventLoop | None = None
_loop_pid = 0
_loop_lock = threading.Lock()


def _server_loop() -> asyncio.AbstractEventLoop | None:
    """In a database thread of the ASGI server's sockets and views, the server's event loop: its
    publishes go there (and to its channel layer connections). None elsewhere."""
    loop = getattr(SyncToAsync.threadlocal, "main_event_loop", None)  # kept after its loop ended
    if getattr(SyncToAsync.threadlocal, "main_event_loop_pid", None) == os.getpid() and \
            loop is not None and loop.is_running():
        return loop
    return None


def _keeps_connections(layer) -> bool:
    """A layer whose connections belong to the event loop that opened them (Redis): outside the
    server, ``async_to_sync`` would run each publish in a new loop and open new connections for it."""
    from channels_redis.core import RedisChannelLayer

    return isinstance(layer, RedisChannelLayer)


def _publisher_loop() -> asyncio.AbstractEventLoop:
    """One event loop of this process, in a thread of its own, for the publishes of the worker and of
    commands: the Redis layer's connections are opened once and kept."""
    global _loop, _loop_pid
    with _loop_lock:
        if _loop is None or _loop_pid != os.getpid() or _loop.is_closed():
            _loop, _loop_pid = asyncio.new_event_loop(), os.getpid()
            threading.Thread(target=_loop.run_forever, name="pomoc-realtime", daemon=True).start()
        return _loop


RELAY_TIMEOUT = 3.0


def _post_to_relay(sends: list[tuple[str, dict]]) -> None:
    request = urllib.request.Request(  # noqa: S310 -- our own server's address, from the settings
        settings.POMOC_REALTIME_RELAY_URL, method="POST",
        data=json.dumps({"sends": [[group, payload] for group, payload in sends]}).encode(),
        headers={"Authorization": f"Bearer {settings.POMOC_REALTIME_RELAY_TOKEN}",
                 "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=RELAY_TIMEOUT):  # noqa: S310
            pass
    except (OSError, ValueError) as exc:  # the web server restarting: these updates are lost, the data is not
        logger.warning("realtime relay to the web server failed: %s", type(exc).__name__)


def publish_many(events: Iterable[tuple[list[str], dict]]) -> None:
    """Send each ``(groups, payload)`` to its groups now, in one trip. Called after the commit by the
    ticket event dispatcher (``pomoc.tickets.live``), the only place ticket payloads are built; drafts
    and notifications, which are not ticket events, send theirs through ``publish_on_commit``."""
    _send([(group, payload) for groups, payload in events for group in groups])


def publish_on_commit(sends: list[tuple[list[str], dict]]) -> None:
    """Send each ``(groups, payload)`` once the current transaction commits (at once outside one).
    For what is not a ticket event (drafts, notifications); ticket events go through the dispatcher."""
    from django.db import transaction

    transaction.on_commit(lambda: publish_many(sends))
