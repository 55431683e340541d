import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from pomoc.core.quotes import fold_quoted_html, split_quoted
from pomoc.core.sanitize import sanitize_html

REPLY = "Thanks, the printer works again.\n\nJana"


@pytest.mark.parametrize(
    "attribution",
    [
        "On Tue, 14 May 2024 at 13:00, Pomoc Support <support@pomoc.example> wrote:",
        "On 14/05/2024 13:00, Pomoc Support wrote:",
        "On 14 May 2024, at 13:00, Pomoc Support <support@pomoc.example> wrote:",
        "Dne 14. 5. 2024 v 13:00 Pomoc Support napsal(a):",
        "Dne út 14. 5. 2024 13:00 uživatel Pomoc Support <support@pomoc.example> napsal:",
        "W dniu 14.05.2024 o 13:00, Pomoc Support pisze:",
        "wt., 14 maj 2024 o 13:00 Pomoc Support <support@pomoc.example> napisał(a):",
        "T, 14. mai 2024 kell 13:00 Pomoc Support <support@pomoc.example> kirjutas:",
        "Am 14.05.2024 um 13:00 schrieb Pomoc Support <support@pomoc.example>:",
        "Am Di., 14. Mai 2024 um 13:00 Uhr schrieb Pomoc Support <support@pomoc.example>:",
    ],
)
def test_quoted_history_under_an_attribution_is_folded(attribution):
    text = f"{REPLY}\n\n{attribution}\n> Please restart the printer.\n>\n> Pomoc Support\n"
    visible, folded = split_quoted(text)
    assert visible == REPLY
    assert folded.startswith(attribution)
    assert folded.endswith("> Pomoc Support")


def test_gmail_wraps_a_long_attribution_over_two_lines():
    text = (
        f"{REPLY}\n\nOn Tue, 14 May 2024 at 13:00, Pomoc Support of the Example Company <\n"
        "support@pomoc.example> wrote:\n\n> Please restart the printer.\n"
    )
    visible, folded = split_quoted(text)
    assert visible == REPLY
    assert folded.startswith("On Tue, 14 May 2024")


def test_an_attribution_followed_by_unquoted_history_folds_too():
    text = f"{REPLY}\n\nOn 14/05/2024 13:00, Pomoc Support wrote:\nPlease restart the printer.\n"
    assert split_quoted(text) == (REPLY, "On 14/05/2024 13:00, Pomoc Support wrote:\nPlease restart the printer.")


def test_a_trailing_quote_without_attribution_is_folded():
    assert split_quoted(f"{REPLY}\n\n> Please restart the printer.\n> Pomoc\n") == (
        REPLY, "> Please restart the printer.\n> Pomoc"
    )


def test_inline_answers_stay_visible_and_only_the_rest_folds():
    text = (
        "On Tue, 14 May 2024 at 13:00, Pomoc Support <support@pomoc.example> wrote:\n"
        "> Which model is it?\n"
        "HP LaserJet 4000.\n"
        "> Is it on the network?\n"
        "Yes, on the 2nd floor.\n"
        "\n"
        "> Pomoc Support\n"
        "> support@pomoc.example\n"
    )
    visible, folded = split_quoted(text)
    assert "HP LaserJet 4000." in visible
    assert "> Which model is it?" in visible
    assert visible.endswith("Yes, on the 2nd floor.")
    assert folded == "> Pomoc Support\n> support@pomoc.example"


@pytest.mark.parametrize(
    "header",
    [
        "-----Original Message-----\nFrom: Pomoc Support\nSent: Tuesday, May 14, 2024 1:00 PM",
        "----- Original Message -----\nFrom: Pomoc Support",
        "-----Původní zpráva-----\nOd: Pomoc Support",
        "-----Oryginalna wiadomość-----\nOd: Pomoc Support",
        "-----Ursprüngliche Nachricht-----\nVon: Pomoc Support",
        "________________________________\nFrom: Pomoc Support <support@pomoc.example>\n"
        "Sent: Tuesday, May 14, 2024 1:00 PM\nTo: Jana <jana@example.cz>\nSubject: [#1051] Printer",
        "Od: Pomoc Support <support@pomoc.example>\nOdesláno: úterý 14. května 2024 13:00\n"
        "Komu: Jana <jana@example.cz>\nPředmět: [#1051] Tiskárna",
        "Od: Pomoc Support <support@pomoc.example>\nWysłano: wtorek, 14 maja 2024 13:00\n"
        "Do: Jana <jana@example.cz>\nTemat: [#1051] Drukarka",
        "Saatja: Pomoc Support <support@pomoc.example>\nSaadetud: teisipäev, 14. mai 2024 13:00\n"
        "Adressaat: Mari <mari@example.ee>\nTeema: [#1051] Printer",
        "Von: Pomoc Support <support@pomoc.example>\nGesendet: Dienstag, 14. Mai 2024 13:00\n"
        "An: Hans <hans@example.de>\nBetreff: [#1051] Drucker",
    ],
)
def test_outlook_top_posted_history_is_folded(header):
    text = f"{REPLY}\n\n{header}\n\nPlease restart the printer.\n"
    visible, folded = split_quoted(text)
    assert visible == REPLY
    assert folded.startswith(header.split("\n")[0])
    assert folded.endswith("Please restart the printer.")


