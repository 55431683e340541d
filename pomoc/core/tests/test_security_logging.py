"""Secrets never reach the log output: the configured handler's filter redacts them."""

import io
import logging

import pytest

from pomoc.accounts.models import ApiToken
from pomoc.core.logging import RedactSecretsFilter


@pytest.fixture
def console():
    """The root console handler configured by settings.LOGGING, writing into a buffer."""
    handlers = [h for h in logging.getLogger().handlers
                if any(isinstance(f, RedactSecretsFilter) for f in h.filters)]
    assert handlers, "settings.LOGGING must attach the redact filter to the console handler"
    handler = handlers[0]
    buffer = io.StringIO()
    old_stream = handler.setStream(buffer)
    try:
        yield buffer
    finally:
        handler.setStream(old_stream)


@pytest.mark.parametrize(
    ("message", "args", "secret"),
    [
        ("token created: %s", (ApiToken.PREFIX + "Zx9_abcdefghijklmnopQRSTUV-123",), "Zx9_abcdefghijklmnopQRSTUV-123"),
        ("headers: %s", ("Authorization: Bearer s3cr3t-bearer-value",), "s3cr3t-bearer-value"),
        ("login form %s", ("username=alice&password=Hunter2-very-secret",), "Hunter2-very-secret"),
        ("config %s", ('{"api_key": "ak_live_0123456789"}',), "ak_live_0123456789"),
        ("payload %r", ({"password": "Pa55word!", "user": "bob"},), "Pa55word!"),
    ],
)
def test_secrets_are_redacted(console, message, args, secret):
    logging.getLogger("pomoc.test").warning(message, *args)
    output = console.getvalue()
    assert "[redacted]" in output
    assert secret not in output


def test_ordinary_messages_pass_unchanged(console):
    logging.getLogger("pomoc.test").warning("ticket %s assigned to %s", 42, "alice")
    assert "ticket 42 assigned to alice" in console.getvalue()
