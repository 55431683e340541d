"""A ``pomoc smtpd`` receiver running inside the test process, on a free port, for real SMTP conversations."""

import smtplib
from contextlib import contextmanager

from pomoc.channels.email.smtpd import PomocSMTPHandler, SMTPReceiver, load_routes
from pomoc.testing.services import free_port


@contextmanager
def receiver(**handler_kwargs):
    """Yield an ``smtplib.SMTP`` client connected to a fresh receiver; both are closed afterwards."""
    handler = PomocSMTPHandler(hostname="pomoc.test", **handler_kwargs)
    handler.routes = load_routes(handler.inbox_name)  # as ``pomoc smtpd`` does when it starts
    server = SMTPReceiver(handler, host="127.0.0.1", port=free_port())
    server.start()
    try:
        with smtplib.SMTP("127.0.0.1", server.port, local_hostname="client.test", timeout=30) as client:
            yield client
    finally:
        server.stop()