def test_the_signature_delimiter_folds_the_signature():
    text = f"{REPLY}\n-- \nJana Nováková\nExample s.r.o. | +420 555 123 456\n"
    assert split_quoted(text) == (REPLY, "-- \nJana Nováková\nExample s.r.o. | +420 555 123 456")


@pytest.mark.parametrize(
    "signature",
    [
        "Sent from my iPhone",
        "Sent from my Galaxy",
        "Get Outlook for Android",
        "Odesláno z iPhonu",
        "Odesláno z mého telefonu",
        "Wysłane z iPhone'a",
        "Wysłano z aplikacji Poczta dla Windows",
        "Saadetud minu iPhone'ist",
        "Von meinem iPhone gesendet",
        "Gesendet von Outlook für Android",
    ],
)
def test_mobile_signatures_and_the_history_after_them_are_folded(signature):
    text = f"{REPLY}\n\n{signature}\n\nOn 14/05/2024 13:00, Pomoc Support wrote:\n> Restart it.\n"
    visible, folded = split_quoted(text)
    assert visible == REPLY
    assert folded.startswith(signature)


def test_nothing_to_fold():
    assert split_quoted(REPLY) == (REPLY, "")
    assert split_quoted("") == ("", "")


@pytest.mark.parametrize(
    "text",
    [
        "> only a quote\n> nothing else\n",
        "On 14/05/2024 13:00, Pomoc Support wrote:\n> Restart it.\n",
        "-- \nJana\n",
        "Sent from my iPhone",
        "-----Original Message-----\nFrom: Pomoc Support\n\nRestart it.",
    ],
)
def test_it_never_folds_everything(text):
    assert split_quoted(text) == (text.strip("\n"), "")


def test_forwarded_messages_are_what_the_ticket_is_about():
    text = (
        "Please look at the mail below.\n\n---------- Forwarded message ---------\n"
        "From: Shop <orders@shop.example>\nDate: Tue, 14 May 2024 at 12:00\nSubject: Order 88213\n\nYour order..."
    )
    assert split_quoted(text) == (text, "")


@pytest.mark.parametrize(
    "marker",
    [
        "Begin forwarded message:",
        "---------- Přeposlaná zpráva ---------",
        "-------- Weitergeleitete Nachricht --------",
    ],
)
def test_a_forward_after_a_mobile_signature_stays_visible(marker):
    text = f"See below.\n\nSent from my iPhone\n\n{marker}\n\nFrom: Shop <orders@shop.example>\n> quoted in the forward"
    assert split_quoted(text) == (text, "")


def test_a_signature_and_the_history_below_it_fold_together():
    text = f"{REPLY}\n-- \nJana\n\n-----Original Message-----\nFrom: Pomoc Support\n\nRestart it."
    visible, folded = split_quoted(text)
    assert visible == REPLY
    assert folded.startswith("-- \nJana") and folded.endswith("Restart it.")


def test_people_who_mention_writing_are_not_folded():
    text = "As my colleague wrote:\nthe printer is broken.\n\nAnd then the scanner stopped too."
    assert split_quoted(text) == (text, "")


def test_windows_line_endings():
    visible, folded = split_quoted(f"{REPLY}\r\n\r\n> old\r\n> text\r\n")
    assert (visible, folded) == (REPLY, "> old\n> text")


