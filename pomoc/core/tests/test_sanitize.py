from hypothesis import given
from hypothesis import strategies as st

from pomoc.core.sanitize import html_to_text, sanitize_html, text_to_html


def test_scripts_handlers_and_javascript_urls_are_removed():
    dirty = (
        '<p onmouseover="steal()">Hello</p><script>alert(1)</script><a href="javascript:alert(1)">x</a>'
        '<img src="x" onerror="alert(1)"><iframe src="//evil"></iframe><style>body{}</style>'
    )
    clean = sanitize_html(dirty)
    for bad in ("onmouseover", "<script", "javascript:", "onerror", "<iframe", "<style"):
        assert bad not in clean
    assert "Hello" in clean


def test_links_get_safe_rel():
    assert 'rel="noopener noreferrer nofollow"' in sanitize_html('<a href="https://example.com">x</a>')


def test_plain_text_becomes_escaped_paragraphs():
    assert text_to_html("a <b>\nline\n\nnext") == "<p>a &lt;b&gt;<br>line</p><p>next</p>"


@given(st.text())
def test_sanitized_output_never_contains_a_script_tag(text):
    out = sanitize_html(text + "<script>x</script>" + text)
    assert "<script" not in out.lower()


def test_html_to_text_keeps_words():
    assert "Dobrý den" in html_to_text("<p>Dobrý <b>den</b></p>")
