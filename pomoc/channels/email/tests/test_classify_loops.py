from email import message_from_string, policy

import pytest

from pomoc.channels.email.classify import auto_response_headers, classify, is_from_ourselves

from .eml_samples import load

OURS = ["support@pomoc.example", "sales@pomoc.example"]


def _mail(headers: str):
    return message_from_string(headers + "\n\nHello\n", policy=policy.default)


def test_mail_from_our_own_address_is_a_loop():
    assert is_from_ourselves(_mail("From: Pomoc Support <Support@Pomoc.example>"), OURS)


def test_mail_sent_on_our_behalf_or_with_our_envelope_is_a_loop():
    assert is_from_ourselves(_mail("From: someone@example.com\nSender: sales@pomoc.example"), OURS)
    assert is_from_ourselves(_mail("From: someone@example.com\nReturn-Path: <support@pomoc.example>"), OURS)


def test_our_loop_marker_is_recognised():
    assert is_from_ourselves(_mail("From: relay@example.com\nX-Loop: support@pomoc.example"), OURS)


def test_a_whole_domain_can_be_ours():
    assert is_from_ourselves(_mail("From: robot@pomoc.example"), ["@pomoc.example"])
    assert not is_from_ourselves(_mail("From: robot@notpomoc.example"), ["@pomoc.example"])


@pytest.mark.parametrize("name", ["human/plain_new_request.eml", "lists/google_group_own.eml"])
def test_customers_are_not_us(name):
    assert not is_from_ourselves(load(name), OURS)
    assert not is_from_ourselves(load(name), [])


def test_a_broken_from_header_is_not_us():
    assert not is_from_ourselves(_mail("From: <<<>>>"), OURS)


def test_our_automatic_mail_is_stamped_and_reads_back_as_automatic():
    headers = auto_response_headers()
    assert headers == {"Auto-Submitted": "auto-replied", "X-Auto-Response-Suppress": "All", "Precedence": "bulk"}
    msg = _mail("From: support@pomoc.example\n" + "\n".join(f"{k}: {v}" for k, v in headers.items()))
    assert classify(msg).reason == "auto-submitted:auto-replied"
    assert auto_response_headers("auto-generated")["Auto-Submitted"] == "auto-generated"
    with pytest.raises(ValueError):
        auto_response_headers("no")


def test_read_receipt_names_our_original_message():
    assert classify(load("autoreplies/read_receipt.eml")).original_message_id == "<171567390001.1058.1@pomoc.example>"
