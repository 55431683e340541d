import pytest

from pomoc.channels.email.models import RawMail, RawMailStatus
from pomoc.testing.factories import ContactFactory, UserFactory, make_ticket
from pomoc.tickets import selectors, services
from pomoc.tickets.models import DeliveryState, Message, MessageKind, Ticket

from .helpers import EML, ingest, make_inbox

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["autoreplies/outlook_en.eml", "autoreplies/gmail_vacation.eml",
                                  "lists/mailman.eml", "spam/spamassassin.eml", "bounces/postfix_delayed.eml"])
def test_noise_never_opens_a_ticket(name):
    raw = (EML / name).read_bytes()
    raw_mail, result = ingest(make_inbox(), raw)
    assert result.status == "ignored" and result.ticket_number is None and not result.created
    assert result.classification in {"auto-reply", "mailing-list", "spam", "bounce"}
    assert Ticket.objects.count() == 0
    raw_mail.refresh_from_db()
    assert raw_mail.status == RawMailStatus.IGNORED and bytes(raw_mail.raw) == raw


def _ticket_with_sent_reply(address="jana@example.cz", message_id="<reply-88@pomoc.example>", status=None):
    """A ticket of ``address``'s with one of our replies sent under ``message_id``: (ticket, reply)."""
    requester = ContactFactory()
    requester.identities.create(kind="email", value=address)
    ticket = make_ticket(requester=requester)
    reply = services.message_add(ticket=ticket, kind=MessageKind.REPLY, actor=UserFactory(), body_text="Try this")
    Message.objects.filter(pk=reply.pk).update(external_id=message_id, delivery_state=DeliveryState.SENT)
    if status:
        Ticket.objects.filter(pk=ticket.pk).update(status=status)
    return Ticket.objects.get(pk=ticket.pk), reply


def test_bounce_of_our_reply_notes_the_ticket_and_marks_the_contact():
    ticket, reply = _ticket_with_sent_reply("jan.novak@example.cz", "<reply-77@pomoc.example>")
    requester = ticket.requester
    raw = (EML / "bounces/postfix.eml").read_bytes().replace(
        b"<171567432401.1042.7@pomoc.example>", b"<reply-77@pomoc.example>")

    raw_mail, result = ingest(make_inbox(), raw)

    assert result.classification == "bounce" and result.status == "ignored" and not result.created
    assert result.ticket_number == ticket.number
    note = Message.objects.get(pk=result.message_id)
    assert note.ticket == ticket and note.kind == MessageKind.SYSTEM
    assert "jan.novak@example.cz" in note.body_text and "5.1.1" in note.body_text
    assert requester.identities.filter(bounced=True).exists()
    reply.refresh_from_db()
    assert reply.delivery_state == DeliveryState.FAILED
    assert ticket.messages.filter(kind=MessageKind.CUSTOMER).count() == 1
    assert Ticket.objects.count() == 1
    # agents find the ticket by the bounce's text (the ticket's search document includes the note)
    agent = UserFactory(username="bounce-searcher")
    assert ticket.pk in {t.pk for t in selectors.global_search(agent, "jan.novak@example.cz").tickets}
    # the same bounce again adds nothing
    _r, again = ingest(make_inbox(name="Other", address="other@pomoc.example"), raw)
    assert RawMail.objects.filter(status=RawMailStatus.IGNORED).count() == 2
    _r, same_inbox = ingest(raw_mail.inbox, raw)
    assert same_inbox.duplicate and ticket.messages.filter(kind=MessageKind.SYSTEM).count() == 2


def test_bounce_of_unknown_mail_only_marks_the_contact():
    contact = ContactFactory()
    contact.identities.create(kind="email", value="jan.novak@example.cz")
    _r, result = ingest(make_inbox(), (EML / "bounces/postfix.eml").read_bytes())
    assert result.status == "ignored" and result.ticket_number is None
    assert contact.identities.filter(bounced=True).exists() and Ticket.objects.count() == 0


@pytest.mark.parametrize("headers", [{}, {"X-Loop": "support@pomoc.example"}])
def test_our_own_mail_coming_back_never_opens_a_ticket(headers):
    from .helpers import mail

    sender = "Support <support@pomoc.example>" if not headers else "someone@example.cz"
    _r, result = ingest(make_inbox(), mail(sender=sender, headers=headers))
    assert result.status == "ignored" and result.classification == "auto-reply"
    assert Ticket.objects.count() == 0


def test_an_automatic_reply_to_our_mail_is_noted_in_its_ticket_without_reopening_it():
    from .helpers import mail

    ticket, _reply = _ticket_with_sent_reply(status="resolved")
    updated_at = ticket.updated_at
    raw = mail(sender="Jana <jana@example.cz>", subject="Out of office: Re: Printer",
               text="I am away until Monday.", in_reply_to="<reply-88@pomoc.example>",
               headers={"Auto-Submitted": "auto-replied"})

    raw_mail, result = ingest(make_inbox(), raw)

    assert result.status == "ignored" and result.classification == "auto-reply" and not result.created
    assert result.ticket_number == ticket.number
    note = Message.objects.get(pk=result.message_id)
    assert note.ticket_id == ticket.pk and note.kind == MessageKind.SYSTEM
    assert "jana@example.cz" in note.body_text and "away until Monday" in note.body_text
    ticket.refresh_from_db()
    assert ticket.status == "resolved" and ticket.updated_at == updated_at  # not reopened, not moved up
    assert ticket.messages.filter(kind=MessageKind.CUSTOMER).count() == 1
    raw_mail.refresh_from_db()
    assert raw_mail.status == RawMailStatus.IGNORED and raw_mail.message_id == note.pk
    _r, again = ingest(raw_mail.inbox, raw)  # the same mail again adds nothing
    assert again.duplicate and ticket.messages.filter(kind=MessageKind.SYSTEM).count() == 1


def test_an_automatic_reply_quoting_a_ticket_tag_only_is_not_noted():
    from .helpers import mail

    ticket, _reply = _ticket_with_sent_reply()
    _r, result = ingest(make_inbox(), mail(sender="jana@example.cz", subject=f"Auto: [#{ticket.number}]",
                                           headers={"Auto-Submitted": "auto-replied"}))
    assert result.status == "ignored" and result.ticket_number is None
    assert not ticket.messages.filter(kind=MessageKind.SYSTEM).exists()


def test_our_own_mail_coming_back_is_not_noted_in_the_ticket_it_answers():
    from .helpers import mail

    ticket, _reply = _ticket_with_sent_reply()
    _r, result = ingest(make_inbox(), mail(sender="Support <support@pomoc.example>",
                                           in_reply_to="<reply-88@pomoc.example>"))
    assert result.status == "ignored" and result.ticket_number is None
    assert not ticket.messages.filter(kind=MessageKind.SYSTEM).exists()


def test_an_auto_reply_whose_header_block_needed_repair_is_still_recognised():
    """The parser repairs a header block the standard library ends early (a garbage line among the
    fields); classification sees the repaired headers too, so the auto-reply opens no ticket."""
    raw = (b"Received: from mx.example.cz\r\nthis line is garbage\r\nFrom: jana@example.cz\r\n"
           b"Subject: Out of office\r\nAuto-Submitted: auto-replied\r\nMessage-ID: <ooo-1@example.cz>\r\n\r\n"
           b"I am away until Monday.\r\n")
    _r, result = ingest(make_inbox(), raw)
    assert result.classification == "auto-reply" and result.status == "ignored"
    assert Ticket.objects.count() == 0
