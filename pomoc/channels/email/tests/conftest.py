import pytest

from pomoc.testing.services import require_service

from .dovecot import Dovecot, unavailable_reason


@pytest.fixture(scope="session")
def dovecot_server():
    """One Dovecot (IMAP and POP3 on loopback) per test process, started without systemd."""
    reason = unavailable_reason()
    if reason:
        yield reason
        return
    server = Dovecot()
    try:
        server.start()
    except RuntimeError as exc:
        server.stop()
        yield f"Dovecot did not start: {exc}"
        return
    yield server
    server.stop()


@pytest.fixture
def dovecot(dovecot_server):
    """The test Dovecot as a new user with an empty mailbox. Skips (fails with CI=true) without Dovecot."""
    require_service("Dovecot", not isinstance(dovecot_server, str),
                    hint=dovecot_server if isinstance(dovecot_server, str) else "")
    return dovecot_server.new_mailbox()
