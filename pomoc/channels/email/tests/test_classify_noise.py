import pytest

from pomoc.channels.email.classify import Kind, classify

from .eml_samples import load, names

AUTO_REPLIES = {
    "autoreplies/outlook_en.eml": "auto-submitted:auto-generated",
    "autoreplies/outlook_cs.eml": "auto-submitted:auto-generated",
    "autoreplies/outlook_de.eml": "auto-submitted:auto-generated",
    "autoreplies/gmail_vacation.eml": "auto-submitted:auto-replied",
    "autoreplies/webmail_pl.eml": "x-autoreply",
    "autoreplies/notes_de.eml": "x-autorespond",
    "autoreplies/exchange_et.eml": "x-ms-exchange-inbox-rules-loop",
    "autoreplies/exchange_inbox_rule.eml": "x-ms-exchange-inbox-rules-loop",
    "autoreplies/webmail_cs_nepritomnost.eml": "subject:out-of-office",
    "autoreplies/subject_only_pl.eml": "subject:out-of-office",
    "autoreplies/subject_only_et.eml": "subject:out-of-office",
    "autoreplies/helpdesk_ack_precedence.eml": "precedence:bulk",
    "autoreplies/read_receipt.eml": "report:disposition-notification",
}


def test_every_auto_reply_sample_is_listed():
    assert set(names("autoreplies")) == set(AUTO_REPLIES)


@pytest.mark.parametrize("name", sorted(AUTO_REPLIES))
def test_auto_replies_are_recognised(name):
    result = classify(load(name))
    assert (result.kind, result.reason) == (Kind.AUTO_REPLY, AUTO_REPLIES[name])
    assert not result.may_auto_respond


@pytest.mark.parametrize(
    "subject",
    [
        "Automatic reply: [#1] Printer",
        "Auto-Reply: Your message",
        "AutoReply",
        "Out of Office",
        "Out of the office until Monday",
        "Out of Office AutoReply: Re: invoice",
        "Automatická odpověď: Re: [#1] Tiskárna",
        "Nepřítomnost",
        "Automatyczna odpowiedź: Re: faktura",
        "Odpowiedź automatyczna: Re: faktura",
        "Poza biurem",
        "Automaatne vastus: arve",
        "Kontorist väljas",
        "Abwesenheitsnotiz: Rechnung",
        "Automatische Antwort: Rechnung",
    ],
)
def test_out_of_office_subjects_in_our_languages(subject):
    msg = load("human/plain_new_request.eml")
    msg.replace_header("Subject", subject)
    assert classify(msg).reason == "subject:out-of-office"


@pytest.mark.parametrize(
    "subject",
    [
        "Out of office hours support?",
        "Re: Out of office",
        "I was out of office yesterday",
        "Automatic reply settings do not save",
        "Nepřítomnost kolegy v systému nejde zadat",
    ],
)
def test_people_writing_about_absence_are_people(subject):
    msg = load("human/plain_new_request.eml")
    msg.replace_header("Subject", subject)
    assert classify(msg).kind == Kind.HUMAN


@pytest.mark.parametrize("value", ["All", "OOF, AutoReply", "oof"])
def test_auto_response_suppress_marks_automatic_mail(value):
    msg = load("human/plain_new_request.eml")
    msg["X-Auto-Response-Suppress"] = value
    assert classify(msg).reason == "x-auto-response-suppress"


@pytest.mark.parametrize("value", ["junk", "auto_reply", "bulk"])
def test_precedence_marks_automatic_mail(value):
    msg = load("human/plain_new_request.eml")
    msg["Precedence"] = value
    assert classify(msg).reason == f"precedence:{value}"


def test_a_null_envelope_sender_is_automatic():
    msg = load("human/plain_new_request.eml")
    msg.replace_header("Return-Path", "<>")
    assert (classify(msg).kind, classify(msg).reason) == (Kind.AUTO_REPLY, "return-path:null")


@pytest.mark.parametrize(
    "name,reason", [("lists/mailman.eml", "list-id"), ("lists/newsletter.eml", "list-unsubscribe")]
)
def test_mailing_lists(name, reason):
    result = classify(load(name), our_addresses=["support@pomoc.example"])
    assert (result.kind, result.reason) == (Kind.MAILING_LIST, reason)


def test_precedence_list_alone_is_a_mailing_list():
    msg = load("human/plain_new_request.eml")
    msg["Precedence"] = "list"
    assert classify(msg).reason == "precedence:list"


def test_our_own_support_group_is_not_a_mailing_list():
    msg = load("lists/google_group_own.eml")
    assert classify(msg).kind == Kind.MAILING_LIST
    assert classify(msg, our_addresses=["Support@Pomoc.example"]).kind == Kind.HUMAN


@pytest.mark.parametrize("name,reason", [("spam/spamassassin.eml", "x-spam-flag"),
                                         ("spam/rspamd_status_only.eml", "x-spam-status")])
def test_spam_verdicts_of_the_local_filter(name, reason):
    result = classify(load(name))
    assert (result.kind, result.reason) == (Kind.SPAM, reason)


@pytest.mark.parametrize("name", names("human"))
def test_people_stay_human(name):
    result = classify(load(name), our_addresses=["support@pomoc.example"])
    assert result.kind == Kind.HUMAN, result
    assert result.may_auto_respond
    assert result.kind == "human"
