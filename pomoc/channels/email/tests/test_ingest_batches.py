"""``process_many`` stores the human mail of a worker's share in batches: the same outcome as
processing each mail alone, in a few queries per batch."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pomoc.channels.email import batches
from pomoc.channels.email.batches import process_many
from pomoc.channels.email.ingest import receive_raw
from pomoc.channels.email.models import RawMail, RawMailStatus
from pomoc.contacts.models import Contact, Identity
from pomoc.testing.factories import ContactFactory, make_ticket
from pomoc.tickets.models import Attachment, EventType, Message, MessageKind, Status, Ticket, TicketEvent
from pomoc.tickets.numbers import reserve_ticket_numbers

from .helpers import PNG, mail, make_inbox

pytestmark = pytest.mark.django_db


def _kept(inbox, *raws: bytes) -> list[int]:
    return [receive_raw(inbox=inbox, raw=raw).pk for raw in raws]


def _ticket_of(message_id: str) -> int:
    return Message.objects.get(external_id=message_id).ticket_id


def test_a_batch_opens_tickets_threads_replies_and_marks_every_mail():
    inbox = make_inbox()
    ids = _kept(
        inbox,
        mail(sender="Jana <jana@example.cz>", subject="Printer", message_id="<q1@example.cz>"),
        mail(sender="Piotr <piotr@example.pl>", subject="Drukarka", message_id="<q2@example.pl>",
             attachments=[("scan.png", PNG, "image", "png")]),
        mail(sender="Jana <jana@example.cz>", subject="Re: Printer", message_id="<r1@example.cz>",
             in_reply_to="<q1@example.cz>", references="<q1@example.cz>"),
        mail(sender="Mari <mari@example.ee>", subject="Re: Drukarka", message_id="<r2@example.ee>",
             in_reply_to="<q2@example.pl>"),
    )

    results = list(process_many(ids))

    assert [r.status for r in results] == ["stored"] * 4
    assert [r.created for r in results] == [True, True, False, False]
    assert Ticket.objects.count() == 2
    assert _ticket_of("<r1@example.cz>") == _ticket_of("<q1@example.cz>")
    second = Ticket.objects.get(pk=_ticket_of("<q2@example.pl>"))
    assert _ticket_of("<r2@example.ee>") == second.pk
    assert list(second.participants.values_list("identities__value", flat=True)) == ["mari@example.ee"]
    assert Attachment.objects.get().file_name == "scan.png"
    assert Message.objects.filter(inbox=inbox, kind=MessageKind.CUSTOMER).count() == 4
    assert sorted(Ticket.objects.values_list("number", flat=True)) == [1001, 1002]
    assert TicketEvent.objects.filter(type=EventType.CREATED).count() == 2
    assert TicketEvent.objects.filter(type=EventType.MESSAGE_ADDED).count() == 4
    rows = RawMail.objects.filter(pk__in=ids).order_by("id")
    assert [(r.status, r.classification, r.attempts, r.error) for r in rows] == [("stored", "human", 1, "")] * 4
    assert all(r.message_id and r.processed_at for r in rows)
    assert Contact.objects.get(identities__value="jana@example.cz").name == "Jana"


def test_a_reply_kept_before_its_question_still_joins_it():
    inbox = make_inbox()
    ids = _kept(inbox, mail(subject="Re: Q", message_id="<r@x.cz>", in_reply_to="<q@x.cz>"),
                mail(subject="Q", message_id="<q@x.cz>"))
    RawMail.objects.filter(pk=ids[0]).update(received_at=RawMail.objects.get(pk=ids[1]).received_at)
    list(process_many(ids))
    assert Ticket.objects.count() == 1 and _ticket_of("<r@x.cz>") == _ticket_of("<q@x.cz>")


def test_a_mail_twice_in_one_batch_is_stored_once():
    inbox = make_inbox()
    raw = mail(subject="Twice", message_id="<twice@x.cz>")
    results = list(process_many(_kept(inbox, raw, mail(subject="Other"), raw)))
    assert [r.status for r in results] == ["stored", "stored", "duplicate"]
    assert results[2].message_id == results[0].message_id
    assert Message.objects.filter(external_id="<twice@x.cz>").count() == 1


def test_a_reply_to_a_resolved_ticket_reopens_it_with_its_event():
    requester = ContactFactory()
    requester.identities.create(kind="email", value="jana@example.cz")
    ticket = make_ticket(requester=requester, subject="Old")
    Message.objects.filter(ticket=ticket).update(external_id="<old@x.cz>", channel="email")
    Ticket.objects.filter(pk=ticket.pk).update(status=Status.RESOLVED)
    list(process_many(_kept(make_inbox(), mail(sender="jana@example.cz", in_reply_to="<old@x.cz>"),
                            mail(subject="Unrelated"))))
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN and ticket.reopen_count == 1
    assert TicketEvent.objects.filter(ticket=ticket, type=EventType.STATUS_CHANGED).count() == 1


def test_one_mail_that_does_not_validate_never_holds_up_the_others(settings):
    settings.MAX_ATTACHMENTS_PER_MESSAGE = 1
    inbox = make_inbox()
    too_many = mail(subject="Two files", attachments=[("a.png", PNG, "image", "png"), ("b.png", PNG, "image", "png")])
    results = list(process_many(_kept(inbox, mail(subject="Fine 1"), too_many, mail(subject="Fine 2"))))
    assert [r.status for r in results] == ["stored", "unprocessable", "stored"]
    assert "attachments" in RawMail.objects.get(status=RawMailStatus.UNPROCESSABLE).error
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == ["Fine 1", "Fine 2"]


def test_mail_without_a_usable_sender_opens_a_ticket_and_bytes_without_headers_stay_unprocessable():
    inbox = make_inbox()
    ids = _kept(inbox,
                b"Subject: nobody signed this\r\nDate: Mon, 1 Jan 2024 10:00:00 +0000\r\n\r\nHello?\r\n",
                b'From: "xxxxx@xxxxx" <xxxxx@xxxxx>\r\nSubject: dotless\r\n\r\nHi\r\n',
                b"From: Big Bug bb@bug.com\r\nSubject: salvaged\r\n\r\nHi\r\n",
                b"\x00\x01 garbage with no headers\r\n\r\n\x80\x81")
    results = list(process_many(ids))
    assert [r.status for r in results] == ["stored", "stored", "stored", "unprocessable"]
    by_subject = {t.subject: t.requester for t in Ticket.objects.select_related("requester")}
    assert by_subject["nobody signed this"].name == "(unknown sender)"
    assert not by_subject["nobody signed this"].identities.exists()
    assert by_subject["dotless"].name == "xxxxx@xxxxx" and not by_subject["dotless"].identities.exists()
    assert list(by_subject["salvaged"].identities.values_list("value", flat=True)) == ["bb@bug.com"]


def test_a_sender_created_by_another_process_meanwhile_is_used_not_doubled(monkeypatch):
    """Between the batch's look for known senders and its insert, another worker creates the same
    sender: the batch uses that contact (ON CONFLICT DO NOTHING) and drops its own."""
    from pomoc.contacts import services as contacts

    real = contacts._companies_by_domain

    def meanwhile(domains):
        other = Contact.objects.create(name="Made elsewhere")
        Identity.objects.create(contact=other, kind="email", value="jana@example.cz")
        return real(domains)

    monkeypatch.setattr(contacts, "_companies_by_domain", meanwhile)
    list(process_many(_kept(make_inbox(), mail(sender="Jana <jana@example.cz>"), mail(sender="eva@example.cz"))))
    jana = Identity.objects.get(value="jana@example.cz").contact
    assert jana.name == "Made elsewhere" and Ticket.objects.filter(requester=jana).count() == 1
    assert Contact.objects.count() == 2  # the batch's own Jana was dropped


@pytest.mark.parametrize("size", [5, 30])
def test_a_batch_costs_the_same_queries_for_few_or_many_mails(size, django_assert_max_num_queries):
    inbox = make_inbox()
    ids = _kept(inbox, *[mail(sender=f"c{n}@example.cz", subject=f"Mail {n}", message_id=f"<m{size}-{n}@x.cz>")
                         for n in range(size)])
    reserve_ticket_numbers(1)  # the counter exists, as after the first ticket ever
    with CaptureQueriesContext(connection) as queries:
        results = list(process_many(ids))
    assert [r.status for r in results] == ["stored"] * size
    assert len(queries) <= 22, "\n".join(q["sql"][:100] for q in queries)  # not one set per mail


def test_batches_are_bounded_by_count_and_bytes(monkeypatch):
    seen: list[int] = []
    real = batches._process_chunk

    def spy(raw_mail_ids, waiting):
        seen.append(len(raw_mail_ids))
        return real(raw_mail_ids, waiting)

    monkeypatch.setattr(batches, "_process_chunk", spy)
    monkeypatch.setattr(batches, "BATCH", 3)
    inbox = make_inbox()
    list(process_many(_kept(inbox, *[mail(subject=f"M{n}") for n in range(7)])))
    assert seen == [3, 3, 1]
    seen.clear()
    monkeypatch.setattr(batches, "BATCH_BYTES", 1)
    list(process_many(_kept(inbox, *[mail(subject=f"N{n}") for n in range(2)])))
    assert seen == [1, 1]


def _same_moment(ids):
    first = RawMail.objects.get(pk=ids[0]).received_at
    RawMail.objects.filter(pk__in=ids).update(received_at=first)


def test_a_chain_kept_newest_first_ends_in_one_ticket():
    inbox = make_inbox()
    ids = _kept(inbox, mail(subject="Re: Re: Q", message_id="<c@x.cz>", in_reply_to="<b@x.cz>"),
                mail(subject="Re: Q", message_id="<b@x.cz>", in_reply_to="<a@x.cz>"),
                mail(subject="Q", message_id="<a@x.cz>"))
    _same_moment(ids)
    assert [r.status for r in process_many(ids)] == ["stored"] * 3
    assert Ticket.objects.count() == 1 and Ticket.objects.get().subject == "Q"


def test_two_mails_answering_each_other_in_one_batch_share_a_ticket():
    inbox = make_inbox()
    ids = _kept(inbox, mail(subject="One", message_id="<one@x.cz>", in_reply_to="<two@x.cz>"),
                mail(subject="Two", message_id="<two@x.cz>", in_reply_to="<one@x.cz>"))
    _same_moment(ids)
    assert [r.created for r in process_many(ids)] == [True, False]
    assert Ticket.objects.count() == 1
