"""A real SMTP server (aiosmtpd) on a free port that keeps what Pomoc sends, for the notice tests."""

import email
import email.policy
from contextlib import contextmanager

from aiosmtpd.controller import Controller

from pomoc.testing.services import free_port


class Collector:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook
        self.envelopes.append(envelope)
        return "250 OK"

    def mails(self):
        return [email.message_from_bytes(e.content, policy=email.policy.default) for e in self.envelopes]


@contextmanager
def outgoing_server():
    """Yield ``(port, collector)`` of a running SMTP server; stopped afterwards."""
    collector = Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller.port, collector
    finally:
        controller.stop()
