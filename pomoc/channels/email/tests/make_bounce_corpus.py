"""Write the delivery-report corpus and its negative corpus (``eml/bounce_corpus``, ``eml/not_bounces``).

Run ``python -m pomoc.channels.email.tests.make_bounce_corpus`` after changing it; the written files
are committed, with ``expected.json`` beside them saying what each one is.

Every report here is written in our own words and addresses, in the shapes that mail systems past
and present give their reports (learnt from the documentation and test data of public bounce
parsers): the sender they use, the subject, how the text says that delivery failed or is delayed,
where the returned mail starts and whether a machine-readable part comes with it. Each shape is
written for a few recipients, languages and original mails, so that no two files are the same.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

EML = Path(__file__).parent / "eml"
CORPUS = EML / "bounce_corpus"
NEGATIVE = EML / "not_bounces"

SUBJECTS = {
    "cs": ("Re: [#{n}] Tiskárna ve skladu netiskne", "Dobrý den,\nposíláme náhradní díl, přijde zítra.\n"),
    "pl": ("Re: [#{n}] Zamówienie nie dotarło", "Dzień dobry,\nwysłaliśmy paczkę ponownie.\n"),
    "et": ("Re: [#{n}] Arve on vale", "Tere,\nsaatsime teile parandatud arve.\n"),
    "en": ("Re: [#{n}] Cannot log in", "Hello,\nwe have reset your password.\n"),
    "de": ("Re: [#{n}] Lieferung fehlt", "Guten Tag,\ndie Lieferung ist unterwegs.\n"),
}
RECIPIENTS = [
    "jana.kralova@example.cz",
    "piotr.nowak@example.pl",
    "kadri.kask@example.ee",
    "tom.baker@example.com",
    "anna.schmidt@example.de",
    "marie.dubois@example.fr",
    "lucia.garcia@example.es",
    "ondrej.cerny@example.cz",
    "agnieszka.wisniewska@example.pl",
    "mart.tamm@example.ee",
]
LANGS = ["cs", "pl", "et", "en", "de"]


@dataclass
class Case:
    n: int
    recipient: str
    lang: str

    @property
    def message_id(self) -> str:
        return f"<pomoc.{self.n}.{1700 + self.n}@pomoc.example>"

    @property
    def domain(self) -> str:
        return self.recipient.split("@", 1)[1]

    @property
    def date(self) -> str:
        return f"Mon, {1 + self.n % 28:02d} Apr 2024 {8 + self.n % 10:02d}:{self.n % 60:02d}:07 +0200"

    def original_headers(self) -> str:
        subject = SUBJECTS[self.lang][0].format(n=1000 + self.n)
        return (
            f"Return-Path: <support@pomoc.example>\n"
            f"Received: from app.pomoc.example (app.pomoc.example [192.0.2.5])\n"
            f"\tby out.pomoc.example with ESMTPSA id q{self.n}x\n\tfor <{self.recipient}>; {self.date}\n"
            f"From: Pomoc Support <support@pomoc.example>\nTo: {self.recipient}\nSubject: {subject}\n"
            f"Date: {self.date}\nMessage-ID: {self.message_id}\nMIME-Version: 1.0\n"
            f'Content-Type: text/plain; charset="utf-8"\nContent-Transfer-Encoding: 8bit\n'
        )

    def original(self) -> str:
        return self.original_headers() + "\n" + SUBJECTS[self.lang][1]


def top(
    case: Case,
    sender: str,
    subject: str,
    *,
    content_type: str = 'text/plain; charset="utf-8"',
    null_sender: bool = True,
    extra: str = "",
) -> str:
    return_path = "Return-Path: <>\n" if null_sender else "Return-Path: <bounces@relay.example.net>\n"
    return (
        f"{return_path}Delivered-To: support@pomoc.example\nDate: {case.date}\nFrom: {sender}\n"
        f"To: support@pomoc.example\nSubject: {subject}\nMessage-ID: <report.{case.n}@mx.{case.domain}>\n"
        f"{extra}MIME-Version: 1.0\nContent-Type: {content_type}\nContent-Transfer-Encoding: 8bit\n\n"
    )


def dsn(
    case: Case,
    sender: str,
    subject: str,
    human: str,
    *,
    action: str = "failed",
    status: str = "5.1.1",
    diagnostic: str = "",
    headers_only: bool = False,
    extra: str = "",
) -> str:
    boundary = f"=_report_{case.n}"
    diagnostic = diagnostic or f"smtp; 550 {status} <{case.recipient}>: no such mailbox"
    returned = (
        "Content-Type: text/rfc822-headers\n\n" + case.original_headers()
        if headers_only
        else "Content-Type: message/rfc822\n\n" + case.original()
    )
    return (
        top(
            case,
            sender,
            subject,
            extra=extra,
            content_type=f'multipart/report; report-type=delivery-status;\n\tboundary="{boundary}"',
        )
        + f'This is a MIME-formatted delivery report.\n\n--{boundary}\nContent-Type: text/plain; charset="utf-8"\n'
        f"Content-Transfer-Encoding: 8bit\n\n{human}\n--{boundary}\nContent-Type: message/delivery-status\n\n"
        f"Reporting-MTA: dns; mx.{case.domain}\nArrival-Date: {case.date}\n\n"
        f"Final-Recipient: rfc822; {case.recipient}\nAction: {action}\nStatus: {status}\n"
        f"Diagnostic-Code: {diagnostic}\n\n--{boundary}\n{returned}\n--{boundary}--\n"
    )


def mixed(
    case: Case,
    sender: str,
    subject: str,
    human: str,
    *,
    headers_only: bool = False,
    null_sender: bool = True,
    extra: str = "",
) -> str:
    """A human-readable report with the returned mail attached, no machine-readable part."""
    boundary = f"=_ndr_{case.n}"
    returned = (
        "Content-Type: text/rfc822-headers\n\n" + case.original_headers()
        if headers_only
        else "Content-Type: message/rfc822\n\n" + case.original()
    )
    return (
        top(
            case,
            sender,
            subject,
            content_type=f'multipart/mixed; boundary="{boundary}"',
            null_sender=null_sender,
            extra=extra,
        )
        + f'--{boundary}\nContent-Type: text/plain; charset="utf-8"\nContent-Transfer-Encoding: 8bit\n\n'
        f"{human}\n--{boundary}\n{returned}\n--{boundary}--\n"
    )


def plain(
    case: Case,
    sender: str,
    subject: str,
    human: str,
    separator: str | None,
    *,
    headers_only: bool = False,
    null_sender: bool = True,
    extra: str = "",
) -> str:
    """The report and the returned mail (or its headers) in one text part."""
    quoted = case.original_headers() if headers_only else case.original()
    tail = "" if separator is None else (separator + "\n\n" if separator else "") + quoted
    return top(case, sender, subject, null_sender=null_sender, extra=extra) + human + "\n" + tail


# --- the shapes -------------------------------------------------------------------------------------
# Each returns (raw text, "bounce" | "delay" | "feedback", status the report names or "", names recipient)


def postfix(c: Case):
    human = (
        f"This is the mail system at host out.pomoc.example.\n\nI'm sorry to have to inform you that your "
        f"message could not\nbe delivered to one or more recipients. It's attached below.\n\n"
        f"                   The mail system\n\n<{c.recipient}>: host mx.{c.domain}[192.0.2.20] said: 550 5.1.1\n"
        f"    <{c.recipient}>: Recipient address rejected: mailbox unknown (in reply to RCPT TO command)\n"
    )
    return (
        dsn(c, "MAILER-DAEMON@out.pomoc.example (Mail Delivery System)", "Undelivered Mail Returned to Sender", human),
        "bounce",
        "5.1.1",
    )


def postfix_plain(c: Case):
    human = (
        f"This is the mail system at host relay.{c.domain}.\n\nYour message could not be delivered to one or "
        f"more recipients.\n\n<{c.recipient}>: host mail.{c.domain}[192.0.2.21] said: 552 5.2.2 mailbox "
        f"over quota (in reply to end of DATA command)\n"
    )
    return (
        plain(
            c,
            f"MAILER-DAEMON@relay.{c.domain} (Mail Delivery System)",
            "Undelivered Mail Returned to Sender",
            human,
            "--- Undelivered message follows ---",
        ),
        "bounce",
        "5.2.2",
    )


def postfix_delay(c: Case):
    human = (
        f"This is the mail system at host out.pomoc.example.\n\n####### THIS IS A WARNING ONLY.  YOU DO NOT "
        f"NEED TO RESEND YOUR MESSAGE. #######\n\nYour message could not be delivered for more than 4 hour(s).\n"
        f"It will be retried until it is 5 day(s) old.\n\n<{c.recipient}>: connect to mx.{c.domain}[192.0.2.22]"
        f":25: Connection timed out\n"
    )
    return (
        dsn(
            c,
            "MAILER-DAEMON@out.pomoc.example (Mail Delivery System)",
            "Delayed Mail (still being retried)",
            human,
            action="delayed",
            status="4.4.1",
            diagnostic="X-Postfix; connect timed out",
            headers_only=True,
        ),
        "delay",
        "4.4.1",
    )


def exim(c: Case):
    human = (
        f"This message was created automatically by mail delivery software.\n\nA message that you sent could "
        f"not be delivered to one or more of its\nrecipients. This is a permanent error. The following "
        f"address(es) failed:\n\n  {c.recipient}\n    host mx.{c.domain} [192.0.2.23]\n"
        f"    SMTP error from remote mail server after RCPT TO:<{c.recipient}>:\n    550 5.1.1 user unknown\n"
    )
    return (
        plain(
            c,
            f"Mail Delivery System <Mailer-Daemon@mail.{c.domain}>",
            "Mail delivery failed: returning message to sender",
            human,
            "------ This is a copy of the message, including all the headers. ------",
            extra=f"X-Failed-Recipients: {c.recipient}\nAuto-Submitted: auto-replied\n",
        ),
        "bounce",
        "5.1.1",
    )


def exim_no_header(c: Case):
    human = (
        f"This message was created automatically by mail delivery software.\n\nA message that you sent could "
        f"not be delivered to one or more of its recipients.\n\n  {c.recipient}\n    retry timeout exceeded\n"
    )
    return (
        plain(
            c,
            f"Mail Delivery System <Mailer-Daemon@mx.{c.domain}>",
            "Mail delivery failed",
            human,
            "------ This is a copy of the message's headers. ------",
            headers_only=True,
        ),
        "bounce",
        "",
    )


def exim_german_isp(c: Case):
    human = (
        f"Diese Nachricht wurde automatisch vom E-Mail-Server erzeugt.\n\nIhre Nachricht konnte nicht an "
        f"alle Empfänger zugestellt werden. Der folgende Empfänger existiert nicht:\n\n  {c.recipient}\n"
        f"    SMTP-Fehler: 550 5.1.1 Benutzer unbekannt\n"
    )
    return (
        plain(
            c,
            f"Mail Delivery System <mailer-daemon@mx.{c.domain}>",
            "Mail delivery failed: returning message to sender",
            human,
            "--- Die ursprüngliche Nachricht folgt ---",
        ),
        "bounce",
        "5.1.1",
    )


def exim_delay(c: Case):
    human = (
        f"This message was created automatically by mail delivery software.\nA message that you sent has not "
        f"yet been delivered to one or more of its\nrecipients after more than 24 hours on the queue on "
        f"mail.pomoc.example.\n\nThe address to which the message has not yet been delivered is:\n\n"
        f"  {c.recipient}\n    host mx.{c.domain} [192.0.2.24]: 451 4.3.0 temporary failure\n\n"
        f"No action is required on your part. Delivery attempts will continue for some time.\n"
    )
    return (
        plain(
            c,
            "Mail Delivery System <Mailer-Daemon@mail.pomoc.example>",
            f"Warning: message 1rT{c.n}x-000Ab delayed 24 hours",
            human,
            "------ This is a copy of the message's headers. ------",
            headers_only=True,
        ),
        "delay",
        "4.3.0",
    )


def sendmail(c: Case):
    human = (
        f"The original message was received at {c.date}\nfrom app.pomoc.example [192.0.2.5]\n\n"
        f"   ----- The following addresses had permanent fatal errors -----\n<{c.recipient}>\n"
        f"    (reason: 550 5.1.1 User unknown)\n\n   ----- Transcript of session follows -----\n"
        f"... while talking to mx.{c.domain}.:\n>>> RCPT To:<{c.recipient}>\n<<< 550 5.1.1 User unknown\n"
    )
    return (
        dsn(
            c,
            f"Mail Delivery Subsystem <MAILER-DAEMON@mx.{c.domain}>",
            "Returned mail: see transcript for details",
            human,
        ),
        "bounce",
        "5.1.1",
    )


def sendmail_old(c: Case):
    human = f"   ----- Transcript of session follows -----\n550 {c.recipient}... User unknown\n\n"
    return (
        plain(
            c,
            f"Mail Delivery Subsystem <MAILER-DAEMON@gw.{c.domain}>",
            "Returned mail: User unknown",
            human,
            "   ----- Original message follows -----",
        ),
        "bounce",
        "",
    )


def sendmail_warning(c: Case):
    human = (
        f"    **********************************************\n    **      THIS IS A WARNING MESSAGE ONLY      **\n"
        f"    **  YOU DO NOT NEED TO RESEND YOUR MESSAGE  **\n    **********************************************\n\n"
        f"The original message was received at {c.date}\n\n   ----- Transcript of session follows -----\n"
        f"<{c.recipient}>... Deferred: Connection refused by mx.{c.domain}.\n"
        f"Warning: message still undelivered after 4 hours\nWill keep trying until message is 5 days old\n"
    )
    return (
        dsn(
            c,
            f"Mail Delivery Subsystem <MAILER-DAEMON@mx.{c.domain}>",
            "Warning: could not send message for past 4 hours",
            human,
            action="delayed",
            status="4.4.1",
            diagnostic="smtp; 421 connection refused",
            headers_only=True,
        ),
        "delay",
        "4.4.1",
    )


def qmail(c: Case):
    human = (
        f"Hi. This is the qmail-send program at mx.{c.domain}.\nI'm afraid I wasn't able to deliver your "
        f"message to the following addresses.\nThis is a permanent error; I've given up. Sorry it didn't work "
        f"out.\n\n<{c.recipient}>:\nSorry, no mailbox here by that name. (#5.1.1)\n"
    )
    return (
        plain(
            c, f"MAILER-DAEMON@mx.{c.domain}", "failure notice", human, "--- Below this line is a copy of the message."
        ),
        "bounce",
        "5.1.1",
    )


def yahoo(c: Case):
    human = (
        f"Sorry, we were unable to deliver your message to the following address.\n\n<{c.recipient}>:\n"
        f"554: delivery error: this user doesn't have an account here\n"
    )
    return (
        plain(c, "MAILER-DAEMON@yahoo.com", "Failure Notice", human, "--- Below this line is a copy of the message."),
        "bounce",
        "",
    )


EXCHANGE = {
    "en": (
        "Undeliverable: ",
        "Delivery has failed to these recipients or groups:",
        "The email address you entered couldn't be found.",
    ),
    "de": (
        "Unzustellbar: ",
        "Die Zustellung an folgende Empfänger oder Gruppen ist fehlgeschlagen:",
        "Die eingegebene E-Mail-Adresse wurde nicht gefunden.",
    ),
    "cs": (
        "Nedoručitelné: ",
        "Doručení následujícím příjemcům nebo skupinám se nezdařilo; zprávu se nepodařilo doručit:",
        "Zadaná e-mailová adresa nebyla nalezena.",
    ),
    "pl": (
        "Niedostarczalne: ",
        "Nie można dostarczyć wiadomości do tych adresatów lub grup:",
        "Nie można odnaleźć wprowadzonego adresu e-mail.",
    ),
    "et": (
        "Kättetoimetamatu: ",
        "Kirja ei õnnestunud kohale toimetada järgmistele adressaatidele või rühmadele:",
        "Sisestatud meiliaadressi ei leitud.",
    ),
    "fr": (
        "Non remis : ",
        "La remise aux destinataires ou groupes suivants a échoué ; le message n'a pas pu être remis :",
        "L'adresse de messagerie que vous avez entrée est introuvable.",
    ),
    "es": (
        "No se puede entregar: ",
        "No se pudo entregar el mensaje a estos destinatarios o grupos:",
        "No se encontró la dirección de correo electrónico que escribió.",
    ),
}


def exchange(lang: str):
    def shape(c: Case):
        prefix, line, reason = EXCHANGE[lang]
        human = (
            f"{line}\n\n{c.recipient}\n{reason}\n\nDiagnostic information for administrators:\n"
            f"Generating server: EX01.{c.domain}\n{c.recipient}\nRemote Server returned '550 5.1.10 "
            f"RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup'\n"
        )
        subject = prefix + SUBJECTS[c.lang][0].format(n=1000 + c.n)
        return (
            dsn(
                c,
                f"Microsoft Outlook <postmaster@{c.domain}>",
                subject,
                human,
                status="5.1.10",
                diagnostic="smtp; 550 5.1.10 RESOLVER.ADR.RecipientNotFound",
            ),
            "bounce",
            "5.1.10",
        )

    shape.__name__ = f"exchange_{lang}"
    return shape


def exchange_2003(c: Case):
    human = (
        f"Your message did not reach some or all of the intended recipients.\n\n      Subject:\t"
        f"{SUBJECTS[c.lang][0].format(n=1000 + c.n)}\n      Sent:\t{c.date}\n\nThe following recipient(s) "
        f"cannot be reached:\n\n      {c.recipient} on {c.date}\n            The e-mail account does not "
        f"exist at the organization this message was sent to.\n            <ex2003.{c.domain} #5.1.1>\n"
    )
    return (
        mixed(
            c,
            f"System Administrator <postmaster@{c.domain}>",
            "Undeliverable: " + SUBJECTS[c.lang][0].format(n=1000 + c.n),
            human,
        ),
        "bounce",
        "5.1.1",
    )


def exchange_delay(c: Case):
    human = (
        f"Delivery is delayed to these recipients or groups:\n\n{c.recipient}\n\nThis message hasn't been "
        f"delivered yet. Delivery will continue to be attempted.\nThe server will keep trying to deliver this "
        f"message for the next 1 days, 19 hours and 52 minutes. You'll be notified if the message can't be "
        f"delivered by that time.\n"
    )
    return (
        dsn(
            c,
            f"Microsoft Outlook <postmaster@{c.domain}>",
            "Delivery delayed:" + SUBJECTS[c.lang][0].format(n=1000 + c.n),
            human,
            action="delayed",
            status="4.4.7",
            diagnostic="smtp; 400 4.4.7 message delayed",
            headers_only=True,
        ),
        "delay",
        "4.4.7",
    )


def outlook_com(c: Case):
    human = (
        f"Your message to {c.recipient} couldn't be delivered.\n{c.recipient.split('@')[0]} wasn't found at "
        f"{c.domain}.\n\nsupport    Office 365    {c.recipient.split('@')[0]}\nAction Required\n"
        f"Recipient\n\nUnknown To address\n"
    )
    return (
        dsn(
            c,
            "postmaster@outlook.com",
            "Undeliverable: " + SUBJECTS[c.lang][0].format(n=1000 + c.n),
            human,
            status="5.1.1",
            diagnostic="smtp; 550 5.1.1 RESOLVER.ADR.ExRecipNotFound",
        ),
        "bounce",
        "5.1.1",
    )


GMAIL = {
    "en": (
        "Address not found",
        "Your message wasn't delivered to {r} because the address couldn't be found, or is unable to receive mail.",
    ),
    "cs": (
        "Adresa nebyla nalezena",
        "Vaše zpráva nebyla doručena na adresu {r}, protože adresa nebyla nalezena nebo nemůže přijímat poštu.",
    ),
    "pl": (
        "Adres nie został znaleziony",
        "Twoja wiadomość nie została dostarczona do {r}, ponieważ adres nie "
        "został znaleziony lub nie może odbierać poczty.",
    ),
    "de": (
        "Adresse nicht gefunden",
        "Ihre Nachricht wurde nicht an {r} zugestellt, weil die Adresse nicht "
        "gefunden wurde oder keine E-Mails empfangen kann. Die Nachricht konnte nicht zugestellt werden.",
    ),
    "et": (
        "Aadressi ei leitud",
        "Teie kirja ei saanud aadressile {r} kohale toimetada, kuna aadressi ei leitud "
        "või see ei saa kirju vastu võtta.",
    ),
}


def gmail(lang: str):
    def shape(c: Case):
        title, line = GMAIL[lang]
        human = (
            f"** {title} **\n\n{line.format(r=c.recipient)}\n\nThe response from the remote server was:\n"
            f"550 5.1.1 The email account that you tried to reach does not exist.\n"
        )
        return (
            dsn(
                c,
                "Mail Delivery Subsystem <mailer-daemon@googlemail.com>",
                "Delivery Status Notification (Failure)",
                human,
            ),
            "bounce",
            "5.1.1",
        )

    shape.__name__ = f"gmail_{lang}"
    return shape


def gmail_plain(c: Case):
    human = (
        f"** Message not delivered **\n\nThere was a problem delivering your message to {c.recipient}. "
        f"See the technical details below.\n\nThe response was:\n\n552 5.2.2 The recipient's inbox is out "
        f"of storage space.\n"
    )
    return (
        mixed(
            c, "Mail Delivery Subsystem <mailer-daemon@googlemail.com>", "Delivery Status Notification (Failure)", human
        ),
        "bounce",
        "5.2.2",
    )


def gmail_delay(c: Case):
    human = (
        f"** Delivery incomplete **\n\nThere was a temporary problem delivering your message to {c.recipient}."
        f" Gmail will retry for 47 more hours. You'll be notified if the delivery fails permanently.\n\n"
        f"The response was:\n\n421 4.7.0 Try again later, closing connection.\n"
    )
    return (
        dsn(
            c,
            "Mail Delivery Subsystem <mailer-daemon@googlemail.com>",
            "Delivery Status Notification (Delay)",
            human,
            action="delayed",
            status="4.7.0",
            diagnostic="smtp; 421 4.7.0 try again later",
        ),
        "delay",
        "4.7.0",
    )


def domino(c: Case):
    human = (
        f"Your message\n\n  Subject: {SUBJECTS[c.lang][0].format(n=1000 + c.n)}\n\nwas not delivered to:\n\n"
        f"  {c.recipient}\n\nbecause:\n\n  User {c.recipient.split('@')[0]} ({c.recipient}) not listed in "
        f"Domino Directory\n"
    )
    return (
        mixed(
            c,
            f"Postmaster@{c.domain}",
            f"DELIVERY FAILURE: User {c.recipient.split('@')[0]} ({c.recipient}) not listed in Domino Directory",
            human,
        ),
        "bounce",
        "",
    )


def domino_notification(c: Case):
    human = (
        f"Delivery has failed to the following recipient:\n\n  {c.recipient}\n\nThe recipient's mailbox "
        f"could not be found on the server notes01/{c.domain.split('.')[0]}.\n"
    )
    return (
        mixed(
            c,
            f"Mail Router <postmaster@{c.domain}>",
            "Delivery Notification: Delivery has failed",
            human,
            headers_only=True,
        ),
        "bounce",
        "",
    )


def mdaemon(c: Case):
    human = (
        f"The attached message had PERMANENT fatal delivery errors!\n\nAfter one or more delivery attempts "
        f"the message was taken off the mail queue of this server.\n\n--- Session transcript ---\n"
        f" Attempting SMTP connection to [mx.{c.domain}]\n Sending RCPT TO:<{c.recipient}>\n"
        f" 550 <{c.recipient}>: mailbox unavailable\n--- End of transcript ---\n"
    )
    return mixed(c, f"MDaemon@mail.{c.domain}", "Permanent Delivery Failure", human), "bounce", ""


def mdaemon_warning(c: Case):
    human = (
        f"The attached message has had temporary delivery problems.\n\nThe server will keep trying to "
        f"deliver it to {c.recipient}; this is a warning only, no action is required on your part.\n\n"
        f"--- Session transcript ---\n Sending RCPT TO:<{c.recipient}>\n 452 4.2.2 mailbox full, try "
        f"later\n--- End of transcript ---\n"
    )
    return (
        mixed(c, f"MDaemon@mail.{c.domain}", "Warning: Temporary Delivery Failure", human, headers_only=True),
        "delay",
        "4.2.2",
    )


def groupwise(c: Case):
    human = (
        f"The message that you sent was undeliverable to the following:\n\t{c.recipient} (user not found)"
        f"\n\nPossible causes: the address was mistyped, or the account was removed.\n"
    )
    return mixed(c, f"postmaster@gw.{c.domain}", "Message status - undeliverable", human), "bounce", ""


def aol(c: Case):
    human = (
        f"Your mail to the following recipients could not be delivered because they are not accepting "
        f"mail from support@pomoc.example:\n\t{c.recipient.split('@')[0]}\n"
    )
    c2 = Case(c.n, c.recipient.split("@")[0] + "@aol.com", c.lang)
    human = human.replace(c.recipient.split("@")[0] + "\n", c2.recipient + "\n")
    return (
        plain(
            c2,
            "Mail Delivery Subsystem <MAILER-DAEMON@aol.com>",
            "Mail Delivery Problem",
            human,
            "-------- Returned message --------",
            headers_only=True,
        ),
        "bounce",
        "",
        c2.recipient,
    )


def smtp32(c: Case):
    human = f"Unknown user: {c.recipient}\n\nThe message could not be delivered.\n"
    return plain(c, f"postmaster@{c.domain}", "Undeliverable Mail", human, "Original message follows."), "bounce", ""


def novell(c: Case):
    human = f"The following recipient(s) could not be reached:\n\n\t{c.recipient}\n\t\t550 5.1.1 recipient unknown\n"
    return (
        mixed(c, f"Mail Delivery System <postmaster@{c.domain}>", "Returned Mail - Error During Delivery", human),
        "bounce",
        "5.1.1",
    )


def courier(c: Case):
    human = (
        f"This is a delivery status notification from mx.{c.domain},\nrunning the Courier mail server.\n\n"
        f"The original message was received on {c.date}\n\n------------------------------------------------"
        f"\n                          UNDELIVERABLE MAIL\n-------------------------------------------------\n\n"
        f"Your message to the following recipients cannot be delivered:\n\n<{c.recipient}>:\n"
        f"    mx.{c.domain} [192.0.2.25]:\n<<< 550 5.1.1 unknown user\n"
    )
    return (
        dsn(c, f"Courier mail server at mx.{c.domain} <@>", "NOTICE: mail delivery status.", human, headers_only=True),
        "bounce",
        "5.1.1",
    )


def courier_plain(c: Case):
    human = (
        f"This is a delivery status notification from mx.{c.domain}, running the Courier mail server.\n\n"
        f"Your message to the following recipients cannot be delivered:\n\n<{c.recipient}>:\n"
        f"<<< 550 5.1.1 unknown user\n"
    )
    return (
        mixed(
            c, f"Courier mail server at mx.{c.domain} <@>", "NOTICE: mail delivery status.", human, headers_only=True
        ),
        "bounce",
        "5.1.1",
    )


def opensmtpd(c: Case):
    human = (
        f"Hi!\n\nThis is the MAILER-DAEMON, please DO NOT REPLY to this email.\n\nAn error has occurred while "
        f"attempting to deliver a message for\nthe following list of recipients:\n\n{c.recipient}: 550 "
        f"5.1.1 invalid mailbox\n\nBelow is a copy of the original message:\n"
    )
    return (
        plain(
            c,
            f"Mailer Daemon <MAILER-DAEMON@out.{c.domain}>",
            "Delivery status notification: error",
            human,
            "",
            headers_only=True,
        ),
        "bounce",
        "5.1.1",
    )


def opensmtpd_delay(c: Case):
    human = (
        f"Hi!\n\nThis is the MAILER-DAEMON, please DO NOT REPLY to this email.\n\nA message is delayed for "
        f"more than 4 hours for the following\nlist of recipients:\n\n{c.recipient}: 421 4.4.2 connection "
        f"dropped\n\nPlease note that this is only a temporary failure report.\nThe message is kept in the "
        f"queue for up to 4 days.\nYou DO NOT NEED to re-send the message to these recipients.\n\n"
        f"Below is a copy of the original message:\n"
    )
    return (
        plain(
            c,
            f"Mailer Daemon <MAILER-DAEMON@out.{c.domain}>",
            "Delivery status notification: delayed",
            human,
            "",
            headers_only=True,
        ),
        "delay",
        "4.4.2",
    )


def dragonfly(c: Case):
    human = (
        f"This is the DragonFly Mail Agent v0.13 at out.{c.domain}.\n\nThere was an error delivering your "
        f"mail to <{c.recipient}>.\n\nmx.{c.domain} [192.0.2.26] did not like our RCPT TO:\n550 5.1.1 "
        f"<{c.recipient}>: recipient rejected\n\nMessage headers follow.\n"
    )
    raw = plain(c, "MAILER-DAEMON <>", "Mail delivery failed", human, None)
    return raw + "\n" + c.original_headers(), "bounce", "5.1.1"


CZECH = (
    "Vaši zprávu se nepodařilo doručit následujícím adresátům:\n\n  {r}\n    Adresát neexistuje "
    "(550 5.1.1).\n\nZpráva byla vrácena odesílateli.\n"
)
POLISH = (
    "Twoja wiadomość nie mogła zostać dostarczona do następujących adresatów:\n\n  {r}\n    Adresat nie "
    "istnieje (550 5.1.1).\n"
)
ESTONIAN = (
    "Teie kirja ei õnnestunud kohale toimetada järgmistele adressaatidele:\n\n  {r}\n    Adressaati ei "
    "ole olemas (550 5.1.1).\n"
)
FRENCH = (
    "Votre message n'a pas pu être remis aux destinataires suivants :\n\n  {r}\n    Destinataire inconnu (550 5.1.1).\n"
)
SPANISH = (
    "No se ha podido entregar su mensaje a los siguientes destinatarios:\n\n  {r}\n    Destinatario "
    "desconocido (550 5.1.1).\n"
)


def isp(sender: str, subject: str, text: str, separator: str, name: str):
    def shape(c: Case):
        return plain(c, sender.format(d=c.domain), subject, text.format(r=c.recipient), separator), "bounce", "5.1.1"

    shape.__name__ = name
    return shape


CZECH_DELAY = (
    "Doručení vaší zprávy adresátovi {r} je zpožděno.\nServer se bude dále pokoušet zprávu doručit "
    "ještě 4 dny; nemusíte ji posílat znovu.\n\nPoslední odpověď serveru: 451 4.7.1 zkuste to později\n"
)
POLISH_DELAY = (
    "Dostarczenie wiadomości do {r} jest opóźnione.\nSerwer będzie ponawiać próby przez kolejne "
    "48 godzin.\n\nOstatnia odpowiedź: 450 4.2.1 skrzynka chwilowo niedostępna\n"
)
ESTONIAN_DELAY = (
    "Teie kirja kättetoimetamine aadressile {r} on viibinud.\nServer proovib uuesti veel 3 päeva "
    "jooksul.\n\nViimane vastus: 451 4.4.1 ühendus katkes\n"
)
GERMAN_DELAY = (
    "Die Zustellung Ihrer Nachricht an {r} wurde verzögert.\nEs wird weiterhin versucht, die "
    "Nachricht zuzustellen.\n\nLetzte Antwort: 452 4.2.2 Postfach voll\n"
)


def isp_delay(sender: str, subject: str, text: str, status: str, name: str):
    def shape(c: Case):
        return (
            plain(
                c,
                sender.format(d=c.domain),
                subject,
                text.format(r=c.recipient),
                "--- Original message ---",
                headers_only=True,
            ),
            "delay",
            status,
        )

    shape.__name__ = name
    return shape


def gateway(c: Case):
    human = (
        f"Mail could not be delivered\n\n{c.recipient}\n    The mail gateway rejected the message: 554 5.7.1 "
        f"message refused by policy\n"
    )
    return (
        mixed(c, f'"InterScan MSS" <postmaster@{c.domain}>', "Mail could not be delivered", human, headers_only=True),
        "bounce",
        "5.7.1",
    )


def messagelabs(c: Case):
    human = (
        f"Delivery has failed to these recipients:\n\n{c.recipient}\n\nThe recipient's server rejected the "
        f"message permanently.\n"
    )
    return (
        dsn(
            c,
            f"Mail Delivery System <MAILER-DAEMON@cluster.{c.domain}>",
            "Mail Delivery Failure",
            human,
            status="5.0.0",
            diagnostic="smtp; 550 5.0.0 rejected",
        ),
        "bounce",
        "5.0.0",
    )


def x4_style(c: Case):
    human = (
        f"Your message could not be delivered to the following recipient:\n  {c.recipient}\n\n"
        f"Reason: 550 Unknown local part in <{c.recipient}>\n"
    )
    return (
        plain(c, f"MAILER-DAEMON@{c.domain}", "Permanent Delivery Failure", human, "----- Original message -----"),
        "bounce",
        "",
    )


def zoho(c: Case):
    human = (
        f"This message was created automatically by mail delivery software.\n\nA message that you sent could "
        f"not be delivered to one or more of its recipients.\n\n{c.recipient}, ERROR CODE :550 - mailbox "
        f"not found\n"
    )
    return mixed(c, f"mailer-daemon@mail.{c.domain}", "Undelivered Mail Returned to Sender", human), "bounce", ""


def verizon_style(c: Case):
    human = f"Message could not be delivered to mobile.\nError: No valid recipient for {c.recipient}\n"
    return (
        mixed(
            c, f"MMSC NDR Administrator <sysadmin@mms.{c.domain}>", "Undeliverable Message", human, headers_only=True
        ),
        "bounce",
        "",
    )


def exchange_russian(c: Case):
    human = (
        f"Не удалось доставить сообщение следующим получателям или группам:\n\n{c.recipient}\n"
        f"Сообщение не может быть доставлено: адрес не найден.\n"
    )
    return (
        dsn(
            c,
            f"Microsoft Outlook <postmaster@{c.domain}>",
            "Недоставляемое: " + SUBJECTS[c.lang][0].format(n=1000 + c.n),
            human,
            status="5.1.10",
        ),
        "bounce",
        "5.1.10",
    )


def mailbox_full_auto_submitted(c: Case):
    human = (
        f"The mailbox of {c.recipient} is full. Your message was not delivered to {c.recipient}.\n"
        f"Remote server said: 552 5.2.2 quota exceeded\n"
    )
    return (
        mixed(
            c,
            f"Mail Server <mailserver@{c.domain}>",
            "Undeliverable message",
            human,
            extra="Auto-Submitted: auto-generated\n",
        ),
        "bounce",
        "5.2.2",
    )


def arf(c: Case):
    boundary = f"=_arf_{c.n}"
    raw = (
        top(
            c,
            f"Feedback Loop <fbl@{c.domain}>",
            "Abuse report",
            content_type=f'multipart/report; report-type=feedback-report;\n\tboundary="{boundary}"',
        )
        + f"--{boundary}\nContent-Type: text/plain\n\nA recipient marked this message as spam.\n\n--{boundary}\n"
        f"Content-Type: message/feedback-report\n\nFeedback-Type: abuse\nUser-Agent: fbl/1.0\nVersion: 1\n"
        f"Original-Mail-From: <support@pomoc.example>\nOriginal-Rcpt-To: <{c.recipient}>\n"
        f"Arrival-Date: {c.date}\n\n--{boundary}\nContent-Type: message/rfc822\n\n{c.original()}\n--{boundary}--\n"
    )
    return raw, "feedback", ""


SHAPES = [
    (postfix, 4),
    (postfix_plain, 3),
    (postfix_delay, 3),
    (exim, 3),
    (exim_no_header, 2),
    (exim_german_isp, 2),
    (exim_delay, 3),
    (sendmail, 3),
    (sendmail_old, 2),
    (sendmail_warning, 2),
    (qmail, 3),
    (yahoo, 2),
    *[(exchange(lang), 2) for lang in EXCHANGE],
    (exchange_2003, 2),
    (exchange_delay, 3),
    (outlook_com, 2),
    *[(gmail(lang), 1) for lang in GMAIL],
    (gmail_plain, 2),
    (gmail_delay, 2),
    (domino, 2),
    (domino_notification, 2),
    (mdaemon, 2),
    (mdaemon_warning, 2),
    (groupwise, 2),
    (aol, 2),
    (smtp32, 2),
    (novell, 2),
    (courier, 2),
    (courier_plain, 1),
    (opensmtpd, 2),
    (opensmtpd_delay, 2),
    (dragonfly, 2),
    (
        isp("Mail Delivery System <mailer-daemon@{d}>", "Nedoručená zpráva", CZECH, "--- Původní zpráva ---", "isp_cs"),
        2,
    ),
    (
        isp("MAILER-DAEMON@{d}", "Wiadomość nie została dostarczona", POLISH, "--- Oryginalna wiadomość ---", "isp_pl"),
        2,
    ),
    (
        isp(
            "Postmaster <postmaster@{d}>",
            "Kirja kohaletoimetamine ebaõnnestus",
            ESTONIAN,
            "--- Algne kiri ---",
            "isp_et",
        ),
        2,
    ),
    (isp("MAILER-DAEMON@{d}", "Échec de la remise du message", FRENCH, "--- Message d'origine ---", "isp_fr"), 2),
    (
        isp(
            "Sistema de correo <mailer-daemon@{d}>",
            "Mensaje no entregado",
            SPANISH,
            "--- Mensaje original ---",
            "isp_es",
        ),
        2,
    ),
    (
        isp_delay(
            "Mail Delivery System <mailer-daemon@{d}>", "Zpožděné doručení zprávy", CZECH_DELAY, "4.7.1", "isp_cs_delay"
        ),
        2,
    ),
    (isp_delay("MAILER-DAEMON@{d}", "Opóźnienie w dostarczeniu wiadomości", POLISH_DELAY, "4.2.1", "isp_pl_delay"), 2),
    (
        isp_delay(
            "Postmaster <postmaster@{d}>", "Kirja kohaletoimetamine viibib", ESTONIAN_DELAY, "4.4.1", "isp_et_delay"
        ),
        2,
    ),
    (
        isp_delay(
            "Mail Delivery System <mailer-daemon@{d}>", "Zustellung verzögert", GERMAN_DELAY, "4.2.2", "isp_de_delay"
        ),
        2,
    ),
    (gateway, 2),
    (messagelabs, 2),
    (x4_style, 2),
    (zoho, 2),
    (verizon_style, 1),
    (exchange_russian, 1),
    (mailbox_full_auto_submitted, 2),
    (arf, 2),
]


# --- the negative corpus: people, and automatic mail meant for people --------------------------------
def person(
    n: int, sender: str, subject: str, body: str, *, extra: str = "", content_type: str = "", charset: str = "utf-8"
) -> str:
    content_type = content_type or f'text/plain; charset="{charset}"'
    return (
        f"Return-Path: <{sender.split('<')[-1].strip('>')}>\nDelivered-To: support@pomoc.example\n"
        f"Date: Tue, {1 + n % 28:02d} May 2024 10:{n % 60:02d}:00 +0200\nFrom: {sender}\nTo: support@pomoc.example\n"
        f"Subject: {subject}\nMessage-ID: <human.{n}@mail.example.net>\n{extra}MIME-Version: 1.0\n"
        f"Content-Type: {content_type}\nContent-Transfer-Encoding: 8bit\n\n{body}"
    )


def _pasted_bounce(c: Case) -> str:
    return (
        f"This is the mail system at host mail.example.net.\n\nI'm sorry to have to inform you that your message "
        f"could not\nbe delivered to one or more recipients.\n\n<sales@pomoc.example>: host mx.pomoc.example said: "
        f"550 5.1.1 User unknown (in reply to RCPT TO command)\n\n--- Undelivered message follows ---\n"
        f"From: {c.recipient}\nTo: sales@pomoc.example\nSubject: Quote request\nMessage-ID: <q{c.n}@example.net>\n\n"
        f"Please send me a quote.\n"
    )


def negatives() -> list[tuple[str, str, str]]:
    """(file name, raw mail, what it is) for mail that must not be taken for a delivery report."""
    c = Case(900, "petra.novakova@example.cz", "cs")
    forwarded_report = postfix(Case(901, "sales@pomoc.example", "en"))[0]
    items = [
        (
            "forward_inline_en",
            person(
                1,
                "Tom Baker <tom.baker@example.com>",
                "Fwd: Undelivered Mail Returned to Sender",
                "Hi, my mail to sales bounced, see below. Which address is right?\n\n"
                "---------- Forwarded message ---------\nFrom: Mail Delivery System "
                "<MAILER-DAEMON@mail.example.net>\nSubject: Undelivered Mail Returned to Sender\n\n"
                + _pasted_bounce(c),
            ),
            "human",
        ),
        (
            "forward_inline_cs",
            person(
                2,
                "Petra Nováková <petra.novakova@example.cz>",
                "Fwd: Nedoručitelné: objednávka",
                "Dobrý den, vrátil se mi e-mail s objednávkou, posílám ho níže.\n\n"
                "-------- Přeposlaná zpráva --------\nOd: postmaster@example.cz\n\n"
                "Doručení následujícím příjemcům se nezdařilo:\nobjednavky@pomoc.example\n",
            ),
            "human",
        ),
        (
            "forward_inline_pl",
            person(
                3,
                "Piotr Nowak <piotr.nowak@example.pl>",
                "PD: Niedostarczalne: faktura",
                "Dzień dobry, moja wiadomość wróciła. Co mam zrobić?\n\n-----Wiadomość "
                "oryginalna-----\nOd: MAILER-DAEMON@example.pl\nTemat: Niedostarczalne: faktura\n\n"
                "Nie można dostarczyć wiadomości do tych adresatów: faktury@pomoc.example\n",
            ),
            "human",
        ),
        (
            "forward_attached",
            person(
                4,
                "Kadri Kask <kadri.kask@example.ee>",
                "Fw: Undeliverable: arve",
                "--fwd\nContent-Type: text/plain; charset=utf-8\n\nTere, mu kiri tuli tagasi, vaadake "
                "manust.\n\n--fwd\nContent-Type: message/rfc822\n\n" + forwarded_report + "\n--fwd--\n",
                content_type='multipart/mixed; boundary="fwd"',
            ),
            "human",
        ),
        (
            "returned_en",
            person(
                5,
                "Anna Smith <anna.smith@example.com>",
                "My mail was returned",
                "Hello, my mail to your billing address was returned with 'user unknown'. Could you "
                "check the address? Thanks, Anna\n",
            ),
            "human",
        ),
        (
            "returned_cs",
            person(
                6,
                "Ondřej Černý <ondrej.cerny@example.cz>",
                "Vrátil se mi e-mail",
                "Dobrý den, zpráva na vaši adresu se mi vrátila jako nedoručitelná. Adresát "
                "prý neexistuje. Můžete to prověřit?\n",
            ),
            "human",
        ),
        (
            "returned_pl",
            person(
                7,
                "Agnieszka Wiśniewska <agnieszka@example.pl>",
                "Wiadomość wróciła",
                "Dzień dobry, moja wiadomość nie została dostarczona, serwer odpowiedział 550 5.1.1. Proszę o pomoc.\n",
            ),
            "human",
        ),
        (
            "returned_et",
            person(
                8,
                "Mart Tamm <mart.tamm@example.ee>",
                "Kiri tuli tagasi",
                "Tere, minu kirja ei õnnestunud kohale toimetada, tuli veateade. Mis aadress on õige?\n",
            ),
            "human",
        ),
        (
            "returned_de",
            person(
                9,
                "Anna Schmidt <anna.schmidt@example.de>",
                "Unzustellbar?",
                "Guten Tag, meine Nachricht an Ihren Vertrieb war unzustellbar. Die Adresse existiert "
                "nicht, sagt der Server.\n",
            ),
            "human",
        ),
        (
            "quoted_report_subject",
            person(
                10,
                "Tom Baker <tom.baker@example.com>",
                "Mail delivery failed",
                "Your system says: 'This message was created automatically by mail delivery "
                "software. A message that you sent could not be delivered.' What now?\n",
            ),
            "human",
        ),
        (
            "reply_to_undeliverable",
            person(
                11,
                "Marie Dubois <marie.dubois@example.fr>",
                "RE: Undeliverable: invoice",
                "Thanks, I fixed the address.\n\n-----Original Message-----\nFrom: "
                "Microsoft Outlook <postmaster@example.fr>\nSubject: Undeliverable: invoice\n\n"
                "Delivery has failed to these recipients or groups.\n",
            ),
            "human",
        ),
        (
            "parcel_not_delivered_cs",
            person(
                12,
                "PPL <info@ppl.example.cz>",
                "Zásilku se nepodařilo doručit",
                "Dobrý den, vaši zásilku se dnes nepodařilo doručit. Kurýr to zkusí znovu zítra.\n",
                extra="X-Mailer: shipping-notices 2.1\n",
            ),
            "human",
        ),
        (
            "parcel_delayed_pl",
            person(
                13,
                "InPost <powiadomienia@inpost.example.pl>",
                "Opóźnienie w dostawie paczki",
                "Twoja paczka jest opóźniona. Przepraszamy.\n",
            ),
            "human",
        ),
        (
            "delivery_failed_complaint",
            person(
                14,
                "Lucia García <lucia.garcia@example.es>",
                "Delivery failed three times",
                "The delivery has failed three times, the courier never came. I want a refund.\n",
            ),
            "human",
        ),
        (
            "order_confirmation",
            person(
                15,
                "Shop <orders@shop.example.com>",
                "Order 4411 confirmed",
                "Thank you for your order. It will be delivered on Friday.\n",
                extra="X-Mailer: shop-engine\n",
            ),
            "human",
        ),
        (
            "invoice_mail",
            person(
                16,
                "Billing <billing@vendor.example.com>",
                "Invoice 2024-113",
                "Please find your invoice attached. Payment due in 14 days.\n",
            ),
            "human",
        ),
        (
            "newsletter",
            person(
                17,
                "News <news@vendor.example.com>",
                "Our spring offers",
                "Big discounts this week. Undeliverable? Write to us.\n",
                extra="List-Unsubscribe: <mailto:unsubscribe@vendor.example.com>\nPrecedence: bulk\n",
            ),
            "mailing-list",
        ),
        (
            "newsletter_returned_words",
            person(
                18,
                "Shop <newsletter@shop.example.com>",
                "Returned items: how refunds work",
                "Items returned to sender are refunded within 5 days.\n",
                extra="List-Id: <news.shop.example.com>\n",
            ),
            "mailing-list",
        ),
        (
            "ooo_en",
            person(
                19,
                "Tom Baker <tom.baker@example.com>",
                "Out of Office: Re: [#1200] Cannot log in",
                "I am out of the office until Monday and will not be able to deliver answers.\n",
                extra="Auto-Submitted: auto-replied\n",
            ),
            "auto-reply",
        ),
        (
            "ooo_cs",
            person(
                20,
                "Jana Králová <jana.kralova@example.cz>",
                "Automatická odpověď: Re: [#1201] Faktura",
                "Jsem do pátku mimo kancelář, vaše zpráva mi bude doručena po návratu.\n",
                extra="Auto-Submitted: auto-replied\n",
            ),
            "auto-reply",
        ),
        (
            "ooo_pl",
            person(
                21,
                "Piotr Nowak <piotr.nowak@example.pl>",
                "Automatyczna odpowiedź: Re: [#1202] Zamówienie",
                "Jestem na urlopie do 20 maja. Wiadomość nie zostanie przeczytana do mojego powrotu.\n",
                extra="X-Autoreply: yes\n",
            ),
            "auto-reply",
        ),
        (
            "ooo_et",
            person(
                22,
                "Kadri Kask <kadri.kask@example.ee>",
                "Automaatne vastus: Re: [#1203] Arve",
                "Olen puhkusel kuni 3. juunini.\n",
                extra="Auto-Submitted: auto-replied\n",
            ),
            "auto-reply",
        ),
        (
            "ooo_de",
            person(
                23,
                "Anna Schmidt <anna.schmidt@example.de>",
                "Abwesenheitsnotiz: Lieferung",
                "Ich bin bis 10. Juni nicht im Büro. Ihre Nachricht konnte nicht sofort bearbeitet werden.\n",
                extra="X-Auto-Response-Suppress: All\n",
            ),
            "auto-reply",
        ),
        (
            "helpdesk_ack",
            person(
                24,
                "Vendor Support <support@vendor.example.com>",
                "[Ticket 5521] We received your request",
                "Thank you, we received your message and will answer soon.\n",
                extra="Auto-Submitted: auto-replied\n",
            ),
            "auto-reply",
        ),
        (
            "postmaster_person",
            person(
                25,
                "Postmaster <postmaster@customer.example.cz>",
                "Prosba o whitelist",
                "Dobrý den, jsem správce pošty u zákazníka. Můžete nám poslat IP adresy vašich "
                "serverů, ať je přidáme na whitelist?\n",
            ),
            "human",
        ),
        (
            "it_person_quoting_codes",
            person(
                26,
                "IT Admin <it@customer.example.pl>",
                "Problem z pocztą",
                "Dzień dobry, od wczoraj nasze wiadomości do was dostają odpowiedź 550 5.7.1. Czy coś zmieniliście?\n",
            ),
            "human",
        ),
        (
            "tells_about_delay",
            person(
                27,
                "Mart Tamm <mart.tamm@example.ee>",
                "Kiri hilineb",
                "Tere, teie kiri jõudis minuni kaks päeva hiljem. Kas teil on serveriga probleeme?\n",
            ),
            "human",
        ),
        (
            "delayed_order_en",
            person(
                28,
                "Tom Baker <tom.baker@example.com>",
                "Delayed delivery of my order",
                "My order 5521 is delayed by two weeks. Please advise.\n",
            ),
            "human",
        ),
        (
            "read_receipt",
            person(
                29,
                "Jana Králová <jana.kralova@example.cz>",
                "Přečteno: Re: [#1204] Tiskárna",
                "--mdn\nContent-Type: text/plain; charset=utf-8\n\nZpráva byla přečtena.\n\n--mdn\n"
                "Content-Type: message/disposition-notification\n\nReporting-UA: mail.example.cz\n"
                "Final-Recipient: rfc822; jana.kralova@example.cz\nOriginal-Message-ID: "
                "<pomoc.5@pomoc.example>\nDisposition: manual-action/MDN-sent-manually; displayed\n"
                "\n--mdn--\n",
                content_type='multipart/report; report-type=disposition-notification; boundary="mdn"',
            ),
            "auto-reply",
        ),
        (
            "pasted_headers",
            person(
                30,
                "Lucia García <lucia.garcia@example.es>",
                "No se puede entregar mi correo",
                "Hola, mi correo no se pudo entregar. Aquí las cabeceras:\n\nFrom: lucia.garcia@example.es\n"
                "To: ventas@pomoc.example\nSubject: Pedido\nDate: Tue, 7 May 2024 10:00:00 +0200\n"
                "Message-ID: <abc@example.es>\n\n¿Qué hago?\n",
            ),
            "human",
        ),
        (
            "monitoring_person",
            person(
                31,
                "Ops <ops@customer.example.com>",
                "Returned mail in our queue",
                "We see many returned mails from your domain in our queue since Monday.\n",
            ),
            "human",
        ),
        (
            "ooo_undeliverable_words",
            person(
                32,
                "Marie Dubois <marie.dubois@example.fr>",
                "Réponse automatique : Facture",
                "Je suis absente. Votre message n'a pas pu être lu avant mon retour.\n",
                extra="Auto-Submitted: auto-replied\n",
            ),
            "auto-reply",
        ),
        (
            "ooo_quoting_undeliverable_subject",
            person(
                33,
                "Tom Baker <tom.baker@example.com>",
                "Automatic reply: Undeliverable parcel [#1205]",
                "I am away until Monday.\n\n----- Original message -----\nFrom: support@pomoc.example\n"
                "To: tom.baker@example.com\nSubject: Undeliverable parcel [#1205]\n"
                "Message-ID: <pomoc.77@pomoc.example>\n\nYour parcel could not be delivered to "
                "returns@shop.example.com, the address does not exist.\n",
                extra="Auto-Submitted: auto-replied\nReturn-Path: <>\n",
            ),
            "auto-reply",
        ),
        (
            "helpdesk_ack_of_a_delivery_complaint",
            person(
                35,
                "Shop Support <support@shop.example.com>",
                "[Ticket 5521] Re: Delivery failed three times",
                "We received your message and will answer within a day.\n\n> The delivery has failed three "
                "times, the parcel could not be delivered.\n",
                extra="Auto-Submitted: auto-replied\n",
            ),
            "auto-reply",
        ),
        (
            "ooo_from_postmaster",
            person(
                34,
                "Postmaster <postmaster@customer.example.cz>",
                "Automatická odpověď: Nedoručitelná zásilka",
                "Jsem na dovolené do 20. 5. Zprávy nebudou doručeny, dokud se nevrátím.\n",
                extra="Auto-Submitted: auto-replied\n",
            ),
            "auto-reply",
        ),
    ]
    return items


def main() -> None:
    for folder in (CORPUS, NEGATIVE):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    expected: dict[str, dict] = {}
    n = 0
    for shape, count in SHAPES:
        for k in range(count):
            n += 1
            case = Case(n, RECIPIENTS[(n + k) % len(RECIPIENTS)], LANGS[n % len(LANGS)])
            raw, kind, status, *named = shape(case)
            name = f"{n:03d}_{shape.__name__}.eml"
            (CORPUS / name).write_bytes(raw.encode("utf-8"))
            expected[name] = {
                "shape": shape.__name__,
                "kind": kind,
                "status": status,
                "recipients": [named[0] if named else case.recipient],
                "original_message_id": case.message_id,
            }
    (CORPUS / "expected.json").write_text(json.dumps(expected, indent=1, ensure_ascii=False) + "\n")
    kinds: dict[str, str] = {}
    for name, raw, kind in negatives():
        (NEGATIVE / f"{name}.eml").write_bytes(raw.encode("utf-8"))
        kinds[f"{name}.eml"] = kind
    (NEGATIVE / "expected.json").write_text(json.dumps(kinds, indent=1) + "\n")
    print(f"{len(expected)} reports, {len(kinds)} negatives")


if __name__ == "__main__":
    main()
