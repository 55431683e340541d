"""Oversized mail that arrives by pipe or a polled mailbox is kept and its sender told so, once."""

import pytest
from django.utils import translation

from pomoc.channels.email import notices
from pomoc.channels.email.fetch import fetch_imap
from pomoc.channels.email.ingest import process
from pomoc.channels.email.models import RawMail, RawMailStatus
from pomoc.channels.email.rate_limit import AutoResponseLimiter
from pomoc.contacts.models import Identity
from pomoc.testing.factories import ContactFactory
from pomoc.tickets.models import Ticket

from .fetching import fetching_inbox
from .helpers import ingest, mail, make_inbox
from .outgoing import outgoing_server

pytestmark = pytest.mark.django_db

LIMIT = 2000


@pytest.fixture
def smtp():
    with outgoing_server() as server:
        yield server


def small_inbox(port, **config):
    return make_inbox(config={"max_message_bytes": LIMIT, "smtp_host": "127.0.0.1", "smtp_port": port,
                              "smtp_security": "none", "from_name": "Podpora", **config})


def big(sender="Jana Nováková <jana@example.cz>", **kwargs):
    return mail(sender=sender, subject="Velká příloha", text="x" * (LIMIT * 2), message_id="<big-1@example.cz>",
                **kwargs)


def test_the_sender_of_an_oversized_mail_gets_one_notice(smtp, django_capture_on_commit_callbacks):
    port, server = smtp
    inbox = small_inbox(port)
    raw = big()
    with django_capture_on_commit_callbacks(execute=True):
        raw_mail, result = ingest(inbox, raw)
    assert result.status == "unprocessable" and Ticket.objects.count() == 0
    [notice] = server.mails()
    assert server.envelopes[0].rcpt_tos == ["jana@example.cz"]
    assert notice["Auto-Submitted"] == "auto-replied" and notice["In-Reply-To"] == "<big-1@example.cz>"
    assert notice["From"].addresses[0].addr_spec == "support@pomoc.example"
    assert " ".join(notice["Subject"].split()) == "Your message was too large: Velká příloha"
    body = notice.get_body(("plain",)).get_content()
    assert "not turned into a support request" in body and "(4.3\xa0KB)" in body and "than the 2.0\xa0KB" in body
    raw_mail.refresh_from_db()
    assert raw_mail.notice_sent_at is not None and bytes(raw_mail.raw) == raw

    with django_capture_on_commit_callbacks(execute=True):  # processed again, still too large
        assert process(raw_mail.pk).status == "unprocessable"
    assert len(server.envelopes) == 1


def test_an_oversized_mail_delivered_again_is_a_copy_and_its_sender_is_told_once(
        smtp, django_capture_on_commit_callbacks):
    port, server = smtp
    inbox = small_inbox(port)
    with django_capture_on_commit_callbacks(execute=True):
        ingest(inbox, big())
        _copy, again = ingest(inbox, big())  # the MTA delivers it again
    assert again.status == "duplicate"
    assert RawMail.objects.filter(status=RawMailStatus.UNPROCESSABLE).count() == 1
    assert len(server.envelopes) == 1


def test_the_notice_is_in_the_senders_language(smtp, django_capture_on_commit_callbacks):
    port, server = smtp
    ContactFactory(email="jana@example.cz", language="cs")
    with django_capture_on_commit_callbacks(execute=True):
        ingest(small_inbox(port), big())
    [notice] = server.mails()
    with translation.override("cs"):
        expected = translation.gettext("Your message was too large: %(subject)s") % {"subject": "Velká příloha"}
    assert " ".join(notice["Subject"].split()) == expected
    assert expected != "Your message was too large: Velká příloha"


@pytest.mark.parametrize("sender, headers", [
    ("Jana <jana@example.cz>", {"Auto-Submitted": "auto-replied"}),  # an out-of-office
    ("Jana <jana@example.cz>", {"List-Id": "<lidi.example.cz>", "Precedence": "list"}),
    ("Mail Delivery System <mailer-daemon@example.cz>", {}),
    ("Ourselves <support@pomoc.example>", {}),
])
def test_automatic_mail_and_our_own_mail_are_never_answered(smtp, django_capture_on_commit_callbacks, sender,
                                                            headers):
    port, server = smtp
    with django_capture_on_commit_callbacks(execute=True):
        raw_mail, result = ingest(small_inbox(port), big(sender=sender, headers=headers))
    assert RawMail.objects.get().status in (RawMailStatus.UNPROCESSABLE, RawMailStatus.IGNORED)
    assert server.envelopes == []


def test_notices_are_rate_limited_per_sender(smtp):
    port, server = smtp
    inbox = small_inbox(port)
    limiter = AutoResponseLimiter(limit=2)
    for n in range(4):
        raw_mail, _result = ingest(inbox, mail(sender="petr@example.cz", text="y" * LIMIT * 2,
                                               message_id=f"<flood-{n}@example.cz>"))
        notices.send_oversize_notice(raw_mail.pk, limiter=limiter)
    assert len(server.envelopes) == 2
    assert RawMail.objects.filter(notice_sent_at__isnull=False).count() == 2


def test_mail_within_the_limit_gets_no_notice(smtp, django_capture_on_commit_callbacks):
    port, server = smtp
    with django_capture_on_commit_callbacks(execute=True):
        _raw_mail, result = ingest(small_inbox(port), mail(sender="eva@example.cz"))
    assert result.status == "stored" and server.envelopes == []
    assert not Identity.objects.filter(bounced=True).exists()


def test_an_oversized_mail_fetched_by_imap_is_kept_and_answered(dovecot, smtp, django_capture_on_commit_callbacks):
    port, server = smtp
    dovecot.append(big(sender="ieva@example.ee"))
    inbox = fetching_inbox(dovecot, max_message_bytes=LIMIT, smtp_host="127.0.0.1", smtp_port=port,
                           smtp_security="none")
    with django_capture_on_commit_callbacks(execute=True):
        report = fetch_imap(inbox)
    assert report.complete and report.statuses == {"unprocessable": 1}
    assert [e.rcpt_tos for e in server.envelopes] == [["ieva@example.ee"]]
    assert all(r"\Seen" in flags for flags in dovecot.flags().values())  # kept, so marked as fetched


def test_a_notice_that_cannot_be_queued_never_fails_the_ingestion(smtp, monkeypatch,
                                                                   django_capture_on_commit_callbacks):
    from pomoc.channels.email import tasks

    class BrokenQueue:
        def enqueue(self, *args, **kwargs):
            raise RuntimeError("queue unavailable")

    monkeypatch.setattr(tasks, "send_oversize_notice", BrokenQueue())
    port, server = smtp
    with django_capture_on_commit_callbacks(execute=True):
        raw_mail, result = ingest(small_inbox(port), big())
    assert result.status == "unprocessable" and server.envelopes == []
