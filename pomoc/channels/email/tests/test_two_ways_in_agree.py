"""The same bytes give the same result through either way in: the MTA pipe (``pomoc mail ingest``:
the MTA prepends ``Return-Path:`` with the envelope sender, as Postfix's ``flags=R`` does) and a
real ``pomoc smtpd`` over SMTP (which records the envelope sender itself). Every .eml sample, plus
header-poor mail whose only sender is the envelope's."""

from __future__ import annotations

from email.utils import getaddresses

import pytest

from pomoc.channels.email.ingest import process, receive_raw
from pomoc.channels.email.models import RawMail
from pomoc.contacts.models import IdentityKind
from pomoc.tickets.models import Ticket

from .eml_samples import EML
from .helpers import make_inbox
from .smtp import receiver

pytestmark = pytest.mark.django_db(transaction=True)

HEADER_POOR = {
    # no From at all: the envelope sender is all there is to reply to
    "poor/subject_only.eml": b"Subject: Printer on floor 2\r\n\r\nIt prints blank pages again.\r\n",
    "poor/date_only.eml": b"Date: Sun, 06 Dec 2026 10:00:00 +0100\r\n\r\nPlease call me back.\r\n",
    "poor/no_headers.eml": b"\r\nJust a body, sent by a script.\r\n",
    "poor/broken_from.eml": b"From: =?utf-8?q?broken?=\r\nSubject: Invoice\r\n\r\nSee attached.\r\n",
}


def _corpus() -> dict[str, bytes]:
    samples = {str(path.relative_to(EML)): path.read_bytes() for path in sorted(EML.rglob("*.eml"))}
    return samples | HEADER_POOR


def _envelope_sender(raw: bytes) -> str:
    """Who the sending MTA says sent it: the sample's own Return-Path (``<>`` for a bounce), else its
    From address, else a customer's address (header-poor mail from a script)."""
    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0].decode("utf-8", "replace")
    fields: dict[str, str] = {}
    for line in head.splitlines():
        name, colon, value = line.partition(":")
        if colon and not line[:1].isspace():
            fields.setdefault(name.strip().lower(), value.strip())
    if "return-path" in fields:
        return fields["return-path"].strip("<> ")
    address = next((a for _name, a in getaddresses([fields.get("from", "")]) if "@" in a), "")
    return address or "customer@example.net"


def _crlf(raw: bytes) -> bytes:
    return raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def _outcome(raw_mail: RawMail) -> tuple:
    ticket = raw_mail.message.ticket if raw_mail.message_id else None
    requester = ticket.requester.identities.filter(kind=IdentityKind.EMAIL).values_list("value", flat=True).first() \
        if ticket else None
    return (raw_mail.status, raw_mail.classification, requester, ticket.subject if ticket else None,
            ticket.messages.count() if ticket else 0)


def test_the_pipe_and_smtpd_give_the_same_result_for_the_same_bytes():
    corpus = _corpus()
    through_pipe = make_inbox(name="Pipe", address="pipe@pomoc.example")
    piped = {}
    for name, raw in corpus.items():
        # what Postfix hands the pipe (flags=R): the envelope sender on top, lines ending in LF
        handed = f"Return-Path: <{_envelope_sender(raw)}>\n".encode() + raw.replace(b"\r\n", b"\n")
        raw_mail = receive_raw(inbox=through_pipe, raw=handed)
        process(raw_mail.pk)
        piped[name] = _outcome(RawMail.objects.select_related("message__ticket").get(pk=raw_mail.pk))
    Ticket.objects.all().delete()  # the second way starts from the same state

    through_smtpd = make_inbox(name="Relay", address="relay@pomoc.example")
    with receiver(inbox_name="Relay") as client:
        for name, raw in corpus.items():
            refused = client.sendmail(_envelope_sender(raw), ["relay@pomoc.example"], _crlf(raw))
            assert refused == {}, name
    relayed = {}
    for raw_mail in RawMail.objects.filter(inbox=through_smtpd).select_related("message__ticket").order_by("id"):
        relayed[list(corpus)[len(relayed)]] = _outcome(raw_mail)

    assert relayed == piped
    # the header-poor mail became tickets of the envelope sender's, both ways
    for name in ("poor/subject_only.eml", "poor/date_only.eml", "poor/no_headers.eml"):
        assert relayed[name][0] == "stored" and relayed[name][2] == "customer@example.net", name
