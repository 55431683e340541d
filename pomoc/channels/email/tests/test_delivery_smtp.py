"""Agent replies leave through the inbox's own SMTP server: a real aiosmtpd server on a free port."""

import email
import email.policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from pomoc.channels import outbound as delivery
from pomoc.channels import tasks
from pomoc.channels.email import outbound
from pomoc.channels.email.ingest import process, receive_raw
from pomoc.channels.models import Inbox
from pomoc.contacts.models import Identity
from pomoc.core.models import OrganisationSettings
from pomoc.testing.factories import ContactFactory, DepartmentFactory, UserFactory, make_ticket
from pomoc.testing.services import free_port
from pomoc.tickets import services
from pomoc.tickets.attachments import NewAttachment
from pomoc.tickets.models import DeliveryState, MessageKind, Ticket

pytestmark = pytest.mark.django_db

PASSWORD = "smtp-Pässword-1"


class Handler:
    """Collects what arrives; answers RCPT and DATA as a test asks."""

    def __init__(self):
        self.envelopes = []
        self.logins = []
        self.data_answer = "250 OK"
        self.refuse = {}  # recipient address -> answer

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd hook
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook
        if self.data_answer.startswith("250"):
            self.envelopes.append(envelope)
        return self.data_answer

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.password == PASSWORD.encode()
        if ok:
            self.logins.append(auth_data.login.decode())
        return AuthResult(success=ok, handled=False)

    def mail(self, index=-1):
        return email.message_from_bytes(self.envelopes[index].content, policy=email.policy.default)


class SMTPServer:
    """A real aiosmtpd server on 127.0.0.1 keeping what it receives (``handler.envelopes``); extra
    keyword arguments go to its ``Controller`` (TLS, ``enable_SMTPUTF8``…)."""

    def __init__(self, port=None, **controller_options):
        self.port = port or free_port()
        self.handler = Handler()
        self.options = {"auth_require_tls": False, **controller_options}
        self.controller = None

    def start(self):
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port,
                                     authenticator=self.handler.authenticate, **self.options)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()


@pytest.fixture
def smtp():
    server = SMTPServer(free_port())
    server.start()
    yield server
    server.stop()


def make_inbox(port, *, name="Support", address="support@pomoc.example", **config):
    inbox = Inbox(name=name, address=address, config={
        "smtp_host": "127.0.0.1", "smtp_port": port, "smtp_security": "none", "smtp_username": "support",
        "from_name": "Pomoc Support", **config,
    })
    inbox.set_secret("smtp_password", PASSWORD)
    inbox.save()
    return inbox


def customer_mail(*, sender="jana@zakaznik.example", subject="Tiskárna hoří", message_id="<first@zakaznik.example>",
                  in_reply_to="", body="Prosím o pomoc."):
    mail = EmailMessage()
    mail["From"] = f"Jana Nováková <{sender}>"
    mail["To"] = "support@pomoc.example"
    mail["Subject"] = subject
    mail["Message-ID"] = message_id
    if in_reply_to:
        mail["In-Reply-To"] = in_reply_to
        mail["References"] = in_reply_to
    mail.set_content(body)
    return mail.as_bytes()


def ingest(inbox, raw):
    return process(receive_raw(inbox=inbox, raw=raw).pk)


def reply(ticket, text="Vyměnili jsme toner.", *, deliver=True, **kwargs):
    """An agent reply, delivered now as the worker would (tests do not run on-commit tasks)."""
    message = services.message_add(ticket=ticket, kind=MessageKind.REPLY, actor=UserFactory(), body_text=text,
                                   **kwargs)
    if deliver:
        delivery.deliver(message.pk)
    message.refresh_from_db()
    return message


