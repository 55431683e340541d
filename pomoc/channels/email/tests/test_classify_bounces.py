import copy

import pytest

from pomoc.channels.email.classify import Kind, classify

from .eml_samples import load, names

# file -> (failed recipient, Message-ID of our mail that failed, status)
BOUNCES = {
    "bounces/postfix.eml": ("jan.novak@example.cz", "<171567432401.1042.7@pomoc.example>", "5.1.1"),
    "bounces/exim.eml": ("petra.svoboda@example.net", "<171568265002.1044.3@pomoc.example>", "5.1.1"),
    "bounces/qmail.eml": ("olli.virtanen@example.org", "<171567967503.1045.1@pomoc.example>", "5.1.1"),
    "bounces/exchange.eml": ("tiina.tamm@contoso.example", "<171567492807.1046.4@pomoc.example>", "5.1.10"),
    "bounces/gmail.eml": (
        "tomas.dvorak.nonexistent@gmail.example", "<171567842109.1047.2@pomoc.example>", "5.1.1"
    ),
    "bounces/yahoo.eml": ("mari.maasikas@example.ee", "<171568050108.1048.5@pomoc.example>", ""),
    "bounces/sendmail.eml": ("hans.mueller@example.de", "<171567710309.1049.1@pomoc.example>", "5.1.1"),
}


def test_every_bounce_sample_is_listed():
    assert set(names("bounces")) - {"bounces/postfix_delayed.eml"} == set(BOUNCES)


@pytest.mark.parametrize("name", sorted(BOUNCES))
def test_bounce_names_the_failed_recipient_and_our_original_message(name):
    recipient, original, status = BOUNCES[name]
    result = classify(load(name), our_addresses=["support@pomoc.example"])
    assert result.kind == Kind.BOUNCE, result
    assert result.failed_recipients == (recipient,)
    assert result.original_message_id == original
    if status:
        assert result.status == status
    assert not result.may_auto_respond


@pytest.mark.parametrize("name", ["bounces/postfix.eml", "bounces/exchange.eml", "bounces/gmail.eml",
                                  "bounces/sendmail.eml"])
def test_dsn_bounces_are_read_from_the_delivery_status(name):
    assert classify(load(name)).reason == "dsn:failed"


@pytest.mark.parametrize("name", ["bounces/exim.eml", "bounces/qmail.eml", "bounces/yahoo.eml"])
def test_non_standard_bounces_are_recognised_by_their_shape(name):
    assert classify(load(name)).reason in ("bounce-text", "x-failed-recipients")


def _without_machine_parts(msg):
    """The same report as a relay that keeps only the human-readable text would pass it on."""
    msg = copy.deepcopy(msg)
    del msg["X-Failed-Recipients"]
    human = next(p for p in msg.walk() if p.get_content_type() == "text/plain")
    text = human.get_content()
    headers = next(
        (p for p in msg.walk() if p.get_content_type() in ("message/rfc822", "text/rfc822-headers")), None
    )
    if headers is not None and headers.get_content_type() == "text/rfc822-headers":
        text += "\n------ Original message headers ------\n" + headers.get_content()
    elif headers is not None:
        text += "\n------ Original message ------\n" + headers.get_payload()[0].as_string()
    for name in ("Content-Type", "Content-Transfer-Encoding"):
        del msg[name]
    msg.set_content(text)
    return msg


@pytest.mark.parametrize("name", ["bounces/postfix.eml", "bounces/exchange.eml", "bounces/gmail.eml",
                                  "bounces/sendmail.eml"])
def test_the_text_alone_is_enough_when_the_delivery_status_is_missing(name):
    recipient, original, _status = BOUNCES[name]
    result = classify(_without_machine_parts(load(name)))
    assert result.kind == Kind.BOUNCE
    assert result.reason == "bounce-text"
    assert result.failed_recipients == (recipient,)
    assert result.original_message_id == original


def test_a_delayed_delivery_is_noise_but_not_a_bounce():
    result = classify(load("bounces/postfix_delayed.eml"))
    assert result.kind == Kind.AUTO_REPLY
    assert result.reason == "dsn:delayed" and result.is_delay
    assert result.failed_recipients == ("kasia.kowalska@example.pl",)
    assert result.original_message_id == "<171567394011.1043.2@pomoc.example>"


def test_a_delay_warning_without_a_delivery_report_is_noise_too():
    msg = _without_machine_parts(load("bounces/postfix_delayed.eml"))
    result = classify(msg)
    assert result.kind == Kind.AUTO_REPLY
    assert result.reason == "bounce-text:delayed"


def test_an_unreadable_delivery_report_is_still_a_bounce():
    msg = load("bounces/sendmail.eml")
    msg.replace_header("Subject", "Notification")
    msg.replace_header("From", "relay@example.de")
    for part in msg.walk():
        if part.get_content_type() == "message/delivery-status":
            part.set_payload([])
    text = next(p for p in msg.walk() if p.get_content_type() == "text/plain")
    text.set_payload("Something happened.\n")
    result = classify(msg)
    assert result.kind == Kind.BOUNCE
    assert result.reason == "dsn:unreadable"
    assert result.original_message_id == "<171567710309.1049.1@pomoc.example>"
