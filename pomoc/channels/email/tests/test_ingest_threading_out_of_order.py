"""Threading in both directions: a mail whose Message-ID a stored reply names joins that reply's
ticket, and tickets opened by several replies that arrived before their question become one."""

import pytest

from pomoc.channels.email.batches import process_many
from pomoc.channels.email.ingest import receive_raw
from pomoc.channels.email.models import AwaitedMail
from pomoc.tickets.models import EventType, Message, Status, Ticket, TicketEvent

from .helpers import ingest, mail, make_inbox

pytestmark = pytest.mark.django_db


def _ticket_of(message_id: str) -> Ticket:
    return Message.objects.select_related("ticket").get(external_id=message_id).ticket


def test_a_question_arriving_after_its_reply_joins_the_replys_ticket():
    inbox = make_inbox()
    _raw, reply = ingest(inbox, mail(sender="eva@example.ee", subject="Re: VPN", message_id="<r1@x.ee>",
                                     in_reply_to="<q@x.ee>", references="<q@x.ee>"))
    assert reply.created
    assert AwaitedMail.objects.filter(message_id_header="<q@x.ee>").count() == 1

    _raw, question = ingest(inbox, mail(sender="jana@example.cz", subject="VPN", message_id="<q@x.ee>"))

    assert question.status == "stored" and not question.created
    assert question.ticket_number == reply.ticket_number
    ticket = Ticket.objects.get(number=reply.ticket_number)
    assert ticket.messages.count() == 2 and Ticket.objects.count() == 1
    assert not AwaitedMail.objects.exists()  # filled


def test_replies_that_each_opened_a_ticket_are_merged_when_their_question_arrives():
    inbox = make_inbox()
    _raw, first = ingest(inbox, mail(subject="Re: Printer", message_id="<r1@x.cz>", in_reply_to="<q@x.cz>"))
    _raw, second = ingest(inbox, mail(sender="petr@example.cz", subject="Re: Printer", message_id="<r2@x.cz>",
                                      references="<q@x.cz>"))
    assert first.created and second.created and first.ticket_number != second.ticket_number

    _raw, question = ingest(inbox, mail(subject="Printer", message_id="<q@x.cz>"))

    kept = Ticket.objects.get(number=first.ticket_number)  # the oldest: its number is in our replies already
    merged = Ticket.objects.get(number=second.ticket_number)
    assert question.ticket_number == kept.number
    assert {m.external_id for m in kept.messages.all()} == {"<r1@x.cz>", "<r2@x.cz>", "<q@x.cz>"}
    assert merged.merged_into_id == kept.pk and merged.status == Status.CLOSED and not merged.messages.exists()
    # the history says what happened, on both tickets
    assert TicketEvent.objects.get(ticket=kept, type=EventType.MERGED).data["from_number"] == merged.number
    assert TicketEvent.objects.get(ticket=merged, type=EventType.MERGED).data["into_number"] == kept.number
    assert kept.participants.filter(identities__value="petr@example.cz").exists()
    assert not AwaitedMail.objects.exists()


def test_a_chain_delivered_backwards_ends_in_one_ticket():
    inbox = make_inbox()
    # c answers b only (its parent), b answers a, a is the question: delivered c, b, a
    ingest(inbox, mail(subject="Re: Re: Q", message_id="<c@x.cz>", in_reply_to="<b@x.cz>"))
    ingest(inbox, mail(subject="Re: Q", message_id="<b@x.cz>", in_reply_to="<a@x.cz>", references="<a@x.cz>"))
    ingest(inbox, mail(subject="Q", message_id="<a@x.cz>"))
    tickets = {_ticket_of(f"<{n}@x.cz>").pk for n in "abc"}
    assert len(tickets) == 1 and Ticket.objects.filter(merged_into__isnull=True).count() == 1


def test_a_missing_middle_mail_joins_two_halves_of_a_conversation():
    inbox = make_inbox()
    ingest(inbox, mail(subject="Q", message_id="<a@x.cz>"))
    # c names only b, which has not arrived: a ticket of its own, awaiting b
    ingest(inbox, mail(subject="Re: Re: Q", message_id="<c@x.cz>", in_reply_to="<b@x.cz>"))
    assert _ticket_of("<c@x.cz>") != _ticket_of("<a@x.cz>")
    # b answers a (found forward) and is awaited by c's ticket (merged in)
    ingest(inbox, mail(subject="Re: Q", message_id="<b@x.cz>", in_reply_to="<a@x.cz>"))
    assert _ticket_of("<a@x.cz>") == _ticket_of("<b@x.cz>") == _ticket_of("<c@x.cz>")


def test_a_reply_to_a_known_mail_leaves_nothing_awaited():
    inbox = make_inbox()
    ingest(inbox, mail(subject="Q", message_id="<a@x.cz>"))
    ingest(inbox, mail(subject="Re: Q", message_id="<b@x.cz>", in_reply_to="<a@x.cz>",
                       references="<elsewhere@other.example> <a@x.cz>"))
    assert not AwaitedMail.objects.exists()


def test_workers_batches_join_a_question_kept_after_its_replies():
    inbox = make_inbox()
    replies = [receive_raw(inbox=inbox, raw=mail(subject="Re: Q", message_id=f"<r{n}@x.cz>",
                                                  in_reply_to="<q@x.cz>")).pk for n in range(3)]
    assert all(r.created for r in process_many(replies))  # three tickets, each awaiting the question
    later = [receive_raw(inbox=inbox, raw=mail(subject="Q", message_id="<q@x.cz>")).pk,
             receive_raw(inbox=inbox, raw=mail(subject="Re: Q", message_id="<r9@x.cz>",
                                                in_reply_to="<r0@x.cz>")).pk]
    results = list(process_many(later))
    assert [r.status for r in results] == ["stored", "stored"]
    assert len({_ticket_of(k).pk for k in ["<q@x.cz>", "<r0@x.cz>", "<r1@x.cz>", "<r2@x.cz>", "<r9@x.cz>"]}) == 1
    assert Ticket.objects.filter(merged_into__isnull=True).count() == 1
    assert Ticket.objects.filter(merged_into__isnull=False).count() == 2
