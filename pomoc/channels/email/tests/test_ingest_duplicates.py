import pytest

from pomoc.channels.email.ingest import process
from pomoc.channels.email.models import RawMail, RawMailStatus
from pomoc.tickets.models import Message, Ticket

from .helpers import ingest, mail, make_inbox

pytestmark = pytest.mark.django_db


def test_the_same_mail_twice_is_one_message():
    inbox = make_inbox()
    raw = mail(message_id="<same-1@example.cz>")
    _first_raw, first = ingest(inbox, raw)
    second_raw, second = ingest(inbox, raw)

    assert first.status == "stored" and not first.duplicate
    assert second.status == "duplicate" and second.duplicate and not second.created
    assert (second.ticket_number, second.message_id) == (first.ticket_number, first.message_id)
    assert Message.objects.filter(external_id="<same-1@example.cz>").count() == 1
    assert Ticket.objects.count() == 1
    assert RawMail.objects.filter(status=RawMailStatus.DUPLICATE).get() == second_raw


def test_mail_without_message_id_dedupes_by_its_bytes():
    inbox = make_inbox()
    raw = b"From: a@example.cz\r\nSubject: no id\r\n\r\nhello\r\n"
    _r, first = ingest(inbox, raw)
    _r, second = ingest(inbox, raw)
    assert first.status == "stored" and second.duplicate and Ticket.objects.count() == 1


def test_processing_again_returns_the_same_result():
    inbox = make_inbox()
    raw_mail, first = ingest(inbox, mail())
    again = process(raw_mail.pk)
    assert again == first and Message.objects.count() == 1


def test_the_same_message_id_in_two_inboxes_is_stored_in_each():
    raw = mail(message_id="<cc-both@example.cz>")
    _r, first = ingest(make_inbox(name="Sales", address="sales@pomoc.example"), raw)
    _r, second = ingest(make_inbox(), raw)
    assert first.status == second.status == "stored"
    assert Message.objects.filter(external_id="<cc-both@example.cz>").count() == 2