def test_a_reply_leaves_through_the_inbox_server_with_every_header(smtp, django_capture_on_commit_callbacks):
    inbox = make_inbox(smtp.port)
    result = ingest(inbox, customer_mail())
    ticket = Ticket.objects.get(number=result.ticket_number)
    colleague = ContactFactory(name="Petr Kolega", email="petr@zakaznik.example")
    gone = ContactFactory(name="Gone", email="gone@zakaznik.example", bounced=True)
    ticket.participants.add(colleague, gone)
    attachment = NewAttachment(file_name="Účtenka – říjen.pdf", content=b"%PDF-1.4 test",
                                        content_type="application/pdf")
    with django_capture_on_commit_callbacks(execute=True):  # the task queued after the commit sends it
        sent = reply(ticket, body_html="<p>Vyměnili jsme <b>toner</b>.</p>", attachments=[attachment],
                     deliver=False)
    sent.refresh_from_db()
    assert sent.delivery_state == DeliveryState.SENT, sent.delivery_error

    envelope = smtp.handler.envelopes[0]
    assert smtp.handler.logins == ["support"]  # the inbox's user and its decrypted password
    assert envelope.mail_from == "support@pomoc.example"
    assert sorted(envelope.rcpt_tos) == ["jana@zakaznik.example", "petr@zakaznik.example"]
    mail = smtp.handler.mail()
    assert mail["From"].addresses[0].display_name == "Pomoc Support"
    assert mail["From"].addresses[0].addr_spec == "support@pomoc.example"
    assert str(mail["Reply-To"]) == "support@pomoc.example"
    assert mail["To"].addresses[0].addr_spec == "jana@zakaznik.example"
    assert [a.addr_spec for a in mail["Cc"].addresses] == ["petr@zakaznik.example"]
    assert str(mail["Subject"]) == f"Re: Tiskárna hoří [#{ticket.number}]"
    assert mail["Message-ID"] == sent.external_id and sent.external_id.endswith("@pomoc.example>")
    assert mail["In-Reply-To"] == "<first@zakaznik.example>"
    assert mail["References"] == "<first@zakaznik.example>"
    assert mail["Auto-Submitted"] is None  # a person wrote this reply
    assert mail.get_body(("plain",)).get_content().strip() == "Vyměnili jsme toner."
    assert "<b>toner</b>" in mail.get_body(("html",)).get_content()
    [part] = list(mail.iter_attachments())
    assert part.get_filename() == "Účtenka – říjen.pdf"
    assert part.get_content() == b"%PDF-1.4 test"


def test_the_second_reply_threads_below_the_latest_customer_mail(smtp):
    inbox = make_inbox(smtp.port)
    ticket = Ticket.objects.get(number=ingest(inbox, customer_mail()).ticket_number)
    first = reply(ticket)
    first.refresh_from_db()
    ingest(inbox, customer_mail(subject=f"RE: Re: Tiskárna hoří [#{ticket.number}]",
                                message_id="<second@zakaznik.example>", in_reply_to=first.external_id))
    second = reply(ticket, "Hotovo.")
    second.refresh_from_db()
    assert second.delivery_state == DeliveryState.SENT
    mail = smtp.handler.mail()
    assert str(mail["Subject"]) == f"Re: Tiskárna hoří [#{ticket.number}]"  # never "Re: Re:"
    assert mail["In-Reply-To"] == "<second@zakaznik.example>"
    assert mail["References"].split() == ["<first@zakaznik.example>", first.external_id, "<second@zakaznik.example>"]


def test_a_permanent_refusal_fails_the_reply_with_the_servers_answer(smtp):
    smtp.handler.data_answer = "550 5.7.1 Message rejected as spam"
    inbox = make_inbox(smtp.port)
    ticket = Ticket.objects.get(number=ingest(inbox, customer_mail()).ticket_number)
    sent = reply(ticket, deliver=False)
    assert delivery.deliver(sent.pk) == delivery.FAILED
    sent.refresh_from_db()
    assert sent.delivery_state == DeliveryState.FAILED
    assert "550 5.7.1 Message rejected as spam" in sent.delivery_error
    assert smtp.handler.envelopes == []