# --- HTML ---------------------------------------------------------------------------------------
GMAIL = (
    '<div dir="ltr">Thanks &amp; bye<br></div><br>'
    '<div class="gmail_quote"><div dir="ltr" class="gmail_attr">On Tue, 14 May 2024 at 13:00 Pomoc wrote:<br></div>'
    '<blockquote class="gmail_quote" style="margin:0 0 0 .8ex">'
    'Restart <b>it</b>.<img src="cid:logo@pomoc"></blockquote>'
    "</div>"
)
OUTLOOK_WEB = (
    '<div class="elementToProof">The printer works again.</div>'
    '<div id="appendonsend"></div><hr style="display:inline-block;width:98%" tabindex="-1">'
    '<div id="divRplyFwdMsg" dir="ltr"><font face="Calibri"><b>From:</b> Pomoc Support<br><b>Sent:</b> Tuesday</font>'
    "</div><div>Please restart the printer.</div>"
)
THUNDERBIRD = (
    "<p>Works now.</p>"
    '<div class="moz-cite-prefix">On 14/05/2024 13:00, Pomoc Support wrote:<br></div>'
    '<blockquote type="cite" cite="mid:1@pomoc.example">Restart it.</blockquote>'
)
APPLE = (
    '<div dir="auto">Works now.<br><div><br><blockquote type="cite">'
    "<div>On 14 May 2024, at 13:00, Pomoc Support &lt;support@pomoc.example&gt; wrote:</div>"
    "<div>Restart it.</div></blockquote></div></div>"
)


def _visible_part(html: str) -> str:
    start, end = html.index("<details>"), html.rindex("</details>") + len("</details>")
    return html[:start] + html[end:]


def test_gmail_quote_is_folded_whole():
    out = fold_quoted_html(GMAIL)
    assert out.count("<details>") == 1
    assert "Thanks &amp; bye" in _visible_part(out)
    assert "On Tue, 14 May" not in _visible_part(out)
    assert '<img src="cid:logo@pomoc">' in out  # inline images still reach the view
    assert "class=" not in out and "style=" not in out


def test_outlook_web_folds_everything_from_its_reply_header_on():
    out = fold_quoted_html(OUTLOOK_WEB)
    visible = _visible_part(out)
    assert "The printer works again." in visible
    assert "Please restart" not in visible and "<hr>" not in visible and "From:" not in visible
    assert "Please restart the printer." in out


def test_thunderbird_citation_prefix_and_quote_are_folded_together():
    out = fold_quoted_html(THUNDERBIRD)
    assert out.count("<details>") == 1
    assert _visible_part(out) == "<p>Works now.</p>"


def test_apple_mail_blockquote_is_folded():
    out = fold_quoted_html(APPLE)
    assert "Works now." in _visible_part(out)
    assert "wrote:" not in _visible_part(out)


def test_html_that_is_only_a_quote_is_not_folded():
    html = '<div class="gmail_quote"><blockquote>Only the old mail.</blockquote></div>'
    out = fold_quoted_html(html)
    assert "<details>" not in out
    assert "Only the old mail." in out


def test_html_without_quotes_is_unchanged_in_substance():
    assert fold_quoted_html("<p>Hello <b>there</b></p>") == "<p>Hello <b>there</b></p>"
    assert fold_quoted_html("") == ""


def test_the_folded_html_survives_sanitizing():
    out = sanitize_html(fold_quoted_html(GMAIL + "<script>alert(1)</script>"))
    assert "<details><summary>" in out
    assert "<script" not in out
    assert sanitize_html("<details><summary>x</summary>y</details>") == "<details><summary>x</summary>y</details>"


def test_the_summary_is_translated():
    with translation.override("cs"):
        expected = translation.gettext("Show quoted text")
        assert f"<summary>{expected}</summary>" in fold_quoted_html(GMAIL)


def test_broken_html_is_handled():
    out = fold_quoted_html("<p>Hi<blockquote>old <div>unclosed")
    assert "Hi" in _visible_part(out)
    assert "old" in out and "unclosed" in out


_LINES = st.sampled_from(
    ["", "Hello", "> quoted", "-- ", "Sent from my iPhone", "On 14/05/2024 13:00, Jana wrote:", "From: Jana",
     "Sent: Tuesday", "To: Support", "-----Original Message-----", "Begin forwarded message:", "Yes."]
)


@given(st.lists(st.one_of(_LINES, st.text(max_size=20)), max_size=30))
def test_nothing_is_ever_lost(lines):
    text = "\n".join(lines)
    visible, folded = split_quoted(text)
    assert "".join((visible + folded).split()) == "".join(text.replace("\r", "").split())
    assert visible.strip() or not text.strip()


@given(st.text(max_size=200))
def test_any_html_folds_without_raising(value):
    fold_quoted_html(value + "<blockquote>" + value)