def test_a_temporary_refusal_keeps_the_reply_queued_until_the_last_attempt(smtp):
    smtp.handler.data_answer = "451 4.3.0 Try again later"
    inbox = make_inbox(smtp.port)
    ticket = Ticket.objects.get(number=ingest(inbox, customer_mail()).ticket_number)
    sent = reply(ticket, deliver=False)
    assert delivery.deliver(sent.pk) == delivery.RETRY
    sent.refresh_from_db()
    assert sent.delivery_state == DeliveryState.QUEUED and "451 4.3.0 Try again later" in sent.delivery_error
    assert delivery.deliver(sent.pk, final_attempt=True) == delivery.FAILED


def test_a_server_that_is_down_queues_the_reply_and_the_retry_sends_it(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default", "mail"]}}
    from django_tasks import default_task_backend

    server = SMTPServer(free_port())  # not started yet: connection refused
    inbox = make_inbox(server.port)
    ticket = Ticket.objects.get(number=ingest(inbox, customer_mail()).ticket_number)
    sent = reply(ticket, deliver=False)
    assert tasks.deliver_message.call(sent.pk) == delivery.RETRY
    sent.refresh_from_db()
    assert sent.delivery_state == DeliveryState.QUEUED
    assert "ConnectionRefusedError" in sent.delivery_error
    [again] = [r for r in default_task_backend.results if r.args == [sent.pk, 2]]
    assert again.task.run_after is not None  # backoff: the retry waits

    server.start()
    try:
        assert tasks.deliver_message.call(sent.pk, 2) == delivery.SENT
    finally:
        server.stop()
    sent.refresh_from_db()
    assert sent.delivery_state == DeliveryState.SENT and sent.delivery_error == ""
    assert server.handler.mail()["Message-ID"] == sent.external_id  # fixed before the first attempt


def test_a_bouncing_requester_is_never_mailed(smtp):
    inbox = make_inbox(smtp.port)
    ticket = Ticket.objects.get(number=ingest(inbox, customer_mail()).ticket_number)
    ticket.requester.identities.update(bounced=True)
    sent = reply(ticket)
    sent.refresh_from_db()
    assert sent.delivery_state == DeliveryState.FAILED
    assert "bounces" in sent.delivery_error and "jana@zakaznik.example" in sent.delivery_error
    assert smtp.handler.envelopes == []


def test_a_refused_cc_is_reported_while_the_reply_is_sent(smtp):
    smtp.handler.refuse["petr@zakaznik.example"] = "550 5.1.1 No such user"
    inbox = make_inbox(smtp.port)
    ticket = Ticket.objects.get(number=ingest(inbox, customer_mail()).ticket_number)
    ticket.participants.add(ContactFactory(email="petr@zakaznik.example"))
    sent = reply(ticket)
    sent.refresh_from_db()
    assert sent.delivery_state == DeliveryState.SENT
    assert "petr@zakaznik.example" in sent.delivery_error and "550 5.1.1 No such user" in sent.delivery_error
    assert smtp.handler.envelopes[0].rcpt_tos == ["jana@zakaznik.example"]


def test_no_field_can_inject_a_header(smtp):
    evil = "\r\nBcc: evil@attacker.example\r\nX-Evil: 1"
    OrganisationSettings.objects.update_or_create(pk=1, defaults={"ticket_tag_prefix": "#\r\nX-Evil3: 3"})
    inbox = make_inbox(smtp.port, from_name=f"Support{evil}")
    ticket = Ticket.objects.get(number=ingest(inbox, customer_mail()).ticket_number)
    Ticket.objects.filter(pk=ticket.pk).update(subject=f"Help{evil}\nX-Evil2: 2")
    ticket.requester.name = f"Jana{evil}"
    ticket.requester.save()
    ticket.messages.update(external_id=f"<first@zakaznik.example>{evil}")  # stored by some other way
    cc = ContactFactory(name=f"Petr\n{evil}", email="petr@zakaznik.example")
    hostile = ContactFactory(name="Hostile")
    Identity.objects.filter(contact=hostile).update(value=f"x@zakaznik.example{evil}")
    ticket.participants.add(cc, hostile)
    ticket.refresh_from_db()
    attachment = NewAttachment(file_name=f"a{evil}.txt", content=b"hi", content_type=f"text/plain{evil}")
    sent = reply(ticket, attachments=[attachment], deliver=False)
    # the upload service cleans names and types already; the mail must not rely on that
    sent.attachments.update(file_name=f"a{evil}.txt", content_type=f"text/plain{evil}")
    assert delivery.deliver(sent.pk) == delivery.SENT
    sent.refresh_from_db()
    assert sent.delivery_state == DeliveryState.SENT, sent.delivery_error

    envelope = smtp.handler.envelopes[0]
    assert sorted(envelope.rcpt_tos) == ["jana@zakaznik.example", "petr@zakaznik.example"]
    raw = envelope.content
    mail = smtp.handler.mail()
    for part in mail.walk():
        names = {name.lower() for name in part.keys()}
        assert not names & {"bcc", "x-evil", "x-evil2", "x-evil3"}, names
    assert b"\nBcc:" not in raw and b"\nX-Evil" not in raw
    assert mail["In-Reply-To"] is None  # a malformed stored Message-ID is left out, never sent
    assert str(mail["Subject"]) == ("Re: Help Bcc: evil@attacker.example X-Evil: 1 X-Evil2: 2 "
                                    f"[# X-Evil3: 3{ticket.number}]")
    [part] = list(mail.iter_attachments())
    assert part.get_filename() == "a Bcc: evil@attacker.example X-Evil: 1.txt"
    assert part.get_content_type() == "application/octet-stream"


def test_a_customer_answer_to_the_reply_threads_into_the_same_ticket(smtp):
    """The full loop: mail in, reply out over SMTP, the customer answers that very mail."""
    inbox = make_inbox(smtp.port)
    first = ingest(inbox, customer_mail())
    ticket = Ticket.objects.get(number=first.ticket_number)
    reply(ticket)
    received = smtp.handler.mail()
    answer = EmailMessage()
    answer["From"] = "Jana Nováková <jana@zakaznik.example>"
    answer["To"] = str(received["Reply-To"])
    answer["Subject"] = "Re: " + str(received["Subject"]).replace(f"[#{ticket.number}]", "")  # tag removed
    answer["Message-ID"] = "<answer@zakaznik.example>"
    answer["In-Reply-To"] = received["Message-ID"]
    answer["References"] = f"{received['References']} {received['Message-ID']}"
    answer.set_content("Děkuji, funguje to.")
    result = ingest(inbox, answer.as_bytes())
    assert result.status == "stored" and not result.created
    assert result.ticket_number == ticket.number
    assert ticket.messages.filter(kind=MessageKind.CUSTOMER).count() == 2


def test_a_stranger_quoting_another_tickets_tag_gets_replies_with_one_tag(smtp):
    inbox = make_inbox(smtp.port)
    other = Ticket.objects.get(number=ingest(inbox, customer_mail()).ticket_number)
    # someone not on that ticket writes a new mail quoting its tag: a ticket of its own
    opened = ingest(inbox, customer_mail(sender="mallory@jinde.example", subject=f"Re: [#{other.number}] Tiskárna",
                                         message_id="<stranger@jinde.example>"))
    assert opened.created and opened.ticket_number != other.number
    ticket = Ticket.objects.get(number=opened.ticket_number)
    reply(ticket)
    subject = " ".join(str(smtp.handler.mail()["Subject"]).split())
    assert subject == f"Re: Tiskárna [#{ticket.number}]"
    # the answer to that reply, tag and all, lands in the stranger's ticket
    assert ingest(inbox, customer_mail(sender="mallory@jinde.example", subject=f"Re: {subject}",
                                       message_id="<stranger-2@jinde.example>")).ticket_number == ticket.number


def test_a_ticket_without_inbound_mail_uses_an_active_inbox_of_its_department(smtp):
    department = DepartmentFactory()
    Inbox.objects.filter(pk=make_inbox(smtp.port, name="Old", address="old@pomoc.example").pk).update(active=False)
    make_inbox(free_port(), name="Other", address="other@pomoc.example")
    Inbox.objects.filter(pk=make_inbox(smtp.port, name="Sales", address="sales@pomoc.example").pk).update(
        department=department)
    ticket = make_ticket(requester=ContactFactory(email="mari@example.ee"), department=department)
    sent = reply(ticket)
    sent.refresh_from_db()
    assert sent.delivery_state == DeliveryState.SENT, sent.delivery_error
    assert smtp.handler.mail()["From"].addresses[0].addr_spec == "sales@pomoc.example"


def test_automatic_mail_is_stamped_and_rate_limited(smtp):
    from pomoc.channels.email.rate_limit import AutoResponseLimiter

    inbox = make_inbox(smtp.port)
    ticket = Ticket.objects.get(number=ingest(inbox, customer_mail()).ticket_number)
    limiter = AutoResponseLimiter(limit=1)
    result = outbound.send_automatic(to="jana@zakaznik.example", subject="Přijali jsme váš požadavek",
                                     body_text="Ozveme se.", ticket=ticket, in_reply_to="<first@zakaznik.example>",
                                     limiter=limiter)
    assert result.outcome == outbound.SENT
    mail = smtp.handler.mail()
    assert mail["Auto-Submitted"] == "auto-replied" and mail["X-Loop"] == "support@pomoc.example"
    assert str(mail["Subject"]) == f"Přijali jsme váš požadavek [#{ticket.number}]"
    assert mail["Message-ID"] == result.message_id and mail["In-Reply-To"] == "<first@zakaznik.example>"
    again = outbound.send_automatic(to="jana@zakaznik.example", subject="x", body_text="x", ticket=ticket,
                                    limiter=limiter)
    assert again.outcome == outbound.SKIPPED and len(smtp.handler.envelopes) == 1
    assert outbound.send_automatic(to="mailer-daemon@zakaznik.example", subject="x", body_text="x",
                                   inbox=inbox).outcome == outbound.SKIPPED
    ticket.requester.identities.update(bounced=True)
    assert outbound.send_automatic(to="jana@zakaznik.example", subject="x", body_text="x", inbox=inbox,
                                   limiter=AutoResponseLimiter(limit=5)).outcome == outbound.SKIPPED
    assert len(smtp.handler.envelopes) == 1


@pytest.mark.parametrize(("subject", "expected"), [
    ("Printer", "Re: Printer [#7]"),
    ("Re: Printer", "Re: Printer [#7]"),
    ("RE: AW: Re[2]: Printer [#7]", "Re: Printer [#7]"),
    ("[#7] Re: Printer", "Re: Printer [#7]"),
    ("Printer [#8]", "Re: Printer [#7]"),  # another ticket's tag (quoted by whoever opened this one): one tag
    ("Re: [ #8 ] Printer [#7]", "Re: Printer [#7]"),
    ("", "Re: [#7]"),
])
def test_reply_subjects_carry_one_re_and_one_tag(subject, expected):
    assert outbound.reply_subject(subject, 7, "#") == expected


def test_identity_values_that_are_not_one_address_are_refused():
    assert outbound.clean_address("a@b.example") == "a@b.example"
    for value in ["a@b.example\r\nBcc: c@d", "a@b.example, c@d.example", "<a@b.example>", "a b@c.example", "",
                  "no-at-sign"]:
        assert outbound.clean_address(value) == ""
